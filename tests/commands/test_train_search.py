"""`python -m finmodels train ... --search N`: N settings tried on the validation rows, then the best trained."""

import json

import pytest

from finmodels.__main__ import main
from finmodels.data.samples import get_sample
from finmodels.models.bundle import load_bundle

GERMAN = str(get_sample("german_credit").path)


def test_search_then_train_the_best(capsys, tmp_path):
    code = main(["train", GERMAN, "--task", "credit_default", "--epochs", "2", "--search", "2", "--no-workspace",
                 "--members", "1", "--blend", "none", "--out", str(tmp_path), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    out = json.loads(captured.out.strip().splitlines()[-1])
    search = out["search"]
    assert len(search["trials"]) == 2 and [t["number"] for t in search["trials"]] == [0, 1]
    assert all(t["state"] == "complete" and t["metric"] == "roc_auc" for t in search["trials"])
    best = search["best"]
    assert best["value"] == min(t["value"] for t in search["trials"])
    assert set(best["params"]) == {"units", "layers", "dropout", "l2", "learning_rate", "batch_size"}
    assert search["notes"][0] == ("Each trial was trained on the training split and scored on the validation split "
                                  "only; the test rows were never used for the choice.")
    assert "searching 2 settings of mlp (optuna TPE, seed 0)" in captured.err
    assert "trial 1/2 complete: validation loss " in captured.err and "trial 2/2 complete" in captured.err
    # the run that follows is the best configuration, scored on the test rows only now
    config = load_bundle(out["bundle"]).train_config()
    p = best["params"]
    assert config.learning_rate == pytest.approx(p["learning_rate"]) and config.batch_size == p["batch_size"]
    assert config.hyperparameters.units == tuple(max(4, p["units"] // 2 ** i) for i in range(p["layers"]))
    assert config.hyperparameters.dropout == pytest.approx(p["dropout"])
    assert out["rows"] == {"train": 640, "valid": 160, "test": 200} and "roc_auc" in out["metrics"]


@pytest.mark.parametrize("trials", ["0", "10000"])
def test_a_trial_count_outside_the_range_is_a_message(capsys, tmp_path, trials):
    code = main(["train", GERMAN, "--task", "credit_default", "--epochs", "1", "--search", trials, "--no-workspace",
                 "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (f"error: A search runs 1 to 200 trials; got {trials}. Each trial trains "
                                            "one network, so ask for between 1 and 200 (20 to 50 is usual).")
    assert not list(tmp_path.iterdir())  # nothing was trained or saved
