"""The Score page's downloaded bundle names its run and carries the threshold every page uses for it (a new user's
champion blend downloaded as 'credit_default_mlp.zip', named 'Dense network (MLP)' on loading, and deciding at 0.50
in another area)."""

from finmodels.delivery.bundle_identity import bundle_decision, bundle_run
from finmodels.delivery.report import default_decision
from finmodels.delivery.runs import result_name
from finmodels.models.bundle import load_bundle
from tests.pages.test_pages import kept, page, trained_state  # noqa: F401  (the module's trained run)


def test_the_downloaded_bundle_names_its_run_and_keeps_its_threshold(trained_state):  # noqa: F811
    at = page("pages/5_Score.py", kept(trained_state))
    at.button(key="score_prepare_bundle").click().run()
    assert not at.exception
    run = at.session_state["run"]
    loaded = load_bundle(at.session_state["bundle_bytes"][1], model=False)
    found = bundle_run(loaded)
    assert found["run_id"] == run.run_id and found["name"] == result_name(run)
    assert found["area"] == at.session_state["_session_area"] and found["champion"] is False
    decision = bundle_decision(loaded)
    assert decision["threshold"] == default_decision(run).threshold
    assert decision["costs"] == {"false_negative": 5.0, "false_positive": 1.0}
    assert decision["source"] == "the least-cost threshold at the default costs"
