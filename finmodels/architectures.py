"""Registry of neural architectures: one small builder per architecture, hyperparameters in frozen dataclasses.

Keras is imported inside the builders only, so importing this module (to list architectures in the UI)
does not load TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from finmodels.errors import ConfigError


@dataclass(frozen=True)
class MLPConfig:
    """Dense network: hidden layer sizes, activation, dropout after each layer, L2 weight penalty."""

    units: tuple[int, ...] = (64, 32)
    activation: str = "relu"
    dropout: float = 0.2
    l2: float = 1e-4
    batch_norm: bool = False

    def __post_init__(self):
        if not self.units or any(int(u) < 1 for u in self.units):
            raise ConfigError(f"Layer sizes must be positive whole numbers; got {self.units}.")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"Dropout must be at least 0 and below 1; got {self.dropout}.")
        if self.l2 < 0:
            raise ConfigError(f"L2 penalty cannot be negative; got {self.l2}.")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"Unknown activation '{self.activation}'. Available: {', '.join(ACTIVATIONS)}.")


ACTIVATIONS = ("relu", "gelu", "elu", "selu", "tanh", "swish")


def build_mlp(config: MLPConfig, *, input_shape: tuple[int, ...], n_outputs: int, output_activation: str):
    """A feed-forward network on a vector of preprocessed features."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="features")
    x = inputs
    for i, units in enumerate(config.units):
        x = layers.Dense(int(units), kernel_regularizer=keras.regularizers.l2(config.l2) if config.l2 else None,
                         name=f"dense_{i}")(x)
        if config.batch_norm:
            x = layers.BatchNormalization(name=f"batch_norm_{i}")(x)
        x = layers.Activation(config.activation, name=f"{config.activation}_{i}")(x)
        if config.dropout:
            x = layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
    outputs = layers.Dense(n_outputs, activation=output_activation, name="output")(x)
    return keras.Model(inputs, outputs, name="mlp")


@dataclass(frozen=True)
class ArchitectureSpec:
    key: str
    label: str
    description: str
    build: Callable
    config_class: type
    input_kind: str  # "tabular", "sequence" or "both"


ARCHITECTURES: dict[str, ArchitectureSpec] = {
    a.key: a
    for a in (
        ArchitectureSpec(
            "mlp", "Dense network (MLP)",
            "Stacked fully connected layers with dropout and L2; the default for tabular risk data.",
            build_mlp, MLPConfig, "both",
        ),
    )
}


def get_architecture(key: str) -> ArchitectureSpec:
    """Return the architecture registered under `key`; an unknown key lists the available ones."""
    try:
        return ARCHITECTURES[key]
    except KeyError:
        raise ConfigError(f"Unknown architecture '{key}'. Available architectures: {', '.join(ARCHITECTURES)}.") from None
