"""Derived columns: a numeric column that is the ratio or the product of two others on nearly every row.

credit_risk_dataset.csv's loan_percent_income is loan_amnt / person_income rounded to 2 decimals (on 98.7% of its
rows). A what-if that changes loan_amnt and leaves loan_percent_income as it was scores a row no applicant could
have, so the what-if recomputes such a column when one of its inputs changes (`recomputed`) and says so.
`find_derived` finds them from a sample of the training rows, once per run, with no column name written here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DECIMALS", "MIN_SHARE", "SAMPLE_ROWS", "DerivedColumn", "find_derived", "recomputed"]

SAMPLE_ROWS = 2000  # rows the search reads: plenty to tell a rule from chance, cheap for 50 columns
# Share of the sampled rows (where the three values are known) on which the rule must hold within the column's
# rounding. Not 0.99: credit_risk_dataset.csv's loan_percent_income matches loan_amnt / person_income on 98.7% of
# its rows (the others were edited after the ratio was taken), and a rule that fails 1 row in 50 is still a rule.
MIN_SHARE = 0.98
DECIMALS = 6  # most decimals a column is rounded to; a column with more is compared to 6 significant digits
MIN_LEVELS = 5  # a column with fewer distinct values (a flag, a code) is not searched as derived
MAX_COLUMNS = 50  # numeric columns searched (the search grows with their cube)


@dataclass(frozen=True)
class DerivedColumn:
    """`column` = `left` / `right` (or `left` * `right`), rounded to `decimals` (None: not rounded), on `share` of
    the sampled training rows."""

    column: str
    left: str
    right: str
    operator: str  # "/" or "*"
    decimals: int | None
    share: float

    @property
    def formula(self) -> str:
        """'loan_amnt / person_income'."""
        return f"{self.left} {self.operator} {self.right}"

    def values(self, left, right) -> np.ndarray:
        """The column's values from its inputs' values (arrays, columns or numbers, text read as missing), rounded as
        the data rounds it; NaN where one cannot be computed (a missing input, a division by zero). A what-if's one
        row (`value`) and the partial dependence's whole columns use this one rule."""
        left, right = (pd.to_numeric(pd.Series(np.ravel(np.asarray(v, dtype=object))), errors="coerce")
                       .to_numpy(dtype="float64") for v in (left, right))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = left / right if self.operator == "/" else left * right
        result = np.where(np.isfinite(result), result, np.nan)
        return np.round(result, self.decimals) if self.decimals is not None else result

    def value(self, left: float, right: float) -> float | None:
        """The column's value from its inputs, rounded as the data rounds it; None when it cannot be computed."""
        result = float(self.values(left, right)[0])
        return result if np.isfinite(result) else None

    def to_dict(self) -> dict:
        return {"column": self.column, "formula": self.formula, "decimals": self.decimals, "share": self.share}


