"""The decision set on Evaluate (threshold, costs, how the threshold was chosen) is kept with the run in the
workspace once per change, and a fresh session opening the run (a reload with its address, a colleague) starts
from it: Evaluate's widgets, the other pages' threshold and the report. On a tiny German credit network trained
on the Train page (one network, no blend) and kept in the test workspace."""

import copy

import pytest

from finmodels.evaluation.threshold_basis import threshold_basis
from finmodels.evaluation.thresholds import CostMatrix, least_cost_on_grid
from finmodels.runtime.records import kept_results
from finmodels.runtime.workspace import Workspace, local_path
from tests.pages.test_pages import page


def stored(state) -> dict | None:
    return kept_results(Workspace(area=state["_session_area"]), state["run"].run_id).get("decision")


def decision_file(state):
    space = Workspace(area=state["_session_area"])
    return local_path(space._run(state["run"].run_id).info.artifact_uri) / "decision.json"


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def reopened(state, name: str = "pages/3_Evaluate.py"):
    """A fresh session opened with the run's address (?area=...&data=...&run=...): nothing of the first session's
    state."""
    return page(name, {"_session_area": state["_session_area"], "_address_data": "sample:german_credit",
                       "_address_run": state["run"].run_id})


def test_a_change_is_kept_once_and_a_fresh_session_starts_from_it(credit_state):
    run = credit_state["run"]
    at = page("pages/3_Evaluate.py", credit_state)
    assert not at.exception
    assert stored(credit_state) is None  # arriving at the default writes nothing
    assert any(c.startswith(f"A change here is kept with run {run.run_id[:8]} in the workspace") for c in captions(at))

    at.number_input(key="evaluate_fn_cost").set_value(1.0).run()
    at.number_input(key="evaluate_fp_cost").set_value(3.0).run()
    basis = threshold_basis(run)  # chosen on rows other than the test rows (out-of-fold or validation scores)
    least = least_cost_on_grid(basis.labels, basis.scores, costs=CostMatrix(1, 3))
    kept = stored(credit_state)
    assert kept["threshold"] == least and kept["chosen"] == "cost-minimising"
    assert kept["costs"] == {"false_negative": 1.0, "false_positive": 3.0}

    at.slider(key="evaluate_threshold").set_value(0.42).run()
    assert not at.exception
    kept = stored(credit_state)
    assert (kept["threshold"], kept["chosen"]) == (0.42, "set by hand")
    assert any(c.startswith("Threshold **0.42** (set by hand; costs 1 and 3) kept with this run "
                            f"({run.run_id[:8]}) on {kept['kept_at'][:10]}") for c in captions(at))
    written = decision_file(credit_state).stat().st_mtime_ns
    at.run()  # a rerun, and a visit to another page and back, write nothing
    at.switch_page("pages/4_Explain.py").run()
    at.switch_page("pages/3_Evaluate.py").run()
    assert at.slider(key="evaluate_threshold").value == 0.42
    assert decision_file(credit_state).stat().st_mtime_ns == written and stored(credit_state) == kept

    fresh = reopened(credit_state)
    assert not fresh.exception
    assert fresh.session_state["run"].run_id == run.run_id and fresh.session_state["run"] is not run
    assert fresh.slider(key="evaluate_threshold").value == 0.42
    assert (fresh.number_input(key="evaluate_fn_cost").value, fresh.number_input(key="evaluate_fp_cost").value) == \
        (1.0, 3.0)
    assert any(c.startswith("Threshold **0.42** (set by hand; costs 1 and 3) kept with this run") for c in captions(fresh))
    assert decision_file(credit_state).stat().st_mtime_ns == written  # opening the run writes nothing

    # the colleague's change wins for them, and is kept for the next one
    fresh.slider(key="evaluate_threshold").set_value(0.35).run()
    assert stored(credit_state)["threshold"] == 0.35
    assert reopened(credit_state).slider(key="evaluate_threshold").value == 0.35
    # the first session's own choice still wins there until it changes it
    at.run()
    assert at.slider(key="evaluate_threshold").value == 0.42 and at.session_state["threshold"] == 0.42


