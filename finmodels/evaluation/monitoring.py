"""Population stability: how far a new file's score and features have moved from the training data.

The population stability index (PSI) compares the share of rows in each bin of the training data with the
share of new rows in the same bins: PSI = sum((new - train) * ln(new / train)). The usual reading in credit
risk: below 0.1 stable, 0.1 to 0.25 a moderate shift worth watching, 0.25 or more a major shift (the model
should be checked or retrained before its scores are trusted).

The training side is a `ReferenceDistribution`: per column (and for the score) the bins and the share of
*all* training rows in each. It is computed once from the training rows and saved in a model bundle as plain
JSON, so the PSI of a file is the same whether the model was trained in this session or loaded from a file.
Numbers are cut at the training deciles; text columns keep their `TOP_LEVELS` most common levels as bins and
pool the rest in '(other)'; missing values are a bin of their own. Text columns also remember every level
seen in training, so values the model never saw can be named (`unseen_levels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.models.preprocessing import level_text

MODERATE, MAJOR = 0.1, 0.25
_FLOOR = 1e-4  # share given to an empty bin, so one empty bin does not make the index infinite
MISSING = "(missing)"
OTHER = "(other)"
SCORE = "score"
NUMERIC, CATEGORICAL = "numeric", "categorical"
DEFAULT_BINS = 10
TOP_LEVELS = 20  # a text column's bins: its most common training levels, the rest pooled in OTHER
MAX_SEEN_LEVELS = 10_000  # levels remembered per text column to name unseen values; more: an identifier
SHOWN_VALUES = 5  # unseen values quoted in one warning


@dataclass(frozen=True)
class Band:
    label: str
    color: str
    advice: str


BANDS = (
    Band("stable", "#27ae60", "No action."),
    Band("moderate shift", "#e67e22", "Watch it; check what changed in the population."),
    Band("major shift", "#c0392b", "Check the model on recent outcomes, or retrain, before trusting its scores."),
)


def band(value: float) -> Band:
    """The stability band of a PSI value (0.1 / 0.25 boundaries)."""
    return BANDS[0] if value < MODERATE else BANDS[1] if value < MAJOR else BANDS[2]


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _text(values: pd.Series) -> pd.Series:
    """Levels as text, missing values as NaN."""
    return values.astype(object).map(lambda v: np.nan if pd.isna(v) else level_text(v))  # '3' for 3 or 3.0


@dataclass(frozen=True)
class ColumnReference:
    """One column's training distribution reduced to its bins: edges (numbers) or levels (text), and shares.

    `shares` follow `bins`: the intervals then MISSING for a numeric column; the top levels, OTHER and MISSING
    for a text column. `seen` holds every training level of a text column (None when there were more than
    MAX_SEEN_LEVELS, too many to tell an unseen value from a rare one).
    """

    kind: str
    shares: tuple[float, ...]
    rows: int
    edges: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
    seen: tuple[str, ...] | None = ()

    @property
    def bins(self) -> list[str]:
        if self.kind == NUMERIC:
            return _interval_names(np.asarray(self.edges, dtype="float64")) + [MISSING]
        return [*self.levels, OTHER, MISSING]

    def labels(self, values: pd.Series) -> pd.Series:
        """The bin of each value."""
        values = pd.Series(values)
        if self.kind == NUMERIC:
            numbers = pd.to_numeric(values, errors="coerce").astype("float64")
            edges = np.asarray(self.edges, dtype="float64")
            names = np.array(_interval_names(edges), dtype=object)
            idx = np.searchsorted(edges[1:-1], numbers.to_numpy(), side="right")
            out = pd.Series(names[np.minimum(idx, len(names) - 1)], index=values.index, dtype=object)
            out[numbers.isna().to_numpy()] = MISSING
            return out
        text = _text(values)
        out = text.where(text.isin(set(self.levels)), OTHER)
        out[text.isna().to_numpy()] = MISSING
        return out

    def new_shares(self, values: pd.Series) -> np.ndarray:
        """The share of `values` in each bin, in `bins` order."""
        counts = self.labels(values).value_counts(normalize=True)
        return counts.reindex(self.bins, fill_value=0.0).to_numpy(dtype="float64")

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "rows": self.rows, "shares": [float(s) for s in self.shares]}
        if self.kind == NUMERIC:
            out["edges"] = [float(e) for e in self.edges]
        else:
            out["levels"] = list(self.levels)
            out["seen"] = None if self.seen is None else list(self.seen)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "ColumnReference":
        """Rebuild from `to_dict`; raises ValueError for anything that is not such a dict."""
        if not isinstance(data, dict) or data.get("kind") not in (NUMERIC, CATEGORICAL):
            raise ValueError("a column reference needs kind 'numeric' or 'categorical'")
        seen = data.get("seen", ())
        ref = cls(data["kind"], tuple(float(s) for s in data["shares"]), int(data["rows"]),
                  tuple(float(e) for e in data.get("edges", ())), tuple(str(v) for v in data.get("levels", ())),
                  None if seen is None else tuple(str(v) for v in seen))
        if len(ref.shares) != len(ref.bins):
            raise ValueError(f"{len(ref.shares)} shares for {len(ref.bins)} bins")
        return ref


def column_reference(values: pd.Series, *, bins: int = DEFAULT_BINS, categorical: bool = False) -> ColumnReference:
    """The reference of one training column: decile edges for numbers, the top levels for text and for numeric
    codes the model reads as categories (`categorical`: a column set to 'categorical', binned by its codes)."""
    values = pd.Series(values)
    if _is_numeric(values) and not categorical:
        numbers = values.astype("float64")
        finite = numbers[np.isfinite(numbers)]
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1))) if len(finite) else np.array([0.0])
        ref = ColumnReference(NUMERIC, (), len(values), edges=tuple(float(e) for e in edges))
    else:
        text = _text(values)
        counts = text.value_counts()
        # ties broken by the level's name, so the same rows always give the same bins
        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        seen = tuple(sorted(counts.index)) if len(counts) <= MAX_SEEN_LEVELS else None
        ref = ColumnReference(CATEGORICAL, (), len(values), levels=tuple(k for k, _ in order[:TOP_LEVELS]), seen=seen)
    return ColumnReference(ref.kind, tuple(float(s) for s in ref.new_shares(values)), ref.rows, ref.edges, ref.levels,
                           ref.seen)


@dataclass(frozen=True)
class ReferenceDistribution:
    """The training distribution of every model column and of the score, as the PSI needs it.

    `score_quantiles` are the training scores' percentiles 0 to 100 (an anomaly model's default threshold is
    the 99th).
    """

    columns: dict[str, ColumnReference]
    rows: int
    score: ColumnReference | None = None
    score_quantiles: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        return {"rows": self.rows, "columns": {c: r.to_dict() for c, r in self.columns.items()},
                "score": None if self.score is None else self.score.to_dict(),
                "score_quantiles": [float(q) for q in self.score_quantiles]}

    @classmethod
    def from_dict(cls, data: dict) -> "ReferenceDistribution":
        """Rebuild from `to_dict`; raises ValueError (or KeyError, TypeError) for a malformed dict."""
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise ValueError("a reference distribution needs a 'columns' object")
        score = data.get("score")
        return cls({str(c): ColumnReference.from_dict(r) for c, r in data["columns"].items()}, int(data["rows"]),
                   None if score is None else ColumnReference.from_dict(score),
                   tuple(float(q) for q in data.get("score_quantiles") or ()))


def monitored_score(raw) -> np.ndarray:
    """The one number per row that stability watches: a single output as it is; for class probabilities,
    the probability of the predicted class."""
    raw = np.asarray(raw, dtype="float64")
    return raw.max(axis=1) if raw.ndim == 2 and raw.shape[1] > 1 else raw.ravel()


def reference_distribution(training: pd.DataFrame, *, columns: list[str], scores=None, bins: int = DEFAULT_BINS,
                           categories=()) -> ReferenceDistribution:
    """The reference of `columns` of the training rows (all of them) and, when given, of their scores; the
    `categories` (the model's categorical inputs, numeric codes set to 'categorical' among them) binned by level."""
    score, quantiles = None, ()
    if scores is not None:
        values = np.asarray(scores, dtype="float64").ravel()
        score = column_reference(pd.Series(values), bins=bins)
        finite = values[np.isfinite(values)]
        quantiles = tuple(float(q) for q in np.quantile(finite, np.linspace(0, 1, 101))) if len(finite) else ()
    return ReferenceDistribution({c: column_reference(training[c], bins=bins, categorical=c in set(categories))
                                  for c in columns}, len(training),
                                 score, quantiles)


def psi_table(expected, actual: pd.Series, *, bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """Bin by bin: the training share, the new share and each bin's contribution to the PSI.

    `expected` is a ColumnReference, or the training values themselves (their reference is computed here).
    Numeric columns are cut at the training data's deciles (`bins` quantiles); text columns keep their
    TOP_LEVELS most common levels and pool the rest (and levels never seen) in '(other)'. Missing values form
    their own bin in both cases. Bins empty on both sides are left out.
    """
    ref = expected if isinstance(expected, ColumnReference) else column_reference(expected, bins=bins)
    e_share = np.asarray(ref.shares, dtype="float64")
    a_share = ref.new_shares(pd.Series(actual))
    keep = (e_share > 0) | (a_share > 0)
    names = np.array(ref.bins, dtype=object)[keep]
    e_share, a_share = e_share[keep], a_share[keep]
    e, a = np.maximum(e_share, _FLOOR), np.maximum(a_share, _FLOOR)
    return pd.DataFrame({"bin": names, "training share": e_share, "new share": a_share,
                         "psi": (a - e) * np.log(a / e)})


def edge_text(value: float) -> str:
    """A bin edge as a reader reads it: 13,080 and 5,673 (never 1.308e+04), 999.6, 0.25, 0.03125, -2."""
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _interval_names(edges: np.ndarray) -> list[str]:
    if len(edges) < 3:
        return [f"{edge_text(edges[0])} to {edge_text(edges[-1])}" if len(edges) else "all"]
    names = [f"< {edge_text(edges[1])}"]
    names += [f"{edge_text(lo)} to {edge_text(hi)}" for lo, hi in zip(edges[1:-2], edges[2:-1])]
    names += [f">= {edge_text(edges[-2])}"] if len(edges) > 2 else []
    return names


def psi(expected, actual: pd.Series, *, bins: int = DEFAULT_BINS) -> float:
    """The population stability index of `actual` against `expected` (0 means the same distribution)."""
    return float(psi_table(expected, actual, bins=bins)["psi"].sum())


def stability_report(training, new: pd.DataFrame, *, columns: list[str], training_scores=None, new_scores=None,
                     bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """One row per checked quantity (the score first, when given, then each column): PSI, band and advice.

    `training` is a ReferenceDistribution (its stored score reference is used when `training_scores` is not
    given) or the training rows. Sorted with the score first and the columns by PSI, largest first.
    """
    if isinstance(training, ReferenceDistribution):
        reference = training
        if training_scores is not None:
            reference = ReferenceDistribution(reference.columns, reference.rows,
                                              column_reference(pd.Series(np.asarray(training_scores, dtype="float64")),
                                                               bins=bins))
    else:
        reference = reference_distribution(training, columns=[c for c in columns if c in training.columns],
                                           scores=training_scores, bins=bins)
    rows = []
    if reference.score is not None and new_scores is not None:
        value = psi(reference.score, pd.Series(np.asarray(new_scores, dtype="float64")))
        rows.append({"name": SCORE, "psi": value})
    columns_psi = [{"name": c, "psi": psi(reference.columns[c], new[c])} for c in columns
                   if c in new.columns and c in reference.columns]
    rows += sorted(columns_psi, key=lambda r: -r["psi"])
    for row in rows:
        b = band(row["psi"])
        row["band"], row["advice"] = b.label, b.advice
    out = pd.DataFrame(rows, columns=["name", "psi", "band", "advice"])
    out.attrs["rows"] = len(new)  # how many new rows the PSI read (`sample_note`)
    return out


def noise_psi(rows: int, bins: int = DEFAULT_BINS) -> float:
    """The PSI that `rows` rows drawn from the training population itself score on average, by chance alone:
    about (bins - 1) / rows (PSI is close to the chi-square statistic over rows), more on a handful of rows, where
    bins stay empty (credit_risk_dataset's loan amounts, 200 draws: 0.094 on 100 rows, 0.024 on 360, 1.14 on 20)."""
    return (bins - 1) / max(rows, 1)


def rows_needed(bins: int = DEFAULT_BINS) -> int:
    """The fewest new rows whose chance PSI stays within a quarter of the 0.1 line, so the bands can be read."""
    return int(np.ceil((bins - 1) / (MODERATE / 4)))


def sample_note(rows: int | None, bins: int = DEFAULT_BINS) -> str | None:
    """A warning when `rows` new rows are too few to read PSI's bands (fewer than `rows_needed`). None when there
    are enough, or when the count is unknown."""
    if rows is None or rows >= rows_needed(bins):
        return None
    return (f"PSI on {rows:,} rows is mostly noise: with {bins} bins, rows drawn from the training population itself "
            f"score {noise_psi(rows, bins):.2f} or more by chance ((bins - 1) / rows, more where bins stay empty). "
            f"Read the bands on at least {rows_needed(bins):,} rows.")


@dataclass(frozen=True)
class UnseenLevels:
    """Values of one text column that no training row had, with how often each occurs in the new file."""

    column: str
    counts: dict[str, int]  # value -> rows, most frequent first
    rows: int

    @property
    def message(self) -> str:
        values = list(self.counts)
        shown = ", ".join(f"'{v}'" for v in values[:SHOWN_VALUES])
        more = f" and {len(values) - SHOWN_VALUES} more" if len(values) > SHOWN_VALUES else ""
        noun = "value" if len(values) == 1 else "values"
        return (f"Column '{self.column}' has {len(values)} {noun} never seen in training ({shown}{more}) in "
                f"{self.rows:,} row{'s' if self.rows != 1 else ''}. The model learned nothing about "
                f"{'it' if len(values) == 1 else 'them'}, so those rows' scores rest on their other columns; check "
                "that this file codes the column as the training data did.")


def unseen_levels(reference: ReferenceDistribution, new: pd.DataFrame) -> list[UnseenLevels]:
    """Per text column of `reference` found in `new`: the values no training row had (missing values aside)."""
    found = []
    for column, ref in reference.columns.items():
        if ref.kind != CATEGORICAL or ref.seen is None or column not in new.columns:
            continue
        text = _text(new[column]).dropna()
        unseen = text[~text.isin(set(ref.seen))]
        if len(unseen):
            counts = unseen.value_counts()
            order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            found.append(UnseenLevels(str(column), {k: int(v) for k, v in order}, int(len(unseen))))
    return found
