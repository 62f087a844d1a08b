"""The scorecard challenger's tables as a run keeps them: information values, bins and points.

A fitted scorecard (`finmodels.models.scorecard.ScorecardModel`) lives only while its run is in memory; training
writes its binning and points tables into the run's details as flat arrays (`to_details`), which the workspace
keeps, so the Evaluate page and the report show the same tables (`tables_of`) for a fresh run and for one read
back after a reload or a restart. This module needs only NumPy and pandas: the web process reads it without loading
the binning solver.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# IV rules of thumb (Siddiqi): under 0.02 useless, 0.02-0.1 weak, 0.1-0.3 medium, above 0.3 strong.
IV_BANDS = ((0.02, "not predictive"), (0.1, "weak"), (0.3, "medium"), (float("inf"), "strong"))
BIN_COLUMNS = ("feature", "bin", "rows", "share", "non_events", "events", "event_rate", "woe", "iv")
POINT_COLUMNS = ("feature", "bin", "woe", "points")
_KEY = "scorecard.{table}.{column}"


def iv_band(iv: float) -> str:
    """The usual reading of an information value: not predictive, weak, medium or strong."""
    return next(label for limit, label in IV_BANDS if iv < limit)


def iv_table(bins: pd.DataFrame) -> pd.DataFrame:
    """feature, IV (the sum over its bins), its reading and the number of bins with rows, largest IV first."""
    iv = bins.groupby("feature", sort=False)["iv"].sum().sort_values(ascending=False)
    counted = bins[bins["rows"] > 0].groupby("feature")["bin"].count()
    return pd.DataFrame({"feature": iv.index, "iv": iv.to_numpy(), "strength": [iv_band(v) for v in iv],
                         "bins": [int(counted.get(f, 0)) for f in iv.index]})


def to_details(bins: pd.DataFrame, points: pd.DataFrame) -> dict:
    """The two tables as flat arrays for `TrainingResult.details` (text columns as text arrays, no objects)."""
    out = {}
    for table, frame, columns in (("bins", bins, BIN_COLUMNS), ("points", points, POINT_COLUMNS)):
        for column in columns:
            values = frame[column].to_numpy()
            out[_KEY.format(table=table, column=column)] = values.astype(str) if values.dtype == object else values
    return out


def _from_details(details: dict, table: str, columns) -> pd.DataFrame:
    frame = pd.DataFrame({c: np.asarray(details[_KEY.format(table=table, column=c)]) for c in columns})
    for column in ("feature", "bin"):
        frame[column] = pd.Series(frame[column].astype(str).to_numpy())  # as the fitted scorecard gives them
    return frame


def tables_of(result) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    """(IV table, binning table, points table) of a run's scorecard challenger, from what the run keeps in its
    details (a fresh run and one read back alike); None for a run without one."""
    details = getattr(result, "details", None) or {}
    if _KEY.format(table="bins", column="feature") not in details:
        return None
    bins = _from_details(details, "bins", BIN_COLUMNS)
    return iv_table(bins), bins, _from_details(details, "points", POINT_COLUMNS)


__all__ = ["BIN_COLUMNS", "IV_BANDS", "POINT_COLUMNS", "iv_band", "iv_table", "tables_of", "to_details"]
