"""The Explain page's partial dependence on taiwan_default's first 2,000 rows, as a new user's trial met it: PAY_0
(-2 and -1 are codes, 'no use' and 'paid in full') and EDUCATION (0 to 6, codes 0, 4, 5 and 6 on few rows) are drawn
and described per code, the thin codes are a warning, and the caption says where the steps come from (a small
table's run reads each column's weight of evidence too). The real page, the real file."""

import pytest

from finmodels.data.reading import load_csv
from finmodels.explain.dependence_notes import notes, thin_note
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page
from tests.pages.test_task_pages import trained
from ui.state import Dataset


@pytest.fixture(scope="module")
def taiwan_state():
    frame = load_csv(SHARED_DATASETS / "taiwan_default.csv").head(2000)
    return trained(Dataset("taiwan_default.csv", frame), target="default_payment_next_month", task="credit_default")


def _view(state, column):
    at = page("pages/4_Explain.py", state)
    at.segmented_control(key="explain_view").set_value("Partial dependence").run()
    at.selectbox(key="explain_pdp_column").set_value(column).run()
    assert not at.exception
    (found,) = [v for k, v in at.session_state["explain_pdp"].items() if k[2] == column]
    return at, found


def test_codes_are_drawn_and_said_per_code_and_thin_codes_are_a_warning(taiwan_state):
    at, found = _view(taiwan_state, "PAY_0")
    run = taiwan_state["run"]
    counts = run.frame["PAY_0"].iloc[run.split.train].value_counts().sort_index()
    assert found.coded and found.grid == tuple(float(c) for c in counts.index) and found.counts == tuple(counts)
    said = next(m.value for m in at.markdown if m.value.startswith("**On average, the default probability "))
    assert said == f"**On average, the default probability {found.shape}.**"
    assert found.shape.startswith("is highest at code ") and "; by code: -2: " in found.shape
    least = max(30, 0.01 * len(run.split.train))
    thin = tuple(float(c) for c, n in counts.items() if n < least)
    assert thin and found.thin == thin
    assert [w.value for w in at.warning] == [thin_note(found)]
    caption = next(c.value for c in at.caption if "test rows, 11 values each" in c.value
                   or f"test rows, {len(found.grid)} values each" in c.value)
    assert "The network also reads PAY_0's weight of evidence in the scorecard's bins (" in caption
    assert all(s in caption for s in notes(found) if s != thin_note(found))
    chart = next(c.proto.spec for c in at.get("plotly_chart") if "How the default probability moves with PAY_0"
                 in c.proto.spec)
    assert '"type":"category"' in chart.replace(" ", "") and '"type":"box"' in chart.replace(" ", "")


def test_a_numeric_column_counts_the_test_rows_beyond_the_values_tried(taiwan_state):
    at, found = _view(taiwan_state, "LIMIT_BAL")
    run = taiwan_state["run"]
    test = run.frame["LIMIT_BAL"].iloc[run.split.test]
    above = test[test > max(found.grid)]
    assert not found.coded and found.outside[1] == len(above) > 0 and found.outside[3] == above.max()
    caption = next(c.value for c in at.caption if "values each" in c.value)
    assert (f"{found.outside[0] + len(above)} of the {len(test):,} test rows hold LIMIT_BAL outside the values tried"
            in caption) and f"(up to {above.max():,.0f})" in caption
    assert not at.warning
