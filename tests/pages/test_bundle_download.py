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


def test_a_downloaded_bundle_loads_under_its_runs_name_and_starts_at_its_threshold(trained_state):  # noqa: F811
    """Loaded on Score in another area: named as its run was (not its first network), the slider at its threshold."""
    from finmodels.delivery.bundle_identity import stamped

    run = trained_state.session_state["run"]
    raw = stamped(page("pages/5_Score.py", kept(trained_state)).button(key="score_prepare_bundle").click().run()
                  .session_state["bundle_bytes"][1], run_id=run.run_id, name="Blend of 0.6 × Dense network (MLP) + "
                  "0.4 × Deep & cross network (DCN-V2)", area="desk-a", champion=True, threshold=0.14)
    other = page("pages/5_Score.py", {"_session_area": "desk-b-" + run.run_id[:6]})
    other.radio(key="score_source").set_value("bundle").run()
    other.get("file_uploader")[0].set_value(("credit_default_blend.zip", raw, "application/zip")).run()
    assert not other.exception
    (loaded,) = [s.value for s in other.success if s.value.startswith("Loaded: ")]
    assert loaded.startswith(f"Loaded: Blend of 0.6 × Dense network (MLP) + 0.4 × Deep & cross network (DCN-V2) for "
                             f"'creditability' (Credit default) · run {run.run_id[:8]}, the champion of area desk-a;")
    assert other.slider(key="score_threshold").value == 0.14
    assert not any("No model trained in this session yet" in i.value for i in other.info)
