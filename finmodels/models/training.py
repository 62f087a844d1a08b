"""The training engine: from a table (or a price file) and a TrainConfig to a fitted model, test metrics and baselines.

One entry point, `train`, for every task kind: binary, multi-class and ordinal ratings, regression, sequence
forecasts (windows of daily returns, with a VaR backtest) and anomaly detection with a VAE. Every kind shares
the fit loop (seeded, early stopping with the best weights, optional class weights and learning-rate schedule,
a per-epoch hook and an external stop) and gets its baselines on the identical split and preprocessing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from finmodels.models.architectures import get_architecture
from finmodels.errors import ConfigError, DataError, TrainingStopped
from finmodels.models.preprocessing import PreprocessConfig, Preprocessor, fit_preprocessor
from finmodels.models.seeds import set_seed
from finmodels.data.splits import Split, stratified_split
from finmodels.data.targets import encode_binary
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, REGRESSION, get_task

EpochHook = Callable[[int, dict], None]
LR_SCHEDULES = ("constant", "reduce_on_plateau", "cosine")
# "random": stratified for classes, shuffled for numbers. "auto": chronological when the table has a date column,
# grouped when an entity (borrower, company) repeats, else random (finmodels.data.splits.split_for_profile).
SPLITS = ("random", "auto")
MIN_CLASS_ROWS = 5  # a class needs this many rows to appear in train, validation and test


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run; frozen so a finished run's settings cannot drift.

    `target` is the label column; for forecast tasks the price column (None finds `Adj Close`/`close`), for
    anomaly detection an optional label held out of training and used only to score the result.
    """

    target: str | None
    task: str = "credit_default"
    arch: str = "mlp"
    hyperparameters: object | None = None  # the architecture's config dataclass; None means its defaults
    features: tuple[str, ...] | None = None  # None means the profile's features (no ids, dates, free text)
    event_label: str | None = None
    epochs: int = 100
    batch_size: int | None = None  # None: fit_defaults() for the number of training rows
    learning_rate: float | None = None  # None: fit_defaults() for the number of training rows
    patience: int = 10
    class_weight: bool = False
    seed: int = 0
    test_size: float = 0.2
    valid_size: float = 0.2
    lr_schedule: str | None = None  # one of LR_SCHEDULES; None: fit_defaults() for the number of training rows
    window: int = 20  # days per window, for forecast tasks
    var_level: float = 0.99  # VaR confidence for the forecast backtest
    split: str = "random"  # one of SPLITS, for table rows; price windows are always split by date
    preprocessing: PreprocessConfig | None = None  # None: fit_defaults() for the number of training rows

    def __post_init__(self):
        task = get_task(self.task)
        spec = get_architecture(self.arch)
        if self.hyperparameters is not None and not isinstance(self.hyperparameters, spec.config_class):
            raise ConfigError(f"Hyperparameters for '{self.arch}' must be a {spec.config_class.__name__}.")
        _check_arch_for_task(self.arch, task)
        for name in ("epochs", "batch_size", "patience"):
            if getattr(self, name) is not None and int(getattr(self, name)) < 1:
                raise ConfigError(f"{name} must be at least 1; got {getattr(self, name)}.")
        if self.learning_rate is not None and not 0 < self.learning_rate < 1:
            raise ConfigError(f"Learning rate must be between 0 and 1; got {self.learning_rate}.")
        if not (0 < self.test_size < 0.5 and 0 < self.valid_size < 0.5):
            raise ConfigError("Test and validation shares must each be between 0 and 0.5.")
        if self.lr_schedule is not None and self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f"Unknown learning-rate schedule '{self.lr_schedule}'. Available: {', '.join(LR_SCHEDULES)}.")
        if self.split not in SPLITS:
            raise ConfigError(f"Unknown split '{self.split}'. Available: {', '.join(SPLITS)}.")
        if not 2 <= int(self.window) <= 500:
            raise ConfigError(f"Window length must be between 2 and 500 days; got {self.window}.")
        if not 0.5 < self.var_level < 1:
            raise ConfigError(f"VaR level must be between 0.5 and 1 (e.g. 0.99); got {self.var_level}.")
        if task.kind not in (FORECAST, ANOMALY) and not self.target:
            raise ConfigError(f"The {task.label.lower()} task needs a target column. Choose it on the Data page.")

    @property
    def hyper(self):
        return self.hyperparameters or get_architecture(self.arch).config_class()

    def resolved(self, train_rows: int, *, sequence: bool = False) -> "FitDefaults":
        """Batch size, learning rate, its schedule and preprocessing for this run: the configured ones, else the
        defaults."""
        auto = fit_defaults(train_rows, sequence=sequence)
        return FitDefaults(
            batch_size=int(self.batch_size) if self.batch_size is not None else auto.batch_size,
            learning_rate=float(self.learning_rate) if self.learning_rate is not None else auto.learning_rate,
            preprocessing=self.preprocessing or auto.preprocessing,
            lr_schedule=self.lr_schedule or auto.lr_schedule,
        )