def _decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (0 to DECIMALS) that hold MIN_SHARE of the values; None for a column not rounded."""
    for d in range(DECIMALS + 1):
        if np.mean(np.abs(values - np.round(values, d)) <= 1e-9 * np.maximum(1, np.abs(values))) >= MIN_SHARE:
            return d
    return None


def find_derived(frame: pd.DataFrame, *, columns=None, sample: int = SAMPLE_ROWS, min_share: float = MIN_SHARE,
                 seed: int = 0) -> list[DerivedColumn]:
    """The numeric columns of `frame` (of `columns`, default all) that equal the ratio or product of two others on
    at least `min_share` of `sample` random rows, within the column's rounding; the best rule per column.

    A column serves either as derived or as an input, never both, so a what-if's recomputing never goes round in a
    circle. Flags and codes (fewer than MIN_LEVELS values) are not searched as derived, nor rules that only hold on a
    column's most common value (a rule must hold on the rows away from it too).
    """
    names = [c for c in (frame.columns if columns is None else columns) if c in frame.columns]
    numeric = [c for c in names if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    numeric = numeric[:MAX_COLUMNS]
    if len(numeric) < 3:
        return []
    rows = frame[numeric].sample(n=sample, random_state=seed) if len(frame) > sample else frame[numeric]
    data = rows.to_numpy("float64")
    targets = [k for k in range(len(numeric)) if len(np.unique(data[np.isfinite(data[:, k]), k])) >= MIN_LEVELS]
    if not targets:
        return []
    values = data[:, targets]
    known = np.isfinite(values)
    decimals = [_decimals(values[known[:, t], t]) for t in range(len(targets))]
    # how far a value may sit from the rule's result: half its last decimal (or 6 significant digits), plus float noise
    slack = np.column_stack([np.full(len(values), 0.5 * 10.0 ** -d) if d is not None else 5e-7 * np.abs(values[:, t])
                             for t, d in enumerate(decimals)]) + 1e-9 * np.maximum(1, np.abs(np.nan_to_num(values)))
    modes = np.array([pd.Series(values[known[:, t], t]).mode().iloc[0] for t in range(len(targets))])
    away = known & (values != modes)
    best: dict[int, DerivedColumn] = {}
    for i, j in itertools.permutations(range(len(numeric)), 2):
        for operator in ("/", "*") if i < j else ("/",):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                candidate = data[:, i] / data[:, j] if operator == "/" else data[:, i] * data[:, j]
            usable = known & np.isfinite(candidate)[:, None]
            with np.errstate(invalid="ignore"):
                hit = usable & (np.abs(candidate[:, None] - values) <= slack)
            count, far = usable.sum(axis=0), (usable & away).sum(axis=0)
            share = hit.sum(axis=0) / np.maximum(count, 1)
            share_away = (hit & away).sum(axis=0) / np.maximum(far, 1)
            fits = (count >= max(20, 0.5 * len(values))) & (far > 0) & (share >= min_share) & (share_away >= min_share)
            for t in np.flatnonzero(fits):
                k = targets[t]
                if k not in (i, j) and (k not in best or share[t] > best[k].share):
                    best[k] = DerivedColumn(numeric[k], numeric[i], numeric[j], operator, decimals[t],
                                            round(float(share[t]), 4))
    # a tie (an identity holds every way round: value = price * units, price = value / units) goes to the latest
    # column, as a file usually adds a ratio after the columns it is taken from
    return _acyclic(sorted(best.values(), key=lambda r: (-r.share, -numeric.index(r.column))))


def _acyclic(found: list[DerivedColumn]) -> list[DerivedColumn]:
    """The rules kept, in `found`'s order (best first), leaving out one whose column is another's input or whose
    inputs are derived."""
    kept: list[DerivedColumn] = []
    for rule in found:
        inputs = {r.left for r in kept} | {r.right for r in kept}
        if rule.column in inputs or {rule.left, rule.right} & {r.column for r in kept}:
            continue
        kept.append(rule)
    return kept


def recomputed(derived: list[DerivedColumn], row: pd.Series, changes: dict) -> tuple[dict, list[str]]:
    """`changes` ({column: value}) with each derived column whose inputs changed set from them, and a note per
    column recomputed ('loan_percent_income recomputed as loan_amnt / person_income: 0.1 -> 0.29'). A derived column
    the analyst changed is kept as given."""
    out, notes = dict(changes), []
    for rule in derived:
        if rule.column in changes or not ({rule.left, rule.right} & set(changes)):
            continue
        left = pd.to_numeric(pd.Series([out.get(rule.left, row.get(rule.left))]), errors="coerce").iloc[0]
        right = pd.to_numeric(pd.Series([out.get(rule.right, row.get(rule.right))]), errors="coerce").iloc[0]
        value = rule.value(left, right)
        if value is None:
            notes.append(f"{rule.column} was not recomputed as {rule.formula}: "
                         f"{'division by zero' if rule.operator == '/' and right == 0 else 'a value is missing'}.")
            continue
        out[rule.column] = value
        notes.append(f"{rule.column} recomputed as {rule.formula}: {_shown(row.get(rule.column))} → {value:g}.")
    return out, notes


def _shown(value) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "missing" if pd.isna(number) else f"{float(number):g}"
