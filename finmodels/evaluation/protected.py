"""Protected columns and their groups, for fairness (finmodels.evaluation.fairness): which columns read like
protected attributes (`suggest_protected`), each row's group (`protected_groups`: text values as they are, numbers
with many values in bands, age in the usual age bands), the analyst's merges of a column's values into larger
groups (`merge_mapping`, applied by `protected_groups`), and what makes a column unusable (`group_problems`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError

MIN_GROUP_ROWS = 30
AGE_EDGES = (25, 35, 45, 55, 65)
BAND_ABOVE = 10  # a numeric column with more distinct values than this is analysed in bands
QUANTILE_BANDS = 5
MISSING = "(missing)"
DASH = "–"
MERGED = " / "  # a merged group's default name joins its values: 'male : single / male : married/widowed'

def age_like(name: str, values: pd.Series) -> bool:
    """A column named like an age ('age', 'age_in_years', 'person_age', 'AGE') whose values are plausible ages (the
    middle 98%: credit_risk_dataset.csv's person_age has a few typos, 144 and 123)."""
    from finmodels.data.profiling import name_words

    present = values.dropna()
    if "age" not in name_words(name) or len(present) == 0:
        return False
    low, high = np.nanquantile(present.astype("float64"), [0.01, 0.99])
    return bool(10 <= low and high <= 120)


# Words of a column name that mark an attribute fair-lending law protects: a whole word (`sex`, `race`), or the start
# of one (`marit` in marital, `nation` in nationality, `disab` in disability). 'age' is age_like (named and valued).
PROTECTED_WORDS = ("sex", "gender", "race", "racial", "religion", "religious", "ethnic", "ethnicity", "citizen",
                   "citizenship")
PROTECTED_STARTS = ("foreign", "nation", "marit", "marri", "ethnic", "religio", "disab", "handicap", "pregnan")
# Values of a text column that read like a codebook's sex or marital status ('male : single', 'F', 'divorced').
PROTECTED_VALUES = ("male", "female", "man", "woman", "married", "single", "divorced", "widowed", "separated")
_VALUE_GROUPS = 20  # a column with more distinct values is not a codebook's category


def protected_like(name: str, values: pd.Series) -> bool:
    """A column that reads like a protected attribute: an age (`age_like`), a name with a word of sex, gender,
    race, ethnicity, religion, nationality, citizenship, foreign, marital status or disability, or a text column of
    at most 20 values with a codebook's sex or marital words ('male : single', 'female', 'divorced')."""
    from finmodels.data.profiling import name_words

    words = name_words(name)
    if any(w in PROTECTED_WORDS or w.startswith(PROTECTED_STARTS) for w in words):
        return True
    numbers = _numeric(values)
    if numbers is not None:
        return age_like(name, numbers)
    distinct = values.dropna().astype(str).unique()
    if not 2 <= len(distinct) <= _VALUE_GROUPS:
        return False
    return any(w in PROTECTED_VALUES for v in distinct for w in name_words(v))


def suggest_protected(frame: pd.DataFrame, *, target: str | None = None) -> list[str]:
    """The columns of `frame` (not the target) that read like protected attributes (`protected_like`), in the
    file's order: what the Governance page suggests before the analyst chooses."""
    return [str(c) for c in frame.columns if c != target and protected_like(str(c), frame[c])]


def _numeric(values: pd.Series) -> pd.Series | None:
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    return values.astype("float64")


def _label(edges: list[float], i: int, *, age: bool) -> str:
    from finmodels.explain.reasons import format_value

    if age:
        if i == 0:
            return f"<{format_value(edges[0])}"
        if i == len(edges):
            return f"{format_value(edges[-1])}+"
        return f"{format_value(edges[i - 1])}{DASH}{format_value(edges[i] - 1)}"
    if i == 0:
        return f"under {format_value(edges[0])}"
    if i == len(edges):
        return f"{format_value(edges[-1])} and over"
    return f"{format_value(edges[i - 1])} to under {format_value(edges[i])}"


def _bands(values: pd.Series, edges: list[float], *, age: bool, min_rows: int, column: str
           ) -> tuple[pd.Series, list[str]]:
    """Band labels for numeric `values` cut at `edges` (left-closed), small bands merged into a neighbour."""
    notes = []
    edges = list(edges)
    while edges:
        codes = np.searchsorted(edges, values.dropna().to_numpy(), side="right")
        counts = np.bincount(codes, minlength=len(edges) + 1)
        present = np.flatnonzero(counts)
        small = [i for i in present if counts[i] < min_rows]
        if not small or len(present) <= 2:
            break
        i = min(small, key=lambda k: counts[k])
        # merge with the smaller of its non-empty neighbours: drop the edge between them
        left = max((k for k in present if k < i), default=None)
        right = min((k for k in present if k > i), default=None)
        other = left if right is None or (left is not None and counts[left] <= counts[right]) else right
        low, high = sorted((i, other))
        merged_edges = edges[:low] + edges[high:]
        notes.append(f"Band {_label(edges, i, age=age)} of '{column}' had {counts[i]} rows (under {min_rows}); "
                     f"merged with {_label(edges, other, age=age)} into {_label(merged_edges, low, age=age)}.")
        edges = merged_edges
    codes = np.searchsorted(edges, values.to_numpy(), side="right")
    labels = [_label(edges, i, age=age) for i in range(len(edges) + 1)]
    out = pd.Series([labels[c] for c in codes], index=values.index, dtype=object).where(values.notna(), MISSING)
    used = [label for label in labels if (out == label).any()] + ([MISSING] if values.isna().any() else [])
    return pd.Series(pd.Categorical(out, categories=used, ordered=True), index=values.index), notes


def banded(values: pd.Series) -> bool:
    """Whether a column is analysed in bands (a number with more than BAND_ABOVE values), not by its values."""
    numbers = _numeric(values)
    return numbers is not None and numbers.nunique() > BAND_ABOVE


def protected_groups(values: pd.Series, *, min_rows: int = MIN_GROUP_ROWS,
                     merge: Mapping[str, str] | None = None) -> tuple[pd.Series, list[str]]:
    """Each row's group in a protected column, and notes on how the groups were made.

    Text (and numbers with at most BAND_ABOVE values) are their own groups, largest first, gaps as
    '(missing)'; other numbers are banded: age-like columns at 25, 35, 45, 55 and 65, others at quantiles.
    `merge` ({value: group}, from `merge_mapping`) puts the analyst's chosen values of a column of values into one
    group before the analysis; the notes say which, and how many rows the merged group has.
    """
    name = str(values.name)
    numbers = _numeric(values)
    if banded(values):
        if merge:
            raise ConfigError(f"'{name}' has {numbers.nunique():,} values and is analysed in bands, whose small bands "
                              "are merged into their neighbours already; merge values of a column of groups (sex, "
                              "nationality ...) instead.")
        if age_like(name, numbers):
            groups, notes = _bands(numbers, list(AGE_EDGES), age=True, min_rows=min_rows, column=name)
            return groups, [f"'{name}' is analysed in age bands.", *notes]
        # edges to 3 significant digits: '1910 to under 2850' reads better than the exact quantiles (1906.8 ...)
        qs = np.unique([float(f"{q:.3g}") for q in np.nanquantile(numbers, np.linspace(0, 1, QUANTILE_BANDS + 1)[1:-1])])
        groups, notes = _bands(numbers, list(qs), age=False, min_rows=min_rows, column=name)
        return groups, [f"'{name}' has {numbers.nunique():,} values; it is analysed in {QUANTILE_BANDS} quantile "
                        "bands.", *notes]
    text = _values(values)
    notes = []
    if merge:
        unknown = [v for v in merge if v not in set(text)]
        if unknown:
            raise ConfigError(f"Merged values of '{name}' not found in its rows: {', '.join(map(repr, unknown))}. Its "
                              f"values are: {', '.join(map(repr, text.value_counts().index[:30]))}. Choose among them.")
        text = text.map(lambda v: merge.get(v, v))
        for group in dict.fromkeys(merge.values()):
            parts = [v for v, g in merge.items() if g == group]
            notes.append(f"Groups of '{name}' merged by the analyst: {', '.join(map(repr, parts))} into '{group}' "
                         f"({int((text == group).sum()):,} rows).")
    order = text.value_counts().index.tolist()
    return pd.Series(pd.Categorical(text, categories=order, ordered=True), index=values.index), notes


def _values(values: pd.Series) -> pd.Series:
    from finmodels.explain.reasons import format_value

    return values.map(format_value).astype(object)


def group_counts(values: pd.Series) -> pd.Series | None:
    """A column's own groups and their rows (largest first), as `protected_groups` names them before any merge;
    None for a column analysed in bands (nothing to merge by hand)."""
    return None if banded(values) else _values(values).value_counts()


def merge_mapping(groups: Sequence[tuple[Sequence[str], str | None]]) -> dict[str, str]:
    """{value: merged group} from the analyst's groups: each (values to combine, its name, or None for the values
    joined by ' / '). A group needs 2 values or more; a value may be in one group only."""
    mapping: dict[str, str] = {}
    for values, name in groups:
        values = [str(v) for v in values]
        if len(values) < 2:
            raise ConfigError(f"A merged group combines 2 values or more; got {', '.join(map(repr, values)) or 'none'}. "
                              "Choose another value to combine with it.")
        twice = [v for v in values if v in mapping]
        if twice:
            raise ConfigError(f"{', '.join(map(repr, twice))} is already in the merged group '{mapping[twice[0]]}'; a "
                              "value can be in one group only.")
        label = (name or "").strip() or MERGED.join(values)
        mapping.update({v: label for v in values})
    return mapping


def group_problems(column: str, groups: pd.Series, *, min_rows: int = MIN_GROUP_ROWS) -> list[str]:
    """What makes a protected column unusable: a single group, or groups under `min_rows` rows (with counts)."""
    counts = groups.value_counts(sort=False)
    counts = counts[counts > 0]
    if len(counts) < 2:
        only = f"('{counts.index[0]}', {int(counts.iloc[0]):,} rows)" if len(counts) else "(no rows)"
        return [f"Protected column '{column}' has one group {only}; fairness compares groups, so it needs at "
                "least 2. Choose another column, or score rows from more groups."]
    small = counts[counts < min_rows]
    if len(small):
        shown = ", ".join(f"'{g}' ({int(n)} row{'s' if n != 1 else ''})" for g, n in small.items())
        others = ", ".join(f"'{g}' ({int(n):,})" for g, n in counts[counts >= min_rows].items())
        return [f"Protected column '{column}' has {len(small)} group{'s' if len(small) > 1 else ''} under "
                f"{min_rows} rows: {shown}" + (f"; the others have {others}" if others else "") +
                ". Rates of so few rows are too noisy to compare: " +
                ("merge small groups into larger ones, or score more rows." if len(counts) > 2 else
                 "with 2 groups a merge leaves one, so score more rows with this column.")]
    return []