LARGE_TABLE_ROWS = 5000


def expected_train_rows(rows: int, *, test_size: float = 0.2, valid_size: float = 0.2) -> int:
    """How many of `rows` the default split puts in training, to show the defaults before a run."""
    return int(rows * (1 - test_size) * (1 - valid_size))


@dataclass(frozen=True)
class FitDefaults:
    batch_size: int
    learning_rate: float
    preprocessing: PreprocessConfig
    lr_schedule: str = "constant"


def fit_defaults(train_rows: int, *, sequence: bool = False) -> FitDefaults:
    """The one set of defaults the dashboard, the command line and the benchmark share.

    Measured in 5-fold CV (python -m finmodels.bench): on large tables quantile scaling, whole-number codes
    and piecewise-linear inputs lifted the network to gradient boosting's AUC; knots at the target's thresholds,
    kept per column where they predict held-out training rows better (`knots`), closed most of the remaining
    gap on credit_risk_dataset (0.920 to 0.940) and left Taiwan default as it was. Batches of 1,024 at a
    learning rate of 0.01 converge in about 25 epochs; on a table of 1,000 rows the same encodings overfit
    (German credit: 0.777 against 0.790 with plain scaling), so small tables keep plain scaling and batches
    of 64 at 0.001. A cosine decay of the learning rate lifted credit_risk_dataset from 0.940 to 0.944 and left
    Taiwan default at 0.779; on German credit (0.791) and the rating file (0.906 against 0.909 within one
    notch) it did not help, so small tables keep a constant rate. Small tables scale per column: standard, but
    quantile for extreme tails (the rating file's ratios reach millions of IQRs from their median, and
    within-one-notch fell from 0.899 to 0.655 without it).
    Sequence windows keep the small-table optimiser settings.
    """
    if sequence or train_rows < LARGE_TABLE_ROWS:
        plain = PreprocessConfig(scaler="auto", code_levels=0, piecewise_knots=0, target_knots=0)
        return FitDefaults(batch_size=64, learning_rate=1e-3, preprocessing=plain)
    return FitDefaults(batch_size=1024, learning_rate=1e-2, preprocessing=PreprocessConfig(), lr_schedule="cosine")


def _check_arch_for_task(arch: str, task) -> None:
    spec = get_architecture(arch)
    if task.kind == ANOMALY and arch != "vae":
        raise ConfigError(f"Anomaly detection learns without labels and uses the 'vae' network; '{arch}' needs a "
                          "target. Choose 'vae', or a classification task if the file has a label.")
    if arch == "vae" and task.kind != ANOMALY:
        raise ConfigError(f"The 'vae' network reconstructs rows to flag unusual ones; it does not predict a target. "
                          f"Use it with the anomaly task, or choose 'mlp' or 'cnn' for {task.label.lower()}.")
    if not spec.supports("sequence" if task.kind == FORECAST else "tabular"):
        raise ConfigError(
            f"'{arch}' reads a sequence of time steps, but the {task.label.lower()} task gives one table row per "
            "prediction and a row's columns have no time order, so there is no sequence to read. Choose 'mlp' or "
            "'cnn' (which convolves over the feature axis), or a forecast task on a price file."
        )


