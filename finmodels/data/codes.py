"""Numbers that are codes rather than amounts: what `validation` reports about them, with the column, the codes,
their line counts and what to do.

- `special_codes`: 96/98 in a count, a utilisation of 5,000 (far above the column's other values), and negative
  codes in a column that is otherwise 0 or more (PAY_0's -2 and -1 beside 0 to 8 months late);
- `code_columns`: columns of a few small whole numbers (1/2, 0 to 6) that may be category codes read as numbers;
- `rare_codes`: codes of such a column used by few lines, often codes the file's codebook does not define.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from finmodels.data.problems import WARNING, Problem
from finmodels.data.problems import row_numbers as _rows
from finmodels.data.profiling import NUMERIC, Profile, name_words
from finmodels.data.tidying import rows_phrase

MIN_CODE_ROWS = 20  # fewer values than this say too little about a column
# Codes files use for "unknown", "refused" or "not applicable" in a column of small whole numbers: 96-99,
# 996-999, 9996-9999 ... A code is suspected when it is at least SPECIAL_GAP times the column's other values
# and at most SPECIAL_SHARE of its rows carry such codes.
_SPECIAL_CODE = re.compile(r"^9+[6-9]$")
SPECIAL_GAP = 3.0
SPECIAL_SHARE = 0.05
# A column named like a ratio or utilisation whose values are nearly all at most RATIO_BULK (99% of them) is a
# share of something; values above RATIO_LIMIT in it are far above 1: codes or errors, not ratios.
_RATIO_WORDS = ("util", "utilization", "utilisation", "usage", "ratio", "share", "pct", "percent")
RATIO_BULK, RATIO_LIMIT = 1.5, 10.0


def _count_codes(name: str, values: np.ndarray, present: np.ndarray) -> Problem | None:
    if present.min() < 0 or (present % 1 != 0).any():
        return None
    codes = [v for v in np.unique(present[present >= 96]) if _SPECIAL_CODE.match(str(int(v)))]
    if not codes:
        return None
    coded = np.isin(values, codes)
    others = present[~np.isin(present, codes)]
    if not len(others) or coded.sum() > SPECIAL_SHARE * len(present) or min(codes) < SPECIAL_GAP * max(others.max(), 1):
        return None
    rows = _rows(coded)
    shown = " and ".join([", ".join(f"{v:g}" for v in codes[:-1]), f"{codes[-1]:g}"] if len(codes) > 1
                         else [f"{codes[0]:g}"])
    return Problem(
        "special_codes",
        f"Column '{name}' has {shown} in {len(rows):,} row{'s' if len(rows) > 1 else ''} ({rows_phrase(rows)}), far "
        f"above its other values (at most {others.max():g}): they look like special codes (such as 'unknown' or "
        f"'refused'), not real values. Replace them with empty cells, so they are read as missing, or recode them; "
        f"left as they are, the model takes {codes[0]:g} at face value.",
        WARNING, name, tuple(rows), tuple(f"{v:g}" for v in codes))


def _ratio_codes(name: str, values: np.ndarray, present: np.ndarray) -> Problem | None:
    words = name_words(name)
    if not any(w.startswith(_RATIO_WORDS) for w in words) or present.min() < 0:
        return None
    bulk = float(np.quantile(present, 0.99))
    far = values > RATIO_LIMIT
    if bulk > RATIO_BULK or not far.any():
        return None
    rows = _rows(far)
    examples = pd.unique(values[far])[:3]
    return Problem(
        "special_codes",
        f"Column '{name}' is a ratio (99% of its values are at most {bulk:.3g}) but is above {RATIO_LIMIT:g} in "
        f"{len(rows):,} row{'s' if len(rows) > 1 else ''} ({rows_phrase(rows)}; e.g. "
        f"{', '.join(f'{v:g}' for v in examples)}): far above 1, they look like special codes or errors, not ratios. "
        f"Replace them with empty cells, so they are read as missing, or cap them (e.g. at 1); left as they are, "
        "the model takes them at face value.",
        WARNING, name, tuple(rows), tuple(f"{v:g}" for v in examples))


# A whole-number column that is 0 or more in at least NEGATIVE_BULK of its rows, with 3 or more values there, and
# at most NEGATIVE_CODES distinct negative values, each a small code (-1 to -9) or -99, -999 ...: its negatives
# look like codes ('no use', 'paid in full'), not amounts below zero.
NEGATIVE_BULK, NEGATIVE_CODES = 0.5, 3
_NEGATIVE_CODE = re.compile(r"^-([1-9]|9{2,})$")
# A column of at most CODE_LEVELS distinct whole numbers, from 0 or 1 up to at most CODE_MAX, may hold category
# codes (0/1 alone is a flag, not a code); a code of it in fewer than RARE_SHARE of its rows is rare.
CODE_LEVELS, CODE_MAX = 10, 12
RARE_SHARE = 0.01


def code_problems(frame: pd.DataFrame, found: Profile) -> list[Problem]:
    """Special codes (high and negative) in numeric columns, then code-like columns and their rare codes."""
    problems, codes, said = [], {}, {}
    for col in found.columns:
        if col.role != NUMERIC:
            continue
        values = frame[col.name].to_numpy(dtype="float64", na_value=np.nan)
        present = values[~np.isnan(values) & np.isfinite(values)]
        if len(present) < MIN_CODE_ROWS:
            continue
        problem = (_count_codes(col.name, values, present) or _ratio_codes(col.name, values, present)
                   or _negative_codes(col.name, values, present, said))
        if problem is not None:
            problems.append(problem)
        elif _looks_coded(present):
            codes[col.name] = np.unique(present)
    if codes:
        problems.append(_code_columns(codes))
        problems.extend(p for name in codes if (p := _rare_codes(name, frame[name])) is not None)
    return problems


def _negative_codes(name: str, values: np.ndarray, present: np.ndarray, said: dict) -> Problem | None:
    """Negative codes in a column otherwise 0 or more. `said` ({codes: column}) holds the codes an earlier column's
    message explained: a column with the same codes (taiwan_default's PAY_2 to PAY_6, as PAY_0) names its lines and
    points to that column rather than repeat the advice; it keeps its own Problem, so the chart marks its lines."""
    if present.min() >= 0 or (present % 1 != 0).any():
        return None
    negative = np.unique(present[present < 0])
    rest = present[present >= 0]
    if (len(negative) > NEGATIVE_CODES or len(rest) < NEGATIVE_BULK * len(present) or len(np.unique(rest)) < 3
            or not all(_NEGATIVE_CODE.match(f"{v:g}") for v in negative)):
        return None
    coded = np.isin(values, negative)
    rows = _rows(coded)
    counts = [f"{v:g} in {int((values == v).sum()):,} line{'s' if (values == v).sum() > 1 else ''}" for v in negative]
    codes = tuple(f"{v:g}" for v in negative)
    share = len(rest) / len(present)  # 'all but 1' where a percent would round up to a false 100%
    bulk = f"{share:.0%} of its rows" if share < 0.995 else f"all but {len(present) - len(rest):,} of its rows"
    head = f"Column '{name}' is {rest.min():g} or more in {bulk} but has {_and(counts)} ({rows_phrase(rows)})"
    if codes in said:
        return Problem("special_codes", f"{head}: the same negative codes as '{said[codes]}' (see there).", WARNING,
                       name, tuple(rows), codes)
    said[codes] = name
    return Problem(
        "special_codes",
        f"{head}: they look like special codes ('no use', 'paid in full'), read as amounts ({negative[0]:g} below "
        f"{rest.min():g}). If the file's codebook says so, move them to a column of their own and leave these cells "
        "empty (read as missing).", WARNING, name, tuple(rows), codes)


def _looks_coded(present: np.ndarray) -> bool:
    distinct = np.unique(present)
    return (2 <= len(distinct) <= CODE_LEVELS and bool(np.all(distinct % 1 == 0)) and distinct[0] in (0, 1)
            and distinct[-1] <= CODE_MAX and not set(distinct) <= {0, 1})


def _code_columns(codes: dict[str, np.ndarray]) -> Problem:
    def values(v: np.ndarray) -> str:
        return ", ".join(f"{x:g}" for x in v) if len(v) <= 3 else f"{v[0]:g} to {v[-1]:g}: {len(v)} values"

    shown = _and([f"'{name}' ({values(v)})" for name, v in codes.items()])
    pair = next((name for name, v in codes.items() if len(v) == 2), None)
    plural = len(codes) > 1
    fine = f"Two codes (such as '{pair}') or ordered ones" if pair else "Ordered codes"
    return Problem(
        "code_columns",
        f"{'Columns' if plural else 'Column'} {shown} may be category codes read as numbers (3 counts as more than "
        "2): if they have no order, set their role to 'categorical' on the Data page (training then reads each code "
        f"as a category) or write them as text in the file (e.g. 'married' for 1). {fine} (grades, counts) need "
        "nothing.",
        WARNING, None, values=tuple(codes))


def _rare_codes(name: str, series: pd.Series) -> Problem | None:
    counts = series.dropna().value_counts()
    rare = counts[counts < RARE_SHARE * counts.sum()].sort_index()
    if rare.empty or len(rare) == len(counts):
        return None
    rows = _rows(series.isin(rare.index))
    shown = _and([f"{v:g} in {n:,} line{'s' if n > 1 else ''}" for v, n in rare.items()])
    return Problem(
        "rare_codes",
        f"Column '{name}' has {'codes' if len(rare) > 1 else 'a code'} used by fewer than {RARE_SHARE:.0%} of its rows: "
        f"{shown} ({rows_phrase(rows)}), too few to learn from and often 'unknown' or 'other'. If the file's "
        f"codebook does not define {'them, merge them into one code' if len(rare) > 1 else 'it, merge it into another'}"
        " (such as its 'other') or leave those cells empty (read as missing).",
        WARNING, name, tuple(rows), tuple(f"{v:g}" for v in rare.index))


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
