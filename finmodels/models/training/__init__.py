"""Training: from a table (or a price file) and a `TrainConfig` to a fitted model, test metrics and baselines.

One entry point, `train`, for every task kind: binary, multi-class and ordinal ratings, regression and
anomaly detection on table rows (`tabular`), and forecasts from windows of daily returns (`sequence`).
Both paths share the fit loop (`fitloop`) and return a `TrainingResult` (`result`); `config` holds what
defines a run and the defaults every caller shares.
"""

from __future__ import annotations

import time
from typing import Callable

import pandas as pd

from finmodels.data.splits import Split
from finmodels.data.tasks import FORECAST, get_task
from finmodels.models.training.config import (HUGE_TABLE_ROWS, LARGE_TABLE_ROWS, LR_SCHEDULES, SPLITS, FitDefaults,
                                              TrainConfig,
                                              expected_train_rows, fit_defaults)
from finmodels.models.training.fitloop import EpochHook, balanced_class_weights
from finmodels.models.training.result import TrainingResult, impute_with_vae, predict_frame, reconstruction_error
from finmodels.models.training.sequence import forecast_outputs, gaussian_nll, train_forecast
from finmodels.models.training.tabular import train_table


def train(
    frame: pd.DataFrame,
    config: TrainConfig,
    *,
    on_epoch: EpochHook | None = None,
    should_stop: Callable[[], bool] | None = None,
    baselines: bool = True,
    split: Split | None = None,
) -> TrainingResult:
    """Train the network `config` describes on `frame`, score it on held-out rows, and fit its baselines.

    `on_epoch(epoch, logs)` is called after each epoch; `should_stop()` returning True ends training after
    the current epoch, keeping the best weights so far. Baselines are fitted on the same split and inputs.
    `split` (positions among the rows that have a target) replaces the configured split, for cross-validation.
    """
    task = get_task(config.task)
    started = time.perf_counter()
    if task.kind == FORECAST:
        return train_forecast(frame, config, on_epoch=on_epoch, should_stop=should_stop, baselines=baselines,
                              started=started)
    return train_table(frame, config, task.kind, on_epoch=on_epoch, should_stop=should_stop, baselines=baselines,
                       split=split, started=started)


__all__ = ["EpochHook", "FitDefaults", "HUGE_TABLE_ROWS", "LARGE_TABLE_ROWS", "LR_SCHEDULES", "SPLITS", "TrainConfig", "TrainingResult",
           "balanced_class_weights", "expected_train_rows", "fit_defaults", "forecast_outputs", "gaussian_nll",
           "impute_with_vae", "predict_frame", "reconstruction_error", "train"]
