"""Results kept with a run in a real MLflow workspace (fairness, what-ifs, the search) and read back into the HTML
report, on the real German credit run."""

import json

import pytest

from finmodels.delivery.report import build_report
from finmodels.errors import FinModelsError
from finmodels.evaluation.fairness import result_fairness
from finmodels.explain.whatif import what_if
from finmodels.models.architectures import MLPConfig
from finmodels.models.search import TEST_ROWS_NOTE, search
from finmodels.models.training import TrainConfig
from finmodels.runtime.records import KEPT_WHATIFS, keep_result, kept_results
from finmodels.runtime.workspace import Workspace, data_fingerprint


@pytest.fixture(autouse=True)
def no_tracking_server(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture(scope="module")
def logged(tmp_path_factory, german, german_net):
    workspace = Workspace(tmp_path_factory.mktemp("workspace"), area="kept")
    run_id = workspace.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german),
                               source="test")
    return workspace, run_id


@pytest.fixture(scope="module")
def whatif(german_net):
    return what_if(german_net, None, {"duration_in_month": 60, "credit_amount": 99_999}, row=3, background=30)


@pytest.fixture(scope="module")
def searched(german):
    tiny = TrainConfig(members=1, blend=(),
                       target="creditability", hyperparameters=MLPConfig(units=(8,)), epochs=2, seed=0)
    return search(german, tiny, trials=2)


def test_a_run_without_kept_results_reads_back_empty(logged):
    assert kept_results(*logged) == {}


def test_fairness_is_merged_by_column_and_read_back(logged, german_net):
    workspace, run_id = logged
    age = result_fairness(german_net, protected=["age_in_years"], threshold=0.5)[0]
    keep_result(workspace, run_id, "fairness", {"age_in_years": age.to_dict()})
    phone = result_fairness(german_net, protected=["telephone"], threshold=0.5)[0]
    kept = keep_result(workspace, run_id, "fairness", {"telephone": phone.to_dict()})
    back = kept_results(workspace, run_id)["fairness"]
    assert back == kept and list(back) == ["age_in_years", "telephone"]
    assert back["age_in_years"]["reference"] == age.reference
    assert set(back["age_in_years"]["groups"]) == {str(g) for g in age.table.index}
    ratio = back["age_in_years"]["groups"][age.reference]["adverse_impact_ratio"]
    assert ratio == pytest.approx(1.0)


def test_whatifs_are_appended_and_bounded(logged, whatif):
    workspace, run_id = logged
    first = keep_result(workspace, run_id, "whatif", whatif.to_dict())
    assert len(first) == 1 and first[0]["changes"]["duration_in_month"]["after"] == 60.0
    second = keep_result(workspace, run_id, "whatif", whatif.to_dict())
    assert len(second) == 2
    assert kept_results(workspace, run_id, kinds=("whatif",))["whatif"][1]["after"] == \
        json.loads(json.dumps(whatif.to_dict()))["after"]
    assert KEPT_WHATIFS >= 2


def test_an_unknown_kind_is_refused_by_name(logged):
    with pytest.raises(FinModelsError, match="Unknown kept result 'shap'. A run keeps: fairness, whatif, search"):
        keep_result(*logged, "shap", {})


def test_the_report_shows_what_was_kept(logged, german_net, whatif, searched):
    workspace, run_id = logged
    keep_result(workspace, run_id, "search", searched.to_dict())
    kept = kept_results(workspace, run_id)
    assert set(kept) == {"fairness", "whatif", "search"}
    html = build_report(german_net, data_name="german_credit.csv", kept=kept)
    fairness = html.split("<h2>Fairness by protected columns</h2>")[1].split("<h2>")[0]
    assert "<h3>age_in_years</h3>" in fairness and "adverse impact ratio" in fairness
    whatifs = html.split("<h2>What-if analyses</h2>")[1].split("<h2>")[0]
    assert "2 what-ifs kept with this run" in whatifs and "duration_in_month:" in whatifs
    assert "→ 60" in whatifs and "→ 60.0" not in whatifs and "credit_amount: 7882 → 99999" in whatifs
    assert f"{whatif.after['score']:.4g}" in whatifs
    assert "outside the training range" in whatifs  # credit amount 99,999 is an extrapolation
    section = html.split("<h2>Hyperparameter search</h2>")[1].split("<h2>")[0]
    assert TEST_ROWS_NOTE in section.replace("&#x27;", "'")
    best = searched.best
    assert f"the best was trial {best.number + 1} (validation loss {best.value:.4f})" in section
    assert section.count("<tr") == 1 + len(searched.trials)


def test_a_report_without_kept_results_has_none_of_their_sections(german_net):
    html = build_report(german_net, data_name="german_credit.csv")
    for heading in ("Fairness by protected columns", "What-if analyses", "Hyperparameter search"):
        assert heading not in html


def test_train_with_a_search_keeps_the_search_with_its_run(tmp_path, monkeypatch, capsys):
    from finmodels.__main__ import main
    from finmodels.data.samples import get_sample

    monkeypatch.setenv("FINMODELS_WORKSPACE", str(tmp_path / "workspace"))
    code = main(["train", str(get_sample("german_credit").path), "--task", "credit_default", "--epochs", "2",
                 "--members", "1", "--blend", "none", "--search", "2", "--area", "searched", "--out", str(tmp_path),
                 "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    kept = kept_results(Workspace(tmp_path / "workspace", area="searched"), out["run_id"])
    assert list(kept) == ["search"]
    assert kept["search"]["best"] == out["search"]["best"] and len(kept["search"]["trials"]) == 2
    assert kept["search"]["notes"][0] == TEST_ROWS_NOTE
