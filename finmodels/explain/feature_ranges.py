"""What the training rows held for each model input, which guides the what-if and its counterfactual search
(`finmodels.explain.counterfactuals`), the Explain page's dependence view and the editor's widgets.

A numeric input has its range and its bulk, the 1st to 99th percentile of its training rows (as the Explain page's
dependence view), where counterfactuals are searched. Not to the minimum and maximum: outliers (an age of 144,
123 years of employment in credit_risk_dataset) became suggestions.

A coded input (`coded_columns`: a numeric column the fitted preprocessing one-hot encodes as codes, i.e. at most
its `PreprocessConfig.code_levels` whole-number values in the training rows, such as SEX 1/2, EDUCATION 0-6 or
PAY_0 -2..8) keeps the codes seen in training, each with its share of the rows. A categorical input (text, or a
number the run reads as a category: `TrainConfig.categories`) keeps its levels, spelled as the network reads them
(`preprocessing.level_text`: '2' for 2 or 2.0), each with its share too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from finmodels.models.preprocessing import level_text

SEARCH_QUANTILES = (0.01, 0.99)  # the bulk searched: the values the rows hold at or below / at or above these
SEARCHED = "the 1st-99th percentile of the training rows"


@dataclass(frozen=True)
class FeatureRange:
    """What the training rows held for one model input: a numeric range, or the levels seen."""

    column: str
    numeric: bool
    low: float | None = None
    high: float | None = None
    integer: bool = False  # every training value was a whole number: counterfactuals are whole numbers too
    levels: tuple[str, ...] | None = None  # None: too many levels to list
    codes: tuple[float, ...] | None = None  # a coded input: the codes seen in training, in numeric order
    # each code's (a categorical input: each level's) share of the training rows; NaN: not known (a bundle keeps
    # the shares of a text column's most common levels only)
    shares: tuple[float, ...] | None = None
    # the training values' precision (0.01 when they have two decimals; 1 for whole numbers): counterfactual values
    # land on it, so a move reads as the data is written ('13.11 to 13.10', not '13.11 to 13.1091'); None: finer
    step: float | None = None
    # the values at SEARCH_QUANTILES of the training rows, where counterfactuals are searched; None: not known (a
    # bundle saved before it kept them), the whole range is
    bulk: tuple[float, float] | None = None

    @property
    def scope(self) -> str:
        """Where a counterfactual of this input is searched, as a caption says it."""
        return SEARCHED if self.bulk else "the training range"

    def searched(self, current: float | None = None) -> tuple[float, float]:
        """The range searched: the bulk (else the whole range), widened to the row's own value `current`."""
        low, high = self.bulk or (self.low, self.high)
        if current is not None:
            low, high = min(low, current), max(high, current)
        return float(low), float(high)

    @property
    def precision(self) -> float | None:
        """The step counterfactual values are searched on: 1 for whole numbers, else `step`."""
        return 1.0 if self.integer else self.step

    @property
    def coded(self) -> bool:
        return self.codes is not None

    @property
    def choices(self) -> tuple:
        """The values a counterfactual tries one by one: a coded input's codes, a categorical input's levels (none
        for a numeric input, or when there were too many levels to list)."""
        return self.codes if self.coded else () if self.numeric else self.levels or ()

    def share(self, value) -> float:
        """The share of training rows holding `value`, a code or a level (0 for one never seen; NaN: not known)."""
        found = [s for c, s in zip(self.choices, self.shares or ()) if c == value]
        return found[0] if found else 0.0 if self.shares else float("nan")

    def describe(self) -> str:
        if self.coded:
            return "codes " + ", ".join(fmt_value(c) for c in self.codes)
        if self.numeric:
            return f"{fmt_value(self.low)} to {fmt_value(self.high)}"
        return ", ".join(f"'{v}'" for v in (self.levels or ())[:12]) + (" ..." if len(self.levels or ()) > 12 else "")


def coded_columns(preprocessor) -> dict[str, tuple[float, ...]]:
    """The numeric inputs `preprocessor` one-hot encodes as codes, each with the codes its encoder saw in the
    training rows. The fitted `codes` block is the record of the run's own threshold: a numeric column with at most
    `PreprocessConfig.code_levels` whole-number values when it was fitted (`preprocessing._is_code`); none when
    the run's configuration turned codes off (`code_levels=0`)."""
    transformer = getattr(preprocessor, "transformer", None)
    for name, pipeline, columns in getattr(transformer, "transformers_", ()):
        if name == "codes" and hasattr(pipeline, "__getitem__"):
            categories = getattr(pipeline[-1], "categories_", [])
            return {str(c): tuple(float(v) for v in np.asarray(cats, dtype="float64") if np.isfinite(v))
                    for c, cats in zip(columns, categories)}
    return {}


