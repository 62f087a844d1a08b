"""The workspace keeps runs in a real MLflow store (SQLite and a local artifact folder in a temporary folder)."""

import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from finmodels.runtime.store import Retrying as _Retrying
from finmodels.runtime.workspace import ENV_ROOT, Workspace, WorkspaceError, data_fingerprint
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def no_tracking_server(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("FINMODELS_KEEP_DATA", raising=False)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def german_logged(root, german, german_net):
    workspace = Workspace(root, area="alice")
    run_id = workspace.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german),
                               source="test", explanation_summary={"top": ["duration_in_month"], "auc": np.nan},
                               report_html="<html><body>report</body></html>", data=german)
    return workspace, run_id


def same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def assert_same_metrics(left: dict, right: dict):
    assert list(left) == list(right)
    assert all(same(float(left[k]), float(right[k])) for k in left), (left, right)


def assert_round_trip(back, run, run_id):
    assert back.run_id == run_id and back.model is None and back.frame is None
    assert back.config == run.config and back.settings == run.settings and back.kind == run.kind
    assert_same_metrics(back.metrics, run.metrics)
    assert back.history == run.history
    np.testing.assert_array_equal(back.test_scores, run.test_scores)
    np.testing.assert_array_equal(back.y_test, run.y_test)
    assert back.class_labels == run.class_labels and back.event_label == run.event_label
    assert back.split.sizes() == run.split.sizes() and back.split.method == run.split.method
    assert back.notes == run.notes and back.seconds == run.seconds and back.target_stats == run.target_stats
    assert list(back.baselines) == list(run.baselines)
    for name, base in run.baselines.items():
        assert back.baselines[name].model is None and back.baselines[name].fit_seconds == base.fit_seconds
        assert_same_metrics(back.baselines[name].metrics, base.metrics)
        np.testing.assert_array_equal(back.baselines[name].test_scores, base.test_scores)
    assert set(back.details) == set(run.details)
    for key, value in run.details.items():
        np.testing.assert_array_equal(np.asarray(back.details[key]), np.asarray(value))


def test_importing_the_workspace_loads_neither_mlflow_nor_the_model_stack():
    code = ("import sys, finmodels.runtime.workspace, finmodels.commands.runs; "
            "print(sorted(m for m in ('mlflow', 'tensorflow', 'keras', 'shap') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_logged_run_is_listed_and_read_back_as_it_was_trained(german_logged, german_net, german):
    workspace, run_id = german_logged
    [summary] = workspace.list_runs()
    assert summary.run_id == run_id and summary.file == "german_credit.csv" and summary.task == "credit_default"
    assert summary.arch == "mlp" and summary.metric == "roc_auc" and summary.value == german_net.metrics["roc_auc"]
    assert summary.alias is None and summary.source == "test" and summary.rows == len(german)
    back = workspace.load_result(run_id)
    assert_round_trip(back, german_net, run_id)
    assert back.data_info == {"name": "german_credit.csv", "fingerprint": data_fingerprint(german),
                              "shape": list(german_net.frame.shape), "area": workspace.area}
    assert back.features == german_net.features  # the preprocessing, read from the bundle without its network


def test_evaluate_can_redraw_a_run_without_its_data(german_logged, german_net):
    from finmodels.evaluation.metrics import binary_metrics

    back = german_logged[0].load_result(german_logged[1], preprocessor=False)
    assert back.preprocessor is None
    assert_same_metrics(binary_metrics(back.y_test, back.test_scores), german_net.metrics)


def test_a_run_keeps_its_bundle_explanation_report_and_data_facts(german_logged, german_net):
    from finmodels.models.bundle import load_bundle

    workspace, run_id = german_logged
    bundle = load_bundle(workspace.bundle_bytes(run_id))
    np.testing.assert_allclose(bundle.predict(german_net.frame.iloc[german_net.split.test]), german_net.test_scores,
                               rtol=1e-5, atol=1e-6)
    assert json.loads(workspace.read_artifact(run_id, "explanation.json")) == {"top": ["duration_in_month"],
                                                                                 "auc": None}
    assert workspace.read_artifact(run_id, "report.html").startswith(b"<html>")
    record = json.loads(workspace.read_artifact(run_id, "run.json"))
    assert record["data"]["shape"] == list(german_net.frame.shape) and len(record["data"]["fingerprint"]) == 64
    assert record["split"]["sizes"] == german_net.split.sizes() and record["source"] == "test"
    # Privacy by default: the data was passed but the workspace does not keep data.
    assert workspace.load_data(run_id) is None
    with pytest.raises(WorkspaceError, match="does not keep data files"):
        workspace.read_artifact(run_id, "data.csv")
    workspace.add_artifact(run_id, "report.html", "<html>second</html>")
    assert workspace.read_artifact(run_id, "report.html") == b"<html>second</html>"


def test_a_team_can_opt_in_to_keeping_the_data(root, german, german_net, monkeypatch):
    monkeypatch.setenv("FINMODELS_KEEP_DATA", "1")
    workspace = Workspace(root, area="keeps-data")
    run_id = workspace.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german),
                               data=german)
    kept = workspace.load_data(run_id)
    assert kept.shape == german.shape and list(kept.columns) == list(german.columns)