@dataclass
class TrainingResult:
    """A finished run: the model, what it was fitted with, and how it scored on held-out rows.

    `kind` is the task kind. `test_scores` are the network's raw test outputs: event probabilities (binary),
    class probabilities (multi-class, ordinal), predicted values (regression), forecast returns (forecast) or
    reconstruction errors (anomaly). `details` holds what the evaluation charts need for the kind (e.g. dates,
    actual, volatility and VaR for a forecast); `backtest` is the VaR backtest of a forecast run.
    """

    config: TrainConfig
    model: object
    preprocessor: object  # Preprocessor for table rows, SequencePreprocessor for price windows
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
    kind: str = BINARY
    class_labels: list[str] = field(default_factory=list)  # class index -> label, scale order for ratings
    target_stats: tuple[float, float] = (0.0, 1.0)  # (mean, std) the network's numeric output is scaled by
    details: dict = field(default_factory=dict)
    backtest: object | None = None
    notes: list[str] = field(default_factory=list)
    settings: "FitDefaults | None" = None  # batch size, learning rate and preprocessing actually used

    @property
    def features(self) -> list[str]:
        return self.preprocessor.columns

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Scores for new rows with the training columns (see `predict_frame` for what each kind returns)."""
        return predict_frame(self.kind, self.model, self.preprocessor, frame, target_stats=self.target_stats)


def predict_frame(kind: str, model, preprocessor, frame: pd.DataFrame, *,
                  target_stats: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Model outputs for `frame` in the user's units.

    binary: event probability per row; multiclass/ordinal: class probabilities (rows x classes);
    regression: predicted value; forecast: next-day return per window (one per day with a full window before
    it); anomaly: reconstruction error per row (higher = more unusual).
    """
    x = preprocessor.transform(frame)
    out = np.asarray(model.predict_on_batch(x))
    mean, std = target_stats
    if kind == BINARY:
        return out.ravel()
    if kind in (MULTICLASS, ORDINAL):
        return out
    if kind == REGRESSION:
        return out.ravel() * std + mean
    if kind == FORECAST:
        return out[:, 0] * std + mean
    if kind == ANOMALY:
        return reconstruction_error(x, out)
    raise ConfigError(f"Unknown task kind '{kind}'.")


