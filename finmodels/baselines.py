"""Plain models trained on the identical split and preprocessing, reported beside every neural result."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass
class BaselineResult:
    name: str
    model: object
    test_scores: np.ndarray
    metrics: dict[str, float]
    fit_seconds: float


def fit_binary_baselines(X_train, y_train, X_test, y_test, *, seed: int = 0) -> dict[str, BaselineResult]:
    """Logistic regression and HistGradientBoosting on the same preprocessed inputs as the network."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from finmodels.metrics import binary_metrics

    models = {
        "logistic_regression": LogisticRegression(max_iter=2000),
        "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
    }
    results = {}
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        scores = model.predict_proba(X_test)[:, 1]
        results[name] = BaselineResult(name, model, scores, binary_metrics(y_test, scores), seconds)
    return results


BASELINE_LABELS = {"logistic_regression": "Logistic regression", "hist_gradient_boosting": "Gradient boosting"}
