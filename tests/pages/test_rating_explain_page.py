"""The Explain page of a rating run (a new user's findings on corporate_rating.csv): the row picker names each
row's company and date, not 'Test row 17'; drivers that describe the record are flagged above the charts."""

import re

import pandas as pd

from finmodels.explain.drivers import explanation_record_drivers
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page
from tests.pages.test_task_pages import trained
from ui.state import Dataset


def test_the_row_picker_names_the_company_and_its_date():
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    state = trained(Dataset("corporate_rating.csv", frame), target="Rating", task="credit_rating", units="16")
    at = page("pages/4_Explain.py", state)
    assert not at.exception
    explained, run = at.session_state["explanation"], state["run"]
    picker = at.selectbox(key="explain_row")
    assert picker.label == "Row (explained rows, highest probability of 'BBB' first)"
    order = explained.rows_by_prediction()
    for shown, i in zip(picker.options[:5], order):
        row = run.frame.loc[explained.row_ids[i]]
        assert shown == (f"{row['Name']} · {pd.Timestamp(row['Date']):%Y-%m-%d} · probability of 'BBB' "
                         f"{explained.predictions[i]:.3f}")
    assert not any(o.startswith("Test row") for o in picker.options)
    assert all(re.match(r"^.+ · \d{4}-\d{2}-\d{2} · probability of 'BBB' \d\.\d{3}$", o) for o in picker.options)
    flagged = [w.value for w in at.warning if "describes the record, not the borrower" in w.value]
    assert flagged == [d.message for d in explanation_record_drivers(explained, run)]
