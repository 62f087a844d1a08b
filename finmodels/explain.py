"""SHAP explanations of a trained network, summed back to the analyst's original columns."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Explanation:
    """SHAP values per explained row and original column, in the model's output units (probability)."""

    explainer: str
    columns: list[str]
    values: np.ndarray  # rows x columns
    base_value: float
    predictions: np.ndarray
    data: pd.DataFrame  # the explained rows, original units
    background_rows: int
    seconds: float

    def importance(self) -> pd.Series:
        """Mean absolute SHAP value per column, largest first."""
        return pd.Series(np.abs(self.values).mean(axis=0), index=self.columns).sort_values(ascending=False)

    @property
    def additivity_error(self) -> float:
        """Largest |base + sum(contributions) - prediction| over the explained rows."""
        return float(np.max(np.abs(self.base_value + self.values.sum(axis=1) - self.predictions)))


def group_values(values: np.ndarray, groups: dict[str, list[int]]) -> tuple[list[str], np.ndarray]:
    """Sum SHAP values of expanded inputs (one-hot levels) into one value per original column."""
    columns = list(groups)
    summed = np.stack([values[:, idx].sum(axis=1) for idx in groups.values()], axis=1)
    return columns, summed


def explain_result(result, *, rows: int = 200, background: int = 100, seed: int = 0) -> Explanation:
    """Explain `rows` test rows of a TrainingResult against a background sample of its training rows."""
    import shap

    rng = np.random.default_rng(seed)
    pre = result.preprocessor
    train_idx = result.split.train
    bg_idx = rng.choice(train_idx, size=min(background, len(train_idx)), replace=False)
    test_idx = result.split.test
    ex_idx = np.sort(rng.choice(test_idx, size=min(rows, len(test_idx)), replace=False))
    x_bg = pre.transform(result.frame.iloc[bg_idx])
    x_ex = pre.transform(result.frame.iloc[ex_idx])

    start = time.perf_counter()
    explainer = shap.GradientExplainer(result.model, x_bg)
    raw = explainer.shap_values(x_ex)
    raw = np.asarray(raw)
    if raw.ndim == 3:  # (rows, inputs, outputs) for a single-output model
        raw = raw[..., 0]
    base = float(np.mean(np.asarray(result.model(x_bg, training=False))))
    predictions = np.asarray(result.model(x_ex, training=False)).ravel()
    columns, values = group_values(raw, pre.groups)
    return Explanation(
        explainer="GradientExplainer", columns=columns, values=values, base_value=base, predictions=predictions,
        data=result.frame.iloc[ex_idx][columns].reset_index(drop=True), background_rows=len(bg_idx),
        seconds=time.perf_counter() - start,
    )