def reconstruction_error(x: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Mean squared difference per row between model inputs and their reconstruction: the anomaly score."""
    return np.mean((np.asarray(x) - np.asarray(reconstruction)) ** 2, axis=1)


def impute_with_vae(model, preprocessor: Preprocessor, frame: pd.DataFrame, *, iterations: int = 10) -> pd.DataFrame:
    """Fill the missing numeric values of `frame` with a trained VAE's reconstruction, in original units.

    Starts from the preprocessing's median fill, then repeatedly replaces only the missing entries by the
    network's reconstruction, so the observed values of a row steer what is filled in. Other cells are untouched.
    """
    numeric = list(preprocessor.numeric)
    missing = frame[numeric].apply(pd.to_numeric, errors="coerce").isna().to_numpy() if numeric else None
    if not numeric or not missing.any():
        return frame.copy()
    x = preprocessor.transform(frame)
    cols = [preprocessor.groups[c][0] for c in numeric]
    for _ in range(int(iterations)):
        recon = np.asarray(model(x, training=False))
        x[:, cols] = np.where(missing, recon[:, cols], x[:, cols])
    values = preprocessor.numeric_values(x).to_numpy()  # inverts whichever scaler each column went through
    out = frame.copy()
    for j, c in enumerate(numeric):
        if missing[:, j].any():
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
            out.loc[missing[:, j], c] = values[missing[:, j], j]
    return out


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


def _require_target(frame: pd.DataFrame, config: TrainConfig) -> pd.DataFrame:
    if config.target not in frame.columns:
        raise DataError(
            f"Target column '{config.target}' not found. Columns are: {', '.join(map(str, frame.columns))}. "
            "Choose the target on the Data page."
        )
    rows = frame[frame[config.target].notna()].reset_index(drop=True)
    if rows.empty:
        raise DataError(f"Target column '{config.target}' has no values. Choose another target column.")
    return rows


def prepare_target(frame: pd.DataFrame, config: TrainConfig) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Drop rows without a target and encode it as 0/1; returns (rows, y, event label)."""
    rows = _require_target(frame, config)
    y, event = encode_binary(rows[config.target], config.event_label)
    return rows, y, event


def encode_classes(series: pd.Series, *, ordinal: bool) -> tuple[np.ndarray, list[str], list[str]]:
    """Class indices, class labels in index order, and notes on merged rare ratings.

    Ordinal targets are ordered by the agency scale (AAA best) or numerically; a rating with fewer than
    MIN_CLASS_ROWS rows is merged into its neighbour towards the middle of the scale (e.g. 'C' and 'D' into
    'CC'), so every class can appear in train, validation and test.
    """
    from finmodels.data.targets import rating_order

    labels = series.astype(str).str.strip()
    distinct = sorted(labels.unique())
    if len(distinct) < 2:
        raise DataError(f"Column '{series.name}' has a single value ('{distinct[0]}'); a classifier needs at least 2.")
    if not ordinal:
        index = {v: i for i, v in enumerate(distinct)}
        return labels.map(index).to_numpy("int32"), distinct, []
    order = rating_order(distinct)
    if order is None:
        numbers = pd.to_numeric(pd.Series(distinct), errors="coerce")
        if numbers.isna().any():
            shown = ", ".join(f"'{v}'" for v in distinct[:10])
            raise DataError(f"Column '{series.name}' has labels that are not on a rating scale ({shown}); an ordinal "
                            "task needs agency ratings (AAA..D) or numbered grades. Use the multi-class task instead.")
        order = [distinct[i] for i in np.argsort(numbers.to_numpy(), kind="mergesort")]
    counts = labels.value_counts()
    groups = [[v] for v in order]
    notes = []
    while len(groups) > 2:
        sizes = [int(sum(counts[v] for v in g)) for g in groups]
        rare = [i for i, s in enumerate(sizes) if s < MIN_CLASS_ROWS]
        if not rare:
            break
        i = rare[0]
        j = i + 1 if i < len(groups) / 2 else i - 1  # merge towards the middle of the scale
        a, b = sorted((i, j))
        groups[a:b + 1] = [groups[a] + groups[b]]
    names = ["/".join(g) for g in groups]
    for g, name in zip(groups, names):
        if len(g) > 1:
            notes.append(f"Rare ratings are merged with their neighbour so that each class has at least "
                         f"{MIN_CLASS_ROWS} rows: {', '.join(g)} are scored as one class '{name}'.")
    index = {v: k for k, g in enumerate(groups) for v in g}
    return labels.map(index).to_numpy("int32"), names, notes


def _regression_target(rows: pd.DataFrame, target: str) -> np.ndarray:
    values = pd.to_numeric(rows[target], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        examples = ", ".join(f"'{rows[target].iloc[i]}'" for i in bad[:3])
        raise DataError(f"Column '{target}' has {len(bad)} values that are not numbers (e.g. {examples}); a regression "
                        "needs a numeric target. Recode them, or pick a classification task.")
    return values.to_numpy("float64")


def random_split(n: int, *, test_size: float, valid_size: float, seed: int) -> Split:
    """A plain shuffled split, for numeric targets that cannot be stratified."""
    from sklearn.model_selection import train_test_split

    if n < 10:
        raise DataError(f"Only {n} rows have a target; at least 10 are needed for train, validation and test.")
    rest, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed)
    train, valid = train_test_split(rest, test_size=valid_size, random_state=seed)
    return Split(np.sort(train), np.sort(valid), np.sort(test), "random")


def _lr_setup(config: TrainConfig, steps_per_epoch: int, learning_rate: float, schedule: str):
    """(learning rate or schedule for the optimizer, extra callbacks)."""
    import keras

    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(learning_rate, int(config.epochs) * steps_per_epoch,
                                                      alpha=0.05), []
    if schedule == "reduce_on_plateau":
        return learning_rate, [keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=max(2, int(config.patience) // 3), min_lr=1e-6)]
    return learning_rate, []


def _fit(model, loss, config: TrainConfig, train_data, valid_data, *, settings: FitDefaults, on_epoch, should_stop,
         class_weight=None, jit_compile: bool | str = "auto", reuse_trace: bool = False):
    """Fit with early stopping on validation loss; returns (history, fit seconds, stopped by user).

    `reuse_trace` trains through `fastfit`, whose compiled epoch is shared by every network of the same shape,
    where it supports the model and loss; otherwise Keras `fit()` compiles the model afresh.
    """
    from finmodels.models import fastfit
    from finmodels.explain.explainers import GRADIENT_LOCK

    # shap's gradient explainers patch TensorFlow's process-wide gradient registry while they run (about a
    # second); a training step traced meanwhile in another session's thread would record with the patch
    with GRADIENT_LOCK:
        if reuse_trace and fastfit.supported(model, loss):
            history, seconds, stopped = fastfit.fit(
                model, loss, train_data=train_data, valid_data=valid_data, batch_size=settings.batch_size,
                learning_rate=settings.learning_rate, schedule=settings.lr_schedule, epochs=int(config.epochs),
                patience=int(config.patience), seed=config.seed, class_weight=class_weight, on_epoch=on_epoch,
                should_stop=should_stop)
        else:
            history, seconds, stopped = _keras_fit(model, loss, config, train_data, valid_data, settings=settings,
                                                   on_epoch=on_epoch, should_stop=should_stop,
                                                   class_weight=class_weight, jit_compile=jit_compile)
    if not history.get("loss"):
        raise TrainingStopped("Training was stopped before the first epoch finished; there is no model to keep.")
    if not np.isfinite(history["loss"][-1]):
        raise TrainingStopped("The loss became infinite or NaN; lower the learning rate or check the data for "
                              "extreme values.")
    return history, seconds, stopped


def _keras_fit(model, loss, config: TrainConfig, train_data, valid_data, *, settings: FitDefaults, on_epoch,
               should_stop, class_weight=None, jit_compile: bool | str = "auto"):
    import keras

    x_train, y_train = train_data
    batch = settings.batch_size
    steps = int(np.ceil(len(x_train) / batch))
    lr, callbacks = _lr_setup(config, steps, settings.learning_rate, settings.lr_schedule)
    # several batches per compiled call: Python's per-step overhead dominated small networks' fit time
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, steps_per_execution=max(1, min(16, steps)),
                  jit_compile=jit_compile)
    hook = _epoch_callback(on_epoch, should_stop)
    early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(config.patience), restore_best_weights=True)
    start = time.perf_counter()
    train_set, valid_set = _datasets(train_data, valid_data, batch=batch, seed=config.seed)
    fitted = model.fit(train_set, validation_data=valid_set, epochs=int(config.epochs),
                       callbacks=[early, *callbacks, hook], class_weight=class_weight, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in fitted.history.items() if k != "learning_rate"}
    return history, seconds, hook.stopped_by_user


def _datasets(train_data, valid_data, *, batch: int, seed: int):
    """Cached tf.data pipelines: with NumPy inputs Keras rebuilt the validation pipeline every epoch, which
    cost more than the training steps of a small network (126 against 47 ms an epoch on Taiwan default).
    Rows are shuffled once, then the order of the cached batches each epoch: reshuffling every row each
    epoch cost twice the training steps (45 against 22 ms an epoch)."""
    import tensorflow as tf

    x_train, y_train = train_data
    order = np.random.default_rng(seed).permutation(len(x_train))
    batches = int(np.ceil(len(x_train) / batch))
    train_set = (tf.data.Dataset.from_tensor_slices((x_train[order], y_train[order])).batch(batch).cache()
                 .shuffle(batches, seed=seed, reshuffle_each_iteration=True).prefetch(2))
    valid_set = tf.data.Dataset.from_tensor_slices(tuple(valid_data)).cache().batch(4096)
    return train_set, valid_set


def balanced_class_weights(y: np.ndarray) -> dict[int, float]:
    """Weights that give every class the same total weight in training."""
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): float(len(y) / (len(classes) * n)) for c, n in zip(classes, counts)}


