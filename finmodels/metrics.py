"""Evaluation metrics, named in snake case, computed from true labels and model scores."""

from __future__ import annotations

import numpy as np


def ks_statistic(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the score distributions of events and non-events."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y_true, y_score)
    return float(np.max(tpr - fpr))


def binary_metrics(y_true: np.ndarray, y_score: np.ndarray, *, threshold: float = 0.5) -> dict[str, float]:
    """Ranking, calibration and at-threshold metrics of a binary classifier's event probabilities."""
    from sklearn import metrics as skm

    y_true = np.asarray(y_true).astype(int)
    y_score = np.clip(np.asarray(y_score, dtype="float64").ravel(), 1e-7, 1 - 1e-7)
    y_pred = (y_score >= threshold).astype(int)
    auc = float(skm.roc_auc_score(y_true, y_score))
    return {
        "roc_auc": auc,
        "gini": 2 * auc - 1,
        "pr_auc": float(skm.average_precision_score(y_true, y_score)),
        "ks": ks_statistic(y_true, y_score),
        "brier": float(skm.brier_score_loss(y_true, y_score)),
        "log_loss": float(skm.log_loss(y_true, y_score, labels=[0, 1])),
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision": float(skm.precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(skm.recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(skm.f1_score(y_true, y_pred, zero_division=0)),
    }


METRIC_LABELS = {
    "roc_auc": "ROC AUC", "gini": "Gini", "pr_auc": "PR AUC", "ks": "KS", "brier": "Brier score",
    "log_loss": "Log loss", "accuracy": "Accuracy", "precision": "Precision", "recall": "Recall", "f1": "F1",
}


def comparison_table(model_metrics: dict[str, float], baselines: dict[str, dict[str, float]], *,
                     model_name: str = "Neural network") -> "pd.DataFrame":
    """One row per metric, one column per model: the network first, then each baseline."""
    import pandas as pd

    from finmodels.baselines import BASELINE_LABELS

    table = {model_name: model_metrics}
    table.update({BASELINE_LABELS.get(k, k): v for k, v in baselines.items()})
    frame = pd.DataFrame(table)
    frame.index = [METRIC_LABELS.get(i, i) for i in frame.index]
    return frame
