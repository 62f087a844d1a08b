"""`python -m finmodels train` at scale: the stage clock, `timings` in its JSON, and the file kept with the run."""

import json

import numpy as np

from finmodels.__main__ import main
from finmodels.commands.stages import StageClock, stage_name
from tests.commands.conftest import GERMAN_CSV


def test_stage_names_drop_row_counts():
    assert stage_name("Preprocessing 1,000,000 rows...") == "preprocessing rows"
    assert stage_name("Fitting the network on 640,000 rows...") == "fitting the network on rows"
    assert stage_name("Fitting the baselines...") == "fitting the baselines"


def test_stage_clock_gives_each_stage_its_own_peak():
    clock = StageClock("small")
    clock.mark("large")
    block = np.ones(300 * 2**20 // 8)  # 300 MB, every page written
    clock.mark("after")
    del block
    found = clock.close()
    small, large, after = found["stages"]
    assert [s["stage"] for s in found["stages"]] == ["small", "large", "after"]
    assert large["peak_mb"] >= small["peak_mb"] + 280
    assert found["peak_mb"] == max(s["peak_mb"] for s in found["stages"])
    assert all(s["seconds"] >= 0 for s in found["stages"])


def test_train_json_has_seconds_and_peak_memory_per_stage(capsys, tmp_path):
    code = main(["train", str(GERMAN_CSV), "--task", "credit_default", "--epochs", "2", "--no-workspace", "--out",
                 str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    found = json.loads(out.strip().splitlines()[-1])
    timings = found["timings"]
    assert code == 0
    # the default network on German credit: five dense and five cross networks, cross-fitted and blended by
    # weights that add up to 1 (the command tests that only read the output train one network)
    assert found["networks"] == 10 and len(found["epochs_per_network"]) == 10
    weights = found["blend"]["weights"]
    assert set(weights) == {"mlp", "dcn"} and abs(sum(weights.values()) - 1) < 1e-9
    assert [s["stage"] for s in timings["stages"]] == [
        "reading the file", "profile", "train (starting)", "encoding the target and splitting the rows",
        "preprocessing rows", "fitting the cross-fitted networks", "scoring test rows", "fitting the baselines",
        "explanation", "keeping the run in the workspace", "bundle"]
    assert timings["peak_mb"] == max(s["peak_mb"] for s in timings["stages"]) > 200  # TensorFlow alone is more
    assert "stages: reading the file" in err and "bundle" in err.split("stages:")[1]


def test_train_keeps_the_file_with_the_run_only_when_the_workspace_keeps_data(capsys, tmp_path, monkeypatch):
    import pandas as pd

    from finmodels.runtime.workspace import Workspace

    monkeypatch.setenv("FINMODELS_WORKSPACE", str(tmp_path / "workspace"))
    kept = {}
    for keep in ("1", "0"):
        monkeypatch.setenv("FINMODELS_KEEP_DATA", keep)
        assert main(["train", str(GERMAN_CSV), "--task", "credit_default", "--epochs", "1", "--out", str(tmp_path),
                     "--members", "1", "--blend", "none", "--area", "scale", "--json"]) == 0
        kept[keep] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_id"]
    space = Workspace(tmp_path / "workspace", area="scale")
    data = space.load_data(kept["1"])
    german = pd.read_csv(GERMAN_CSV)
    assert data.shape == german.shape == (1000, 21)
    assert data["creditability"].tolist() == german["creditability"].tolist()
    assert space.load_data(kept["0"]) is None
