"""The benchmark's pieces, and `python -m finmodels.bench --quick` end to end (timings are reported, never asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from finmodels.bench import DATASETS, cv_splits, markdown_table, summarise

ROOT = Path(__file__).resolve().parent.parent


def test_cv_splits_are_disjoint_stratified_and_cover_every_row_once_as_test():
    y = np.array([0] * 70 + [1] * 30)
    splits = cv_splits(y, folds=5)
    tests = np.concatenate([s.test for s in splits])
    assert sorted(tests) == list(range(100))
    for s in splits:
        parts = [set(s.train), set(s.valid), set(s.test)]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        assert y[s.test].mean() == 0.3 and len(s.test) == 20


def test_summarise_reports_mean_and_spread_over_folds():
    out = summarise({"metrics": [{"roc_auc": 0.7}, {"roc_auc": 0.8}], "fit_seconds": [1.0, 3.0]})
    assert out["roc_auc"]["mean"] == 0.75 and abs(out["roc_auc"]["std"] - 0.05) < 1e-12
    assert out["fit_seconds"]["mean"] == 2.0


def test_markdown_table_has_a_row_per_model():
    result = {"dataset": "german_credit", "rows": 1000, "metric": "roc_auc", "peak_rss_mb": 900.0,
              "explain": {"seconds": 1.5, "rows": 200, "explainer": "DeepExplainer"},
              "models": {m: {"roc_auc": {"mean": 0.78, "std": 0.01}, "pr_auc": {"mean": 0.6, "std": 0.0},
                             "ks": {"mean": 0.45, "std": 0.0}, "fit_seconds": {"mean": 1.0, "std": 0.0}}
                         for m in ("network", "logistic_regression")}}
    lines = markdown_table([result]).splitlines()
    assert len(lines) == 4
    assert lines[2].startswith("| german_credit (1,000 rows) | Default network | 0.780 ± 0.010 | 0.600 | 0.450 | 1.0 | 1.5 (200) | 900 |")


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
    assert set(german["models"]) == {"network", "logistic_regression", "hist_gradient_boosting"}
    # real models on real data: every model ranks far better than chance on German credit
    for model in german["models"].values():
        assert 0.7 < model["roc_auc"]["mean"] <= 1.0
    assert german["explain"]["rows"] == 200 and german["peak_rss_mb"] > 100
    assert "| german_credit (1,000 rows) | Default network |" in (tmp_path / "bench.md").read_text()
