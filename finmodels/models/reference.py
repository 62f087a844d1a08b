"""Plain scikit-learn pipelines on the analyst's own columns: the reference a risk team would build first.

The dashboard's baselines (`baselines`) share the network's preprocessed inputs, so they can be explained and
scored through the same preprocessing. Those inputs include the network's piecewise-linear encoding, which
changes how well a tree or a linear model does, so the benchmark also fits these plain pipelines, each with
the preprocessing of its own kind, as in the issue's reference measurements:

- logistic regression: median imputation with missing-value indicators, standard scaling, one-hot text columns;
- gradient boosting: numbers as they are (missing values handled natively), text columns as native categories.

Both are fitted on the same rows as the baselines (training plus early-stopping rows) and scored on the same
test rows, so every figure in a benchmark row comes from the same fold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodels.models.baselines import BaselineResult, score_classifier, timed_fit
from finmodels.models.preprocessing import prepare_columns, split_feature_types
from finmodels.data.tasks import BINARY, MULTICLASS, ORDINAL

def plain_pipelines(numeric: list[str], categorical: list[str], *, seed: int = 0) -> dict:
    """The two reference pipelines for these columns, unfitted."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    linear_inputs = ColumnTransformer(
        [("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
         ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"),
                               OneHotEncoder(handle_unknown="ignore", min_frequency=10, sparse_output=False)),
          categorical)], sparse_threshold=0)
    tree_inputs = ColumnTransformer(
        [("num", "passthrough", numeric),
         ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                encoded_missing_value=np.nan), categorical)], sparse_threshold=0)
    native = [False] * len(numeric) + [True] * len(categorical)
    return {
        "plain_logistic_regression": make_pipeline(linear_inputs, LogisticRegression(max_iter=3000)),
        "plain_hist_gradient_boosting": make_pipeline(
            tree_inputs, HistGradientBoostingClassifier(random_state=seed, categorical_features=native or None)),
    }


def fit_plain(kind: str, frame: pd.DataFrame, features: list[str], y: np.ndarray, fit_rows: np.ndarray,
              test_rows: np.ndarray, *, classes: int = 2, seed: int = 0) -> dict[str, BaselineResult]:
    """Fit both pipelines on `fit_rows` of `frame` and score them on `test_rows` (positions in `frame`)."""
    if kind not in (BINARY, MULTICLASS, ORDINAL):
        raise ValueError(f"Plain reference pipelines cover classification tasks, not '{kind}'.")
    numeric, categorical = split_feature_types(frame, features)
    data = prepare_columns(frame, numeric, categorical)
    train, test = data.iloc[fit_rows], data.iloc[test_rows]
    results = {}
    for name, model in plain_pipelines(numeric, categorical, seed=seed).items():
        seconds = timed_fit(model, train, y[fit_rows])
        scores, metrics = score_classifier(model, test, y[test_rows], classes=None if kind == BINARY else classes,
                                           ordinal=kind == ORDINAL)
        results[name] = BaselineResult(name, model, scores, metrics, seconds)
    return results
