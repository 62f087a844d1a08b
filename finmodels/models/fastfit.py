"""A training loop for table networks whose compiled epoch is reused from one fit to the next.

Keras `fit()` traces a new training and validation step for every new model: about half a second here before
the first batch, more than the whole fit of gradient boosting on Taiwan default. This loop compiles one epoch
per architecture (the network's layer configuration, its loss and its batch size) as a `tf.function` that
takes the weights and optimiser state as arguments, so a second model of the same shape (the next fold, a
retrain in the same session) runs without tracing.

A network that reads a table row with a Dense layer is compiled for any input width (`compiled_epoch`): the
width changes with the data (the piecewise-linear pieces differ from fold to fold: 209 to 330 columns on
Taiwan default) and with the features chosen, and each new width used to cost a trace. This module keeps the
compiled epochs, feeds them batches (all rows at once, or streamed in rounds on a large training set) and
runs early stopping around them.

What `fit()` did here is kept: batches of shuffled rows in a new order every epoch, class weights, early
stopping on the validation loss with the best weights restored, cosine or plateau learning-rate schedules,
a per-epoch hook and an external stop.
"""

from __future__ import annotations

import copy
import gc
import json
import threading
import time
from collections import OrderedDict

import numpy as np

from finmodels.models.losses import INTEGER_TARGETS, SOFT_ORDINAL
from finmodels.models.compiled_epoch import (ADAM_BETAS, CompiledEpoch, dropout_draws, dropout_threshold,
                                             first_block)

__all__ = ["ROUND_BATCHES", "STEP_BUDGET", "compiled_for", "dropout_draws", "dropout_threshold", "first_block",
           "fit", "settle_heap", "supported"]

SUPPORTED_LOSSES = ("binary_crossentropy", "sparse_categorical_crossentropy", "mse", SOFT_ORDINAL)
COSINE_ALPHA = 0.05
_CACHE_SIZE = 8
_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
_SETTLED = False
# More batches than this (131,072 rows at 1,024) and the rows are streamed to the network in rounds of this many
# batches, each a step of early stopping; a run takes at most STEP_BUDGET steps (10.5 million rows).
ROUND_BATCHES = 128
STEP_BUDGET = 10_240


def supported(model, loss) -> bool:
    """True for a single-input, single-output network with a standard loss named by string."""
    return (isinstance(loss, str) and loss in SUPPORTED_LOSSES and len(model.inputs) == 1
            and len(model.outputs) == 1)


def compiled_for(model, loss: str, batch: int) -> CompiledEpoch:
    """The compiled epoch `model` trains with: shared by every network of its architecture, loss and batch size
    (and, unless its first layer is a Dense one reading the row, its input width)."""
    block = first_block(model)
    config = model.get_config()
    key = json.dumps([_width_free(config) if block else config, loss, batch], sort_keys=True, default=str)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        compiled = CompiledEpoch(config, loss, batch, tuple(layer.name for layer in block or ()))
        _CACHE[key] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return compiled


def _width_free(config: dict) -> dict:
    """A one-input functional model's configuration with its input width, and the first layer's, left out."""
    config = copy.deepcopy(config)
    source = config["input_layers"][0]
    source = source[0] if isinstance(source, (list, tuple)) else source
    for layer in config["layers"]:
        if layer["name"] == source:
            layer["config"]["batch_shape"] = None
            continue
        inputs = [arg for node in layer["inbound_nodes"] for arg in node["args"]
                  if isinstance(arg, dict) and arg.get("config", {}).get("keras_history", [None])[0] == source]
        for arg in inputs:
            arg["config"]["shape"] = None
        if inputs:
            layer["build_config"] = None
    return config


def settle_heap() -> None:
    """Once per process: move the objects alive after TensorFlow and Keras loaded out of the cyclic collector's
    scans. They live as long as the process; before, each full collection re-scanned them (0.1 to 0.2 s here),
    and the collections that fell in a first fit doubled its time on Taiwan default (0.55 against 0.33 s)."""
    global _SETTLED
    with _CACHE_LOCK:
        if not _SETTLED:
            gc.collect()
            gc.freeze()
            _SETTLED = True


