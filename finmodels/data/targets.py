"""Turning a target column into model labels: which label is the risk event, and the 0/1 vector."""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodels.data.splits import MIN_ROWS_PER_CLASS
from finmodels.errors import DataError

# Labels that mean "the risk event happened", lower case; checked before falling back to the minority class.
EVENT_WORDS = (
    "bad", "default", "defaulted", "yes", "y", "true", "1", "charged off", "charged-off", "chargeoff",
    "delinquent", "fraud", "late", "past due", "written off", "write-off", "event", "positive", "oui", "ja",
)
# Labels that mean "no risk event": when one of two labels is one of these, the other one is the event.
NON_EVENT_WORDS = (
    "good", "no", "n", "false", "0", "fully paid", "paid", "current", "performing", "repaid", "non-default",
    "ok", "normal", "negative", "non", "nein",
)
# The agency rating scale, best first; ratings with +/- or 1/2/3 notches map onto these letters.
RATING_SCALE = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")

# The same scale with its notches, best to worst; a file's labels are ordered by it, so "one notch" is one step on the scale
# of the ratings actually present (AAA, AA, A, BBB ... when the file has no +/- modifiers).
NOTCHED_RATING_SCALE = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-", "B+", "B", "B-",
    "CCC+", "CCC", "CCC-", "CC", "C", "RD", "SD", "D",
)


def rating_order(labels) -> list[str] | None:
    """The distinct labels in rating-scale order (best first), or None when some label is not a rating."""
    present = {str(v).strip().upper(): str(v) for v in labels}
    if not set(present) <= set(NOTCHED_RATING_SCALE):
        return None
    return [present[r] for r in NOTCHED_RATING_SCALE if r in present]


def event_name(target: str | None, label) -> str:
    """How to name a class for an analyst: the label when it is a word ('bad', 'Charged Off'), else
    '<target> = <label>' for a code such as 0/1 or true/false ('SeriousDlqin2yrs = 1'), which alone says nothing."""
    text = str(label).strip()
    coded = text.lower() in ("true", "false") or text.lstrip("+-").replace(".", "", 1).isdigit()
    return f"{target} = {text}" if coded and target else text


def label_strings(series: pd.Series) -> pd.Series:
    """A target column as stripped strings; whole floats read from a column with gaps (1.0) become '1'."""
    if pd.api.types.is_float_dtype(series.dtype):
        present = series.dropna()
        if len(present) and bool((present % 1 == 0).all()):
            return series.astype("Int64").astype(str).where(series.notna())
    return series.astype(str).str.strip().where(series.notna())


def binary_labels(series: pd.Series) -> list[str]:
    """The distinct non-missing labels of a target column, as strings, sorted."""
    return sorted(label_strings(series).dropna().unique().tolist())


def default_event_label(series: pd.Series) -> str:
    """The label that most likely means the risk event.

    A label that names the event (bad, default, yes, Y, Charged Off, 1) wins; else, of two labels, the one
    that is not a "no event" word (good, no, Fully Paid, 0); else the minority class.
    """
    labels = binary_labels(series)
    for label in labels:
        if label.lower() in EVENT_WORDS:
            return label
    calm = [label for label in labels if label.lower() in NON_EVENT_WORDS]
    if len(labels) == 2 and len(calm) == 1:
        return next(label for label in labels if label not in calm)
    counts = label_strings(series).dropna().value_counts()
    return str(counts.idxmin())


def encode_binary(series: pd.Series, event_label: str | None = None) -> tuple[np.ndarray, str]:
    """Return (y, event_label) with y = 1 where the row's label is the event label.

    Rows with a missing target must be dropped before calling this.
    """
    labels = binary_labels(series)
    if len(labels) != 2:
        shown = ", ".join(f"'{v}'" for v in labels[:10])
        if len(labels) < 2:  # a multi-class task needs two classes too: the target or the file must change
            raise DataError(
                f"Column '{series.name}' has {len(labels)} value{'' if len(labels) == 1 else 's'} ({shown}); every "
                "task needs at least 2 classes to learn from. Pick a target with both outcomes, or fix the file so "
                "that it holds rows of each."
            )
        raise DataError(
            f"Column '{series.name}' has {len(labels)} values ({shown}); a binary task needs exactly 2. "
            "Recode it or pick a multi-class or regression task."
        )
    event = default_event_label(series) if event_label is None else str(event_label)
    if event not in labels:
        raise DataError(f"Event label '{event}' is not a value of column '{series.name}'. Values are: {', '.join(labels)}.")
    return (label_strings(series) == event).to_numpy(dtype="int32"), event