def train(
    frame: pd.DataFrame,
    config: TrainConfig,
    *,
    on_epoch: EpochHook | None = None,
    should_stop: Callable[[], bool] | None = None,
    baselines: bool = True,
    split: Split | None = None,
) -> TrainingResult:
    """Split, preprocess (fitted on training rows only), fit the network with early stopping, and score it.

    `on_epoch(epoch, logs)` is called after each epoch; `should_stop()` returning True ends training after
    the current epoch, keeping the best weights so far. Baselines are fitted on the same split and inputs.
    `split` (positions among the rows that have a target) replaces the configured split, for cross-validation.
    """
    task = get_task(config.task)
    start = time.perf_counter()
    if task.kind == FORECAST:
        return _train_forecast(frame, config, on_epoch=on_epoch, should_stop=should_stop, baselines=baselines,
                               started=start)
    rows, y, event, labels, notes, own_split = _tabular_target(frame, config, task.kind)
    split = own_split if split is None else _checked_split(split, len(rows))
    excluded = {config.target} if config.target else set()
    # the target never becomes an input, even when listed: for anomaly runs it is the held-out label
    features = [c for c in (config.features or default_features(rows, config.target)) if c not in excluded]
    if not features:
        raise DataError("There are no feature columns besides the target. Upload a file with more columns.")
    settings = config.resolved(len(split.train))
    # the target places piecewise-linear knots (training rows only); never for anomaly runs, whose label is held out
    # of training, nor for unordered classes, whose codes are not numbers
    guide = y[split.train] if task.kind in (BINARY, REGRESSION, ORDINAL) else None
    preprocess_start = time.perf_counter()
    pre = fit_preprocessor(rows.iloc[split.train], features, settings.preprocessing, target=guide)
    encoding = pre.encoding_summary()
    if encoding:
        notes = [*notes, encoding]
    x_train, x_valid, x_test = (pre.transform(rows.iloc[i]) for i in (split.train, split.valid, split.test))
    y_train, y_valid, y_test = y[split.train], y[split.valid], y[split.test]
    preprocess_seconds = time.perf_counter() - preprocess_start

    set_seed(config.seed)
    spec = get_architecture(config.arch)
    stats = (0.0, 1.0)
    weights = None
    if task.kind == ANOMALY:
        model = spec.build(config.hyper, input_shape=(x_train.shape[1],))
        fit_train, fit_valid, loss = (x_train, x_train), (x_valid, x_valid), "mse"
    else:
        n_out = len(labels) if task.kind in (MULTICLASS, ORDINAL) else 1
        model = spec.build(config.hyper, input_shape=(x_train.shape[1],), n_outputs=n_out,
                           output_activation=task.output_activation)
        if task.kind == REGRESSION:
            stats = (float(y_train.mean()), float(y_train.std()) or 1.0)
        scaled = (lambda v: (v - stats[0]) / stats[1]) if task.kind == REGRESSION else (lambda v: v)
        fit_train, fit_valid, loss = (x_train, scaled(y_train)), (x_valid, scaled(y_valid)), task.loss
        if config.class_weight and task.kind != REGRESSION:
            weights = balanced_class_weights(y_train)
    # XLA compilation took 2.9 s and made epochs slower for small dense networks on table rows (measured)
    history, fit_seconds, stopped = _fit(model, loss, config, fit_train, fit_valid, on_epoch=on_epoch,
                                         should_stop=should_stop, class_weight=weights, jit_compile=False,
                                         settings=settings, reuse_trace=task.kind != ANOMALY)
    test_scores = predict_frame(task.kind, model, pre, rows.iloc[split.test], target_stats=stats)
    metrics, details = _evaluate(task.kind, y_test, test_scores, labels)

    base = {}
    if baselines:
        from finmodels.models.baselines import fit_baselines

        # the baselines need no early-stopping rows, so they learn from the validation rows too: a network
        # compared with baselines denied a fifth of the data would look better than it is
        x_fit, y_fit = np.concatenate([x_train, x_valid]), np.concatenate([y_train, y_valid])
        base = fit_baselines(task.kind, x_fit, y_fit, x_test, y_test, seed=config.seed, classes=len(labels))
    return TrainingResult(
        config=config, model=model, preprocessor=pre, frame=rows, y=y, event_label=event, split=split,
        history=history, test_scores=test_scores, metrics=metrics, baselines=base,
        seconds={"preprocess": preprocess_seconds, "fit": fit_seconds, "total": time.perf_counter() - start},
        stopped_early=stopped, kind=task.kind,
        class_labels=labels, target_stats=stats, details=details, notes=notes, settings=settings,
    )