def test_runs_are_listed_newest_first_filtered_and_kept_apart_by_area(root, german_logged, german_net, german):
    workspace, first = german_logged
    fingerprint = data_fingerprint(german)
    second = workspace.log_run(german_net, data_name="other.csv", data_fingerprint=fingerprint,
                               source="command line")
    third = workspace.log_run(german_net, data_name="german_credit.csv", data_fingerprint=fingerprint)
    assert [r.run_id for r in workspace.list_runs()][:3] == [third, second, first]
    assert [r.run_id for r in workspace.list_runs(file="other.csv")] == [second]
    assert not workspace.list_runs(task="credit_rating")
    assert Workspace(root, area="bob").list_runs() == []
    with pytest.raises(WorkspaceError, match=f"Run {first} is not in area 'bob'"):
        Workspace(root, area="bob").load_result(first)
    for run_id in (second, third):
        workspace.delete_run(run_id)


def test_promote_names_the_champion_and_delete_removes_the_run(root, german_logged, german_net, german):
    workspace, kept = german_logged
    assert workspace.champion() is None
    challenger = workspace.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german))
    workspace.promote(kept)
    assert workspace.champion() == kept
    workspace.promote(challenger)
    workspace.promote(kept, alias="challenger")
    assert workspace.champion() == challenger and workspace.champion("challenger") == kept
    aliases = {r.run_id: r.alias for r in workspace.list_runs()}
    assert aliases[challenger] == "champion" and aliases[kept] == "challenger"
    artifacts = root / "artifacts" / "alice" / challenger
    assert (artifacts / "artifacts" / "bundle.zip").is_file()
    workspace.delete_run(challenger)
    assert workspace.champion() is None and challenger not in {r.run_id for r in workspace.list_runs()}
    assert not artifacts.exists()
    with pytest.raises(WorkspaceError, match="deleted, or belongs to another area"):
        workspace.bundle_bytes(challenger)
    workspace.promote(kept)  # its existing model version gets the alias
    assert workspace.champion() == kept


@pytest.fixture(scope="module")
def rating_run():
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train
    from tests.conftest import SHARED_DATASETS

    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    config = TrainConfig(members=1, blend=(),
                         target="Rating", task="credit_rating", epochs=2, hyperparameters=MLPConfig(units=(8,)),
                         features=("currentRatio", "debtRatio", "netProfitMargin", "Sector"))
    return frame, train(frame, config)


@pytest.fixture(scope="module")
def forecast_run():
    from finmodels.data.samples import load_sample
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    frame = load_sample("sp500_index").tail(300).reset_index(drop=True)
    config = TrainConfig(target=None, task="market_risk", arch="mlp", epochs=2, window=5,
                         hyperparameters=MLPConfig(units=(4,)))
    return frame, train(frame, config)


@pytest.mark.parametrize("fixture", ["rating_run", "forecast_run"])
def test_ratings_and_forecasts_come_back_with_their_details(root, fixture, request):
    frame, run = request.getfixturevalue(fixture)
    workspace = Workspace(root, area="kinds")
    run_id = workspace.log_run(run, data_name=f"{fixture}.csv", data_fingerprint=data_fingerprint(frame))
    back = workspace.load_result(run_id)
    assert_round_trip(back, run, run_id)
    if run.backtest is not None:
        assert back.backtest.summary() == run.backtest.summary()