def _batches(x, y: np.ndarray, weights: np.ndarray, batch: int, seed: int):
    """Rows shuffled once and cut into equal batches; the last batch padded with rows whose share of the loss is
    zero. Returns x, y, each row's share of its batch's loss (its weight over the batch's real rows) and the
    number of batches."""
    x = np.asarray(x, "float32")
    n = len(x)
    order = np.random.default_rng(seed).permutation(n)
    count = int(np.ceil(n / batch))
    xs = np.zeros((count * batch, *x.shape[1:]), "float32")
    xs[:n] = x[order]
    ys = np.zeros((count * batch, *y.shape[1:]), y.dtype)
    ys[:n] = y[order]
    shares = np.zeros(count * batch, "float32")
    shares[:n] = weights[order]
    real = np.minimum(batch, n - np.arange(count) * batch)
    shares = (shares.reshape(count, batch) / real[:, None]).astype("float32")
    return xs.reshape(count, batch, *x.shape[1:]), ys.reshape(count, batch, *y.shape[1:]), shares, count


def _round_batches(x: np.ndarray, y: np.ndarray, weights: np.ndarray, rows: np.ndarray, batch: int):
    """The batches of one round, gathered from `rows` (positions in x): x, y and each row's share of its batch's
    loss, shaped (batches, batch, ...); a short last batch is padded with rows whose share is zero."""
    count = int(np.ceil(len(rows) / batch))
    padded = np.concatenate([rows, np.zeros(count * batch - len(rows), rows.dtype)])
    shares = weights[padded]
    shares[len(rows):] = 0
    real = np.minimum(batch, len(rows) - np.arange(count) * batch)
    shares = (shares.reshape(count, batch) / real[:, None]).astype("float32")
    return (x[padded].reshape(count, batch, *x.shape[1:]), y[padded].reshape(count, batch, *y.shape[1:]), shares)


def _all_rows(x_train, y: np.ndarray, weights: np.ndarray, batch: int, seed: int, epochs: int, rng):
    """The batches of every epoch when all training rows fit: shuffled and padded once, then handed over whole
    with a new batch order each epoch. Yields (x, y, shares, order, batches)."""
    import tensorflow as tf

    x, y, shares, count = _batches(x_train, y, weights, batch, seed)
    x, y, shares = tf.constant(x), tf.constant(y), tf.constant(shares)
    for _ in range(epochs):
        yield x, y, shares, tf.constant(rng.permutation(count).astype("int32")), count


def _streamed_rounds(x_train, y: np.ndarray, weights: np.ndarray, batch: int, rounds: int, rng):
    """The batches of each round on a training set of more than ROUND_BATCHES batches: ROUND_BATCHES batches
    gathered from the rows, so the rows are never copied whole (a shuffled padded copy and TensorFlow's own copy
    of it were two more copies of the encoded matrix), with a new row order every pass over the rows."""
    import tensorflow as tf

    x_train = np.asarray(x_train, "float32")
    n = len(x_train)
    order, position = rng.permutation(n), 0
    for _ in range(rounds):
        if position >= n:
            order, position = rng.permutation(n), 0
        rows = order[position:position + ROUND_BATCHES * batch]
        position += len(rows)
        x, y_round, shares = (tf.constant(a) for a in _round_batches(x_train, y, weights, rows, batch))
        count = int(shares.shape[0])
        yield x, y_round, shares, tf.range(count, dtype=tf.int32), count
        del x, y_round, shares


