"""Feature preprocessing fitted on the training split only, as one scikit-learn ColumnTransformer.

Blocks, in output order:
- `num`: every numeric column, median-imputed and scaled: quantile-to-normal, standard, or "auto" (standard,
  but columns with extreme tails, such as financial ratios, go to a quantile-scaled `numq` block instead);
- `gaps`: a missing-value indicator for each numeric column with gaps in the training rows;
- `codes`: numeric columns holding a few whole-number codes (status codes, counts, grades) one-hot encoded
  as well, so the network can treat each code on its own, as a tree does;
- `pwl_<i>`: a piecewise-linear encoding of each other numeric column (degree-1 B-splines), the numeric-embedding
  lever reported for tabular networks (Gorishniy et al. 2022); its knots are the column's quantiles, or, where
  they predict held-out training rows better, the target-aware split points of `knots.choose_knots`;
- `cat`: text columns one-hot encoded, rare levels pooled;
- `woe` (small tables with a 0/1 target, `woe_inputs`): every column's weight of evidence in the scorecard's bins
  (`woe.WoeEncoder`), standardised.

`Preprocessor.groups` maps each original column to all its outputs, so explanations sum back to the
analyst's own columns. The first output of a numeric column is always its scaled value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from finmodels.errors import ConfigError

MAX_CATEGORY_LEVELS = 50
SCALERS = ("quantile", "standard", "auto")
TAIL_IQRS = 20  # "auto": a column whose farthest value lies more than this many IQRs from its median
TRANSFORM_CHUNK_ROWS = 50_000
# The encoded training rows stay under this size: target-aware pieces are fewer on a huge file (see `_within_budget`).
# Taiwan default's 18,000 training rows would allow 5,592 inputs (it has 209 to 330); a million-row book's 640,000
# rows 157. At 512 MB the book peaked at 3.15 GB while its bundle scored every training row for the reference.
TRAIN_MATRIX_BYTES = 384 * 2**20
# More training rows than this, and the encoders and knots are fitted on a random sample of this many: fitting a
# ColumnTransformer encodes every row it is fitted on in float64 (fit is fit_transform), 2 GB and a minute and a
# half of a million-row book's preprocessing. Medians, quantiles and level counts of 200,000 rows are the same
# to well within their noise; every training row is still encoded for the network.
FIT_ROWS = 200_000


@dataclass(frozen=True)
class PreprocessConfig:
    """How numbers are encoded for the network. The defaults are the ones the benchmark measured."""

    scaler: str = "quantile"
    code_levels: int = 12  # numeric columns with at most this many whole-number values also get one-hot codes
    piecewise_knots: int = 8  # quantile knots of the piecewise-linear encoding; 0 turns the encoding off
    target_knots: int = 128  # at most this many target-aware pieces per column; 0: quantile knots only
    missing_indicators: bool = True
    woe_inputs: bool = False  # each column's weight of evidence too, where the target is 0/1 (`woe`)
    # numeric columns read as categories (codes without an order, set on the Data page): one-hot, never scaled
    categories: tuple[str, ...] = ()

    def __post_init__(self):
        if self.scaler not in SCALERS:
            raise ConfigError(f"Unknown scaler '{self.scaler}'. Available: {', '.join(SCALERS)}.")
        if self.code_levels < 0 or self.piecewise_knots < 0 or self.piecewise_knots == 1:
            raise ConfigError("code_levels must be 0 or more, piecewise_knots 0 (off) or at least 2.")
        if self.target_knots < 0 or self.target_knots == 1:
            raise ConfigError(f"target_knots must be 0 (off) or at least 2; got {self.target_knots}.")
        object.__setattr__(self, "categories", tuple(self.categories or ()))  # JSON gives a list


@dataclass
class Preprocessor:
    """A fitted scikit-learn ColumnTransformer plus the map from its outputs to original columns."""

    transformer: object
    numeric: list[str]
    categorical: list[str]
    output_names: list[str] = field(default_factory=list)
    groups: dict[str, list[int]] = field(default_factory=dict)
    knot_sources: dict[str, str] = field(default_factory=dict)  # piecewise column -> 'quantile' or 'target'
    capped_pieces: int = 0  # the most target-aware pieces per column on a huge file (TRAIN_MATRIX_BYTES); 0: none

    def encoding_summary(self) -> str | None:
        """Sentences naming the columns whose piecewise-linear pieces end at the target's thresholds, and saying
        that each column also enters as its weight of evidence, where either is so; None otherwise."""
        woe = sum(name.endswith(" (WoE)") for name in self.output_names)
        said = [f"Each of the {woe} columns also enters as its weight of evidence in the scorecard's bins, fitted on "
                "the training rows."] if woe else []
        pieces = self._pieces_summary()
        return " ".join(([pieces] if pieces else []) + said) or None

    def _pieces_summary(self) -> str | None:
        target = [c for c, source in self.knot_sources.items() if source == "target"]
        if not target:
            return None
        others = len(self.knot_sources) - len(target)
        rest = f"; the other {others} numeric column{'s' if others != 1 else ''} use quantile knots" if others else ""
        capped = (f" On this many rows each has at most {self.capped_pieces} pieces, so the encoded training rows "
                  f"stay under {TRAIN_MATRIX_BYTES // 2**20} MB." if self.capped_pieces else "")
        return (f"Piecewise-linear inputs end at the target's thresholds (found on training rows) for "
                f"{', '.join(target)}{rest}.{capped}")

    @property
    def columns(self) -> list[str]:
        return self.numeric + self.categorical

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Model inputs for `frame` (which must have the training columns), as float32.

        Rows are encoded TRANSFORM_CHUNK_ROWS at a time into one float32 array: in one go, scikit-learn's float64
        blocks, their float64 stack and the float32 copy were three dense copies of the whole matrix at once."""
        if len(frame) <= TRANSFORM_CHUNK_ROWS:
            return self._transform(frame)
        out = None
        for start in range(0, len(frame), TRANSFORM_CHUNK_ROWS):
            part = self._transform(frame.iloc[start:start + TRANSFORM_CHUNK_ROWS])
            if out is None:
                out = np.empty((len(frame), part.shape[1]), dtype="float32")
            out[start:start + len(part)] = part
        return out

    def _transform(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.transformer.transform(prepare_columns(frame, self.numeric, self.categorical)),
                          dtype="float32")

    def numeric_values(self, x: np.ndarray) -> pd.DataFrame:
        """The numeric columns back in original units from model inputs `x` (each column's scaled output)."""
        out = {}
        fitted = self.transformer.named_transformers_
        for block, columns in _scaled_blocks(self.transformer):
            scaler = fitted[block][-1]
            values = scaler.inverse_transform(x[:, [self.groups[c][0] for c in columns]])
            out.update({c: values[:, j] for j, c in enumerate(columns)})
        return pd.DataFrame({c: out[c] for c in self.numeric})


