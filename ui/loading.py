"""Loading a sample or an uploaded file into the session, with errors shown as messages."""

from __future__ import annotations

from finmodels.data.reading import load_csv
from finmodels.errors import FinModelsError
from finmodels.data.samples import get_sample, load_sample
from ui import session, state
from ui.jobs import warm_up
from ui.messages import show_error


def load_sample_into_session(key: str) -> bool:
    try:
        frame = load_sample(key)
    except FinModelsError as exc:
        show_error(exc)
        return False
    state.set_dataset(get_sample(key).label, frame)
    session.forget_opened_data()
    session.remember_sample(key)
    warm_up()  # data is in: import the training stack in the background while the analyst reads the Data page
    return True


def load_upload_into_session(uploaded) -> bool:
    try:
        raw = uploaded.getvalue()
        frame = load_csv(raw)
    except FinModelsError as exc:
        show_error(exc)
        return False
    state.set_dataset(uploaded.name, frame)
    session.forget_opened_data()
    session.remember_upload(uploaded.name, raw, frame)
    warm_up()
    return True
