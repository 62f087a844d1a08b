"""A training loop for table networks whose compiled epoch is reused from one fit to the next.

Keras `fit()` traces a new training and validation step for every new model: about half a second here before
the first batch, more than the whole fit of gradient boosting on Taiwan default. This loop compiles one epoch
per architecture (the network's layer configuration, its loss and its batch size) as a `tf.function` that
takes the weights and optimiser state as arguments, so a second model of the same shape (the next fold, a
retrain in the same session) runs without tracing.

A network that reads a table row with a Dense layer is compiled for any input width: that first layer is
computed here (its matmul, bias, activation and L2 penalty), the rest of the network through Keras. The
width changes with the data (the piecewise-linear pieces differ from fold to fold: 209 to 330 columns on
Taiwan default) and with the features chosen, and each new width used to cost a trace. The loop over
batches is an explicit `tf.while_loop`, traced without autograph. The network is called through Keras's
`stateless_call`, so dropout, L2 penalties and every layer behave as in `fit()`; Adam is written out because
Keras's `stateless_apply` is not available on the TensorFlow backend.

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

SUPPORTED_LOSSES = ("binary_crossentropy", "sparse_categorical_crossentropy", "mse")
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-7
COSINE_ALPHA = 0.05
_CACHE_SIZE = 8
_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
_SETTLED = False


def supported(model, loss) -> bool:
    """True for a single-input, single-output network with a standard loss named by string."""
    return (isinstance(loss, str) and loss in SUPPORTED_LOSSES and len(model.inputs) == 1
            and len(model.outputs) == 1)


def first_dense(model):
    """The Dense layer that reads a table network's input row, when this loop can compute it for any width;
    else None (convolutions over the row, windows, a first layer with an activity penalty or frozen weights)."""
    import keras

    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 2:
        return None
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not layers or not isinstance(layers[0], keras.layers.Dense) or layers[0].activity_regularizer is not None:
        return None
    first = layers[0]
    own = [first.kernel] + ([first.bias] if first.use_bias else [])
    if len(first.trainable_variables) != len(own) or any(
            a is not b for a, b in zip(model.trainable_variables[:len(own)], own)):
        return None
    if first.input is not model.inputs[0]:
        return None
    return first


class _Compiled:
    """One architecture's compiled epoch and validation loss, around a template copy of the network."""

    def __init__(self, config: dict, loss: str, batch: int, first_name: str | None):
        import keras
        import tensorflow as tf

        self.template = template = keras.Model.from_config(config)
        per_row = keras.losses.get(loss)
        beta1, beta2 = ADAM_BETAS
        first = template.get_layer(first_name) if first_name else None
        body = keras.Model(first.output, template.output) if first else template
        own = 0 if first is None else 1 + int(first.use_bias)

        def penalty(losses):
            return tf.add_n(losses) if losses else tf.constant(0.0)

        def forward(trainable, fixed, xb, training):
            if first is None:
                return body.stateless_call(trainable, fixed, xb, training=training, return_losses=True)
            kernel, rest = trainable[0], trainable[own:]
            hidden = tf.matmul(xb, kernel) + trainable[1] if first.use_bias else tf.matmul(xb, kernel)
            pred, new_fixed, losses = body.stateless_call(rest, fixed, first.activation(hidden), training=training,
                                                          return_losses=True)
            extra = [first.kernel_regularizer(kernel)] if first.kernel_regularizer else []
            if first.use_bias and first.bias_regularizer:
                extra.append(first.bias_regularizer(trainable[1]))
            return pred, new_fixed, [*losses, *extra]

        def spec(variable, free_rows=False):
            shape = tuple(variable.shape)
            return tf.TensorSpec((None, *shape[1:]) if free_rows else shape, variable.dtype)

        trainable_specs = [spec(v, free_rows=i == 0 and first is not None)
                           for i, v in enumerate(template.trainable_variables)]
        fixed_specs = [spec(v) for v in template.non_trainable_variables]
        sizes = [-1 if s.shape[0] is None else int(np.prod(s.shape)) for s in trainable_specs]
        row = (None,) if first is not None else tuple(template.inputs[0].shape[1:])
        target = tf.int32 if loss == "sparse_categorical_crossentropy" else tf.float32
        flat = tf.TensorSpec((None,), tf.float32)

        def train_step(trainable, fixed, moments, velocities, xb, yb, share, scale):
            """One Adam step. `share` is each row's weight over its batch's real rows (zero for padding rows),
            `scale` the step size with its bias corrections; the moments are flat, one Adam update for all."""
            with tf.GradientTape() as tape:
                tape.watch(trainable)
                pred, new_fixed, losses = forward(trainable, fixed, xb, True)
                value = tf.reduce_sum(per_row(yb, pred) * share) + penalty(losses)
            grads = tf.concat([tf.reshape(g, [-1]) for g in tape.gradient(value, trainable)], 0)
            moments = beta1 * moments + (1 - beta1) * grads
            velocities = beta2 * velocities + (1 - beta2) * tf.square(grads)
            steps = tf.split(scale * moments / (tf.sqrt(velocities) + ADAM_EPSILON), sizes)
            trainable = [w - tf.reshape(d, tf.shape(w)) for w, d in zip(trainable, steps)]
            return trainable, new_fixed, moments, velocities, value

        def epoch(trainable, fixed, moments, velocities, x, y, shares, order, scales):
            # an explicit while loop: autograph's conversion of a Python loop cost more than half of each trace
            def body_(b, trainable, fixed, moments, velocities, total):
                i = order[b]
                trainable, fixed, moments, velocities, value = train_step(
                    trainable, fixed, moments, velocities, x[i], y[i], shares[i], scales[b])
                return b + 1, trainable, fixed, moments, velocities, total + value

            count = tf.shape(order)[0]
            _, trainable, fixed, moments, velocities, total = tf.while_loop(
                lambda b, *_: b < count, body_, (tf.constant(0), trainable, fixed, moments, velocities,
                                                 tf.constant(0.0)),
                shape_invariants=(tf.TensorShape([]), [s.shape for s in trainable_specs],
                                  [s.shape for s in fixed_specs], flat.shape, flat.shape, tf.TensorShape([])))
            return trainable, fixed, moments, velocities, total / tf.cast(count, tf.float32)

        def validation_loss(trainable, fixed, x, y):
            pred, _, losses = forward(trainable, fixed, x, False)
            return tf.reduce_mean(per_row(y, pred)) + penalty(losses)

        # one signature with the input width left open: every width reuses the one trace
        self.epoch = tf.function(epoch, autograph=False, input_signature=[
            trainable_specs, fixed_specs, flat, flat, tf.TensorSpec((None, batch, *row), tf.float32),
            tf.TensorSpec((None, batch, 1), target), tf.TensorSpec((None, batch), tf.float32),
            tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.float32)])
        self.validation_loss = tf.function(validation_loss, autograph=False, input_signature=[
            trainable_specs, fixed_specs, tf.TensorSpec((None, *row), tf.float32), tf.TensorSpec((None, 1), target)])


