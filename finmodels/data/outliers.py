"""Values no real record holds: broken domain rules, and values far outside the bulk of their column.

Both are warnings (training goes on; the analyst checks the source), with the column, rows, values and what to do:

- `RULES`, a registry of domain rules for columns recognised by name and values: an age outside 16 to 110 years,
  more years of employment than the age allows.
- `find_outliers`: per numeric column, the values far outside its bulk. The bulk is where 98% of the values lie
  (the 1st to the 99th percentile); a value is far outside when it lies more than FAR bulk widths beyond it both
  as it is and on a signed log scale, so that an ordinary long tail (high incomes, large balances) is not called an
  outlier. A value far from a bulk centred on 0 (a return) is flagged late: the log scale is lenient there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.data.problems import WARNING, Problem, row_numbers
from finmodels.data.profiling import NUMERIC, Profile, name_words
from finmodels.data.tidying import rows_phrase

BULK = (0.01, 0.99)
# Measured on the shared datasets (tests/data/test_outliers.py): the real extremes lie at most 1.2 bulk widths
# beyond the bulk (incomes of 1.8 to 2 million beside a bulk of 14,400 to 225,200; a Taiwan bill of -339,603), the
# errors 1.5 and more (an income of 6 million in the row of an applicant aged 144; asset turnovers of 2.5 million).
FAR = 1.5
# A column with fewer values, or fewer distinct ones (codes, small counts), has no bulk worth measuring.
MIN_VALUES, MIN_DISTINCT = 50, 10
EXAMPLES = 3
# More columns with outliers than this are named, not listed, at the end of the message.
LISTED_COLUMNS = 10
AGE_RANGE = (16, 110)  # an applicant's age in years outside it is a typing error or a code
WORKING_AGE = 14  # nobody's employment began before this age


def _numbers(series: pd.Series) -> pd.Series | None:
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return None
    return series.astype("float64")


def _number(value: float) -> str:
    """6,000,000, 1,726, 944, 0.312: a value as a message shows it."""
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:.3g}"


@dataclass(frozen=True)
class ColumnKind:
    """A kind of column a domain rule knows: words its name may hold, and the median its values have in the
    unit the rule assumes (an age in years has a median of 18 to 90; one in months does not)."""

    label: str
    words: tuple[str, ...]
    median: tuple[float, float]

    def columns(self, frame: pd.DataFrame) -> list[str]:
        """The numeric columns of `frame` of this kind, in file order."""
        found = []
        for name in frame.columns:
            values = _numbers(frame[name])
            if values is None or not set(self.words) & set(name_words(name)):
                continue
            median = values.median()
            if pd.notna(median) and self.median[0] <= median <= self.median[1]:
                found.append(str(name))
        return found


AGE = ColumnKind("age in years", ("age",), (18, 90))
EMPLOYMENT = ColumnKind("years of employment", ("emp", "employment", "employed"), (0, 40))


@dataclass(frozen=True)
class PlausibilityRule:
    """A domain rule: the kinds of column it reads (the first is the one it is about), the rows that break it,
    and its message: what those rows hold (formatted with the column names), one row's values, what to do."""

    code: str
    kinds: tuple[ColumnKind, ...]
    breaks: Callable[..., pd.Series]
    what: str
    example: str
    advice: str

    def problems(self, frame: pd.DataFrame) -> list[Problem]:
        """One warning per column of the first kind that breaks the rule (read with the first column of each
        other kind); none when the table lacks a kind."""
        found = [kind.columns(frame) for kind in self.kinds]
        problems = []
        for name in found[0] if all(found) else []:
            names = (name, *(columns[0] for columns in found[1:]))
            if len(set(names)) < len(names):
                continue
            values = [frame[n].astype("float64") for n in names]
            broken = self.breaks(*values).to_numpy(dtype=bool)
            if not broken.any():
                continue
            rows = row_numbers(broken)
            shown = [self.example.format(*row) for row in zip(*(v[broken].iloc[:EXAMPLES] for v in values))]
            problems.append(Problem(
                self.code, f"Column '{name}' has {self.what.format(*names)} in {rows_phrase(rows)} (e.g. "
                f"{', '.join(shown)}). {self.advice}", WARNING, name, tuple(rows),
                tuple(f"{v:g}" for v in values[0][broken].iloc[:EXAMPLES])))
        return problems


RULES = (
    PlausibilityRule(
        "implausible_age", (AGE,), lambda age: (age < AGE_RANGE[0]) | (age > AGE_RANGE[1]),
        f"ages outside {AGE_RANGE[0]} to {AGE_RANGE[1]} years", "'{0:g}'",
        "Correct them, or leave the cells empty to have them read as missing."),
    PlausibilityRule(
        "employment_beyond_age", (EMPLOYMENT, AGE), lambda years, age: years > age - WORKING_AGE,
        f"more years of employment than the age in '{{1}}' allows (work from age {WORKING_AGE} on)",
        "{0:g} years at age {1:g}",
        "Check them against the source (a length in months, or a typing error): correct them, or leave the cells "
        "empty to have them read as missing."),
)


@dataclass(frozen=True)
class Outliers:
    """One column's values far outside its bulk: their rows (spreadsheet numbers), values, and the bulk (its 1st
    and 99th percentiles)."""

    column: str
    rows: tuple[int, ...]
    values: tuple[float, ...]
    bulk: tuple[float, float]

    def phrase(self) -> str:
        """'6,000,000 (line 32299)', or '1,726 (line 1162), 944 (line 1165)' and '... and 2 more rows' past three: the
        file's lines, as `rows_phrase` names them."""
        shown = ", ".join(f"{_number(v)} (line {r})" for v, r in zip(self.values[:EXAMPLES], self.rows))
        more = len(self.rows) - EXAMPLES
        return shown + (f" and {more} more row{'s' if more > 1 else ''}" if more > 0 else "")


