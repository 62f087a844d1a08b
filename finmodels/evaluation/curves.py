"""Curve data behind the evaluation charts of a binary scorer: ROC, PR, KS, calibration, gain/lift, scores.

Every function takes true 0/1 labels and event scores and returns a small DataFrame with documented columns,
so the same numbers feed the charts in `finmodels.plots.evaluation`, a report table and the tests.
Only numpy and pandas are used: the pages can call these without loading the model stack.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodels.errors import DataError


def validate_scores(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    """Labels as 0/1 ints and scores as floats; a clear DataError if they cannot be evaluated."""
    y = np.asarray(y_true).astype(int).ravel()
    s = np.asarray(y_score, dtype="float64").ravel()
    if len(y) != len(s):
        raise DataError(f"Labels and scores differ in length ({len(y)} labels, {len(s)} scores).")
    if not np.isin(y, (0, 1)).all():
        raise DataError("Labels must be 0 (non-event) or 1 (event); encode the target first.")
    if y.min() == y.max():
        raise DataError(f"All {len(y)} labels are {y[0]}; curves need both events and non-events.")
    if not np.isfinite(s).all():
        raise DataError(f"{int((~np.isfinite(s)).sum())} scores are missing or infinite; curves need finite scores.")
    return y, s


def counts_by_threshold(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events and non-events scored at or above each distinct score, highest score first."""
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s_sorted)), len(s_sorted) - 1]
    tp = np.cumsum(y_sorted)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    return s_sorted[last_of_tie], tp.astype("float64"), fp.astype("float64")


def roc_curve_data(y_true, y_score) -> pd.DataFrame:
    """ROC curve: columns threshold, fpr, tpr; starts at (0, 0) with threshold +inf."""
    y, s = validate_scores(y_true, y_score)
    thresholds, tp, fp = counts_by_threshold(y, s)
    return pd.DataFrame({
        "threshold": np.r_[np.inf, thresholds],
        "fpr": np.r_[0.0, fp / fp[-1]],
        "tpr": np.r_[0.0, tp / tp[-1]],
    })


def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve by the trapezoid rule (equal to the rank-based AUC)."""
    roc = roc_curve_data(y_true, y_score)
    return float(np.trapezoid(roc["tpr"], roc["fpr"]))


def pr_curve_data(y_true, y_score) -> pd.DataFrame:
    """Precision-recall curve: columns threshold, recall, precision; starts at recall 0, precision 1."""
    y, s = validate_scores(y_true, y_score)
    thresholds, tp, fp = counts_by_threshold(y, s)
    return pd.DataFrame({
        "threshold": np.r_[np.inf, thresholds],
        "recall": np.r_[0.0, tp / tp[-1]],
        "precision": np.r_[1.0, tp / (tp + fp)],
    })


def ks_curve_data(y_true, y_score) -> pd.DataFrame:
    """Cumulative share of events and non-events scored at or above each threshold, and their gap.

    Columns: threshold, events, nonevents, gap. The KS statistic is the largest gap.
    """
    roc = roc_curve_data(y_true, y_score)
    return pd.DataFrame({"threshold": roc["threshold"], "events": roc["tpr"], "nonevents": roc["fpr"],
                         "gap": roc["tpr"] - roc["fpr"]})


def ks_point(y_true, y_score) -> tuple[float, float]:
    """(KS statistic, the score threshold where the gap is largest)."""
    ks = ks_curve_data(y_true, y_score)
    i = int(ks["gap"].to_numpy().argmax())
    return float(ks["gap"].iloc[i]), float(ks["threshold"].iloc[i])


def calibration_data(y_true, y_score, *, bins: int = 10, strategy: str = "quantile") -> pd.DataFrame:
    """Reliability table: per score bin the mean predicted probability, the observed event rate and the rows.

    `strategy` is "quantile" (bins with equal rows) or "uniform" (equal-width bins on 0..1). Empty bins are left
    out. Columns: bin, predicted, observed, rows.
    """
    y, s = validate_scores(y_true, y_score)
    if strategy == "quantile":
        edges = np.unique(np.quantile(s, np.linspace(0, 1, bins + 1)))
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, bins + 1)
    else:
        raise DataError(f"Unknown calibration strategy '{strategy}'. Use 'quantile' or 'uniform'.")
    idx = np.clip(np.searchsorted(edges[1:-1], s, side="right"), 0, len(edges) - 2)
    rows = []
    for b in np.unique(idx):
        m = idx == b
        rows.append({"bin": int(b) + 1, "predicted": float(s[m].mean()), "observed": float(y[m].mean()),
                     "rows": int(m.sum())})
    return pd.DataFrame(rows)


def gain_lift_table(y_true, y_score, *, groups: int = 10) -> pd.DataFrame:
    """Rows ranked by score (highest first) cut into `groups` equal parts (deciles by default).

    Columns: decile (1 = highest scores), rows, events, event_rate, cumulative_share (of rows),
    cumulative_gain (share of all events captured so far), lift (decile event rate / overall rate),
    cumulative_lift.
    """
    y, s = validate_scores(y_true, y_score)
    order = np.argsort(-s, kind="mergesort")
    parts = np.array_split(y[order], groups)
    total_events, overall = y.sum(), y.mean()
    table = pd.DataFrame({
        "decile": np.arange(1, len(parts) + 1),
        "rows": [len(p) for p in parts],
        "events": [int(p.sum()) for p in parts],
    })
    table = table[table["rows"] > 0].reset_index(drop=True)
    table["event_rate"] = table["events"] / table["rows"]
    cum_rows, cum_events = table["rows"].cumsum(), table["events"].cumsum()
    table["cumulative_share"] = cum_rows / len(y)
    table["cumulative_gain"] = cum_events / total_events
    table["lift"] = table["event_rate"] / overall
    table["cumulative_lift"] = (cum_events / cum_rows) / overall
    return table


def score_distribution(y_true, y_score, *, bins: int = 20, lo: float | None = None,
                       hi: float | None = None) -> pd.DataFrame:
    """Histogram of scores per class on shared bins.

    Columns: left, right, events, nonevents (counts) and event_share, nonevent_share (within each class).
    """
    y, s = validate_scores(y_true, y_score)
    lo = float(s.min()) if lo is None else lo
    hi = float(s.max()) if hi is None else hi
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    events, _ = np.histogram(s[y == 1], bins=edges)
    nonevents, _ = np.histogram(s[y == 0], bins=edges)
    return pd.DataFrame({
        "left": edges[:-1], "right": edges[1:], "events": events, "nonevents": nonevents,
        "event_share": events / max(events.sum(), 1), "nonevent_share": nonevents / max(nonevents.sum(), 1),
    })


def top_scored_rows(frame: pd.DataFrame, scores, *, n: int = 20, label=None,
                    score_name: str = "anomaly_score") -> pd.DataFrame:
    """The `n` rows with the highest scores (e.g. the most unusual rows of an anomaly run), highest first.

    `frame` holds the rows in original units, aligned with `scores`; a held-out 0/1 `label` is added as a column
    so an analyst can see how many flagged rows were labelled events. The original row position is kept as index.
    """
    s = np.asarray(scores, dtype="float64").ravel()
    if len(s) != len(frame):
        raise DataError(f"{len(s)} scores for {len(frame)} rows; pass the rows the scores were computed on.")
    order = np.argsort(-s, kind="mergesort")[: int(n)]
    top = frame.iloc[order].copy()
    top.insert(0, score_name, s[order])
    if label is not None:
        top.insert(1, "label", np.asarray(label)[order])
    return top
