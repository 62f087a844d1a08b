"""Weight-of-evidence inputs: each column read through the scorecard's bins, one WoE value per row.

A credit scorecard reads every column through a few optimal bins (optbinning: monotonic in the event rate, each
bin at least 5% of the rows) and their weight of evidence; on a small loan book that prior is hard to beat (German
credit's scorecard was ahead of the blended networks, bench/quality.md). Beside a small table's other inputs, one
WoE input per column lets the network start from what the scorecard knows and learn what it cannot (interactions).

The bins are the scorecard's own (`scorecard.fit_scorecard` on the training rows, so its solver runs where it is
safe), copied into arrays: a bundle stores this encoder in skops format like the rest of the preprocessing, and
scoring never needs optbinning. WoE follows optbinning's sign, ln(share of non-events / share of events); a missing
value takes its bin's WoE (0 when the training rows had none), a text level the training rows never held takes 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin


def _bins(binned) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, float]:
    """(numeric splits, text levels, each level's bin, WoE per bin, WoE of missing values) of one fitted
    optbinning OptimalBinning."""
    table = binned.binning_table.build()
    labels = [str(b) for b in table["Bin"]]
    woe = np.asarray(table["WoE"].iloc[:len(labels) - 1], dtype="float64")  # the last row is the totals
    missing = float(woe[labels.index("Missing")]) if "Missing" in labels else 0.0
    if binned.dtype == "categorical":
        levels = [str(level) for group in binned.splits for level in group]
        level_bins = np.asarray([i for i, group in enumerate(binned.splits) for _ in group], dtype="int64")
        return np.zeros(0), levels, level_bins, woe[:len(binned.splits)], missing
    splits = np.asarray(binned.splits, dtype="float64")
    return splits, [], np.zeros(0, dtype="int64"), woe[:len(splits) + 1], missing


class WoeEncoder(TransformerMixin, BaseEstimator):
    """One WoE value per input column and row, from the scorecard's bins of the training rows (`fit(X, y)` with y the
    0/1 events). Numeric columns are numbers (missing as NaN), the others text."""

    def fit(self, X, y):
        from finmodels.models.scorecard import fit_scorecard

        frame = pd.DataFrame(X)
        self.columns_ = [str(c) for c in frame.columns]
        frame.columns = self.columns_
        model = fit_scorecard(frame, np.asarray(y).astype(int), features=self.columns_)
        process = model.scorecard.binning_process_
        self.numeric_ = [c not in model.categorical for c in self.columns_]
        self.splits_, self.levels_, self.level_bins_, self.woe_, self.missing_woe_ = [], [], [], [], []
        for column in self.columns_:
            splits, levels, level_bins, woe, missing = _bins(process.get_binned_variable(column))
            self.splits_.append(splits)
            self.levels_.append(levels)
            self.level_bins_.append(level_bins)
            self.woe_.append(woe)
            self.missing_woe_.append(missing)
        return self

    def transform(self, X):
        frame = pd.DataFrame(X)
        out = np.empty(frame.shape, dtype="float64")
        for j in range(frame.shape[1]):
            column = frame.iloc[:, j]
            if self.numeric_[j]:
                values = pd.to_numeric(column, errors="coerce").to_numpy("float64")
                woe = self.woe_[j][np.searchsorted(self.splits_[j], values, side="right")
                                   .clip(0, len(self.woe_[j]) - 1)]
                out[:, j] = np.where(np.isnan(values), self.missing_woe_[j], woe)
            else:
                known = dict(zip(self.levels_[j], self.woe_[j][self.level_bins_[j]]))
                woe = column.astype("object").astype(str).map(known).fillna(0.0).to_numpy("float64")
                out[:, j] = np.where(column.isna().to_numpy(), self.missing_woe_[j], woe)
        return out

    def get_feature_names_out(self, input_features=None):
        names = self.columns_ if input_features is None else [str(n) for n in input_features]
        return np.asarray([f"{n} (WoE)" for n in names], dtype=object)
