"""The training engine: from a table and a TrainConfig to a fitted model with test metrics and baselines."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from finmodels.architectures import get_architecture
from finmodels.errors import ConfigError, DataError, TrainingStopped
from finmodels.preprocessing import Preprocessor, fit_preprocessor
from finmodels.splits import Split, stratified_split
from finmodels.targets import encode_binary
from finmodels.tasks import BINARY, get_task

EpochHook = Callable[[int, dict], None]


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run; frozen so a finished run's settings cannot drift."""

    target: str
    task: str = "credit_default"
    arch: str = "mlp"
    hyperparameters: object | None = None  # the architecture's config dataclass; None means its defaults
    features: tuple[str, ...] | None = None  # None means every column but the target
    event_label: str | None = None
    epochs: int = 100
    batch_size: int = 64
    learning_rate: float = 1e-3
    patience: int = 10
    class_weight: bool = False
    seed: int = 0
    test_size: float = 0.2
    valid_size: float = 0.2

    def __post_init__(self):
        get_task(self.task)
        spec = get_architecture(self.arch)
        if self.hyperparameters is not None and not isinstance(self.hyperparameters, spec.config_class):
            raise ConfigError(f"Hyperparameters for '{self.arch}' must be a {spec.config_class.__name__}.")
        for name in ("epochs", "batch_size", "patience"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"{name} must be at least 1; got {getattr(self, name)}.")
        if not 0 < self.learning_rate < 1:
            raise ConfigError(f"Learning rate must be between 0 and 1; got {self.learning_rate}.")
        if not (0 < self.test_size < 0.5 and 0 < self.valid_size < 0.5):
            raise ConfigError("Test and validation shares must each be between 0 and 0.5.")

    @property
    def hyper(self):
        return self.hyperparameters or get_architecture(self.arch).config_class()


@dataclass
class TrainingResult:
    """A finished run: the model, what it was fitted with, and how it scored on held-out rows."""

    config: TrainConfig
    model: object
    preprocessor: Preprocessor
    frame: pd.DataFrame  # the rows used (target present), in their original units
    y: np.ndarray
    event_label: str
    split: Split
    history: dict[str, list[float]]
    test_scores: np.ndarray
    metrics: dict[str, float]
    baselines: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    stopped_early: bool = False

    @property
    def features(self) -> list[str]:
        return self.preprocessor.columns

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Event probabilities for new rows with the training columns."""
        x = self.preprocessor.transform(frame)
        return np.asarray(self.model.predict_on_batch(x)).ravel()


def _epoch_callback(on_epoch: EpochHook | None, should_stop: Callable[[], bool] | None):
    import keras

    class _Hook(keras.callbacks.Callback):
        stopped_by_user = False

        def on_epoch_end(self, epoch, logs=None):
            if on_epoch is not None:
                on_epoch(epoch, {k: float(v) for k, v in (logs or {}).items()})
            if should_stop is not None and should_stop():
                self.stopped_by_user = True
                self.model.stop_training = True

    return _Hook()


def prepare_target(frame: pd.DataFrame, config: TrainConfig) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Drop rows without a target and encode it; returns (rows, y, event label)."""
    if config.target not in frame.columns:
        raise DataError(
            f"Target column '{config.target}' not found. Columns are: {', '.join(map(str, frame.columns))}. "
            "Choose the target on the Data page."
        )
    rows = frame[frame[config.target].notna()].reset_index(drop=True)
    if rows.empty:
        raise DataError(f"Target column '{config.target}' has no values. Choose another target column.")
    y, event = encode_binary(rows[config.target], config.event_label)
    return rows, y, event


def train(
    frame: pd.DataFrame,
    config: TrainConfig,
    *,
    on_epoch: EpochHook | None = None,
    should_stop: Callable[[], bool] | None = None,
    baselines: bool = True,
) -> TrainingResult:
    """Split, preprocess (fitted on training rows only), fit the network with early stopping, and score it.

    `on_epoch(epoch, logs)` is called after each epoch; `should_stop()` returning True ends training after
    the current epoch, keeping the best weights so far.
    """
    import keras

    task = get_task(config.task)
    if task.kind != BINARY:
        raise ConfigError(f"Task '{config.task}' ({task.kind}) is not supported by this trainer yet.")
    start = time.perf_counter()
    rows, y, event = prepare_target(frame, config)
    features = list(config.features) if config.features else [c for c in rows.columns if c != config.target]
    if not features:
        raise DataError("There are no feature columns besides the target. Upload a file with more columns.")
    split = stratified_split(y, test_size=config.test_size, valid_size=config.valid_size, seed=config.seed)
    pre = fit_preprocessor(rows.iloc[split.train], features)
    x_train, x_valid, x_test = (pre.transform(rows.iloc[i]) for i in (split.train, split.valid, split.test))
    y_train, y_valid, y_test = y[split.train], y[split.valid], y[split.test]

    keras.utils.set_random_seed(config.seed)
    spec = get_architecture(config.arch)
    model = spec.build(config.hyper, input_shape=(x_train.shape[1],), n_outputs=1, output_activation=task.output_activation)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=task.loss)
    hook = _epoch_callback(on_epoch, should_stop)
    early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience, restore_best_weights=True)
    weights = None
    if config.class_weight:
        pos = y_train.mean()
        weights = {0: 0.5 / (1 - pos), 1: 0.5 / pos}
    fit_start = time.perf_counter()
    fitted = model.fit(
        x_train, y_train, validation_data=(x_valid, y_valid), epochs=int(config.epochs),
        batch_size=int(config.batch_size), callbacks=[early, hook], class_weight=weights, verbose=0,
    )
    fit_seconds = time.perf_counter() - fit_start
    history = {k: [float(v) for v in vals] for k, vals in fitted.history.items()}
    if not history.get("loss"):
        raise TrainingStopped("Training was stopped before the first epoch finished; there is no model to keep.")
    test_scores = np.asarray(model.predict_on_batch(x_test)).ravel()

    from finmodels.baselines import fit_binary_baselines
    from finmodels.metrics import binary_metrics

    base = fit_binary_baselines(x_train, y_train, x_test, y_test, seed=config.seed) if baselines else {}
    return TrainingResult(
        config=config, model=model, preprocessor=pre, frame=rows, y=y, event_label=event, split=split,
        history=history, test_scores=test_scores, metrics=binary_metrics(y_test, test_scores), baselines=base,
        seconds={"fit": fit_seconds, "total": time.perf_counter() - start}, stopped_early=hook.stopped_by_user,
    )