def split_feature_types(frame: pd.DataFrame, features: list[str], categories=()) -> tuple[list[str], list[str]]:
    """Numeric columns are scaled; everything else (text, booleans, and the `categories` the analyst named) is
    one-hot encoded."""
    numeric = [c for c in features if is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])
               and c not in set(categories)]
    categorical = [c for c in features if c not in numeric]
    return numeric, categorical


def prepare_columns(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    # One representation for categories (object strings, missing as NaN) whatever pandas inferred.
    out = frame[numeric + categorical].copy()
    for c in numeric:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64").replace([np.inf, -np.inf], np.nan)
    for c in categorical:
        out[c] = out[c].astype("object").where(out[c].notna(), np.nan).map(level_text)
    return out


def level_text(value):
    """A category as text; a whole number as '2' whether the file held 2 or 2.0 (a code column with a gap is read
    as floats: its codes must match the same codes in a file without one). The what-if's levels and the stability
    check's (evaluation.monitoring) spell them the same way."""
    if value is np.nan:
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _scaled_blocks(transformer) -> list[tuple[str, list[str]]]:
    return [(name, list(columns)) for name, _, columns in transformer.transformers_ if name in ("num", "numq")]


def _heavy_tailed(values: pd.Series) -> bool:
    present = values.dropna()
    if present.empty:
        return False
    q1, median, q3 = np.percentile(present, [25, 50, 75])
    return q3 > q1 and float(np.max(np.abs(present - median))) / (q3 - q1) > TAIL_IQRS


def _is_code(values: pd.Series, levels: int) -> bool:
    present = values.dropna()
    return 1 < present.nunique() <= levels and bool(np.all(np.mod(present, 1) == 0))


def _numeric_scaler(kind: str, rows: int):
    from sklearn.preprocessing import QuantileTransformer, StandardScaler

    if kind == "standard":
        return StandardScaler()
    return QuantileTransformer(output_distribution="normal", n_quantiles=max(2, min(200, rows)), subsample=200_000,
                               random_state=0)


def _pieces(knots, count: int):
    """Degree-1 B-splines on target-aware knots, or on `count` quantile knots. Quantile knots may repeat where a
    value repeats (a fifth of Taiwan default's payments are 0), which gives that value a step of its own; the
    benchmark measured them so, so they are left to SplineTransformer as they were."""
    from sklearn.preprocessing import SplineTransformer

    if knots.source == "target":
        return SplineTransformer(n_knots=knots.pieces, degree=1, knots=knots.edges[:, None], extrapolation="constant")
    return SplineTransformer(n_knots=max(count, 2), degree=1, knots="quantile", extrapolation="constant")


def fit_preprocessor(frame: pd.DataFrame, features: list[str], config: PreprocessConfig | None = None, *,
                     target: np.ndarray | None = None) -> Preprocessor:
    """Fit the encoding blocks on `frame`, which must be the training rows only.

    `target` (the training rows' 0/1 events or numbers) lets the piecewise-linear encoding place knots at the
    target's thresholds; without it every column gets quantile knots.
    """
    from finmodels.models.knots import choose_knots

    from sklearn.compose import ColumnTransformer
    from sklearn.impute import MissingIndicator, SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    config = config or PreprocessConfig()
    numeric, categorical = split_feature_types(frame, features, config.categories)
    encoded_rows = len(frame)
    if len(frame) > FIT_ROWS:  # a huge file: fitted on a random sample of its training rows (see FIT_ROWS)
        keep = np.sort(np.random.default_rng(0).choice(len(frame), FIT_ROWS, replace=False))
        frame, target = frame.iloc[keep], (None if target is None else np.asarray(target)[keep])
    data = prepare_columns(frame, numeric, categorical)
    with_gaps = [c for c in numeric if config.missing_indicators and data[c].isna().any()]
    codes = [c for c in numeric if config.code_levels and _is_code(data[c], config.code_levels)]
    knots = config.piecewise_knots
    smooth = [c for c in numeric if knots and c not in codes and data[c].nunique() > 2 * knots]
    column_knots = {c: choose_knots(data[c].fillna(data[c].median()).to_numpy(), target, quantile_count=knots,
                                    max_pieces=config.target_knots) for c in smooth}
    column_knots, capped = _within_budget(data, column_knots, target, knots, rows=encoded_rows,
                                          fixed=_fixed_width(data, numeric, categorical, codes))

    def one_hot():
        return OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORY_LEVELS,
                             sparse_output=False)

    tailed = [c for c in numeric if config.scaler == "auto" and _heavy_tailed(data[c])]
    plain = [c for c in numeric if c not in tailed]
    plain_scaler = "standard" if config.scaler == "auto" else config.scaler
    blocks = [("num", make_pipeline(SimpleImputer(strategy="median"), _numeric_scaler(plain_scaler, len(data))), plain),
              ("numq", make_pipeline(SimpleImputer(strategy="median"), _numeric_scaler("quantile", len(data))), tailed),
              ("gaps", MissingIndicator(features="all"), with_gaps),
              ("codes", make_pipeline(SimpleImputer(strategy="most_frequent"), one_hot()), codes),
              *[(f"pwl_{i}", make_pipeline(SimpleImputer(strategy="median"), _pieces(column_knots[c], knots)), [c])
                for i, c in enumerate(smooth)],
              ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"), one_hot()),
               categorical)]
    woe = config.woe_inputs and _events(target)
    if woe:
        from sklearn.preprocessing import StandardScaler

        from finmodels.models.woe import WoeEncoder

        blocks.append(("woe", make_pipeline(WoeEncoder(), StandardScaler()), numeric + categorical))
    transformer = ColumnTransformer([b for b in blocks if b[2]], remainder="drop", sparse_threshold=0,
                                    verbose_feature_names_out=False)
    transformer.fit(data, np.asarray(target).astype(int) if woe else None)
    names, groups = _outputs(transformer.named_transformers_, numeric, categorical, scaled=plain + tailed,
                             gaps=with_gaps, codes=codes, smooth=smooth, woe=woe)
    return Preprocessor(transformer, numeric, categorical, names, groups,
                        {c: column_knots[c].source for c in smooth}, capped)