def _run(model, compiled, feed, valid_data, loss, *, batch_size, learning_rate, schedule, decay, patience, rng,
         on_epoch, should_stop, start):
    """Train on the epochs (or rounds) `feed` yields: early stopping on the validation loss with the best weights
    restored, a halved rate on a plateau, the epoch hook and the external stop."""
    import tensorflow as tf

    x_valid = tf.constant(np.asarray(valid_data[0], "float32"))
    y_valid = tf.constant(_targets(valid_data[1], loss))
    trainable = [tf.convert_to_tensor(v.value) for v in model.trainable_variables]
    fixed = [tf.convert_to_tensor(v.value) for v in model.non_trainable_variables]
    moments = velocities = tf.zeros(sum(int(np.prod(v.shape)) for v in trainable))
    rate = float(learning_rate)
    plateau_patience, since_plateau = max(2, patience // 3), 0
    units = compiled.units if compiled.dropout else 0
    no_draws: dict[int, object] = {}
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_state, waited, stopped, done = np.inf, None, 0, False, 0
    for epoch, (x, y, shares, order, count) in enumerate(feed):
        if units:
            draws = tf.constant(dropout_draws(rng, (count, batch_size, units)))
        else:
            draws = no_draws.setdefault(count, tf.zeros((count, batch_size, 0), tf.uint16))
        trainable, fixed, moments, velocities, losses = compiled.epoch(
            trainable, fixed, moments, velocities, x, y, shares, order,
            tf.constant(_step_sizes(done, count, rate, decay)), draws, x_valid, y_valid)
        del x, y, shares, draws
        done += count
        train_loss, val_loss = (float(v) for v in losses.numpy())
        history["loss"].append(train_loss)
        history["val_loss"].append(val_loss)
        if on_epoch is not None:
            on_epoch(epoch, {"loss": train_loss, "val_loss": val_loss})
        if not np.isfinite(train_loss):
            break
        if val_loss < best:
            best, best_state, waited, since_plateau = val_loss, (trainable, fixed), 0, 0
        else:
            waited += 1
            since_plateau += 1
            if schedule == "reduce_on_plateau" and since_plateau >= plateau_patience:
                rate, since_plateau = max(rate * 0.5, 1e-6), 0
        if should_stop is not None and should_stop():
            stopped = True
            break
        if waited >= patience:
            break
    final_trainable, final_fixed = best_state if best_state is not None else (trainable, fixed)
    for variable, value in zip(model.trainable_variables, final_trainable):
        variable.assign(value)
    for variable, value in zip(model.non_trainable_variables, final_fixed):
        variable.assign(value)
    return history, time.perf_counter() - start, stopped


def _step_sizes(done: int, count: int, rate: float, decay_steps: int) -> np.ndarray:
    """Adam's step size for each of the next `count` steps: the learning rate (cosine-decayed to COSINE_ALPHA of
    it over `decay_steps` when that is positive) with Adam's bias corrections."""
    beta1, beta2 = ADAM_BETAS
    t = np.arange(done + 1, done + count + 1, dtype="float64")
    if decay_steps > 0:
        progress = np.minimum(t, decay_steps) / decay_steps
        rate = rate * ((1 - COSINE_ALPHA) * 0.5 * (1 + np.cos(np.pi * progress)) + COSINE_ALPHA)
    return (rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)).astype("float32")


def _targets(y: np.ndarray, loss: str) -> np.ndarray:
    if loss in INTEGER_TARGETS:
        return np.asarray(y).astype("int32").reshape(-1, 1)
    return np.asarray(y).astype("float32").reshape(-1, 1)


def fit(model, loss: str, *, train_data, valid_data, batch_size: int, learning_rate: float, schedule: str,
        epochs: int, patience: int, seed: int, class_weight: dict | None = None, on_epoch=None,
        should_stop=None) -> tuple[dict[str, list[float]], float, bool]:
    """Train `model` in place; returns (history with loss and val_loss per epoch, seconds, stopped by the user).

    The best weights by validation loss are kept; training ends after `patience` epochs without improvement.
    A training set of more than ROUND_BATCHES batches is streamed in rounds of ROUND_BATCHES batches: early
    stopping and the epoch hook count rounds, and the run stops after at most STEP_BUDGET steps, not `epochs`
    passes over a million rows.
    """
    settle_heap()
    start = time.perf_counter()
    compiled = compiled_for(model, loss, batch_size)
    x_train, y_train = train_data
    weights = np.ones(len(x_train), "float32")
    if class_weight:
        weights = np.asarray([class_weight.get(int(c), 1.0) for c in np.asarray(y_train).ravel()], "float32")
    y = _targets(y_train, loss)
    rng = np.random.default_rng(seed)
    count = int(np.ceil(len(x_train) / batch_size))
    if count > ROUND_BATCHES:
        rounds = max(1, min(int(epochs), STEP_BUDGET // ROUND_BATCHES))
        feed = _streamed_rounds(x_train, y, weights, batch_size, rounds, rng)
        decay = rounds * ROUND_BATCHES
    else:
        feed = _all_rows(x_train, y, weights, batch_size, seed, int(epochs), rng)
        decay = int(epochs) * count
    return _run(model, compiled, feed, valid_data, loss, batch_size=batch_size, learning_rate=learning_rate,
                schedule=schedule, decay=decay if schedule == "cosine" else 0, patience=patience, rng=rng,
                on_epoch=on_epoch, should_stop=should_stop, start=start)