def default_features(rows: pd.DataFrame, target: str | None) -> list[str]:
    """The columns the profile marks as features: identifiers, dates, constants and free text left out."""
    from finmodels.data.profiling import profile

    return profile(rows, target=target or None).features


def _checked_split(split: Split, n: int) -> Split:
    parts = np.concatenate([split.train, split.valid, split.test])
    if len(parts) and (parts.min() < 0 or parts.max() >= n):
        raise ConfigError(f"The given split refers to rows outside 0..{n - 1}.")
    if len(np.unique(parts)) != len(parts):
        raise ConfigError("The given split puts a row in more than one part.")
    return split


def _tabular_target(frame: pd.DataFrame, config: TrainConfig, kind: str):
    """(rows, y, event label, class labels, notes, split) for a task on table rows."""
    if kind == ANOMALY and not config.target:
        rows = frame.reset_index(drop=True)
        return rows, np.full(len(rows), -1, "int32"), "", [], [], _split_rows(rows, None, config)
    if kind in (BINARY, ANOMALY):
        rows, y, event = prepare_target(frame, config)
        return rows, y, event, [], [], _split_rows(rows, y, config)
    rows = _require_target(frame, config)
    if kind == REGRESSION:
        y = _regression_target(rows, config.target)
        return rows, y, "", [], [], _split_rows(rows, None, config)
    y, labels, notes = encode_classes(rows[config.target], ordinal=kind == ORDINAL)
    return rows, y, "", labels, notes, _split_rows(rows, y, config)