def _outputs(fitted, numeric: list[str], categorical: list[str], *, scaled: list[str], gaps: list[str],
             codes: list[str], smooth: list[str], woe: bool) -> tuple[list[str], dict[str, list[int]]]:
    """The name of each output, in the blocks' order, and each original column's outputs (`Preprocessor.groups`)."""
    labelled = [(c, c) for c in scaled] + [(c, f"{c} is missing") for c in gaps]
    if codes:
        labelled += [(c, f"{c} = {level}") for c, levels in zip(codes, _encoded_names(fitted["codes"][-1]))
                     for level in levels]
    labelled += [(c, f"{c} (piece {k + 1})") for i, c in enumerate(smooth)
                 for k in range(fitted[f"pwl_{i}"][-1].n_features_out_)]
    if categorical:
        labelled += [(c, f"{c} = {level}") for c, levels in zip(categorical, _encoded_names(fitted["cat"][-1]))
                     for level in levels]
    if woe:
        labelled += [(c, f"{c} (WoE)") for c in numeric + categorical]
    groups: dict[str, list[int]] = {c: [] for c in numeric + categorical}
    for position, (column, _) in enumerate(labelled):
        groups[column].append(position)
    return [label for _, label in labelled], groups


def _events(target) -> bool:
    """Whether `target` is 0/1 events with both outcomes present (what weight of evidence needs)."""
    if target is None:
        return False
    values = np.unique(np.asarray(target, dtype="float64"))
    return len(values) == 2 and bool(np.isin(values, (0.0, 1.0)).all())


