"""The fit loop every task shares: seeded, early stopping with the best weights, class weights, a learning-rate
schedule, a per-epoch hook and an external stop.

Table networks train through `fastfit` (one compiled epoch reused by every network of the same shape); the
rest through Keras `fit()` on cached tf.data pipelines.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from finmodels.errors import TrainingStopped
from finmodels.models import losses
from finmodels.models.training.config import FitDefaults, TrainConfig
from finmodels.runtime.locks import GRADIENT_LOCK

EpochHook = Callable[[int, dict], None]


def balanced_class_weights(y: np.ndarray) -> dict[int, float]:
    """Weights that give every class the same total weight in training."""
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): float(len(y) / (len(classes) * n)) for c, n in zip(classes, counts)}


def fit_network(model, loss, config: TrainConfig, train_data, valid_data, *, settings: FitDefaults, on_epoch, should_stop,
         class_weight=None, jit_compile: bool | str = "auto", reuse_trace: bool = False):
    """Fit with early stopping on validation loss; returns (history, fit seconds, stopped by user).

    `reuse_trace` trains through `fastfit`, whose compiled epoch is shared by every network of the same shape,
    where it supports the model and loss; otherwise Keras `fit()` compiles the model afresh.
    """
    from finmodels.models import fastfit

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
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=losses.for_compile(loss), steps_per_execution=max(1, min(16, steps)),
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
