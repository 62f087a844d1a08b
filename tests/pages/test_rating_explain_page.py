"""The Explain page of a rating run (a new user's findings on corporate_rating.csv): the row picker names each
row's company, date, actual and predicted rating, not 'Test row 17'; drivers that describe the record are flagged
above the charts; a change of class starts the picker on that class's top row; a new tab starts from the class
last explained with the run, as its Report does; a row without reason codes does not deny its waterfall's small
rises."""

import re

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.drivers import explanation_record_drivers
from finmodels.explain.reasons import NEGLIGIBLE_SHARE
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page
from tests.pages.test_task_pages import trained
from ui.state import Dataset

RATING = "Rating"
LINE = re.compile(r"^line \d+ of the file · .+ · \d{4}-\d{2}-\d{2} · actual \S+, predicted \S+ · "
                  r"probability of '(?P<cls>[^']+)' \d\.\d{3}$")


@pytest.fixture(scope="module")
def rating_state():
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    return trained(Dataset("corporate_rating.csv", frame), target=RATING, task="credit_rating", units="16")


def classes_of(run, explained) -> list[tuple[str, str]]:
    """(actual, predicted) rating of each explained row, from the run's test rows and scores."""
    test = list(run.frame.index[run.split.test])
    labels = np.asarray(run.class_labels, dtype=object)
    out = []
    for row_id in explained.row_ids:
        p = test.index(row_id)
        out.append((str(run.frame.loc[row_id, RATING]), labels[int(np.argmax(run.test_scores[p]))]))
    return out


def test_the_row_picker_names_the_company_its_date_and_its_actual_and_predicted_rating(rating_state):
    at = page("pages/4_Explain.py", rating_state)
    assert not at.exception
    explained, run = at.session_state["explanation"], rating_state["run"]
    picker = at.selectbox(key="explain_row")
    assert picker.label == "Row (explained rows, highest probability of 'BBB' first)"
    order = explained.rows_by_prediction()
    classes = classes_of(run, explained)
    for shown, i in zip(picker.options[:5], order):
        row = run.frame.loc[explained.row_ids[i]]
        actual, predicted = classes[i]
        assert actual == row[RATING]
        line = run.frame.index.get_loc(explained.row_ids[i]) + 2  # the row's line in the file, as the what-if names it
        assert shown == (f"line {line} of the file · {row['Name']} · {pd.Timestamp(row['Date']):%Y-%m-%d} · actual "
                         f"{actual}, predicted "
                         f"{predicted} · probability of 'BBB' {explained.predictions[i]:.3f}")
    assert not any(o.startswith("Test row") for o in picker.options)
    assert all(LINE.match(o) and LINE.match(o)["cls"] == "BBB" for o in picker.options)
    flagged = [w.value for w in at.warning if "describes the record, not the borrower" in w.value]
    assert flagged == [d.message for d in explanation_record_drivers(explained, run)]
    assert any("this is an ordinal model" in i.value for i in at.info)  # was 'a ordinal'


def test_a_new_class_starts_the_row_picker_on_its_top_row(rating_state):
    at = page("pages/4_Explain.py", rating_state)
    first = at.session_state["explanation"].rows_by_prediction()
    at.selectbox(key="explain_row").set_value(first[0]).run()  # the analyst picked BBB's top row (Markel)
    at.selectbox(key="explain_class").set_value("CC/C/D").run()
    assert not at.exception
    explained = at.session_state["explanation"]
    assert explained.target_class == "CC/C/D"
    top = explained.rows_by_prediction()[0]
    assert top != first[0]  # the picked row is not the new class's top row: it would have stayed picked
    picker = at.selectbox(key="explain_row")
    assert picker.label == "Row (explained rows, highest probability of 'CC/C/D' first)"
    assert picker.value == top and picker.index == 0
    assert LINE.match(picker.options[0])["cls"] == "CC/C/D"
    # the analyst's own pick within a class stays picked on the next run of the page
    picker.set_value(explained.rows_by_prediction()[2]).run()
    at.run()
    assert at.selectbox(key="explain_row").value == explained.rows_by_prediction()[2]


def test_a_new_tab_starts_from_the_class_last_explained_as_its_report_does(rating_state):
    first = page("pages/4_Explain.py", rating_state)
    first.selectbox(key="explain_class").set_value("CC/C/D").run()
    assert not first.exception and first.session_state["explanation"].target_class == "CC/C/D"
    explain = page("pages/4_Explain.py", rating_state)  # a new tab on the run: no class chosen in it yet
    assert not explain.exception
    assert explain.selectbox(key="explain_class").value == "CC/C/D"
    assert explain.session_state["explanation"].target_class == "CC/C/D"
    report = page("pages/7_Report.py", rating_state)
    assert any("reason codes of class CC/C/D" in m.value for m in report.markdown)
    # back to BBB in the first tab (kept before, so not computed again): the next new tab starts on BBB
    first.selectbox(key="explain_class").set_value("BBB").run()
    assert not first.exception
    again = page("pages/4_Explain.py", rating_state)
    assert again.selectbox(key="explain_class").value == "BBB"
    report = page("pages/7_Report.py", rating_state)
    assert any("reason codes of class BBB" in m.value for m in report.markdown)


def test_a_row_without_reason_codes_says_how_small_its_rises_are(rating_state):
    at = page("pages/4_Explain.py", rating_state)
    at.selectbox(key="explain_class").set_value("CC/C/D").run()
    explained = at.session_state["explanation"]
    # a row whose largest rise is real but below the cut: the waterfall shows it, the reasons may not deny it
    quiet = [i for i in explained.rows_by_prediction() if 0 < explained.values[i].max() <= NEGLIGIBLE_SHARE]
    assert quiet, "the rating run has rows with small rises of 'CC/C/D'"
    at.selectbox(key="explain_row").set_value(quiet[0]).run()
    assert not at.exception
    said = [c.value for c in at.caption if c.value.startswith("No column raised")]
    assert said == ["No column raised this row's probability of 'CC/C/D' by more than 0.005, the smallest effect a "
                    "reason code cites; the chart shows the smaller ones."]
    table = at.dataframe[-1].value  # the row's values and contributions
    assert list(table.columns) == ["column", "value", "contribution"]
    assert list(table["column"]) == list(explained.contributions(quiet[0])["column"])
    assert not table["value"].str.contains(r"e[+-]\d").any()  # '2.55315e+06' read as '2,553,000'
