"""`python -m finmodels train`: progress on stderr, one JSON line at the end of stdout, a bundle on disk."""

import json
from pathlib import Path

import pytest

from finmodels.__main__ import main
from finmodels.models.bundle import load_bundle
from finmodels.data.samples import get_sample, load_sample

# one network: these tests read the command's output, files and workspace; the default ensemble's output is
# checked in test_train_timings (train --json's networks and blend weights)
ONE = ("--members", "1", "--blend", "none")


def run_json(capsys, *argv):
    code = main(["train", *argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1]), err


def test_credit_default_json_has_the_documented_fields(capsys, tmp_path):
    code, out, err = run_json(capsys, str(get_sample("german_credit").path), "--task", "credit_default", "--epochs",
                              "2", *ONE, "--out", str(tmp_path))
    assert code == 0
    assert {"task", "arch", "target", "rows", "metrics", "baselines", "history", "seconds", "bundle"} <= set(out)
    assert (out["task"], out["arch"], out["target"]) == ("credit_default", "mlp", "creditability")
    assert out["rows"] == {"train": 640, "valid": 160, "test": 200}
    assert set(out["metrics"]) == {"roc_auc", "pr_auc", "ks", "gini", "brier", "log_loss", "accuracy", "precision",
                                   "recall", "f1"}
    assert set(out["baselines"]) == {"logistic_regression", "hist_gradient_boosting", "scorecard"}
    assert len(out["history"]["loss"]) == len(out["history"]["val_loss"]) == 2
    assert out["seconds"]["total"] >= out["seconds"]["fit"] > 0
    assert out["seconds"]["total"] >= out["seconds"]["preprocess"] > 0
    assert "epoch 1/2" in err and "epoch 2/2" in err
    loaded = load_bundle(out["bundle"])
    assert loaded.metrics["roc_auc"] == pytest.approx(out["metrics"]["roc_auc"])


def test_out_naming_a_zip_file_is_the_bundle_itself(capsys, tmp_path):
    # it was read as a folder: --out user.zip wrote user.zip/german_credit_credit_default_mlp.zip
    wanted = tmp_path / "user_model.zip"
    code, out, _ = run_json(capsys, str(get_sample("german_credit").path), "--task", "credit_default", "--epochs",
                            "2", *ONE, "--out", str(wanted))
    assert code == 0 and out["bundle"] == str(wanted) and wanted.is_file()
    assert load_bundle(wanted).metrics["roc_auc"] == pytest.approx(out["metrics"]["roc_auc"])


def test_forecast_json_reports_the_var_backtest(capsys, tmp_path):
    path = tmp_path / "prices.csv"
    load_sample("sp500_index").tail(300).to_csv(path, index=False)
    code, out, _ = run_json(capsys, str(path), "--task", "market_risk", "--arch", "lstm", "--epochs", "1",
                            "--window", "5", "--out", str(tmp_path))
    assert code == 0 and out["target"] is None and out["kind"] == "forecast"
    assert out["backtest"]["days"] == out["rows"]["test"] and out["backtest"]["zone"] in ("green", "yellow", "red")
    assert set(out["baselines"]) == {"linear_regression", "hist_gradient_boosting", "naive"}
    assert "directional_accuracy" in out["metrics"]


