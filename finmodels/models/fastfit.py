"""A training loop for table networks whose compiled epoch is reused from one fit to the next.

Keras `fit()` traces a new training and validation step for every new model: about half a second here before
the first batch, more than the whole fit of gradient boosting on Taiwan default. This loop compiles one epoch
per architecture (the network's layer configuration, its loss and its batch size) as a `tf.function` that
takes the weights and optimiser state as arguments, so a second model of the same shape (the next fold, a
retrain in the same session) runs without tracing.

A network that reads a table row with a Dense layer is compiled for any input width. That first block is
computed here: the Dense layer (matmul, bias, its L2 penalty) and the Activation and Dropout layers right
after it, whose dropout masks NumPy draws once per epoch (`first_block`). The rest of the network runs through
Keras's `stateless_call`, so every other layer behaves as in `fit()`. The width changes with the data (the
piecewise-linear pieces differ from fold to fold: 209 to 330 columns on Taiwan default) and with the features
chosen, and each new width used to cost a trace. The loop over batches is an explicit `tf.while_loop`, traced
without autograph, and it computes the validation loss at the end of each epoch. Adam is written out, with
one flat update for all weights, because Keras's `stateless_apply` is not available on the TensorFlow backend.

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
# More batches than this (131,072 rows at 1,024) and the rows are streamed to the network in rounds of this many
# batches, each a step of early stopping; a run takes at most STEP_BUDGET steps (10.5 million rows).
ROUND_BATCHES = 128
STEP_BUDGET = 10_240


def supported(model, loss) -> bool:
    """True for a single-input, single-output network with a standard loss named by string."""
    return (isinstance(loss, str) and loss in SUPPORTED_LOSSES and len(model.inputs) == 1
            and len(model.outputs) == 1)


def first_block(model) -> tuple | None:
    """The layers that read a table network's input row and that this loop computes for any input width: a
    Dense layer, then the Activation and Dropout layers that directly follow it, if they do. None for every
    other network (convolutions over the row, windows, a first layer with an activity penalty or frozen
    weights)."""
    import keras

    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 2:
        return None
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not layers or not isinstance(layers[0], keras.layers.Dense) or layers[0].activity_regularizer is not None:
        return None
    dense = layers[0]
    own = [dense.kernel] + ([dense.bias] if dense.use_bias else [])
    if len(dense.trainable_variables) != len(own) or any(
            a is not b for a, b in zip(model.trainable_variables[:len(own)], own)):
        return None
    if dense.input is not model.inputs[0] or dense.output is model.outputs[0]:
        return None
    block = [dense]
    kinds = [keras.layers.Activation, keras.layers.Dropout]
    for layer in layers[1:]:
        readers = [other for other in layers if other.input is block[-1].output]
        if not kinds or readers != [layer] or block[-1].output is model.outputs[0]:
            break
        kind = next((k for k in kinds if isinstance(layer, k)), None)
        plain_dropout = kind is keras.layers.Dropout and layer.noise_shape is None and 0 < layer.rate < 1
        if kind is None or (kind is keras.layers.Dropout and not plain_dropout):
            break
        block.append(layer)
        kinds = kinds[kinds.index(kind) + 1:]
    return tuple(block)


def dropout_draws(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """One epoch of dropout draws for the first block, 16 bits each: a unit is kept where its draw is at least
    `dropout_threshold(rate)[0]`. NumPy draws a whole epoch's in about 0.5 ms; TensorFlow's stateless generator,
    which Keras's Dropout layer calls at every step, took 1.8 ms an epoch on Taiwan default, a quarter of it."""
    return rng.integers(0, 65536, size=shape, dtype=np.uint16)


def dropout_threshold(rate: float) -> tuple[int, float]:
    """The 16-bit draw below which a unit is dropped (rate 0.3 drops 19,661 of 65,536: 0.300003), and the scale
    of kept units, one over the realised keep probability, so a unit's expected output is unchanged."""
    threshold = int(round(rate * 65536))
    return threshold, 65536 / (65536 - threshold)


