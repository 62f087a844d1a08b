"""Feature preprocessing fitted on the training split only: impute, scale numbers, one-hot categories.

`Preprocessor` remembers which model inputs came from which original column, so explanations can be
summed back to the analyst's own columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

MAX_CATEGORY_LEVELS = 50


@dataclass
class Preprocessor:
    """A fitted scikit-learn ColumnTransformer plus the map from its outputs to original columns."""

    transformer: object
    numeric: list[str]
    categorical: list[str]
    output_names: list[str] = field(default_factory=list)
    groups: dict[str, list[int]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return self.numeric + self.categorical

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Model inputs for `frame` (which must have the training columns), as float32."""
        return np.asarray(self.transformer.transform(_prepare(frame, self.numeric, self.categorical)), dtype="float32")


def split_feature_types(frame: pd.DataFrame, features: list[str]) -> tuple[list[str], list[str]]:
    """Numeric columns are scaled; everything else (text, booleans) is one-hot encoded."""
    numeric = [c for c in features if is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])]
    categorical = [c for c in features if c not in numeric]
    return numeric, categorical


def _prepare(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    # One representation for categories (object strings, missing as NaN) whatever pandas inferred.
    out = frame[numeric + categorical].copy()
    for c in numeric:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in categorical:
        out[c] = out[c].astype("object").where(out[c].notna(), np.nan).map(lambda v: v if v is np.nan else str(v))
    return out


def fit_preprocessor(frame: pd.DataFrame, features: list[str]) -> Preprocessor:
    """Fit imputation, scaling and one-hot encoding on `frame`, which must be the training rows only."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric, categorical = split_feature_types(frame, features)
    transformer = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="(missing)"),
                    OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORY_LEVELS,
                                  sparse_output=False),
                ),
                categorical,
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
    transformer.fit(_prepare(frame, numeric, categorical))
    groups: dict[str, list[int]] = {}
    output_names: list[str] = []
    for c in numeric:
        groups[c] = [len(output_names)]
        output_names.append(c)
    if categorical:
        encoder = transformer.named_transformers_["cat"][-1]
        for c, names in zip(categorical, _encoded_names(encoder)):
            groups[c] = list(range(len(output_names), len(output_names) + len(names)))
            output_names.extend(f"{c} = {n}" for n in names)
    return Preprocessor(transformer, numeric, categorical, output_names, groups)


def _encoded_names(encoder) -> list[list[str]]:
    """Output level names per input column of a fitted OneHotEncoder, infrequent levels included."""
    per_column = []
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(encoder.categories_))
    for cats, rare in zip(encoder.categories_, infrequent):
        rare_set = set(rare) if rare is not None else set()
        names = [str(v) for v in cats if v not in rare_set]
        if rare_set:
            names.append("(infrequent)")
        per_column.append(names)
    return per_column
