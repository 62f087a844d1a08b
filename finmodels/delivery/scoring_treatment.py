"""What a trained model does with a cell it cannot take as written, read from its fitted preprocessing
(`finmodels.models.preprocessing`): a missing number gets the training rows' median (and a missing-flag input when the
training rows had gaps in that column); a number beyond the training range is read as the range's edge by the
quantile scaler and the piecewise-linear pieces (a standard scaler extrapolates); a text value never seen in training
has no input of its own (it joins the pooled rare values when the column has them). The checks of `scoring_checks`
say it in these words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the clauses that say a cell's weight-of-evidence input gets neutral evidence (0): said once per file's checks
NEUTRAL_WOE = (", and neutral evidence in its weight-of-evidence input",
               " (with neutral evidence in its weight-of-evidence input)")


def number(value: float) -> str:
    """2,320, 75, 0.312, -3: a value as a message shows it."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() or abs(value) >= 1000 else f"{value:.3g}"


@dataclass(frozen=True)
class NumberReading:
    """How the model reads one numeric column: the median it fills in, whether a missing value also sets an input
    of its own, and the training range its scaler clips to (None: it does not clip, or it is not known)."""

    column: str
    median: float | None = None
    flagged: bool = False
    low: float | None = None
    high: float | None = None
    woe_missing: float | None = None  # the weight of evidence a missing value gets, when the model has such inputs

    @property
    def missing(self) -> str:
        """'puts the median of the training rows (2,320) in its place' (with the flag input, and the weight of
        evidence input, when there are)."""
        if self.median is None:
            return "reads it as missing"
        flag = ", and an input of its own says it was missing" if self.flagged else ""
        return f"puts the training rows' median ({number(self.median)}) in its place{flag}{_woe(self.woe_missing)}"

    def edge_phrase(self, values) -> str:
        """' the model reads 212 as 75 and -3 as 19, the edges of the training range.' (leading space), or
        what it does instead."""
        values = [float(v) for v in np.atleast_1d(values) if np.isfinite(v)]
        if self.low is None or self.high is None:
            return (" the model extrapolates from the training values (its scaled input goes beyond any it learned "
                    "from), so those scores are not reliable.")
        pairs = list(dict.fromkeys((v, self.high if v > self.high else self.low) for v in values
                                   if v > self.high or v < self.low))[:3]
        if not pairs:
            return ""
        said = " and ".join(f"{number(v)} as {number(edge)}" for v, edge in pairs)
        edges = {edge for _, edge in pairs}
        return f" the model reads {said}, the edge{'s' if len(edges) > 1 else ''} of the training range."


@dataclass(frozen=True)
class LevelReading:
    """How the model reads one text column: whether unseen values join pooled rare ones, and whether a missing
    value was a category in training."""

    column: str
    pooled: bool = False
    missing_seen: bool = False
    woe: bool = False  # the model also reads the column's weight of evidence (0 for a value never seen)

    def _scored_as(self) -> str:
        if self.pooled:
            return f"counts it with the rare values of '{self.column}' it pooled in training"
        return f"scores the row as if '{self.column}' held none of its training values"

    @property
    def unseen(self) -> str:
        woe = NEUTRAL_WOE[1] if self.woe else ""
        return f"has no input for such a value: it {self._scored_as()}{woe}"

    @property
    def missing(self) -> str:
        if self.missing_seen:
            return "reads a missing value as a category of its own, as it did in training"
        return f"saw no missing '{self.column}' in training: it {self._scored_as()}"


def _woe(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return NEUTRAL_WOE[0]
    return ", and the training rows' missing values' evidence in its weight-of-evidence input"


def _woe_missing(blocks, fitted, column: str) -> float | None:
    """The weight of evidence a missing `column` gets, or None when the model has no weight-of-evidence inputs."""
    columns = [list(c) for n, _, c in blocks or [] if n == "woe"]
    if not columns or column not in columns[0]:
        return None
    encoder = fitted["woe"][0]
    return float(encoder.missing_woe_[columns[0].index(column)])


def _fitted(preprocessor):
    transformer = getattr(preprocessor, "transformer", None)
    return getattr(transformer, "transformers_", None), getattr(transformer, "named_transformers_", {})


def numeric_reading(preprocessor, column: str) -> NumberReading:
    """How `preprocessor` (a fitted Preprocessor) reads the numeric `column`."""
    blocks, fitted = _fitted(preprocessor)
    flagged = f"{column} is missing" in (getattr(preprocessor, "output_names", None) or [])
    for name, _, columns in blocks or []:
        columns = list(columns)
        if name not in ("num", "numq") or column not in columns:
            continue
        imputer, scaler = fitted[name][0], fitted[name][-1]
        j = columns.index(column)
        median = float(imputer.statistics_[j])
        quantiles = getattr(scaler, "quantiles_", None)
        woe = _woe_missing(blocks, fitted, column)
        if quantiles is None:
            return NumberReading(column, median, flagged, woe_missing=woe)
        return NumberReading(column, median, flagged, float(quantiles[0, j]), float(quantiles[-1, j]), woe)
    return NumberReading(column)


def _encoder(preprocessor, column: str):
    """(the fitted one-hot encoder of the categorical columns, `column`'s position in it), or None."""
    blocks, fitted = _fitted(preprocessor)
    categorical = list(getattr(preprocessor, "categorical", []))
    if not blocks or "cat" not in fitted or column not in categorical:
        return None
    return fitted["cat"][-1], [list(c) for n, _, c in blocks if n == "cat"][0].index(column)


def training_levels(preprocessor, column: str) -> tuple[str, ...] | None:
    """The levels of the categorical `column` the model has inputs for (its one-hot encoder's), or None."""
    found = _encoder(preprocessor, column)
    if found is None:
        return None
    encoder, j = found
    return tuple(str(v) for v in encoder.categories_[j] if str(v) != "(missing)")


def level_reading(preprocessor, column: str) -> LevelReading:
    """How `preprocessor` reads the text `column`."""
    found = _encoder(preprocessor, column)
    if found is None:
        return LevelReading(column)
    blocks, fitted = _fitted(preprocessor)
    encoder, j = found
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(encoder.categories_))[j]
    return LevelReading(column, infrequent is not None, "(missing)" in set(map(str, encoder.categories_[j])),
                        _woe_missing(blocks, fitted, column) is not None)