class _Compiled:
    """One architecture's compiled epoch and validation loss, around a template copy of the network.

    The network is split in two: the first block (Dense, activation, dropout), computed here so that one trace
    serves every input width, and the body behind it, called through Keras' stateless call.
    """

    def __init__(self, config: dict, loss: str, batch: int, block_names: tuple[str, ...]):
        import keras

        self.template = keras.Model.from_config(config)
        self.per_row = keras.losses.get(loss)
        self._split_network(block_names)
        self._compile(loss, batch)

    def _split_network(self, block_names: tuple[str, ...]) -> None:
        import keras

        template = self.template
        block = [template.get_layer(name) for name in block_names]
        self.dense = block[0] if block else None
        self.activation = next((layer for layer in block[1:] if isinstance(layer, keras.layers.Activation)), None)
        self.dropout = next((layer for layer in block[1:] if isinstance(layer, keras.layers.Dropout)), None)
        self.units = int(self.dense.units) if self.dense else 0
        self.body = keras.Model(block[-1].output, template.output) if block else template
        self.own = 0 if self.dense is None else 1 + int(self.dense.use_bias)
        # the body's share of the non-trainable state (the first block's dropout keeps a seed it no longer uses)
        state = [id(v) for v in self.body.non_trainable_variables]
        self.inside = [i for i, v in enumerate(template.non_trainable_variables) if id(v) in state]
        if [id(template.non_trainable_variables[i]) for i in self.inside] != state:
            raise RuntimeError("The network's state variables are not in layer order; fastfit cannot split it.")
        self.threshold, self.keep_scale = dropout_threshold(self.dropout.rate) if self.dropout else (0, 1.0)

    def _compile(self, loss: str, batch: int) -> None:
        import tensorflow as tf

        template, dense = self.template, self.dense

        def spec(variable, free_rows=False):
            shape = tuple(variable.shape)
            return tf.TensorSpec((None, *shape[1:]) if free_rows else shape, variable.dtype)

        self.trainable_specs = [spec(v, free_rows=i == 0 and dense is not None)
                                for i, v in enumerate(template.trainable_variables)]
        self.fixed_specs = [spec(v) for v in template.non_trainable_variables]
        self.sizes = [-1 if s.shape[0] is None else int(np.prod(s.shape)) for s in self.trainable_specs]
        self.flat = tf.TensorSpec((None,), tf.float32)
        row = (None,) if dense is not None else tuple(template.inputs[0].shape[1:])
        target = tf.int32 if loss == "sparse_categorical_crossentropy" else tf.float32
        # one signature with the input width left open: every width reuses the one trace
        self.epoch_function = tf.function(self._epoch, autograph=False, input_signature=[
            self.trainable_specs, self.fixed_specs, self.flat, self.flat, tf.TensorSpec((None, batch, *row), tf.float32),
            tf.TensorSpec((None, batch, 1), target), tf.TensorSpec((None, batch), tf.float32),
            tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.float32),
            tf.TensorSpec((None, batch, None), tf.uint16), tf.TensorSpec((None, *row), tf.float32),
            tf.TensorSpec((None, 1), target)])
        # called as a concrete function: the polymorphic wrapper's argument matching cost 0.4 ms an epoch
        self.epoch = self.epoch_function.get_concrete_function()

    @staticmethod
    def _penalty(losses):
        import tensorflow as tf

        return tf.add_n(losses) if losses else tf.constant(0.0)

    def _forward(self, trainable, fixed, xb, training, drawn=None):
        """The network's output, updated non-trainable state and penalties; `drawn` holds the first block's
        dropout draws for this batch."""
        import tensorflow as tf

        dense = self.dense
        if dense is None:
            return self.body.stateless_call(trainable, fixed, xb, training=training, return_losses=True)
        kernel, rest = trainable[0], trainable[self.own:]
        hidden = dense.activation(tf.matmul(xb, kernel) + trainable[1] if dense.use_bias else tf.matmul(xb, kernel))
        if self.activation is not None:
            hidden = self.activation.activation(hidden)
        if self.dropout is not None and training:
            keep = tf.cast(tf.cast(drawn, tf.int32) >= self.threshold, hidden.dtype)
            hidden = hidden * (keep * self.keep_scale)
        pred, new_state, losses = self.body.stateless_call(rest, [fixed[i] for i in self.inside], hidden,
                                                           training=training, return_losses=True)
        new_fixed = list(fixed)
        for i, value in zip(self.inside, new_state):
            new_fixed[i] = value
        extra = [dense.kernel_regularizer(kernel)] if dense.kernel_regularizer else []
        if dense.use_bias and dense.bias_regularizer:
            extra.append(dense.bias_regularizer(trainable[1]))
        return pred, new_fixed, [*losses, *extra]

    def _train_step(self, trainable, fixed, moments, velocities, xb, yb, share, scale, drawn):
        """One Adam step. `share` is each row's weight over its batch's real rows (zero for padding rows),
        `scale` the step size with its bias corrections; the moments are flat, one Adam update for all."""
        import tensorflow as tf

        beta1, beta2 = ADAM_BETAS
        with tf.GradientTape() as tape:
            tape.watch(trainable)
            pred, new_fixed, losses = self._forward(trainable, fixed, xb, True, drawn)
            value = tf.reduce_sum(self.per_row(yb, pred) * share) + self._penalty(losses)
        grads = tf.concat([tf.reshape(g, [-1]) for g in tape.gradient(value, trainable)], 0)
        moments = beta1 * moments + (1 - beta1) * grads
        velocities = beta2 * velocities + (1 - beta2) * tf.square(grads)
        steps = tf.split(scale * moments / (tf.sqrt(velocities) + ADAM_EPSILON), self.sizes)
        trainable = [w - tf.reshape(d, tf.shape(w)) for w, d in zip(trainable, steps)]
        return trainable, new_fixed, moments, velocities, value

    def _validation_loss(self, trainable, fixed, x, y):
        import tensorflow as tf

        pred, _, losses = self._forward(trainable, fixed, x, False)
        return tf.reduce_mean(self.per_row(y, pred)) + self._penalty(losses)

    def _epoch(self, trainable, fixed, moments, velocities, x, y, shares, order, scales, draws, x_valid, y_valid):
        """One pass over the batches in `order`; returns the new state, the mean training loss and the
        validation loss after the epoch (one call, one wait, per epoch)."""
        import tensorflow as tf

        # an explicit while loop: autograph's conversion of a Python loop cost more than half of each trace
        def body(b, trainable, fixed, moments, velocities, total):
            i = order[b]
            trainable, fixed, moments, velocities, value = self._train_step(
                trainable, fixed, moments, velocities, x[i], y[i], shares[i], scales[b], draws[b])
            return b + 1, trainable, fixed, moments, velocities, total + value

        count = tf.shape(order)[0]
        _, trainable, fixed, moments, velocities, total = tf.while_loop(
            lambda b, *_: b < count, body, (tf.constant(0), trainable, fixed, moments, velocities, tf.constant(0.0)),
            shape_invariants=(tf.TensorShape([]), [s.shape for s in self.trainable_specs],
                              [s.shape for s in self.fixed_specs], self.flat.shape, self.flat.shape,
                              tf.TensorShape([])))
        return (trainable, fixed, moments, velocities,
                tf.stack([total / tf.cast(count, tf.float32), self._validation_loss(trainable, fixed, x_valid,
                                                                                    y_valid)]))


