"""The benchmark's pieces, and `python -m finmodels.bench --quick` end to end (timings are reported, never asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from finmodels.bench import (DATASETS, MODELS, cv_splits, experiment_config, gap_table, gaps, markdown_table,
                             parse_overrides, summarise)
from finmodels.bench.cases import MODEL_LABELS

ROOT = Path(__file__).resolve().parents[2]


def test_cv_splits_are_disjoint_stratified_and_cover_every_row_once_as_test():
    y = np.array([0] * 70 + [1] * 30)
    splits = cv_splits(y, folds=5)
    tests = np.concatenate([s.test for s in splits])
    assert sorted(tests) == list(range(100))
    for s in splits:
        parts = [set(s.train), set(s.valid), set(s.test)]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        assert y[s.test].mean() == 0.3 and len(s.test) == 20


def test_cv_splits_by_entity_keep_each_entity_in_one_part_of_every_fold():
    """--by-entity: the rating file's companies are rated several times; a fold must not test a company it trained on."""
    from finmodels.bench.quality import quality_label

    rng = np.random.default_rng(0)
    names = np.repeat([f"company {i}" for i in range(60)], 5)
    y = np.repeat(rng.integers(0, 2, 60), 5)
    splits = cv_splits(y, folds=3, groups=names)
    assert sorted(np.concatenate([s.test for s in splits])) == list(range(300))
    for s in splits:
        train, valid, test = (set(names[p]) for p in (s.train, s.valid, s.test))
        assert not (train & valid or train & test or valid & test)
        assert len(s.valid) and s.method == "3-fold by entity" and np.array_equal(s.groups, names)
    assert DATASETS["corporate_rating"].entity == "Name" and DATASETS["german_credit"].entity is None
    assert quality_label({}, by_entity=True) == "default, development folds by entity"


def test_summarise_reports_mean_and_spread_over_folds():
    out = summarise({"metrics": [{"roc_auc": 0.7}, {"roc_auc": 0.8}], "fit_seconds": [1.0, 3.0]})
    assert out["roc_auc"]["mean"] == 0.75 and abs(out["roc_auc"]["std"] - 0.05) < 1e-12
    assert out["fit_seconds"]["mean"] == 2.0 and "preprocess_seconds" not in out
    both = summarise({"metrics": [{"roc_auc": 0.7}], "fit_seconds": [1.0], "preprocess_seconds": [0.4]})
    assert both["preprocess_seconds"]["mean"] == 0.4


def test_markdown_table_has_a_row_per_model():
    result = {"dataset": "german_credit", "rows": 1000, "metric": "roc_auc", "peak_rss_mb": 900.0,
              "explain": {"seconds": 1.5, "rows": 200, "explainer": "DeepExplainer"},
              "models": {m: {"roc_auc": {"mean": 0.78, "std": 0.01}, "pr_auc": {"mean": 0.6, "std": 0.0},
                             "ks": {"mean": 0.45, "std": 0.0}, "fit_seconds": {"mean": 1.0, "std": 0.0}}
                         for m in ("network", "logistic_regression")}}
    result["models"]["network"]["preprocess_seconds"] = {"mean": 0.25, "std": 0.0}
    lines = markdown_table([result]).splitlines()
    assert len(lines) == 4
    assert lines[2] == ("| german_credit (1,000 rows) | Default network | 0.780 ± 0.010 | 0.600 | 0.450 | 1.00 | 0.25 | "
                        "1.5 (200) | 900 |")
    assert lines[3] == "| german_credit (1,000 rows) | Logistic regression | 0.780 ± 0.010 | 0.600 | 0.450 | 1.00 |  |  |  |"


def test_shipped_and_shared_datasets_are_registered():
    assert set(DATASETS) == {"german_credit", "taiwan_default", "credit_risk_dataset", "corporate_rating"}
    assert DATASETS["german_credit"].path.exists() and DATASETS["taiwan_default"].path.exists()


