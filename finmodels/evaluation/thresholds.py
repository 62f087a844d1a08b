"""Choosing the score threshold that turns probabilities into decisions: Youden J, best F1, least cost.

A row is flagged as an event when its score is at or above the threshold. Without the analyst's own costs,
DEFAULT_COSTS apply: accepting a bad client costs 5, rejecting a good one 1 (German credit's documented matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodels.evaluation.curves import validate_scores, counts_by_threshold
from finmodels.errors import ConfigError


@dataclass(frozen=True)
class CostMatrix:
    """Cost of each kind of mistake, in any unit; correct decisions cost nothing."""

    false_negative: float = 5.0  # an event (bad client) scored below the threshold, e.g. a bad loan accepted
    false_positive: float = 1.0  # a non-event flagged, e.g. a good client turned away

    def __post_init__(self):
        if self.false_negative < 0 or self.false_positive < 0:
            raise ConfigError(f"Costs cannot be negative; got false negative {self.false_negative}, "
                              f"false positive {self.false_positive}.")
        if self.false_negative == 0 and self.false_positive == 0:
            raise ConfigError("At least one cost must be above 0.")

    def expected_cost(self, fn, fp, rows: int):
        """Expected cost per row of `fn` missed events and `fp` false alarms among `rows` rows."""
        return (self.false_negative * fn + self.false_positive * fp) / max(1, rows)

    @property
    def bayes_threshold(self) -> float:
        """The cost-minimising threshold for a perfectly calibrated probability: c_fp / (c_fp + c_fn)."""
        return self.false_positive / (self.false_positive + self.false_negative)


GERMAN_CREDIT_COSTS = CostMatrix(false_negative=5.0, false_positive=1.0)
# Where an analyst has not given costs: a missed event costs five false alarms (German credit's ratio, a common
# starting point in credit risk); the Evaluate page says they are defaults to replace with the portfolio's own.
DEFAULT_COSTS = GERMAN_CREDIT_COSTS


@dataclass(frozen=True)
class ThresholdChoice:
    """A chosen threshold, the criterion's value there, and the confusion counts it gives."""

    method: str
    threshold: float
    value: float  # Youden J, F1, or expected cost per row, depending on the method
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def confusion(self) -> np.ndarray:
        """2 x 2 counts, rows = actual (non-event, event), columns = predicted (non-event, event)."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]])


def _candidates(y_true, y_score):
    """Every distinct threshold with its counts, plus 'flag nothing' (threshold above the top score)."""
    y, s = validate_scores(y_true, y_score)
    thresholds, tp, fp = counts_by_threshold(y, s)
    p, n = float(y.sum()), float(len(y) - y.sum())
    top = float(np.nextafter(thresholds[0], np.inf))
    thresholds, tp, fp = np.r_[top, thresholds], np.r_[0.0, tp], np.r_[0.0, fp]
    return thresholds, tp, fp, p - tp, n - fp


def _choice(method, i, value, thresholds, tp, fp, fn, tn) -> ThresholdChoice:
    return ThresholdChoice(method, float(thresholds[i]), float(value[i]), int(tp[i]), int(fp[i]), int(tn[i]),
                           int(fn[i]))


def youden_threshold(y_true, y_score) -> ThresholdChoice:
    """The threshold maximising Youden's J = TPR - FPR (the KS point)."""
    thresholds, tp, fp, fn, tn = _candidates(y_true, y_score)
    j = tp / (tp + fn) - fp / (fp + tn)
    return _choice("youden", int(np.argmax(j)), j, thresholds, tp, fp, fn, tn)


def best_f1_threshold(y_true, y_score) -> ThresholdChoice:
    """The threshold maximising F1 = 2 TP / (2 TP + FP + FN)."""
    thresholds, tp, fp, fn, tn = _candidates(y_true, y_score)
    f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    return _choice("best_f1", int(np.argmax(f1)), f1, thresholds, tp, fp, fn, tn)


def least_cost_threshold(y_true, y_score, *, costs: CostMatrix = GERMAN_CREDIT_COSTS) -> ThresholdChoice:
    """The threshold with the least expected cost per row, (c_fn FN + c_fp FP) / rows."""
    thresholds, tp, fp, fn, tn = _candidates(y_true, y_score)
    cost = costs.expected_cost(fn, fp, tp[0] + fp[0] + fn[0] + tn[0])
    return _choice("least_cost", int(np.argmin(cost)), cost, thresholds, tp, fp, fn, tn)