def test_other_pages_and_the_report_of_a_fresh_session_use_the_kept_decision(credit_state):
    at = page("pages/3_Evaluate.py", credit_state)
    at.number_input(key="evaluate_fn_cost").set_value(2.0).run()
    at.slider(key="evaluate_threshold").set_value(0.27).run()
    kept = stored(credit_state)
    assert (kept["threshold"], kept["costs"]["false_negative"]) == (0.27, 2.0)

    governance = reopened(credit_state, "pages/8_Governance.py")
    governance.multiselect(key="governance_protected").set_value(["age_in_years"]).run()
    assert not governance.exception
    assert any("threshold 0.27, set by hand on the **Evaluate** page, kept with this run on" in c
               for c in captions(governance))
    fairness = kept_results(Workspace(area=credit_state["_session_area"]), credit_state["run"].run_id)["fairness"]
    assert fairness["age_in_years"]["threshold"] == 0.27

    score = reopened(credit_state, "pages/5_Score.py")
    assert not score.exception and score.slider(key="score_threshold").value == 0.27

    report = reopened(credit_state, "pages/7_Report.py")
    assert any("the decision at threshold 0.27 with its cost matrix and confusion matrix (set by hand on the Evaluate "
               "page, kept with this run on 20" in m.value for m in report.markdown)
    report.button(key="report_build").click().run()
    assert not report.exception
    html = report.session_state["report_html"]
    assert "0.27 (set by hand on the Evaluate page, kept with this run on 20" in html
    assert "Confusion matrix at threshold 0.27 (test rows)" in html
    assert "<td>cost of a missed 'bad' (false negative)</td>\n      <td>2</td>" in html


def test_bad_costs_keep_the_message_and_keep_nothing(credit_state):
    at = page("pages/3_Evaluate.py", credit_state)
    before = stored(credit_state)
    at.number_input(key="evaluate_fn_cost").set_value(0.0)
    at.number_input(key="evaluate_fp_cost").set_value(0.0).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["At least one cost must be above 0."]
    assert stored(credit_state) == before


def test_a_run_not_kept_in_a_workspace_keeps_nothing(credit_state):
    local = copy.copy(credit_state["run"])
    local.run_id = "local-test-run"
    at = page("pages/3_Evaluate.py", {**credit_state, "run": local})
    assert not at.exception
    assert not any("kept with" in c for c in captions(at))
    at.slider(key="evaluate_threshold").set_value(0.61).run()
    assert not at.exception
    assert any(i.value.startswith("This run was not kept in a workspace, so nothing can be kept with it")
               for i in at.info)
    assert at.session_state["threshold"] == pytest.approx(0.61)


def test_a_run_opened_from_the_runs_page_starts_from_its_kept_decision(credit_state):
    at = page("pages/3_Evaluate.py", credit_state)
    at.slider(key="evaluate_threshold").set_value(0.33).run()
    assert stored(credit_state)["threshold"] == 0.33
    colleague = page("pages/6_Runs.py", {"_session_area": credit_state["_session_area"],
                                        "_address_data": "sample:german_credit"})
    colleague.selectbox(key="runs_current").set_value(credit_state["run"].run_id).run()
    colleague.button(key="runs_use").click().run()
    assert not colleague.exception
    colleague.switch_page("pages/3_Evaluate.py").run()
    assert not colleague.exception
    assert colleague.session_state["run"].run_id == credit_state["run"].run_id
    assert colleague.slider(key="evaluate_threshold").value == 0.33
    assert any(c.startswith("Threshold **0.33** (set by hand; costs") for c in captions(colleague))


def test_the_runs_own_file_loaded_again_brings_the_run_back_with_its_rows(credit_state):
    """After a restart the address names the run but the data is gone: the run is read back without rows; loading its
    own file again (a new user uploaded it after a restart) keeps the run and puts its rows back, where it used to
    drop the run ('No model trained yet'). Another file still drops it."""
    run_id = credit_state["run"].run_id
    at = page("pages/3_Evaluate.py", {"_session_area": credit_state["_session_area"], "_address_run": run_id})
    assert not at.exception
    assert at.session_state["run"].run_id == run_id and at.session_state["run"].frame is None  # no data yet
    at.switch_page("pages/1_Data.py").run()
    at.selectbox(key="data_sample").set_value("german_credit")
    at.button(key="data_load_sample").click().run()
    assert not at.exception
    at.switch_page("pages/3_Evaluate.py").run()
    assert not at.exception
    back = at.session_state["run"]
    assert back.run_id == run_id and back.frame is not None and len(back.frame) == 1000
    at.switch_page("pages/1_Data.py").run()
    at.selectbox(key="data_sample").set_value("taiwan_default")
    at.button(key="data_load_sample").click().run()
    at.switch_page("pages/3_Evaluate.py").run()
    assert not at.exception and "run" not in at.session_state