def _fixed_width(data: pd.DataFrame, numeric: list[str], categorical: list[str], codes: list[str]) -> int:
    """An upper bound of the inputs besides the piecewise-linear pieces: scaled numbers, gap flags, codes, levels."""
    levels = sum(min(data[c].nunique(), MAX_CATEGORY_LEVELS) + 1 for c in categorical + codes)
    return 2 * len(numeric) + levels


def _within_budget(data: pd.DataFrame, column_knots: dict, target, quantile_count: int, *, rows: int, fixed: int):
    """Target-aware knots refitted with fewer pieces when the encoded training rows would pass TRAIN_MATRIX_BYTES;
    returns (knots per column, the most pieces per column, or 0 when nothing was capped). Quantile knots are
    left as they are, so a small file's encoding never changes here."""
    from finmodels.models.knots import Knots, target_knots

    wide = [c for c, k in column_knots.items() if k.source == "target"]
    width = fixed + sum(k.pieces + 1 for k in column_knots.values())
    allowed = TRAIN_MATRIX_BYTES // (4 * max(rows, 1))
    if not wide or width <= allowed:
        return column_knots, 0
    narrow = sum(column_knots[c].pieces + 1 for c in column_knots if c not in wide)
    pieces = max(quantile_count, 2, (allowed - fixed - narrow) // len(wide) - 1)
    binary = bool(np.isin(target, (0.0, 1.0)).all())
    out = dict(column_knots)
    for c in wide:
        if column_knots[c].pieces > pieces:
            values = data[c].fillna(data[c].median()).to_numpy("float64")
            out[c] = Knots(target_knots(values, np.asarray(target, "float64"), pieces - 1, binary=binary), "target")
    return out, pieces


def _level_name(value) -> str:
    """A level as the analyst wrote it: whole-number codes without a trailing '.0'."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _encoded_names(encoder) -> list[list[str]]:
    """Output level names per input column of a fitted OneHotEncoder, infrequent levels included."""
    per_column = []
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(encoder.categories_))
    for cats, rare in zip(encoder.categories_, infrequent):
        rare_set = set(rare) if rare is not None else set()
        names = [_level_name(v) for v in cats if v not in rare_set]
        if rare_set:
            names.append("(infrequent)")
        per_column.append(names)
    return per_column
