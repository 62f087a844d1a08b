"""The rows a binary run's least-cost threshold is chosen on, kept apart from the rows its cost is reported on.

Choosing the threshold on the held-out test rows and then reporting its cost there flatters it: the threshold is
fitted to those rows' noise. A run keeps the scores of rows outside the test rows that no network learned from
(`threshold_scores`: each pooled row's out-of-fold score, or a single network's validation rows), and the threshold
is chosen on those; the test rows then measure it honestly. A run kept before this existed has no such scores: its
threshold is chosen on the test rows, and every text that reports it says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodels.evaluation.thresholds import CostMatrix, Decisions, decisions_at, least_cost_decision


def held_out_labels(result) -> np.ndarray:
    """The test rows' targets; a run read back from a workspace keeps only these (`TrainingResult.y_test`)."""
    if hasattr(result, "y_test"):
        return np.asarray(result.y_test)
    return np.asarray(result.y)[result.split.test]


@dataclass(frozen=True)
class ThresholdBasis:
    """The labels and scores the threshold is chosen on, and those rows in words."""

    labels: np.ndarray
    scores: np.ndarray
    rows: str  # 'out-of-fold' | 'validation' | 'test'

    @property
    def on_test(self) -> bool:
        return self.rows == "test"

    def phrase(self) -> str:
        """'the 800 training rows' out-of-fold scores' ... as the middle of a sentence."""
        n = len(self.labels)
        return {"out-of-fold": f"the out-of-fold scores of the {n:,} training and validation rows (each scored by a "
                               "network that never learned from it)",
                "validation": f"the {n:,} validation rows (the network stopped early on them, it never learned from "
                              "them)",
                "test": f"the {n:,} held-out test rows themselves (this run kept no other scores)"}[self.rows]


def threshold_basis(result) -> ThresholdBasis:
    """What `result` (a binary TrainingResult, live or read back) chooses its threshold on."""
    details = getattr(result, "details", None) or {}
    scores, labels = details.get("threshold_scores"), details.get("threshold_labels")
    if scores is not None and labels is not None and len(scores) and len(scores) == len(labels):
        return ThresholdBasis(np.asarray(labels).astype(int), np.asarray(scores, "float64"),
                              str(details.get("threshold_rows", "out-of-fold")))
    return ThresholdBasis(np.asarray(held_out_labels(result)).astype(int), np.asarray(result.test_scores, "float64"),
                          "test")


@dataclass(frozen=True)
class ChosenThreshold:
    """The least-cost threshold chosen on the basis, and what deciding at it does on the test rows."""

    basis: ThresholdBasis
    chosen: Decisions  # on the basis rows
    on_test: Decisions  # the same threshold on the held-out test rows

    @property
    def threshold(self) -> float:
        return self.chosen.threshold


def least_cost_threshold_of(result, costs: CostMatrix) -> ChosenThreshold:
    """The least-cost threshold (in the slider's steps) of `result` at `costs`, chosen on `threshold_basis`, and its
    decisions on the test rows."""
    basis = threshold_basis(result)
    chosen = least_cost_decision(basis.labels, basis.scores, costs)
    on_test = chosen if basis.on_test else decisions_at(np.asarray(held_out_labels(result)), result.test_scores,
                                                        chosen.threshold, costs=costs)
    return ChosenThreshold(basis, chosen, on_test)