def training_ranges(source) -> dict[str, FeatureRange]:
    """Each model input's training range (numbers) or levels (text): from a run's training rows, or from a
    bundle's stored training distribution (all training rows; its sample of rows when it has none). A numeric
    input's bulk, where counterfactuals search, is the run's training rows' own (a bundle's manifest keeps it).

    A coded input (`coded_columns`) also keeps its codes: a run's are the training rows' own; a bundle's are
    those its fitted encoder saw in all training rows, with the shares its manifest keeps of them (an older bundle:
    counted in its sample of rows)."""
    pre = source.preprocessor
    numeric = set(getattr(pre, "numeric", ()))
    coded = coded_columns(pre)
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):
        rows = frame.iloc[source.split.train]
        return {c: _range_of(c, rows[c], c in numeric, coded=c in coded) for c in pre.columns}
    reference = getattr(source, "reference", None)
    sample = source.background
    manifest = getattr(source, "manifest", None) or {}
    stored, bulks = manifest.get("code_shares") or {}, manifest.get("search_ranges") or {}
    out = {}
    for c in pre.columns:
        found = _range_of(c, sample[c], c in numeric) if c in sample.columns else FeatureRange(c, c in numeric)
        ref = reference.columns.get(c) if reference is not None else None
        if c in coded and coded[c]:
            out[c] = _codes_range(c, coded[c], sample[c] if c in sample.columns else pd.Series(dtype="float64"),
                                  stored=stored.get(c))
        elif ref is not None and c in numeric and len(ref.edges):
            # decile edges of all training rows: the first and last are the minimum and maximum
            bulk = tuple(float(v) for v in bulks[c]) if c in bulks else None
            out[c] = FeatureRange(c, True, float(ref.edges[0]), float(ref.edges[-1]), found.integer, step=found.step,
                                  bulk=bulk)
        elif ref is not None and c not in numeric:
            levels = None if ref.seen is None else tuple(ref.seen)
            known = dict(zip(ref.levels, ref.shares))  # the most common levels' shares (of all rows, as below)
            out[c] = FeatureRange(c, False, levels=levels,
                                  shares=None if levels is None else tuple(known.get(v, np.nan) for v in levels))
        else:  # an older bundle's sample of rows: its bulk is not the training rows'
            out[c] = replace(found, bulk=None)
    return out


def _range_of(column: str, values: pd.Series, numeric: bool, *, coded: bool = False) -> FeatureRange:
    if numeric:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
        finite = numbers[np.isfinite(numbers)]
        if not len(finite):
            return FeatureRange(column, True)
        if coded:
            return _codes_range(column, tuple(float(v) for v in np.unique(finite)), values)
        whole = bool(np.all(finite == np.round(finite)))
        return FeatureRange(column, True, float(finite.min()), float(finite.max()), whole,
                            step=None if whole else _precision(finite), bulk=_bulk(finite))
    text = values.dropna().map(level_text)  # '2', as the model reads it, whether 2 or 2.0
    counts = text.value_counts()
    if len(counts) > 1000:
        return FeatureRange(column, False)
    levels = tuple(sorted(counts.index))
    return FeatureRange(column, False, levels=levels, shares=tuple(float(counts[v]) / len(values) for v in levels))


def _bulk(finite: np.ndarray) -> tuple[float, float]:
    """The values at SEARCH_QUANTILES: the nearest the rows hold below the first and above the second."""
    return (float(np.quantile(finite, SEARCH_QUANTILES[0], method="lower")),
            float(np.quantile(finite, SEARCH_QUANTILES[1], method="higher")))


def search_ranges(result) -> dict[str, list[float]]:
    """Each numeric input's bulk (`FeatureRange.bulk`) in a run's training rows, for its bundle's manifest (none for
    a price file's run: it has no what-if)."""
    if hasattr(result.preprocessor, "series"):
        return {}
    return {c: list(r.bulk) for c, r in training_ranges(result).items() if r.bulk and not r.coded}


def _precision(values: np.ndarray, most: int = 6) -> float | None:
    """The step the values are written at: 10^-d for the fewest decimals d (at most `most`) that hold every value."""
    for decimals in range(most + 1):
        scaled = values * 10 ** decimals
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return 10.0 ** -decimals
    return None


def _codes_range(column: str, codes: tuple[float, ...], values: pd.Series, *,
                 stored: dict | None = None) -> FeatureRange:
    """A coded input: its codes, each with its share of the training rows: `stored` ({code: share}, a bundle's
    manifest), else counted in `values` (the training rows, or the sample of an older bundle without them)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    finite = numbers[np.isfinite(numbers)]
    if stored:
        known = {float(k): float(v) for k, v in stored.items()}
        shares = tuple(known.get(code, 0.0) for code in codes)
    else:
        shares = tuple(float(np.mean(finite == code)) if len(finite) else 0.0 for code in codes)
    return FeatureRange(column, True, float(min(codes)), float(max(codes)), True, codes=tuple(sorted(codes)),
                        shares=tuple(s for _, s in sorted(zip(codes, shares))))


def as_number(value) -> float | None:
    """`value` (a number, or text such as '5,000') as a finite float; None when it is not one."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value) if np.isfinite(value) else None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if np.isfinite(number) else None



def fmt_value(value, *, sign: bool = False) -> str:
    """A value as a message shows it: thousands separated and whole above 1,000, else 4 significant digits; a
    category's level in quotes ("'2'", "'own'")."""
    if value is None:
        return "?"
    if isinstance(value, str):
        return f"'{value}'"
    plus = "+" if sign else ""
    if abs(value) >= 1000:
        return f"{value:{plus},.0f}"
    return f"{value:{plus}.4g}"