def _split_rows(rows: pd.DataFrame, classes: np.ndarray | None, config: TrainConfig) -> Split:
    """Stratified by `classes` (or shuffled without them); with split='auto' by date or entity when there is one."""
    args = dict(test_size=config.test_size, valid_size=config.valid_size, seed=config.seed)
    if config.split == "auto":
        from finmodels.data.profiling import profile
        from finmodels.data.splits import split_for_profile

        found = profile(rows, target=config.target or None)
        if found.date_column or found.entity_column:
            return split_for_profile(rows, found, classes, **args)
    return stratified_split(classes, **args) if classes is not None else random_split(len(rows), **args)


def _evaluate(kind: str, y_test: np.ndarray, scores: np.ndarray, labels: list[str]) -> tuple[dict, dict]:
    """Test metrics of the network and the arrays its evaluation charts need."""
    from finmodels.evaluation import metrics as m

    if kind == BINARY:
        return m.binary_metrics(y_test, scores), {}
    if kind in (MULTICLASS, ORDINAL):
        pred = scores.argmax(axis=1)
        return (m.classification_metrics(y_test, scores, ordinal=kind == ORDINAL),
                {"confusion": m.confusion_matrix(y_test, pred, len(labels)), "predicted": pred})
    if kind == REGRESSION:
        return m.regression_metrics(y_test, scores), {}
    labelled = bool(len(y_test)) and y_test.min() >= 0
    return m.anomaly_metrics(scores, y_test if labelled else None), {}


_GAUSSIAN = []


def gaussian_nll():
    """Loss for a two-column output (mean, log variance): the negative log-likelihood of a normal return.

    Registered by name so a saved forecast model loads in safe mode without code from the file.
    """
    if _GAUSSIAN:
        return _GAUSSIAN[0]
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="finmodels", name="gaussian_nll")
    def _gaussian_nll(y_true, y_pred):
        mean, log_var = y_pred[:, 0], ops.clip(y_pred[:, 1], -12.0, 12.0)
        y = ops.reshape(ops.cast(y_true, mean.dtype), ops.shape(mean))
        return ops.mean(0.5 * (log_var + ops.square(y - mean) / ops.exp(log_var)))

    _GAUSSIAN.append(_gaussian_nll)
    return _gaussian_nll


