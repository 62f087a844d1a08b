"""Evaluation metrics, named in snake case, computed from true labels and model scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from finmodels.evaluation.labels import BASELINE_LABELS, METRIC_LABELS

if TYPE_CHECKING:
    import pandas as pd


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


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """RMSE, MAE and R²; MAPE (as a fraction) only when no actual value is zero, where it is defined."""
    y = np.asarray(y_true, dtype="float64").ravel()
    p = np.asarray(y_pred, dtype="float64").ravel()
    err = y - p
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    out = {
        "rmse": float(np.sqrt(np.mean(err ** 2))),
        "mae": float(np.mean(np.abs(err))),
        "r2": 1 - float(np.sum(err ** 2)) / ss_tot if ss_tot > 0 else float("nan"),
    }
    if np.all(y != 0):
        out["mape"] = float(np.mean(np.abs(err / y)))
    return out


def directional_accuracy(y_true, y_pred) -> float:
    """Share of days where the forecast has the sign of the actual move (days with no move left out)."""
    y = np.asarray(y_true, dtype="float64").ravel()
    p = np.asarray(y_pred, dtype="float64").ravel()
    moved = y != 0
    return float(np.mean(np.sign(y[moved]) == np.sign(p[moved]))) if moved.any() else float("nan")


def forecast_metrics(y_true, y_pred) -> dict[str, float]:
    """Regression metrics of a return forecast plus its directional accuracy."""
    out = regression_metrics(y_true, y_pred)
    out.pop("mape", None)  # returns cross zero: a percentage error means nothing here
    out["directional_accuracy"] = directional_accuracy(y_true, y_pred)
    return out


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts with rows = actual class index, columns = predicted class index."""
    m = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(m, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    return m


def classification_metrics(y_true, proba, *, ordinal: bool = False) -> dict[str, float]:
    """Accuracy, macro F1 and log loss of class probabilities (columns in class-index order).

    With `ordinal` (class indices in scale order) also within-one-notch accuracy and the mean notch error.
    """
    from sklearn import metrics as skm

    y = np.asarray(y_true, dtype=int).ravel()
    proba = np.asarray(proba, dtype="float64")
    pred = proba.argmax(axis=1)
    labels = list(range(proba.shape[1]))
    out = {
        "accuracy": float(np.mean(pred == y)),
        "macro_f1": float(skm.f1_score(y, pred, average="macro", labels=sorted(set(y) | set(pred)), zero_division=0)),
        "log_loss": float(skm.log_loss(y, _normalised(proba), labels=labels)),
    }
    if ordinal:
        out["within_one_notch"] = within_one_notch(y, pred)
        out["mean_notch_error"] = float(np.mean(np.abs(pred - y)))
    return out


def _normalised(proba: np.ndarray) -> np.ndarray:
    clipped = np.clip(proba, 1e-7, 1.0)
    return clipped / clipped.sum(axis=1, keepdims=True)


def within_one_notch(y_true, y_pred) -> float:
    """Share of predictions at most one step from the actual rating (both as scale positions)."""
    return float(np.mean(np.abs(np.asarray(y_pred, dtype=int) - np.asarray(y_true, dtype=int)) <= 1))


def anomaly_metrics(scores, labels=None) -> dict[str, float]:
    """Score quantiles, and with a held-out 0/1 label the score's ROC AUC, PR AUC and KS against it."""
    s = np.asarray(scores, dtype="float64").ravel()
    out = {"score_median": float(np.median(s)), "score_p99": float(np.quantile(s, 0.99))}
    if labels is not None:
        from sklearn import metrics as skm

        y = np.asarray(labels, dtype=int).ravel()
        auc = float(skm.roc_auc_score(y, s))
        out.update({"roc_auc": auc, "gini": 2 * auc - 1, "pr_auc": float(skm.average_precision_score(y, s)),
                    "ks": ks_statistic(y, s)})
    return out


def comparison_table(model_metrics: dict[str, float], baselines: dict[str, dict[str, float]], *,
                     model_name: str = "Neural network") -> "pd.DataFrame":
    """One row per metric, one column per model: the network first, then each baseline."""
    import pandas as pd

    def numbers(metrics: dict) -> dict:  # a test that could not be run (None) is a missing value, shown as a dash
        return {k: float("nan") if v is None else v for k, v in metrics.items()}

    table = {model_name: numbers(model_metrics)}
    table.update({BASELINE_LABELS.get(k, k): numbers(v) for k, v in baselines.items()})
    frame = pd.DataFrame(table)
    frame.index = [METRIC_LABELS.get(i, i) for i in frame.index]
    return frame
