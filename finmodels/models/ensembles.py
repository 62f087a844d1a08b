"""A parameter-efficient ensemble of dense networks for table rows, after TabM (Gorishniy et al., ICLR 2025).

TabM trains k networks that share their weights: each member sees the shared hidden units through its own
multiplicative adapter (BatchEnsemble's per-member scaling; "TabM-mini" keeps one adapter), and has its own
output head; the prediction is the members' average. Here the adapter sits after the first Dense block, not on
the input row, so `fastfit` still computes that block for any input width (see `fastfit.first_block`) and one
compiled epoch serves every fold. After the adapter, every member runs the same Dense layers (weights shared,
applied to each member's units) and its own head.

Members learn in one of two ways (`pooling`):

- "members": every training row goes to one member drawn at random for it at each step, so each member is
  trained on its own loss, as in TabM (the standard losses compare one prediction with one label; a draw per
  row is an unbiased estimate of the members' mean loss). Prediction: the members' mean probability (or value).
- "logits": the members' logits are averaged, then the output activation; trained and predicted the same way.

Explanations read the averaged output, like any single-output network: DeepExplainer passes the adapter
(a product with a weight), the shared layers (reshape and matmul) and the mean over members exactly.
Keras is imported inside the builder and the layer factory only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from finmodels.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

POOLINGS = ("members", "logits")


@dataclass(frozen=True)
class TabMConfig:
    """k members sharing hidden layers of `units` (the first before the per-member adapter, the rest after it),
    with dropout after each and an L2 penalty on the shared weights; `pooling` says how members learn.

    Defaults chosen by cross-validation on the benchmark's development rows (`python -m finmodels.bench
    --holdout`), never on its held-out slices."""

    units: tuple[int, ...] = (64, 32)
    members: int = 8
    activation: str = "relu"
    dropout: float = 0.2
    l2: float = 1e-3
    pooling: str = "members"
    seed: int = 0  # the adapters' random signs

    def __post_init__(self):
        from finmodels.models.architectures import _check_common  # the registry imports this module

        if not self.units or any(int(u) < 1 for u in self.units):
            raise ConfigError(f"Layer sizes must be positive whole numbers; got {self.units}.")
        if not 1 <= int(self.members) <= 64:
            raise ConfigError(f"An ensemble needs 1 to 64 members; got {self.members}.")
        if self.l2 < 0:
            raise ConfigError(f"L2 penalty cannot be negative; got {self.l2}.")
        if self.pooling not in POOLINGS:
            raise ConfigError(f"Unknown pooling '{self.pooling}'. Available: {', '.join(POOLINGS)}.")
        _check_common(self.activation, self.dropout)


def build_tabm(config: TabMConfig, *, input_shape: tuple[int, ...], n_outputs: int, output_activation: str):
    """A TabM-mini network on a vector of preprocessed features; its output is the members' average."""
    import keras
    from keras import layers

    if len(input_shape) != 1:
        raise ConfigError("The ensemble network reads one table row at a time; it needs flat rows, not windows. "
                          "Choose 'lstm', 'gru' or 'cnn' for price windows.")
    adapter, shared, head = ensemble_layers()
    l2 = keras.regularizers.l2(config.l2) if config.l2 else None
    inputs = keras.Input(shape=input_shape, name="features")
    # the first block stays a plain Dense, activation, dropout: fastfit computes it for any input width
    x = layers.Dense(int(config.units[0]), kernel_regularizer=l2, name="dense_0")(inputs)
    x = layers.Activation(config.activation, name=f"{config.activation}_0")(x)
    if config.dropout:
        x = layers.Dropout(config.dropout, name="dropout_0")(x)
    x = adapter(int(config.members), seed=int(config.seed), name="member_adapter")(x)
    for i, units in enumerate(config.units[1:], start=1):
        x = shared(int(units), l2=float(config.l2), name=f"shared_dense_{i}")(x)
        x = layers.Activation(config.activation, name=f"{config.activation}_{i}")(x)
        if config.dropout:
            x = layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
    outputs = head(int(n_outputs), activation=output_activation, pooling=config.pooling, name="member_heads")(x)
    return keras.Model(inputs, outputs, name="tabm")


_LAYERS: list = []


def ensemble_layers() -> tuple:
    """The registered Keras layers of the ensemble (defined once, lazily): the per-member adapter, a Dense layer
    shared by every member, and the members' heads with their averaging.

    Registered by name, so a saved ensemble loads with `safe_mode=True`: its code comes from this package."""
    if not _LAYERS:
        _LAYERS.extend([_member_adapter(), _shared_dense(), _member_heads()])
    return tuple(_LAYERS)


def _member_adapter():
    """The MemberAdapter layer class, registered."""
    import keras
    import numpy as np
    from keras import ops

    @keras.saving.register_keras_serializable(package="finmodels", name="MemberAdapter")
    class MemberAdapter(keras.layers.Layer):
        """(rows, units) -> (rows, members, units): each member's copy of the units times its own scales,
        initialised to random signs (TabM's initialisation of its first adapter)."""

        def __init__(self, members: int = 8, seed: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.members, self.seed = int(members), int(seed)

        def build(self, input_shape):
            width = int(input_shape[-1])
            signs = np.random.default_rng(self.seed).choice([-1.0, 1.0], size=(self.members, width))
            self.scale = self.add_weight(shape=(self.members, width), name="scale",
                                         initializer=keras.initializers.Constant(signs.astype("float32")))

        def call(self, inputs):
            return ops.expand_dims(inputs, 1) * self.scale

        def compute_output_shape(self, input_shape):
            return (input_shape[0], self.members, input_shape[-1])

        def get_config(self):
            return {**super().get_config(), "members": self.members, "seed": self.seed}

    return MemberAdapter


def _shared_dense():
    """The SharedDense layer class, registered."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="finmodels", name="SharedDense")
    class SharedDense(keras.layers.Layer):
        """One Dense layer applied to every member's units, (rows, members, in) -> (rows, members, units); a
        reshape and a plain matmul, which DeepLIFT passes exactly (a batched matmul it does not know)."""

        def __init__(self, units: int = 32, l2: float = 0.0, **kwargs):
            super().__init__(**kwargs)
            self.units, self.l2 = int(units), float(l2)

        def build(self, input_shape):
            self.members, width = int(input_shape[1]), int(input_shape[-1])
            self.kernel = self.add_weight(shape=(width, self.units), name="kernel", initializer="glorot_uniform",
                                          regularizer=keras.regularizers.l2(self.l2) if self.l2 else None)
            self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

        def call(self, inputs):
            flat = ops.reshape(inputs, (-1, int(inputs.shape[-1])))
            return ops.reshape(ops.matmul(flat, self.kernel) + self.bias, (-1, self.members, self.units))

        def compute_output_shape(self, input_shape):
            return (input_shape[0], input_shape[1], self.units)

        def get_config(self):
            return {**super().get_config(), "units": self.units, "l2": self.l2}

    return SharedDense


def _member_heads():
    """The MemberHeads layer class, registered."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="finmodels", name="MemberHeads")
    class MemberHeads(keras.layers.Layer):
        """Each member's own linear head and the output activation; the members' average comes out.

        pooling "members": at inference the mean of the members' probabilities (or values); in training, each
        row's output is one member's, drawn per row and step, so every member learns from its own loss.
        pooling "logits": the activation of the members' mean logit, in training and at inference."""

        def __init__(self, outputs: int = 1, activation: str = "sigmoid", pooling: str = "members", **kwargs):
            super().__init__(**kwargs)
            self.outputs, self.activation_name, self.pooling = int(outputs), str(activation), str(pooling)
            self.activation = keras.activations.get(self.activation_name)
            self.seed_generator = keras.random.SeedGenerator(0)

        def build(self, input_shape):
            self.members, width = int(input_shape[1]), int(input_shape[-1])
            self.kernel = self.add_weight(shape=(self.members, width, self.outputs), name="kernel",
                                          initializer="glorot_uniform")
            self.bias = self.add_weight(shape=(self.members, self.outputs), name="bias", initializer="zeros")

        def member_outputs(self, inputs):
            """(rows, members, outputs): every member's prediction after the activation."""
            return self.activation(self._logits(inputs))

        def _logits(self, inputs):
            return ops.sum(ops.expand_dims(inputs, -1) * self.kernel, axis=2) + self.bias

        def call(self, inputs, training=None):
            logits = self._logits(inputs)
            if self.pooling == "logits":
                return self.activation(ops.mean(logits, axis=1))
            each = self.activation(logits)
            if not training:
                return ops.mean(each, axis=1)
            chosen = keras.random.randint((ops.shape(inputs)[0],), 0, self.members, seed=self.seed_generator)
            pick = ops.expand_dims(ops.one_hot(chosen, self.members, dtype=each.dtype), -1)
            return ops.sum(each * pick, axis=1)

        def compute_output_shape(self, input_shape):
            return (input_shape[0], self.outputs)

        def get_config(self):
            return {**super().get_config(), "outputs": self.outputs, "activation": self.activation_name,
                    "pooling": self.pooling}

    return MemberHeads


def member_predictions(model, x) -> "np.ndarray":
    """(rows, members, outputs): each member's own prediction for the rows `x`, before the average."""
    import keras

    head = model.get_layer("member_heads")
    inner = keras.Model(model.inputs, head.input)
    return keras.ops.convert_to_numpy(head.member_outputs(inner(x, training=False)))
