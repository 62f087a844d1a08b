"""Turning a target column into model labels: which label is the risk event, and the 0/1 vector."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodels.errors import DataError

# Labels that mean "the risk event happened", lower case; checked before falling back to the minority class.
EVENT_WORDS = ("bad", "default", "defaulted", "yes", "y", "true", "1", "charged off", "delinquent", "fraud")


def binary_labels(series: pd.Series) -> list[str]:
    """The distinct non-missing labels of a target column, as strings, sorted."""
    return sorted(series.dropna().astype(str).str.strip().unique().tolist())


def default_event_label(series: pd.Series) -> str:
    """The label that most likely means the risk event: a default word if present, else the minority class."""
    labels = binary_labels(series)
    for label in labels:
        if label.lower() in EVENT_WORDS:
            return label
    counts = series.dropna().astype(str).str.strip().value_counts()
    return str(counts.idxmin())


def encode_binary(series: pd.Series, event_label: str | None = None) -> tuple[np.ndarray, str]:
    """Return (y, event_label) with y = 1 where the row's label is the event label.

    Rows with a missing target must be dropped before calling this.
    """
    labels = binary_labels(series)
    if len(labels) != 2:
        shown = ", ".join(f"'{v}'" for v in labels[:10])
        raise DataError(
            f"Column '{series.name}' has {len(labels)} values ({shown}); a binary task needs exactly 2. "
            "Recode it or pick a multi-class or regression task."
        )
    event = default_event_label(series) if event_label is None else str(event_label)
    if event not in labels:
        raise DataError(f"Event label '{event}' is not a value of column '{series.name}'. Values are: {', '.join(labels)}.")
    return (series.astype(str).str.strip() == event).to_numpy(dtype="int32"), event


def guess_target(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first column whose normalised name matches one of the usual target names, or None."""
    norm = {str(c).strip().lower().replace(" ", "_"): c for c in columns}
    for name in candidates:
        if name in norm:
            return norm[name]
    return None
