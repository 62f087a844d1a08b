"""Knots of the piecewise-linear encoding, chosen per numeric column from the training rows.

Quantile knots spread a few pieces evenly over a column's values. Where the event rate jumps at a threshold
(in credit_risk_dataset, loans above 31% of income to renters default almost without exception), a piece
ending at that threshold lets the network draw the step that gradient boosting draws; quantile knots rarely
fall there. Target-aware knots are the split points of a small decision tree fitted to the target on the one
column (the "target-aware piecewise-linear encoding" of Gorishniy et al., 2022). On a noisy column, fine
pieces only add noise (Taiwan default's bill amounts), so each column is tested: both sets of knots are fitted
on three quarters of the training rows, the target's mean per piece is scored on the remaining quarter, and
the target-aware knots are kept only where they predict better by more than one standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_PIECE_ROWS = 50  # a target-aware piece holds at least this many training rows
HELD_OUT_SHARE = 0.25


@dataclass(frozen=True)
class Knots:
    """Sorted, distinct knot positions for one column, and where they came from ('quantile' or 'target')."""

    edges: np.ndarray
    source: str

    @property
    def pieces(self) -> int:
        return len(self.edges)


def quantile_knots(values: np.ndarray, count: int) -> np.ndarray:
    """`count` knots at evenly spaced quantiles (fewer where values repeat)."""
    return np.unique(np.percentile(values, np.linspace(0, 100, max(count, 2))))


def target_knots(values: np.ndarray, target: np.ndarray, max_pieces: int, *, binary: bool) -> np.ndarray:
    """The split points of a decision tree on this one column, plus its minimum and maximum."""
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    tree_class = DecisionTreeClassifier if binary else DecisionTreeRegressor
    tree = tree_class(max_leaf_nodes=max(max_pieces, 2), min_samples_leaf=MIN_PIECE_ROWS, random_state=0)
    tree.fit(values[:, None], target)
    splits = tree.tree_.threshold[tree.tree_.feature >= 0]
    return np.unique(np.concatenate([[values.min()], splits, [values.max()]]))


def held_out_loss(edges: np.ndarray, fit_x, fit_y, test_x, test_y, *, binary: bool) -> np.ndarray:
    """Per held-out row, the log loss (binary) or squared error of the target's mean per piece fitted on the other
    part.

    Pieces are the intervals between knots; means are shrunk towards the overall mean by two rows' weight, so a
    piece with few rows does not score as certain."""
    k = max(len(edges) - 1, 1)
    fit_bin = np.clip(np.searchsorted(edges, fit_x, side="right") - 1, 0, k - 1)
    test_bin = np.clip(np.searchsorted(edges, test_x, side="right") - 1, 0, k - 1)
    prior = float(fit_y.mean())
    means = (np.bincount(fit_bin, fit_y, minlength=k) + 2 * prior) / (np.bincount(fit_bin, minlength=k) + 2)
    predicted = means[test_bin]
    if binary:
        p = np.clip(predicted, 1e-6, 1 - 1e-6)
        return -(test_y * np.log(p) + (1 - test_y) * np.log(1 - p))
    return (test_y - predicted) ** 2


def choose_knots(values: np.ndarray, target: np.ndarray | None, *, quantile_count: int, max_pieces: int,
                 seed: int = 0) -> Knots:
    """Quantile knots, or target-aware knots where they predict held-out training rows clearly better.

    `values` are one column's training values (missing values already filled); `target` the training rows'
    target (0/1 events, or numbers), or None for quantile knots only.
    """
    values = np.asarray(values, dtype="float64")
    quantile = Knots(quantile_knots(values, quantile_count), "quantile")
    if target is None or max_pieces < 2 or len(values) < 4 * MIN_PIECE_ROWS:
        return quantile
    target = np.asarray(target, dtype="float64")
    binary = bool(np.isin(target, (0.0, 1.0)).all())
    fit = np.random.default_rng(seed).random(len(values)) >= HELD_OUT_SHARE
    parts = (values[fit], target[fit], values[~fit], target[~fit])
    fine = held_out_loss(target_knots(parts[0], parts[1], max_pieces, binary=binary), *parts, binary=binary)
    coarse = held_out_loss(quantile_knots(parts[0], quantile_count), *parts, binary=binary)
    gain = coarse - fine  # per held-out row; fine knots must win by more than one standard error of the mean gain
    if gain.mean() > gain.std(ddof=1) / np.sqrt(len(gain)):
        return Knots(target_knots(values, target, max_pieces, binary=binary), "target")
    return quantile