def rating_rank(label: str) -> int | None:
    """Position of a rating on RATING_SCALE (0 = AAA), ignoring notches (BBB+ -> BBB); None if not a rating."""
    text = str(label).strip().upper().rstrip("+-123 ")
    return RATING_SCALE.index(text) if text in RATING_SCALE else None


def is_rating_scale(series: pd.Series) -> bool:
    """True when every label of the column is an agency rating (AAA..D, with or without notches)."""
    labels = binary_labels(series)
    return bool(labels) and all(rating_rank(label) is not None for label in labels)


def _norm(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def guess_target(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first column whose normalised name matches one of the usual target names, or None."""
    norm = {_norm(c): c for c in columns}
    for name in candidates:
        if _norm(name) in norm:
            return norm[_norm(name)]
    return None


# Target encoding: from the analyst's label column to the numbers a network is fitted on.


def rows_with_target(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The rows whose `target` is present, renumbered; a missing or empty target column is a DataError."""
    if target not in frame.columns:
        raise DataError(
            f"Target column '{target}' not found. Columns are: {', '.join(map(str, frame.columns))}. "
            "Choose the target on the Data page."
        )
    rows = frame[frame[target].notna()].reset_index(drop=True)
    if rows.empty:
        raise DataError(f"Target column '{target}' has no values. Choose another target column.")
    return rows



def prepare_target(frame: pd.DataFrame, target: str, event_label: str | None = None
                   ) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Drop rows without a target and encode it as 0/1 (1 = `event_label`, or the risk event found);
    returns (rows, y, event label)."""
    rows = rows_with_target(frame, target)
    y, event = encode_binary(rows[target], event_label)
    return rows, y, event


def encode_classes(series: pd.Series, *, ordinal: bool) -> tuple[np.ndarray, list[str], list[str]]:
    """Class indices, class labels in index order, and notes on merged rare ratings.

    Ordinal targets are ordered by the agency scale (AAA best) or numerically; a rating with fewer than
    MIN_ROWS_PER_CLASS rows is merged into its neighbour towards the middle of the scale (e.g. 'C' and 'D' into
    'CC'), so every class can appear in train, validation and test.
    """
    labels = series.astype(str).str.strip()
    distinct = sorted(labels.unique())
    if len(distinct) < 2:
        raise DataError(f"Column '{series.name}' has a single value ('{distinct[0]}'); a classifier needs at least 2.")
    if not ordinal:
        index = {v: i for i, v in enumerate(distinct)}
        return labels.map(index).to_numpy("int32"), distinct, []
    order = rating_order(distinct)
    if order is None:
        numbers = pd.to_numeric(pd.Series(distinct), errors="coerce")
        if numbers.isna().any():
            shown = ", ".join(f"'{v}'" for v in distinct[:10])
            raise DataError(f"Column '{series.name}' has labels that are not on a rating scale ({shown}); an ordinal "
                            "task needs agency ratings (AAA..D) or numbered grades. Use the multi-class task instead.")
        order = [distinct[i] for i in np.argsort(numbers.to_numpy(), kind="mergesort")]
    counts = labels.value_counts()
    groups = [[v] for v in order]
    notes = []
    while len(groups) > 2:
        sizes = [int(sum(counts[v] for v in g)) for g in groups]
        rare = [i for i, s in enumerate(sizes) if s < MIN_ROWS_PER_CLASS]
        if not rare:
            break
        i = rare[0]
        j = i + 1 if i < len(groups) / 2 else i - 1  # merge towards the middle of the scale
        a, b = sorted((i, j))
        groups[a:b + 1] = [groups[a] + groups[b]]
    names = ["/".join(g) for g in groups]
    for g, name in zip(groups, names):
        if len(g) > 1:
            notes.append(f"Rare ratings are merged with their neighbour so that each class has at least "
                         f"{MIN_ROWS_PER_CLASS} rows: {', '.join(g)} are scored as one class '{name}'.")
    index = {v: k for k, g in enumerate(groups) for v in g}
    return labels.map(index).to_numpy("int32"), names, notes



def numeric_target(rows: pd.DataFrame, target: str) -> np.ndarray:
    """A regression target as floats; text that is not a number is a DataError naming the values."""
    values = pd.to_numeric(rows[target], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        examples = ", ".join(f"'{rows[target].iloc[i]}'" for i in bad[:3])
        raise DataError(f"Column '{target}' has {len(bad)} values that are not numbers (e.g. {examples}); a regression "
                        "needs a numeric target. Recode them, or pick a classification task.")
    return values.to_numpy("float64")

