import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from finmodels.metrics import binary_metrics, comparison_table, ks_statistic


def test_ks_matches_a_hand_computed_value():
    # events score 0.9, 0.8, 0.3; non-events 0.7, 0.2, 0.1: at threshold 0.8 TPR=2/3, FPR=0 -> KS = 2/3
    y = np.array([1, 1, 1, 0, 0, 0])
    s = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1])
    assert ks_statistic(y, s) == pytest.approx(2 / 3)


def test_binary_metrics_agree_with_definitions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    s = np.clip(0.3 * y + rng.uniform(0, 0.7, 500), 0, 1)
    m = binary_metrics(y, s, threshold=0.5)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    assert m["gini"] == pytest.approx(2 * m["roc_auc"] - 1)
    pred = s >= 0.5
    tp = np.sum(pred & (y == 1))
    assert m["precision"] == pytest.approx(tp / pred.sum())
    assert m["recall"] == pytest.approx(tp / (y == 1).sum())
    assert m["accuracy"] == pytest.approx(np.mean(pred == y))
    assert m["brier"] == pytest.approx(np.mean((s - y) ** 2), abs=1e-6)


def test_comparison_table_puts_the_network_first():
    table = comparison_table({"roc_auc": 0.8}, {"logistic_regression": {"roc_auc": 0.7}})
    assert list(table.columns) == ["Neural network", "Logistic regression"]
    assert table.loc["ROC AUC", "Logistic regression"] == 0.7
