"""Stratified samples of rows: what the baselines learn from on a huge file, and what `--sample N` trains on."""

from __future__ import annotations

import numpy as np
import pandas as pd

# More training and validation rows than this, and the baselines (logistic regression, gradient boosting, the
# scorecard) learn from a stratified sample of this many; the network still learns from every training row.
BASELINE_ROWS = 100_000  # 200,000 took 168 s of a million-row book's 357 (measured, bench/scale.md)
MAX_STRATA = 50


def stratified_positions(y: np.ndarray, size: int, *, seed: int = 0) -> np.ndarray:
    """Sorted positions of `size` rows drawn without replacement, each class keeping its share (the largest
    remainders get the leftover rows); all positions when there are no more than `size`. Numbers with more than
    MAX_STRATA values get a plain random sample."""
    n = len(y)
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    if len(classes) > MAX_STRATA:  # a numeric target: a plain random sample
        return np.sort(rng.choice(n, size=size, replace=False))
    counts = np.bincount(codes, minlength=len(classes))
    exact = counts * size / n
    take = np.floor(exact).astype(int)
    leftover = size - take.sum()
    take[np.argsort(take - exact)[:leftover]] += 1
    take = np.minimum(take, counts)
    picked = [rng.choice(np.flatnonzero(codes == k), size=t, replace=False) for k, t in enumerate(take) if t]
    return np.sort(np.concatenate(picked))


def stratified_sample(frame: pd.DataFrame, size: int, *, target: str | None = None, seed: int = 0) -> pd.DataFrame:
    """`size` rows of `frame` in their file order, stratified by `target` when given (rows without a target are
    left out first); the whole frame when it has no more rows."""
    if target is not None and target in frame.columns:
        frame = frame[frame[target].notna()]
        positions = stratified_positions(frame[target].astype(str).to_numpy(dtype=object), size, seed=seed)
    else:
        positions = stratified_positions(np.zeros(len(frame), "int8"), size, seed=seed)
    return frame.iloc[positions].reset_index(drop=True)