def compiled_for(model, loss: str, batch: int) -> _Compiled:
    """The compiled epoch `model` trains with: shared by every network of its architecture, loss and batch size
    (and, unless its first layer is a Dense one reading the row, its input width)."""
    block = first_block(model)
    config = model.get_config()
    key = json.dumps([_width_free(config) if block else config, loss, batch], sort_keys=True, default=str)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        compiled = _Compiled(config, loss, batch, tuple(layer.name for layer in block or ()))
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


def _fit_streamed(model, compiled, x_train, y_train, weights, valid_data, loss, *, batch_size, learning_rate,
                  schedule, epochs, patience, seed, on_epoch, should_stop, start):
    """`fit` for a training set of more than ROUND_BATCHES batches: rounds of ROUND_BATCHES batches are gathered
    from the rows and handed to the compiled epoch one at a time, so the rows are never copied whole (a shuffled
    padded copy and TensorFlow's own copy of it were two more copies of the encoded matrix). Each round ends with
    the validation loss: early stopping and the epoch hook count rounds, and the run stops after at most
    STEP_BUDGET steps, not `epochs` passes over a million rows. A new row order every pass over the rows."""
    import tensorflow as tf

    x_train = np.asarray(x_train, "float32")
    n = len(x_train)
    rounds = max(1, min(int(epochs), STEP_BUDGET // ROUND_BATCHES))
    x_valid = tf.constant(np.asarray(valid_data[0], "float32"))
    y_valid = tf.constant(_targets(valid_data[1], loss))
    trainable = [tf.convert_to_tensor(v.value) for v in model.trainable_variables]
    fixed = [tf.convert_to_tensor(v.value) for v in model.non_trainable_variables]
    moments = velocities = tf.zeros(sum(int(np.prod(v.shape)) for v in trainable))
    decay = rounds * ROUND_BATCHES if schedule == "cosine" else 0
    rate = float(learning_rate)
    plateau_patience, since_plateau = max(2, patience // 3), 0
    rng = np.random.default_rng(seed)
    units = compiled.units if compiled.dropout else 0
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_state, waited, stopped = np.inf, None, 0, False
    order, position, done = rng.permutation(n), 0, 0
    for epoch in range(rounds):
        if position >= n:
            order, position = rng.permutation(n), 0
        rows = order[position:position + ROUND_BATCHES * batch_size]
        position += len(rows)
        x, y, shares = (tf.constant(a) for a in _round_batches(x_train, y_train, weights, rows, batch_size))
        count = int(shares.shape[0])
        draws = (tf.constant(dropout_draws(rng, (count, batch_size, units))) if units
                 else tf.zeros((count, batch_size, 0), tf.uint16))
        trainable, fixed, moments, velocities, losses = compiled.epoch(
            trainable, fixed, moments, velocities, x, y, shares, tf.range(count, dtype=tf.int32),
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
    if int(np.ceil(len(x_train) / batch_size)) > ROUND_BATCHES:
        return _fit_streamed(model, compiled, x_train, _targets(y_train, loss), weights, valid_data, loss,
                             batch_size=batch_size, learning_rate=learning_rate, schedule=schedule, epochs=epochs,
                             patience=patience, seed=seed, on_epoch=on_epoch, should_stop=should_stop, start=start)
    x, y, shares, count = _batches(x_train, _targets(y_train, loss), weights, batch_size, seed)
    x, y, shares = tf.constant(x), tf.constant(y), tf.constant(shares)
    x_valid = tf.constant(np.asarray(valid_data[0], "float32"))
    y_valid = tf.constant(_targets(valid_data[1], loss))
    trainable = [tf.convert_to_tensor(v.value) for v in model.trainable_variables]
    fixed = [tf.convert_to_tensor(v.value) for v in model.non_trainable_variables]
    moments = velocities = tf.zeros(sum(int(np.prod(v.shape)) for v in trainable))
    decay = int(epochs) * count if schedule == "cosine" else 0
    rate = float(learning_rate)
    plateau_patience, since_plateau = max(2, patience // 3), 0
    rng = np.random.default_rng(seed)
    units = compiled.units if compiled.dropout else 0
    no_draws = tf.zeros((count, batch_size, 0), tf.uint16)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_state, waited, stopped = np.inf, None, 0, False
    for epoch in range(int(epochs)):
        order = tf.constant(rng.permutation(count).astype("int32"))
        scales = tf.constant(_step_sizes(epoch * count, count, rate, decay))
        draws = tf.constant(dropout_draws(rng, (count, batch_size, units))) if units else no_draws
        trainable, fixed, moments, velocities, losses = compiled.epoch(
            trainable, fixed, moments, velocities, x, y, shares, order, scales, draws, x_valid, y_valid)
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
