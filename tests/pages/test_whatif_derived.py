"""The Explain page's what-if on credit_risk_dataset.csv: loan_percent_income is loan_amnt / person_income in the
data, so a new loan amount recomputes it, and the page says so; the analyst can turn that off. A real file (its first
3,000 rows, to keep the tiny training short) and the real page."""

import pytest

from finmodels.data.reading import load_csv
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page
from tests.pages.test_task_pages import trained
from ui.state import Dataset

SUBMIT = "FormSubmitter:whatif_form_0-Score the what-if"


@pytest.fixture(scope="module")
def credit_risk_state():
    frame = load_csv(SHARED_DATASETS / "credit_risk_dataset.csv").head(3000)
    return trained(Dataset("credit_risk_dataset.csv", frame), target="loan_status", task="credit_default")


def test_a_new_loan_amount_recomputes_loan_percent_income_and_says_so(credit_risk_state):
    at = page("pages/4_Explain.py", credit_risk_state)
    assert not at.exception
    assert at.checkbox(key="whatif_recompute").value is True
    rule = next(c.value for c in at.caption if c.value.startswith("In the training data "))
    assert rule.startswith("In the training data **loan_percent_income** = loan_amnt / person_income (rounded to 2 "
                           "decimals) on 9")  # the share of the training rows, e.g. 98.5%
    at.number_input(key="whatif_0_loan_amnt").set_value(10000)  # line 2: 35,000 on an income of 59,000
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    result = at.session_state["whatif_result"][1]
    assert result.changes == {"loan_amnt": (35000, 10000.0), "loan_percent_income": (0.59, 0.17)}
    assert [i.value for i in at.info if "recomputed" in i.value] == [
        "loan_percent_income recomputed as loan_amnt / person_income: 0.59 → 0.17."]

    at.checkbox(key="whatif_recompute").uncheck().run()  # off: the value as typed
    assert any(c.value.endswith("Off: it keeps the value in the editor.") for c in at.caption)
    at.number_input(key="whatif_0_loan_amnt").set_value(12000)
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    result = at.session_state["whatif_result"][1]
    assert result.changes == {"loan_amnt": (35000, 12000.0)} and result.recomputed == []
    assert not [i.value for i in at.info if "recomputed" in i.value]


def test_partial_dependence_of_the_loan_amount_on_the_explain_page(credit_risk_state):
    """Explain's 'Partial dependence' view: the score of 200 test rows with loan_amnt set to each of 25 values, the
    shape in words, and loan_percent_income recomputed from it as in the data."""
    at = page("pages/4_Explain.py", credit_risk_state)
    at.segmented_control(key="explain_view").set_value("Partial dependence").run()
    assert not at.exception
    assert at.selectbox(key="explain_pdp_column").options[0] == at.session_state["explanation"].importance().index[0]
    at.selectbox(key="explain_pdp_column").set_value("loan_amnt").run()
    assert not at.exception
    (found,) = [v for k, v in at.session_state["explain_pdp"].items() if k[2] == "loan_amnt"]
    assert found.lines.shape == (200, 25) and found.recomputed == ("loan_percent_income = loan_amnt / person_income",)
    said = next(m.value for m in at.markdown if m.value.startswith("**On average, the default probability "))
    assert said == f"**On average, the default probability {found.shape}.**"
    assert found.shape.split(" ")[0] in ("rises", "falls", "is")
    note = next(c.value for c in at.caption if "test rows, 25 values each" in c.value)
    assert "Recomputed on every row as the column moves, as in the training data: loan_percent_income = loan_amnt / " \
           "person_income." in note
    assert any("How the default probability moves with loan_amnt" in c.proto.spec for c in at.get("plotly_chart"))


def test_the_report_shows_how_the_score_moves_with_the_top_three_columns(credit_risk_state):
    explain = page("pages/4_Explain.py", credit_risk_state)  # the explanation, kept with the run
    top = list(explain.session_state["explanation"].importance().index)[:3]
    at = page("pages/7_Report.py", credit_risk_state)
    assert not at.exception
    assert any("how the score moves with its three most important columns (partial dependence)" in m.value
               for m in at.markdown)
    at.button(key="report_build").click().run()
    assert not at.exception
    built = at.session_state["report_html"]
    assert "<h2>How the score moves with its top columns</h2>" in built
    section = built.split("<h2>How the score moves with its top columns</h2>")[1]
    assert [c for c in top if f"<h3>{c}</h3>" in section] == top
    assert section.count("On average, the default probability ") == 3
    # each chart says what was tried and what a reader needs besides, as the Explain page and the document say it
    assert section.count("<ul>") == 3
    assert section.count("values across the bulk of the training rows") + section.count("at each level seen") \
        + section.count("codes of ") == 3