def test_the_table_output_ends_with_the_bundle_path(capsys, tmp_path):
    code = main(["train", str(get_sample("german_credit").path), "--task", "credit_default", "--epochs", "1", *ONE,
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    header, auc = out.splitlines()[1], next(line for line in out.splitlines() if line.startswith("ROC AUC"))
    assert code == 0 and header.split() == ["Neural", "network", "Logistic", "regression", "Gradient", "boosting",
                                            "Scorecard"]
    assert len([float(v) for v in auc.split()[2:]]) == 4
    assert out.strip().splitlines()[-1] == f"model bundle: {tmp_path / 'german_credit_credit_default_mlp.zip'}"


@pytest.mark.parametrize("argv,message", [
    (["--task", "credit_default", "--arch", "lstm"], "'lstm' reads a sequence of time steps"),
    (["--task", "credit_default", "--target", "nope"], "Target column 'nope' not found"),
    (["--task", "credit-defualt"], "Unknown task 'credit-defualt'. Available tasks: credit_default"),
    (["--task", "credit_default", "--categorical", "job,jobs"], "--categorical names 'jobs', not a column of the "
                                                                   "file. Columns are: status_of_existing_checking"),
])
def test_mistakes_end_with_a_message_and_exit_code_2(capsys, tmp_path, argv, message):
    code = main(["train", str(get_sample("german_credit").path), *argv, "--out", str(tmp_path)])
    assert code == 2 and message in capsys.readouterr().err


def test_a_missing_file_is_a_message_not_a_traceback(capsys, tmp_path):
    code = main(["train", str(tmp_path / "loans.csv"), "--task", "credit_default", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and f"error: There is no file at '{tmp_path / 'loans.csv'}'. Check the path" in err
    assert main(["train", str(tmp_path), "--task", "credit_default", "--out", str(tmp_path)]) == 2  # a folder
    assert "a folder is not a CSV file" in capsys.readouterr().err


def test_a_file_without_a_usual_target_name_asks_for_one(capsys, tmp_path):
    code = main(["train", str(get_sample("sp500_index").path), "--task", "credit_default", "--out", str(tmp_path)])
    assert code == 2 and "No target column given" in capsys.readouterr().err


def test_a_run_trained_from_the_terminal_is_kept_in_the_workspace_and_leaves_no_zip_behind(capsys, tmp_path,
                                                                                          monkeypatch):
    from finmodels.runtime.workspace import Workspace

    monkeypatch.chdir(tmp_path)
    code, out, _ = run_json(capsys, str(get_sample("german_credit").path), "--task", "credit_default", "--epochs",
                            "2", *ONE, "--area", "cli-test")
    assert code == 0 and out["area"] == "cli-test"
    kept = {r.run_id: r for r in Workspace(area="cli-test").list_runs()}
    assert out["run_id"] in kept
    assert (kept[out["run_id"]].source, kept[out["run_id"]].file) == ("command line", "german_credit.csv")
    assert kept[out["run_id"]].value == pytest.approx(out["metrics"]["roc_auc"])
    assert list(tmp_path.iterdir()) == []  # the bundle went to the workspace's bundles/ folder, not the cwd
    assert Path(out["bundle"]).parent == Workspace(area="cli-test").root / "bundles"


def test_training_ends_with_an_explanation_of_the_test_rows(capsys, tmp_path):
    code, out, err = run_json(capsys, str(get_sample("german_credit").path), "--task", "credit_default", "--epochs",
                              "2", *ONE, "--out", str(tmp_path), "--no-workspace")
    found = out["explanation"]
    assert code == 0 and found["rows_explained"] == 200 == out["rows"]["test"]  # at most 500: every test row
    assert found["explainer"] == "DeepExplainer" and found["additivity_ok"] is True
    assert found["additivity_error"] <= found["additivity_tolerance"]
    assert set(found["importance"]) <= set(load_sample("german_credit").columns) - {"creditability"}
    assert len(found["importance"]) == 20 and min(found["importance"].values()) >= 0
    assert "explanation" in [s["stage"] for s in out["timings"]["stages"]]
    code, out, _ = run_json(capsys, str(get_sample("german_credit").path), "--task", "credit_default", "--epochs",
                            "1", *ONE, "--out", str(tmp_path), "--no-workspace", "--explain-rows", "0")
    assert code == 0 and "explanation" not in out


def test_a_forecast_s_importances_read_in_percent_in_the_text_output(capsys, tmp_path):
    """As the Explain page: a forecast explains a next-day return, so its importances are returns ('0.044%')."""
    import re

    path = tmp_path / "prices.csv"
    load_sample("sp500_index").tail(300).to_csv(path, index=False)
    code = main(["train", str(path), "--task", "market_risk", "--arch", "lstm", "--epochs", "1", "--window", "5",
                 "--out", str(tmp_path), "--no-workspace"])
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("  most important: "))
    found = re.findall(r"(\w+) ([0-9.e+-]+%?)", line.removeprefix("  most important: "))
    assert code == 0 and {c for c, _ in found} == {"return", "abs_return", "log_range"}
    assert all(v.endswith("%") for _, v in found)


def test_categorical_columns_are_read_as_categories(capsys, tmp_path):
    """--categorical, as the Data page's 'categorical' role: German credit's installment rate (1 to 4) one-hot."""
    column = "installment_rate_in_percentage_of_disposable_income"
    code, out, _ = run_json(capsys, str(get_sample("german_credit").path), "--task", "credit_default", "--epochs",
                            "1", *ONE, "--categorical", column, "--out", str(tmp_path), "--no-workspace")
    assert code == 0
    loaded = load_bundle(out["bundle"], model=False)
    assert column in loaded.preprocessor.categorical and loaded.train_config().categories == (column,)