def compiled_for(model, loss: str, batch: int) -> _Compiled:
    """The compiled epoch `model` trains with: shared by every network of its architecture, loss and batch size
    (and, unless its first layer is a Dense one reading the row, its input width)."""
    first = first_dense(model)
    config = model.get_config()
    key = json.dumps([_width_free(config) if first else config, loss, batch], sort_keys=True, default=str)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        compiled = _Compiled(config, loss, batch, first.name if first else None)
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
    if loss == "sparse_categorical_crossentropy":
        return np.asarray(y).astype("int32").reshape(-1, 1)
    return np.asarray(y).astype("float32").reshape(-1, 1)


def fit(model, loss: str, *, train_data, valid_data, batch_size: int, learning_rate: float, schedule: str,
        epochs: int, patience: int, seed: int, class_weight: dict | None = None, on_epoch=None,
        should_stop=None) -> tuple[dict[str, list[float]], float, bool]:
    """Train `model` in place; returns (history with loss and val_loss per epoch, seconds, stopped by the user).

    The best weights by validation loss are kept; training ends after `patience` epochs without improvement.
    """
    import tensorflow as tf

    settle_heap()
    start = time.perf_counter()
    compiled = compiled_for(model, loss, batch_size)
    x_train, y_train = train_data
    weights = np.ones(len(x_train), "float32")
    if class_weight:
        weights = np.asarray([class_weight.get(int(c), 1.0) for c in np.asarray(y_train).ravel()], "float32")
    x, y, shares, count = _batches(x_train, _targets(y_train, loss), weights, batch_size, seed)
    x, y, shares = tf.constant(x), tf.constant(y), tf.constant(shares)
    x_valid = tf.constant(np.asarray(valid_data[0], "float32"))
    y_valid = tf.constant(_targets(valid_data[1], loss))
    trainable = [tf.convert_to_tensor(v.value) for v in model.trainable_variables]
    fixed = [tf.convert_to_tensor(v.value) for v in model.non_trainable_variables]
    moments = velocities = tf.zeros(sum(int(np.prod(v.shape)) for v in trainable))
    decay = int(epochs) * count if schedule == "cosine" else 0
    rate = float(learning_rate)
    plateau_patience, since_plateau, plateau_best = max(2, patience // 3), 0, np.inf
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_state, waited, stopped = np.inf, None, 0, False
    for epoch in range(int(epochs)):
        order = tf.constant(rng.permutation(count).astype("int32"))
        scales = tf.constant(_step_sizes(epoch * count, count, rate, decay))
        trainable, fixed, moments, velocities, train_loss = compiled.epoch(
            trainable, fixed, moments, velocities, x, y, shares, order, scales)
        val_loss = float(compiled.validation_loss(trainable, fixed, x_valid, y_valid))
        history["loss"].append(float(train_loss))
        history["val_loss"].append(val_loss)
        if on_epoch is not None:
            on_epoch(epoch, {"loss": float(train_loss), "val_loss": val_loss})
        if not np.isfinite(float(train_loss)):
            break
        if val_loss < best:
            best, best_state, waited = val_loss, (trainable, fixed), 0
        else:
            waited += 1
        if schedule == "reduce_on_plateau":
            if val_loss < plateau_best:
                plateau_best, since_plateau = val_loss, 0
            else:
                since_plateau += 1
                if since_plateau >= plateau_patience:
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