THRESHOLD_METHODS = {
    "youden": ("Youden J (largest TPR - FPR)", youden_threshold),
    "best_f1": ("Best F1", best_f1_threshold),
    "least_cost": ("Least expected cost", least_cost_threshold),
}


def choose_threshold(y_true, y_score, method: str, *, costs: CostMatrix | None = None) -> ThresholdChoice:
    """Pick a threshold by `method` (a key of THRESHOLD_METHODS); `costs` applies to least_cost only."""
    if method not in THRESHOLD_METHODS:
        raise ConfigError(f"Unknown threshold method '{method}'. Available methods: {', '.join(THRESHOLD_METHODS)}.")
    if method == "least_cost":
        return least_cost_threshold(y_true, y_score, costs=costs or GERMAN_CREDIT_COSTS)
    return THRESHOLD_METHODS[method][1](y_true, y_score)


def confusion_at(y_true, y_score, threshold: float) -> np.ndarray:
    """2 x 2 counts at `threshold`: rows = actual (non-event, event), columns = predicted."""
    y, s = validate_scores(y_true, y_score)
    pred = s >= threshold
    return np.array([[int(np.sum(~pred & (y == 0))), int(np.sum(pred & (y == 0)))],
                     [int(np.sum(~pred & (y == 1))), int(np.sum(pred & (y == 1)))]])


@dataclass(frozen=True)
class Decisions:
    """What flagging at one threshold does on labelled rows: counts, cost, share flagged, recall, precision."""

    threshold: float
    confusion: np.ndarray  # 2 x 2, rows = actual (non-event, event), columns = predicted
    cost: float  # expected cost per row
    flagged: float  # share of rows flagged
    recall: float
    precision: float


def decisions_at(y_true, y_score, threshold: float, *, costs: CostMatrix = GERMAN_CREDIT_COSTS) -> Decisions:
    """The consequences of deciding at `threshold` on rows with known outcomes."""
    matrix = confusion_at(y_true, y_score, threshold)
    (tn, fp), (fn, tp) = matrix
    rows = int(matrix.sum())
    return Decisions(threshold=float(threshold), confusion=matrix, cost=float(costs.expected_cost(fn, fp, rows)),
                     flagged=(tp + fp) / max(1, rows), recall=tp / max(1, tp + fn), precision=tp / max(1, tp + fp))


def least_cost_on_grid(y_true, y_score, *, costs: CostMatrix = DEFAULT_COSTS, step: float = 0.01) -> float:
    """The threshold on a grid of `step` (a slider's) with the least expected cost.

    The exact least-cost threshold is a score such as 0.1803; rounded to 0.18 it flags more rows and may cost
    more. This picks the grid point that costs least, the first of equals. The grid's ends are left out: 0 flags
    every row and 1 none, which is no rule (a weak model at a 5:1 cost of a missed default would otherwise start
    at 'decline everyone', where approval rates and fairness ratios mean nothing).
    """
    y, s = validate_scores(y_true, y_score)
    grid = np.round(np.arange(step, 1.0 - step / 2, step), 10)
    rows = len(y)
    cost = [costs.expected_cost(int(np.sum((s < t) & (y == 1))), int(np.sum((s >= t) & (y == 0))), rows)
            for t in grid]
    return float(grid[int(np.argmin(cost))])


THRESHOLD_STEP = 0.01  # the Evaluate slider's step: the least cost is searched on it, so the slider can reach it


def least_cost_decision(y, scores, costs: CostMatrix) -> Decisions:
    """What deciding at the least-cost threshold on the slider's steps (`THRESHOLD_STEP`) does: the threshold the
    Evaluate page starts at and names, and its cost, the least of any step. One threshold and one cost for the page's
    tile, its slider and the report (the exact least-cost score, 0.0813 say, sits between two steps)."""
    return decisions_at(y, scores, least_cost_on_grid(y, scores, costs=costs, step=THRESHOLD_STEP), costs=costs)