def _beyond(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """How many bulk widths each value lies beyond the bulk of `present` (0 inside it; NaN for missing)."""
    low, high = np.quantile(present, BULK)
    width = high - low
    if width <= 0:
        return np.zeros_like(values)
    with np.errstate(invalid="ignore"):
        return np.maximum(low - values, values - high).clip(min=0) / width


def far_values(values: np.ndarray) -> np.ndarray | None:
    """True where a value lies far outside the bulk both as it is and on a signed log scale, or None for a column
    without a bulk to measure (too few values or distinct values).

    The log scale, arcsinh(value / median size), keeps a long real tail (high incomes, large balances) inside; the
    values themselves keep the far end of a narrow bulk (an age of 144 beside ages of 21 to 50) outside.
    """
    present = values[np.isfinite(values)]
    if len(present) < MIN_VALUES or len(np.unique(present)) < MIN_DISTINCT:
        return None
    size = float(np.median(np.abs(present[present != 0])))
    linear = _beyond(values, present)
    logged = _beyond(np.arcsinh(values / size), np.arcsinh(present / size))
    with np.errstate(invalid="ignore"):  # infinities are validation's to name
        return (np.fmin(linear, logged) > FAR) & np.isfinite(values)


def find_outliers(frame: pd.DataFrame, columns: list[str], *, known: dict[str, set[int]] | None = None
                  ) -> list[Outliers]:
    """The numeric `columns` of `frame` with values far outside their bulk, in the order given.

    `known` maps a column to rows (spreadsheet numbers) another check already named; they are not named again.
    """
    found = []
    for name in columns:
        numbers = _numbers(frame[name])
        far = None if numbers is None else far_values(numbers.to_numpy())
        if far is None:
            continue
        rows = [r for r in row_numbers(far) if r not in (known or {}).get(name, set())]
        if rows:
            values = numbers.to_numpy()[np.asarray(rows) - 2]
            bulk = tuple(float(q) for q in np.nanquantile(numbers.to_numpy(), BULK))
            found.append(Outliers(str(name), tuple(rows), tuple(float(v) for v in values), bulk))
    return found


ADVICE = ("Check it against the source: correct an error, or leave the cell empty to have it read as missing; if "
          "it is real, cap it at the edge of the bulk, or drop the row.",
          "Check them against the source: correct errors, or leave the cells empty to have them read as missing; cap "
          "real values at the edge of the bulk, or drop their rows.")


def outlier_problem(found: list[Outliers]) -> Problem | None:
    """One warning naming every column with outliers: its rows, values and bulk, and what to do."""
    if not found:
        return None
    count = sum(len(o.rows) for o in found)
    if len(found) == 1:
        only = found[0]
        low, high = only.bulk
        head = (f"Column '{only.column}' has {count:,} value{'s' if count > 1 else ''} far outside the bulk of its "
                f"values (98% of them lie between {_number(low)} and {_number(high)}): {only.phrase()}.")
    else:
        listed = [f"- '{o.column}' (bulk {_number(o.bulk[0])} to {_number(o.bulk[1])}): {o.phrase()}"
                  for o in found[:LISTED_COLUMNS]]
        rest = [o.column for o in found[LISTED_COLUMNS:]]
        if rest:
            listed.append(f"- and {len(rest)} more: {', '.join(rest)}")
        head = (f"{len(found)} columns have values far outside the bulk of their values (the range where 98% of them lie):\n"
                + "\n".join(listed) + "\n\n")  # a list on the page, one line per column
    rows = tuple(sorted({r for o in found for r in o.rows}))
    values = tuple(_number(v) for o in found for v in o.values[:EXAMPLES])
    sep = " " if len(found) == 1 else ""
    return Problem("outliers", f"{head}{sep}{ADVICE[count > 1]}", WARNING,
                   found[0].column if len(found) == 1 else None, rows, values)


def plausibility_problems(frame: pd.DataFrame, found: Profile, *, known: dict[str, set[int]] | None = None
                          ) -> list[Problem]:
    """Broken domain rules (RULES), then one warning for the numeric columns' outliers, leaving out the rows a
    rule or another check (`known`: column -> rows) already named."""
    problems = [p for rule in RULES for p in rule.problems(frame)]
    named = {k: set(v) for k, v in (known or {}).items()}
    for problem in problems:
        named.setdefault(problem.column, set()).update(problem.rows)
    numeric = [c.name for c in found.columns if c.role == NUMERIC]
    outliers = outlier_problem(find_outliers(frame, numeric, known=named))
    return problems + ([outliers] if outliers else [])


# The checks whose rows hold values no real record holds (validation's special codes among them).
IMPLAUSIBLE = ("special_codes", *(rule.code for rule in RULES), "outliers")


def flagged_rows(frame: pd.DataFrame, found: Profile, problems, column: str) -> tuple[int, ...]:
    """The rows (spreadsheet numbers) whose value of `column` the checks call implausible: what a chart marks."""
    named = {r for p in problems if p.column == column and p.code in IMPLAUSIBLE for r in p.rows}
    if column in found.names(NUMERIC):
        named.update(r for o in find_outliers(frame, [column], known={column: named}) for r in o.rows)
    return tuple(sorted(named))