def test_quick_benchmark_writes_json_and_markdown(tmp_path):
    done = subprocess.run([sys.executable, "-m", "finmodels.bench", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["quick"] is True and "cores" in report["machine"]
    (german,) = report["results"]
    assert german["dataset"] == "german_credit" and german["folds"] == 2 and german["rows"] == 1000
    assert set(german["models"]) == set(MODELS)
    assert set(german["gaps"]) == {"same_inputs", "plain"} and german["gaps"]["plain"]["target"] == 0.005
    # real models on real data: every model ranks far better than chance on German credit
    for model in german["models"].values():
        assert 0.7 < model["roc_auc"]["mean"] <= 1.0
    assert german["explain"]["rows"] == 200 and german["peak_rss_mb"] > 100
    network = german["models"]["network"]
    assert network["preprocess_seconds"]["mean"] > 0 and german["gaps"]["plain"]["pipeline_ratio"] > 0
    assert "preprocess_seconds" not in german["models"]["plain_hist_gradient_boosting"]
    text = (tmp_path / "bench.md").read_text()
    assert "| german_credit (1,000 rows) | Default network |" in text
    assert "| german_credit (1,000 rows) | Gradient boosting, plain pipeline |" in text
    # the gap is to the better of the two baselines on the network's own inputs, named by its label
    same = max(("logistic_regression", "hist_gradient_boosting"), key=lambda m: german["models"][m]["roc_auc"]["mean"])
    assert german["gaps"]["same_inputs"]["best"] == same
    assert german["gaps"]["same_inputs"]["gap"] == pytest.approx(
        network["roc_auc"]["mean"] - german["models"][same]["roc_auc"]["mean"])
    assert f"| german_credit | same inputs | {MODEL_LABELS[same]} |" in text


def test_overrides_are_read_as_json_else_text_and_need_a_name():
    assert parse_overrides(["piecewise_knots=128", "units=[64, 32]", "scaler=standard", "class_weight=true"]) == {
        "piecewise_knots": 128, "units": [64, 32], "scaler": "standard", "class_weight": True}
    with pytest.raises(SystemExit, match="NAME=VALUE"):
        parse_overrides(["piecewise_knots"])


def test_experiment_config_changes_only_the_named_settings():
    from finmodels.models.training import TrainConfig, fit_defaults

    base = TrainConfig(target="y")
    changed = experiment_config(base, {"piecewise_knots": 64, "units": [64], "patience": 5}, 20_000)
    assert changed.preprocessing == fit_defaults(20_000).preprocessing.__class__(piecewise_knots=64)
    assert changed.hyper.units == (64,) and changed.hyper.dropout == base.hyper.dropout
    assert changed.patience == 5 and changed.batch_size is None and changed.task == base.task
    # a small table keeps its own encoding; only the named setting changes
    small = experiment_config(base, {"piecewise_knots": 4}, 800).preprocessing
    assert small.scaler == fit_defaults(800).preprocessing.scaler == "auto" and small.piecewise_knots == 4
    with pytest.raises(SystemExit, match="Unknown setting knots. Known settings: .*piecewise_knots"):
        experiment_config(base, {"knots": 5}, 20_000)


def test_gaps_compare_the_network_with_the_best_baseline_of_each_family():
    aucs = (("network", 0.920, 2.0), ("logistic_regression", 0.886, 1.0), ("hist_gradient_boosting", 0.950, 1.6),
            ("plain_logistic_regression", 0.870, 0.5), ("plain_hist_gradient_boosting", 0.926, 0.25))
    models = {name: {"roc_auc": {"mean": auc, "std": 0.0}, "fit_seconds": {"mean": fit, "std": 0.0}}
              for name, auc, fit in aucs}
    models["network"]["preprocess_seconds"] = {"mean": 0.5, "std": 0.0}
    out = gaps(models, "roc_auc", 0.01, 1.5)
    assert out["same_inputs"]["best"] == "hist_gradient_boosting" and abs(out["same_inputs"]["gap"] + 0.03) < 1e-9
    assert out["same_inputs"]["met"] is False
    assert out["plain"]["best"] == "plain_hist_gradient_boosting" and out["plain"]["met"] is True
    # speed: the network's fit over gradient boosting's of the same family
    assert out["same_inputs"]["fit_ratio"] == 1.25 and out["same_inputs"]["speed_met"] is True
    assert out["plain"]["fit_ratio"] == 8.0 and out["plain"]["speed_met"] is False
    # with preprocessing: the same-inputs baselines share the network's; the plain pipeline's fit has its own
    assert out["same_inputs"]["pipeline_ratio"] == 2.5 / 2.1 and out["plain"]["pipeline_ratio"] == 10.0
    assert gaps(models, "roc_auc", None)["plain"]["met"] is None
    assert gaps(models, "roc_auc", None)["plain"]["speed_met"] is None
    table = gap_table([{"dataset": "credit_risk_dataset", "gaps": out}])
    assert ("| credit_risk_dataset | same inputs | Gradient boosting | -0.030 | within 0.010: **not met** | 1.25 | "
            "under 1.5: met | 1.19 |") in table
    assert ("| credit_risk_dataset | plain pipelines | Gradient boosting, plain pipeline | -0.006 | within 0.010: met "
            "| 8.00 | under 1.5: **not met** | 10.00 |") in table
