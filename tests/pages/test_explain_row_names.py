"""One borrower, one name (a new user's finding on taiwan_default.csv, which has an ID column): the Explain page's
picker showed '22760', the ID column's value, with nothing saying so; the report listed reason codes under '22760'
and a kept what-if under 'line 22761 of the file' for the same borrower. Every place that names an explained row
now says its line in the file and, where the file has an identifier column, its value: 'line 22761 of the file · ID
22760' (the picker, the waterfall's title, the reason codes' heading, the report's reason codes and kept what-ifs)."""

import re

import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page
from tests.pages.test_task_pages import trained
from ui.state import Dataset

TARGET = "default_payment_next_month"
NAME = re.compile(r"^line (?P<line>\d+) of the file · ID (?P<id>\d+)$")


@pytest.fixture(scope="module")
def taiwan_state():
    frame = load_csv(SHARED_DATASETS / "taiwan_default.csv").iloc[:3000]  # the real file's first 3,000 borrowers
    return trained(Dataset("taiwan_default.csv", frame), target=TARGET, task="credit_default")


def name_of(frame: pd.DataFrame, row_id) -> str:
    """What the what-if calls the row (its line: position + 2), with the file's ID."""
    return f"line {frame.index.get_loc(row_id) + 2} of the file · ID {frame.loc[row_id, 'ID']}"


def test_the_explain_page_names_the_picked_row_by_its_line_and_its_id(taiwan_state):
    at = page("pages/4_Explain.py", taiwan_state)
    assert not at.exception
    explained, frame = at.session_state["explanation"], taiwan_state["run"].frame
    picker = at.selectbox(key="explain_row")
    order = explained.rows_by_prediction()
    for shown, i in zip(picker.options[:5], order):
        assert shown == f"{name_of(frame, explained.row_ids[i])} · default probability {explained.predictions[i]:.3f}"
    top = name_of(frame, explained.row_ids[order[0]])
    assert NAME.match(top) and int(NAME.match(top)["line"]) == int(NAME.match(top)["id"]) + 1  # ID 1 is on line 2
    assert any(m.value == f"**Reason codes of {top}**" for m in at.markdown)
    waterfall = next(c for c in at.get("plotly_chart") if "Why " in c.proto.spec)
    assert f"Why {top} scores " in waterfall.proto.spec
    assert any(e.label == f"Values and contributions of {top}" for e in at.expander)
    picker.set_value(order[3]).run()
    third = name_of(frame, explained.row_ids[order[3]])
    assert any(m.value == f"**Reason codes of {third}**" for m in at.markdown)


def test_the_report_names_reason_codes_and_kept_whatifs_as_the_explain_page_does(taiwan_state):
    from finmodels.delivery.report import build_report

    run = taiwan_state["run"]
    explanation = page("pages/4_Explain.py", taiwan_state).session_state["explanation"]  # the page's, from its worker
    top = int(explanation.rows_by_prediction()[0])
    position = run.frame.index.get_loc(explanation.row_ids[top])
    whatif = {"row": position, "row_label": f"ID = '{run.frame['ID'].iloc[position]}'", "changes": {},
              "before": {"score": 0.5}, "after": {"score": 0.4}, "output": "default probability"}
    html = build_report(run, data_name="taiwan_default.csv", explanation=explanation, kept={"whatif": [whatif]})
    name = name_of(run.frame, explanation.row_ids[top])
    assert f"<p>{name[0].upper()}{name[1:]}, with default probability " in html
    assert f"<h3>1. {name}</h3>" in html  # the kept what-if, picked by its ID, named as the reason codes are
    assert "ID = " not in html
