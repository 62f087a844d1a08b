"""The one place that names what a session keeps in st.session_state.

Everything here belongs to one browser session: a model trained by one user is never shared with another
(no st.cache_resource for user data or models).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

DATASET = "dataset"
TARGET = "target"
EVENT_LABEL = "event_label"
RUN = "run"
EXPLANATION = "explanation"


@dataclass(frozen=True)
class Dataset:
    name: str
    frame: pd.DataFrame


def dataset() -> Dataset | None:
    return st.session_state.get(DATASET)


def set_dataset(name: str, frame: pd.DataFrame) -> None:
    """Keep a newly loaded table; a new table invalidates the target choice, the run and its explanation."""
    st.session_state[DATASET] = Dataset(name, frame)
    for key in (TARGET, EVENT_LABEL, RUN, EXPLANATION):
        st.session_state.pop(key, None)


def run():
    return st.session_state.get(RUN)


def set_run(result) -> None:
    st.session_state[RUN] = result
    st.session_state.pop(EXPLANATION, None)
