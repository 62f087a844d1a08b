"""Plain models trained on the identical split and preprocessing, reported beside every neural result."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from finmodels.evaluation.labels import BASELINE_LABELS  # noqa: F401  (read here by pages and the report)
# Imported now, before any network: it loads the scorecard's solver library ahead of TensorFlow (see there).
from finmodels.models import scorecard as _scorecard  # noqa: F401


SCORE_ROWS = 50_000  # test rows a baseline scores at a time


@dataclass
class BaselineResult:
    name: str
    model: object
    test_scores: np.ndarray
    metrics: dict[str, float]
    fit_seconds: float


def _classifiers(seed: int) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    return {"logistic_regression": LogisticRegression(max_iter=2000),
            "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=seed)}


def score_classifier(model, X_test, y_test, *, classes: int | None = None,
                     ordinal: bool = False) -> tuple[np.ndarray, dict[str, float]]:
    """Test scores and metrics of a fitted classifier: event probabilities when `classes` is None, else class
    probabilities over all `classes` (a class missing in training gets 0)."""
    from finmodels.evaluation.metrics import binary_metrics, classification_metrics

    proba = predicted_proba(model, X_test)
    if classes is None:
        return proba[:, 1], binary_metrics(y_test, proba[:, 1])
    scores = np.zeros((len(proba), classes))
    scores[:, model.classes_] = proba
    return scores, classification_metrics(y_test, scores, ordinal=ordinal)


def predicted_proba(model, X) -> np.ndarray:
    """`model.predict_proba(X)`, SCORE_ROWS rows at a time on a large array: logistic regression copies its input
    to float64 (1.2 GB for the 5M-row book's 1,000,000 test rows)."""
    if len(X) <= SCORE_ROWS:
        return model.predict_proba(X)
    return np.concatenate([model.predict_proba(X[start:start + SCORE_ROWS]) for start in range(0, len(X), SCORE_ROWS)])


def fit_classifier_baselines(X_train, y_train, X_test, y_test, *, seed: int = 0, classes: int | None = None,
                             ordinal: bool = False) -> dict[str, BaselineResult]:
    """Logistic regression and HistGradientBoosting on the same preprocessed inputs as the network: event
    probabilities when `classes` is None, else probabilities over all `classes` (multinomial, or ordered)."""
    results = {}
    for name, model in _classifiers(seed).items():
        seconds = timed_fit(model, X_train, y_train)
        scores, metrics = score_classifier(model, X_test, y_test, classes=classes, ordinal=ordinal)
        results[name] = BaselineResult(name, model, scores, metrics, seconds)
    return results


def timed_fit(model, X, y=None) -> float:
    from threadpoolctl import threadpool_limits

    # One OpenMP thread: on 2 shared cores (TensorFlow, other sessions) HistGradientBoosting's spinning OpenMP
    # threads made fits 10-200x slower here (German credit regression: 6.1 s on 2 threads, 0.3 s on 1).
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(X) if y is None else model.fit(X, y)
    return time.perf_counter() - start


def fit_regression_baselines(X_train, y_train, X_test, y_test, *, seed: int = 0,
                             metric=None) -> dict[str, BaselineResult]:
    """Linear regression and HistGradientBoosting on the same inputs, scored by `metric` (regression metrics)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression

    from finmodels.evaluation.metrics import regression_metrics

    metric = metric or regression_metrics
    results = {}
    for name, model in {"linear_regression": LinearRegression(),
                        "hist_gradient_boosting": HistGradientBoostingRegressor(random_state=seed)}.items():
        seconds = timed_fit(model, X_train, y_train)
        pred = model.predict(X_test)
        results[name] = BaselineResult(name, model, pred, metric(y_test, pred), seconds)
    return results


def fit_forecast_baselines(X_train, y_train, X_test, y_test, *, seed: int = 0, naive, naive_var,
                           level: float) -> dict[str, BaselineResult]:
    """Linear regression and HistGradientBoosting on flattened windows, plus the naive forecast.

    The naive forecast repeats the window's last return; its VaR is the normal VaR from the window's
    standard deviation, backtested on the same days as the network's.
    """
    from finmodels.evaluation.backtest import var_backtest
    from finmodels.evaluation.metrics import forecast_metrics

    results = fit_regression_baselines(X_train, y_train, X_test, y_test, seed=seed, metric=forecast_metrics)
    naive = np.asarray(naive, dtype="float64")
    metrics = forecast_metrics(y_test, naive)
    metrics.update(var_backtest(y_test, naive_var, level=level).metrics())
    results["naive"] = BaselineResult("naive", None, naive, metrics, 0.0)
    return results


def fit_anomaly_baselines(X_train, X_test, y_test, *, seed: int = 0) -> dict[str, BaselineResult]:
    """PCA reconstruction error (the linear autoencoder) and Isolation Forest, scored against the label if any."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest

    from finmodels.evaluation.metrics import anomaly_metrics

    labels = y_test if len(y_test) and np.min(y_test) >= 0 else None
    pca = PCA(n_components=max(1, min(8, X_train.shape[1] // 2)), random_state=seed)
    seconds = timed_fit(pca, X_train)
    scores = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2, axis=1)
    results = {"pca": BaselineResult("pca", pca, scores, anomaly_metrics(scores, labels), seconds)}
    forest = IsolationForest(random_state=seed, n_estimators=100)
    seconds = timed_fit(forest, X_train)
    scores = -forest.score_samples(X_test)
    results["isolation_forest"] = BaselineResult("isolation_forest", forest, scores, anomaly_metrics(scores, labels),
                                                 seconds)
    return results


def fit_baselines(kind: str, X_train, y_train, X_test, y_test, *, seed: int = 0, classes: int = 0,
                  train_rows=None, test_rows=None, features: list[str] | None = None,
                  categories=()) -> dict[str, BaselineResult]:
    """The baselines a task kind needs, on the network's own split and preprocessed inputs.

    A binary task also gets the credit scorecard (finmodels.models.scorecard) when `train_rows` and `test_rows`
    (the same rows in their original units) and the `features` are given: it bins raw values, not encoded ones,
    the `categories` (the columns the run reads as categories) as categories.
    """
    from finmodels.data.tasks import ANOMALY, BINARY, MULTICLASS, ORDINAL, REGRESSION

    if kind == BINARY:
        results = fit_classifier_baselines(X_train, y_train, X_test, y_test, seed=seed)
        if train_rows is not None and test_rows is not None and features:
            from finmodels.models.scorecard import NAME, scorecard_baseline

            results[NAME] = scorecard_baseline(train_rows, y_train, test_rows, y_test, features=list(features),
                                               categories=tuple(categories or ()))
        return results
    if kind in (MULTICLASS, ORDINAL):
        return fit_classifier_baselines(X_train, y_train, X_test, y_test, seed=seed, classes=classes,
                                        ordinal=kind == ORDINAL)
    if kind == REGRESSION:
        return fit_regression_baselines(X_train, y_train, X_test, y_test, seed=seed)
    if kind == ANOMALY:
        return fit_anomaly_baselines(X_train, X_test, y_test, seed=seed)
    raise ValueError(f"No baselines for task kind '{kind}'.")