def forecast_outputs(raw: np.ndarray, target_scale: float, level: float) -> dict[str, np.ndarray]:
    """Forecast mean return, volatility and the normal VaR at `level` (a positive loss) from the network's output."""
    from scipy.stats import norm

    mean = raw[:, 0] * target_scale
    vol = np.sqrt(np.exp(np.clip(raw[:, 1], -12.0, 12.0))) * target_scale
    return {"forecast": mean, "volatility": vol, "var": norm.ppf(level) * vol - mean}


def _train_forecast(frame, config: TrainConfig, *, on_epoch, should_stop, baselines: bool, started: float):
    """Windows of daily returns -> next-day return and its volatility; metrics, naive forecast and VaR backtest."""
    from scipy.stats import norm

    from finmodels.evaluation.backtest import var_backtest
    from finmodels.evaluation.metrics import forecast_metrics
    from finmodels.data.sequences import daily_channels, detect_series_columns, fit_sequence_preprocessor, make_windows
    from finmodels.data.splits import chronological_split

    series = detect_series_columns(frame, price=config.target or None)
    windows = make_windows(daily_channels(frame, series), window=int(config.window), channels=series.channels)
    split = chronological_split(windows.dates, test_size=config.test_size, valid_size=config.valid_size)
    pre = fit_sequence_preprocessor(windows, split.train, series=series, window=int(config.window))
    x = pre.scale(windows.x)
    y = windows.y
    scaled = y / pre.target_scale

    set_seed(config.seed)
    settings = config.resolved(len(split.train), sequence=True)
    model = get_architecture(config.arch).build(config.hyper, input_shape=x.shape[1:], n_outputs=2,
                                                output_activation="linear")
    history, fit_seconds, stopped = _fit(model, gaussian_nll(), config, (x[split.train], scaled[split.train]),
                                         (x[split.valid], scaled[split.valid]), on_epoch=on_epoch,
                                         should_stop=should_stop, settings=settings)
    test = split.test
    out = forecast_outputs(np.asarray(model.predict_on_batch(x[test])), pre.target_scale, config.var_level)
    metrics = forecast_metrics(y[test], out["forecast"])
    backtest = var_backtest(y[test], out["var"], level=config.var_level)
    metrics.update({"var_exceptions": float(backtest.exceptions), "kupiec_p_value": backtest.kupiec_p_value})
    naive_var = norm.ppf(config.var_level) * windows.window_std[test]
    details = {"dates": windows.dates[test], "tickers": windows.tickers[test], "actual": y[test],
               "naive": windows.last_return[test], "naive_var": naive_var, **out,
               "train_end": windows.dates[split.train].max()}

    base = {}
    if baselines:
        from finmodels.models.baselines import fit_forecast_baselines

        flat = x.reshape(len(x), -1)
        base = fit_forecast_baselines(flat[split.train], y[split.train], flat[test], y[test], seed=config.seed,
                                      naive=windows.last_return[test], naive_var=naive_var, level=config.var_level)
    return TrainingResult(
        config=config, model=model, preprocessor=pre, frame=frame, y=y, event_label="", split=split,
        history=history, test_scores=out["forecast"], metrics=metrics, baselines=base,
        seconds={"fit": fit_seconds, "total": time.perf_counter() - started}, stopped_early=stopped, kind=FORECAST,
        target_stats=(0.0, pre.target_scale), details=details, backtest=backtest, settings=settings,
        notes=[f"Windows of {config.window} days from '{series.price}'"
               + (f", one series per '{series.ticker}'" if series.ticker else "")
               + f"; split by date: training targets up to {str(windows.dates[split.train].max())[:10]}, "
               f"test from {str(windows.dates[test].min())[:10]}."],
    )