def test_an_unwritable_folder_is_named_with_what_to_do(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    with pytest.raises(WorkspaceError, match=f"The workspace folder '{blocker / 'runs'}' cannot be written .*Set "
                                             f"{ENV_ROOT} to a folder this server can write"):
        Workspace(blocker / "runs")


@pytest.mark.parametrize("call, message", [
    (lambda root: Workspace(root, area="../etc"), "Workspace area '../etc' is not a valid name"),
    (lambda root: Workspace(root).load_result("not-a-run"), "'not-a-run' is not a run id"),
    (lambda root: Workspace(root).promote("0" * 32, alias="v2"), "Alias 'v2' cannot be used"),
    (lambda root: Workspace(root).add_artifact("0" * 32, "model.pkl", b""), "Unknown run artifact 'model.pkl'"),
    (lambda root: Workspace(root).bundle_bytes("0" * 32), f"Run {'0' * 32} is not in area 'default'"),
], ids=["area", "run id", "alias", "artifact", "unknown run"])
def test_bad_requests_say_what_is_wrong(root, call, message):
    with pytest.raises(WorkspaceError, match=message):
        call(root)


def test_a_locked_database_is_retried_until_it_answers():
    calls = []

    class Flaky:
        def get_run(self, run_id):
            calls.append(run_id)
            if len(calls) < 3:
                raise RuntimeError("(sqlite3.OperationalError) database is locked")
            return "run"

        def search_runs(self):
            raise RuntimeError("no such table: runs")

    client = _Retrying(Flaky())
    assert client.get_run("x") == "run" and len(calls) == 3
    with pytest.raises(RuntimeError, match="no such table"):  # other errors are not retried
        client.search_runs()


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from finmodels.data.samples import load_sample
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train
    from finmodels.runtime.workspace import Workspace, data_fingerprint

    folder, name, runs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    frame = load_sample("german_credit")
    result = train(frame, TrainConfig(members=1, blend=(),
                                      target="creditability", hyperparameters=MLPConfig(units=(4,)), epochs=2))
    (folder / f"{{name}}.ready").touch()
    while not (folder / "go").exists():  # both processes start writing at the same moment
        time.sleep(0.01)
    workspace = Workspace(folder / "store", area="shared")  # a fresh store: both also race to create it
    for i in range(runs):
        workspace.log_run(result, data_name=f"{{name}}-{{i}}.csv", data_fingerprint=data_fingerprint(frame),
                          source=name)
        workspace.list_runs()
    print("done")
""")


def test_two_processes_writing_at_once_keep_every_run_readable(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    runs = 4
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("MLFLOW_TRACKING_URI", None)
    writers = [subprocess.Popen([sys.executable, str(script), str(tmp_path), name, str(runs)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ("dashboard", "command line")]
    try:
        deadline = 300
        import time

        start = time.monotonic()
        while not all((tmp_path / f"{n}.ready").exists() for n in ("dashboard", "command line")):
            assert all(w.poll() is None for w in writers), [w.communicate()[1][-2000:] for w in writers]
            assert time.monotonic() - start < deadline
            time.sleep(0.05)
        (tmp_path / "go").touch()
        outputs = [w.communicate(timeout=deadline) for w in writers]
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
    assert [w.returncode for w in writers] == [0, 0], [err[-3000:] for _, err in outputs]
    workspace = Workspace(tmp_path / "store", area="shared")
    listed = workspace.list_runs()
    assert sorted(r.file for r in listed) == sorted(f"{n}-{i}.csv" for n in ("dashboard", "command line")
                                                    for i in range(runs))
    for summary in listed:
        back = workspace.load_result(summary.run_id, preprocessor=False)
        assert len(back.test_scores) == 200 and back.history["loss"]


def test_runs_command_lists_the_area_as_json_and_as_a_table(root, german_logged, monkeypatch, capsys):
    from finmodels.__main__ import main

    workspace, run_id = german_logged
    monkeypatch.setenv(ENV_ROOT, str(root))
    assert main(["runs", "--area", "alice", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    expected = workspace.list_runs()
    assert [r["run_id"] for r in listed] == [r.run_id for r in expected]
    entry = next(r for r in listed if r["run_id"] == run_id)
    assert set(entry) == {"run_id", "started", "file", "task", "arch", "metric", "value", "alias", "source", "rows"}
    assert entry["file"] == "german_credit.csv" and entry["metric"] == "roc_auc" and 0 < entry["value"] <= 1
    assert main(["runs", "--area", "alice"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["run", "started", "file", "task", "arch", "headline", "alias"]
    assert any(line.startswith(run_id) and "roc_auc" in line for line in table[1:])
    assert main(["runs", "--area", "nobody"]) == 0
    assert "No runs in area 'nobody'" in capsys.readouterr().out


def test_the_fingerprint_follows_the_content_not_the_object(german):
    copy = german.copy()
    assert data_fingerprint(copy) == data_fingerprint(german)
    copy.iloc[0, 0] = "changed"
    assert data_fingerprint(copy) != data_fingerprint(german)
    assert data_fingerprint(german.rename(columns={german.columns[0]: "x"})) != data_fingerprint(german)
