"""Permutation SHAP vectorised over rows: exact additivity, any model, one batch predict per chunk of rows.

The algorithm of `shap.PermutationExplainer` (a random order of the input groups and its reverse), written
over all explained rows at once so a recurrent network sees a few large batches instead of one small batch
per row and permutation step.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

DEFAULT_EVALUATIONS = 4_000_000  # model evaluations one explanation may spend by default
MAX_PERMUTATION_PAIRS = 8


def permutation_pairs(rows: int, groups: int, background: int, *, evaluations: int = DEFAULT_EVALUATIONS) -> int:
    """How many antithetic permutation pairs fit in a budget of model evaluations (at least 1, at most 8)."""
    per_pair = max(1, rows * 2 * (groups + 1) * background)
    return int(np.clip(evaluations // per_pair, 1, MAX_PERMUTATION_PAIRS))


def permutation_values(predict: Callable[[np.ndarray], np.ndarray], background: np.ndarray, rows: np.ndarray,
                       groups: list[list[int]], *, pairs: int = 1, seed: int = 0,
                       batch_rows: int = 1 << 18) -> np.ndarray:
    """Permutation SHAP values (rows x groups), vectorised over rows.

    The algorithm of `shap.PermutationExplainer`: for a random order of the groups and its reverse, switch the
    groups one at a time from the background rows to the explained row and credit each group with the change
    in the mean output. Each order telescopes, so base value (mean output on the background) plus the values
    equals the output exactly, whatever the number of permutations.
    """
    n, m = len(rows), len(groups)
    shape = rows.shape[1:]
    bg = background.reshape(len(background), -1)
    x = rows.reshape(n, -1)
    values = np.zeros((n, m))
    rng = np.random.default_rng(seed)
    per_row = (m + 1) * len(bg)
    chunk = max(1, batch_rows // per_row)
    for _ in range(pairs):
        order = rng.permutation(m)
        for sequence in (order, order[::-1]):
            mask = np.zeros((m + 1, bg.shape[1]), dtype=bool)
            for step, g in enumerate(sequence):
                mask[step + 1:, groups[g]] = True
            for start in range(0, n, chunk):
                part = x[start:start + chunk]
                mixed = np.where(mask[None, :, None, :], part[:, None, None, :], bg[None, None, :, :])
                out = predict(mixed.reshape(-1, *shape)).reshape(len(part), m + 1, len(bg))
                means = out.mean(axis=2)
                values[start:start + chunk, sequence] += np.diff(means, axis=1)
    return values / (2 * pairs)
