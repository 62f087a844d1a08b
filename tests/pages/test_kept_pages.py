"""Results kept with a run through the pages (issue 18), on a tiny German credit run kept in the test workspace:
the fairness Governance draws, a what-if edited on Explain (by row number and by an identifier), and the Report
page that lists them."""

import pytest

from finmodels.evaluation.fairness import result_fairness
from finmodels.runtime.records import kept_results
from finmodels.runtime.workspace import Workspace
from tests.pages.test_pages import page
from tests.pages.text_tiles import text_tiles
from ui.state import Dataset


def stored(state) -> dict:
    return kept_results(Workspace(area=state["_session_area"]), state["run"].run_id)


def metric(at, label: str) -> str:
    return next((m.value for m in at.metric if m.label == label), None) or text_tiles(at)[label]


def test_governance_keeps_the_fairness_it_draws_with_the_run(credit_state):
    at = page("pages/8_Governance.py", {**credit_state, "governance_protected": ["age_in_years"], "threshold": 0.5,
                                        "threshold_run": credit_state["run"].run_id})  # as set on Evaluate
    assert not at.exception
    fairness = stored(credit_state)["fairness"]
    expected = result_fairness(credit_state["run"], protected=["age_in_years"], threshold=0.5)[0].to_dict()
    assert list(fairness) == ["age_in_years"]
    assert fairness["age_in_years"]["groups"] == expected["groups"]
    assert any(c.value.startswith(f"Kept with run {credit_state['run'].run_id[:8]}") for c in at.caption)


def test_a_what_if_on_explain_is_scored_in_a_worker_and_kept_with_the_run(credit_state):
    at = page("pages/4_Explain.py", credit_state)
    at.number_input(key="whatif_line").set_value(5).run()  # line 5: the row at position 3
    assert not at.exception
    assert at.number_input(key="whatif_3_credit_amount").value == 7882
    at.number_input(key="whatif_3_credit_amount").set_value(25000)
    at.selectbox(key="whatif_3_housing").set_value("own")
    at.button(key="FormSubmitter:whatif_form_3-Score the what-if").click().run()
    assert not at.exception
    result = at.session_state["whatif_result"][1]
    assert result.changes == {"credit_amount": (7882, 25000.0), "housing": ("for free", "own")}
    assert float(metric(at, "Score before")) == pytest.approx(result.before["score"], abs=5e-4)
    assert float(metric(at, "Score after")) == pytest.approx(result.after["score"], abs=5e-4)
    assert result.before["score"] != result.after["score"]
    assert metric(at, "Decision after") == result.after["decision"]
    # the decisions in text tiles that wrap, whole: st.metric cut 'flagged: default_payment_next_month = 1' short
    assert text_tiles(at)["Decision before"] == result.before["decision"]
    assert not {"Decision before", "Decision after"} & {m.label for m in at.metric}
    assert any("credit_amount = 25,000 is outside the training range" in w.value for w in at.warning)
    # the counterfactual search tries the text inputs (German credit's are most of its columns) at each other level
    assert not any(c.value.startswith(("Text inputs are not searched", "Not searched")) for c in at.caption)
    assert {cf.column for cf in result.counterfactuals if cf.level} >= {"housing", "purpose"}
    at.button(key="whatif_keep").click().run()
    assert not at.exception
    whatifs = stored(credit_state)["whatif"]
    assert whatifs[-1]["changes"] == {"credit_amount": {"before": 7882, "after": 25000.0},
                                      "housing": {"before": "for free", "after": "own"}}
    # the row the analyst picked is still picked after a visit to another page (it went back to row 0)
    at.switch_page("pages/3_Evaluate.py").run()
    at.switch_page("pages/4_Explain.py").run()
    assert not at.exception and at.number_input(key="whatif_line").value == 5


def test_a_row_is_found_by_an_identifier_column(credit_state):
    at = page("pages/4_Explain.py", {**credit_state, "whatif_by": "Identifier", "whatif_id_column": "credit_amount",
                                     "whatif_id_value": "7882"})
    assert not at.exception
    assert any(m.value.startswith("**Line 5 of the file: edit any value**") for m in at.markdown)
    at.text_input(key="whatif_id_value").set_value("no such amount").run()
    assert [e.value for e in at.error] == [
        "No row has credit_amount = 'no such amount' (e.g. '1169', '5951', '2096'). Check the value, or pick the row "
        "by its line in the file."]


def test_the_report_page_lists_what_was_kept(credit_state):
    at = page("pages/7_Report.py", credit_state)
    assert not at.exception
    text = at.markdown[0].value
    assert "the fairness by protected columns kept with this run" in text
    assert "the what-ifs kept with this run" in text
    assert "hyperparameter search" not in text


@pytest.mark.parametrize("task, target, arch", [("regression", "credit_amount", None), ("anomaly", None, "vae")])
def test_a_what_if_of_a_regression_or_anomaly_run(german, task, target, arch):
    from tests.pages.test_task_pages import trained

    state = trained(Dataset("German credit", german), target=target, task=task, arch=arch,
                    units="8, 4" if arch else "8")
    at = page("pages/4_Explain.py", state)
    at.number_input(key="whatif_line").set_value(5).run()  # line 5: the row at position 3
    at.number_input(key="whatif_3_duration_in_month").set_value(6)
    at.button(key="FormSubmitter:whatif_form_3-Score the what-if").click().run()
    assert not at.exception
    result = at.session_state["whatif_result"][1]
    assert result.changes == {"duration_in_month": (42, 6.0)}
    assert float(metric(at, "Score after").replace(",", "")) == pytest.approx(result.after["score"], rel=1e-3)
    if task == "regression":  # no threshold: no decision, no counterfactuals
        assert result.threshold is None and "decision" not in result.after
        assert [m.label for m in at.metric] == ["Score before", "Score after"] and not at.tabs
    else:  # the 99th percentile of the training rows' reconstruction errors
        assert result.after["decision"] in ("unusual", "not unusual") and result.threshold > 0
        assert metric(at, "Decision after") == result.after["decision"]
        assert at.tabs[1].label.startswith("Counterfactuals (")
