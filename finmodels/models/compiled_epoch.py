"""The compiled epoch of a table network: one `tf.function` per architecture, loss and batch size that takes the
weights and optimiser state as arguments, so every network of the same shape reuses its trace (see `fastfit`).

A network that reads a table row with a Dense layer is compiled for any input width: that first block, the
Dense layer (matmul, bias, its L2 penalty) and the Activation and Dropout layers right after it, is computed
here, with dropout masks NumPy draws once per epoch (`first_block`, `dropout_draws`). The rest of the network
runs through Keras's `stateless_call`, so every other layer behaves as in `fit()`. The loop over batches is an
explicit `tf.while_loop`, traced without autograph, and it computes the validation loss at the end of each
epoch. Adam is written out, with one flat update for all weights, because Keras's `stateless_apply` is not
available on the TensorFlow backend.
"""

from __future__ import annotations

import numpy as np

from finmodels.models import losses

ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-7


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
    if any(_reads(layer, model.inputs[0]) for layer in layers[1:]):  # the row goes further than the Dense (a cross
        return None  # network multiplies it again): the body behind the block would not be a network of its own
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


def _reads(layer, tensor) -> bool:
    """Whether `layer` takes `tensor` among its inputs."""
    inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
    return any(t is tensor for t in inputs)


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


class CompiledEpoch:
    """One architecture's compiled epoch and validation loss, around a template copy of the network.

    The network is split in two: the first block (Dense, activation, dropout), computed here so that one trace
    serves every input width, and the body behind it, called through Keras' stateless call.
    """

    def __init__(self, config: dict, loss: str, batch: int, block_names: tuple[str, ...]):
        import keras

        self.template = keras.Model.from_config(config)
        self.per_row = losses.resolve(loss)
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
        target = tf.int32 if loss in losses.INTEGER_TARGETS else tf.float32
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
