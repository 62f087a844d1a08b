"""Registry of neural architectures: one small builder per architecture, hyperparameters in frozen dataclasses.

Keras is imported inside the builders only, so importing this module (to list architectures in the UI)
does not load TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from finmodels.errors import ConfigError
from finmodels.models.cross import DCNConfig, build_dcn
from finmodels.models.embeddings import PLRConfig, build_plr
from finmodels.models.ensembles import TabMConfig, build_tabm


@dataclass(frozen=True)
class MLPConfig:
    """Dense network: hidden layer sizes, activation, dropout after each layer, L2 weight penalty.

    The defaults (one layer of 32, dropout 0.3, L2 1e-3) are the benchmark's: with the piecewise-linear
    inputs of `preprocessing`, a small, well-regularised network matched wider ones in 5-fold CV."""

    units: tuple[int, ...] = (32,)
    activation: str = "relu"
    dropout: float = 0.3
    l2: float = 1e-3
    batch_norm: bool = False

    def __post_init__(self):
        if not self.units or any(int(u) < 1 for u in self.units):
            raise ConfigError(f"Layer sizes must be positive whole numbers; got {self.units}.")
        if self.l2 < 0:
            raise ConfigError(f"L2 penalty cannot be negative; got {self.l2}.")
        _check_common(self.activation, self.dropout)


ACTIVATIONS = ("relu", "gelu", "elu", "selu", "tanh", "swish")


def build_mlp(config: MLPConfig, *, input_shape: tuple[int, ...], n_outputs: int, output_activation: str):
    """A feed-forward network on a vector of preprocessed features (a window is flattened first)."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="features")
    x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
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
class CNNConfig:
    """1-D convolutions then a dense head; over the time steps of a window, or over a row's feature axis."""

    filters: tuple[int, ...] = (32, 32)
    kernel_size: int = 3
    pooling: str = "max"  # "max" halves the steps after each convolution; "none" keeps them
    dense_units: int = 32
    activation: str = "relu"
    dropout: float = 0.2

    def __post_init__(self):
        if not self.filters or any(int(f) < 1 for f in self.filters):
            raise ConfigError(f"Filter counts must be positive whole numbers; got {self.filters}.")
        if int(self.kernel_size) < 1:
            raise ConfigError(f"Kernel size must be at least 1; got {self.kernel_size}.")
        if self.pooling not in ("max", "none"):
            raise ConfigError(f"Unknown pooling '{self.pooling}'. Use 'max' or 'none'.")
        if int(self.dense_units) < 1:
            raise ConfigError(f"Dense units must be at least 1; got {self.dense_units}.")
        _check_common(self.activation, self.dropout)


@dataclass(frozen=True)
class RecurrentConfig:
    """Stacked recurrent layers (the last returns its final state) and a dense head."""

    units: tuple[int, ...] = (32,)
    dense_units: int = 16
    dropout: float = 0.1
    activation: str = "relu"  # of the dense head; the recurrent cells keep their tanh/sigmoid gates

    def __post_init__(self):
        if not self.units or any(int(u) < 1 for u in self.units):
            raise ConfigError(f"Recurrent layer sizes must be positive whole numbers; got {self.units}.")
        if int(self.dense_units) < 1:
            raise ConfigError(f"Dense units must be at least 1; got {self.dense_units}.")
        _check_common(self.activation, self.dropout)


@dataclass(frozen=True)
class LSTMConfig(RecurrentConfig):
    """Long short-term memory cells."""


@dataclass(frozen=True)
class GRUConfig(RecurrentConfig):
    """Gated recurrent units: fewer weights than an LSTM, often as good on short windows."""


@dataclass(frozen=True)
class VAEConfig:
    """Variational autoencoder: encoder sizes (the decoder mirrors them), latent size, KL weight beta."""

    units: tuple[int, ...] = (64, 32)
    latent_dim: int = 8
    beta: float = 1.0
    activation: str = "relu"

    def __post_init__(self):
        if not self.units or any(int(u) < 1 for u in self.units):
            raise ConfigError(f"Layer sizes must be positive whole numbers; got {self.units}.")
        if int(self.latent_dim) < 1:
            raise ConfigError(f"Latent size must be at least 1; got {self.latent_dim}.")
        if self.beta < 0:
            raise ConfigError(f"The KL weight beta cannot be negative; got {self.beta}.")
        _check_common(self.activation, 0.0)


def _check_common(activation: str, dropout: float) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ConfigError(f"Dropout must be at least 0 and below 1; got {dropout}.")
    if activation not in ACTIVATIONS:
        raise ConfigError(f"Unknown activation '{activation}'. Available: {', '.join(ACTIVATIONS)}.")


def build_cnn(config: CNNConfig, *, input_shape: tuple[int, ...], n_outputs: int, output_activation: str):
    """Conv1D blocks and a dense head. A flat row of features is read as a 1-channel sequence along its columns."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="features")
    x = layers.Reshape((input_shape[0], 1), name="feature_axis")(inputs) if len(input_shape) == 1 else inputs
    for i, filters in enumerate(config.filters):
        x = layers.Conv1D(int(filters), int(config.kernel_size), padding="same", activation=config.activation,
                          name=f"conv_{i}")(x)
        if config.pooling == "max" and x.shape[1] >= 2:
            x = layers.MaxPooling1D(2, name=f"pool_{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(int(config.dense_units), activation=config.activation, name="dense")(x)
    if config.dropout:
        x = layers.Dropout(config.dropout, name="dropout")(x)
    outputs = layers.Dense(n_outputs, activation=output_activation, name="output")(x)
    return keras.Model(inputs, outputs, name="cnn")


def _require_sequence(name: str, input_shape: tuple[int, ...]) -> None:
    if len(input_shape) != 2:
        raise ConfigError(
            f"{name} reads a sequence of time steps, but this task gives one table row per prediction, which has "
            "no time order (its columns are not a sequence). Choose 'mlp' or 'cnn', or use a forecast task that "
            "builds windows of a price history."
        )


def _build_recurrent(cell: str, config: RecurrentConfig, input_shape, n_outputs, output_activation):
    import keras
    from keras import layers

    _require_sequence(cell.upper(), input_shape)
    layer = layers.LSTM if cell == "lstm" else layers.GRU
    inputs = keras.Input(shape=input_shape, name="window")
    x = inputs
    for i, units in enumerate(config.units):
        last = i == len(config.units) - 1
        x = layer(int(units), return_sequences=not last, dropout=config.dropout, name=f"{cell}_{i}")(x)
    x = layers.Dense(int(config.dense_units), activation=config.activation, name="dense")(x)
    outputs = layers.Dense(n_outputs, activation=output_activation, name="output")(x)
    return keras.Model(inputs, outputs, name=cell)


def build_lstm(config: LSTMConfig, *, input_shape: tuple[int, ...], n_outputs: int, output_activation: str):
    """LSTM layers over a (time steps, channels) window, then a dense head."""
    return _build_recurrent("lstm", config, input_shape, n_outputs, output_activation)


def build_gru(config: GRUConfig, *, input_shape: tuple[int, ...], n_outputs: int, output_activation: str):
    """GRU layers over a (time steps, channels) window, then a dense head."""
    return _build_recurrent("gru", config, input_shape, n_outputs, output_activation)


def build_vae(config: VAEConfig, *, input_shape: tuple[int, ...], n_outputs: int | None = None,
              output_activation: str = "linear"):
    """Encoder -> latent mean and log-variance -> sampled code -> decoder back to the inputs.

    Trained with a reconstruction loss (mean squared error per input); the sampling layer adds the KL term,
    so the loss is the negative ELBO up to constants. At inference the code is the latent mean, so the
    reconstruction (and the anomaly score built on it) is deterministic. `n_outputs` is ignored: the output
    has the input's size.
    """
    import keras
    from keras import layers

    if len(input_shape) != 1:
        raise ConfigError("The VAE reconstructs one table row at a time; it needs flat rows, not windows.")
    sampling = vae_sampling_layer()
    n_inputs = int(input_shape[0])
    inputs = keras.Input(shape=input_shape, name="features")
    x = inputs
    for i, units in enumerate(config.units):
        x = layers.Dense(int(units), activation=config.activation, name=f"encoder_{i}")(x)
    z_mean = layers.Dense(int(config.latent_dim), name="z_mean")(x)
    z_log_var = layers.Dense(int(config.latent_dim), name="z_log_var")(x)
    z = sampling(beta=float(config.beta), n_inputs=n_inputs, name="sampling")([z_mean, z_log_var])
    x = z
    for i, units in enumerate(reversed(config.units)):
        x = layers.Dense(int(units), activation=config.activation, name=f"decoder_{i}")(x)
    outputs = layers.Dense(n_inputs, activation=output_activation, name="reconstruction")(x)
    return keras.Model(inputs, outputs, name="vae")


_SAMPLING = []


def vae_sampling_layer():
    """The registered Keras layer that samples the latent code and adds the KL term (defined once, lazily).

    It is registered by name, so a saved VAE loads with `safe_mode=True`: its code comes from this package,
    never from the file.
    """
    # a bundle's loader calls this to register this package's classes; the ensemble's layers are among them
    from finmodels.models.embeddings import periodic_layer
    from finmodels.models.ensembles import ensemble_layers

    ensemble_layers()
    periodic_layer()
    if _SAMPLING:
        return _SAMPLING[0]
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="finmodels", name="VAESampling")
    class VAESampling(keras.layers.Layer):
        """z = mean + exp(log_var / 2) * noise while training; the mean at inference. Adds beta * KL."""

        def __init__(self, beta: float = 1.0, n_inputs: int = 1, **kwargs):
            super().__init__(**kwargs)
            self.beta, self.n_inputs = float(beta), int(n_inputs)
            self.seed_generator = keras.random.SeedGenerator(0)

        def call(self, inputs, training=None):
            mean, log_var = inputs
            kl = -0.5 * ops.mean(ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1))
            # per input column, to match the reconstruction term, which is a mean over columns
            self.add_loss(self.beta * kl / self.n_inputs)
            if training:
                noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
                return mean + ops.exp(0.5 * log_var) * noise
            return mean

        def get_config(self):
            return {**super().get_config(), "beta": self.beta, "n_inputs": self.n_inputs}

    _SAMPLING.append(VAESampling)
    return VAESampling


@dataclass(frozen=True)
class ArchitectureSpec:
    key: str
    label: str
    description: str
    build: Callable
    config_class: type
    input_kind: str  # "tabular", "sequence" or "both"

    def supports(self, input_kind: str) -> bool:
        """Whether this architecture reads `input_kind` inputs ("tabular" rows or "sequence" windows)."""
        return self.input_kind in ("both", input_kind)


ARCHITECTURES: dict[str, ArchitectureSpec] = {
    a.key: a
    for a in (
        ArchitectureSpec(
            "mlp", "Dense network (MLP)",
            "Stacked fully connected layers with dropout and L2; the default for tabular risk data.",
            build_mlp, MLPConfig, "both",
        ),
        ArchitectureSpec(
            "cnn", "1-D convolutional network (CNN)",
            "Convolutions over the time steps of a price window, or over the feature axis of a table row.",
            build_cnn, CNNConfig, "both",
        ),
        ArchitectureSpec(
            "lstm", "LSTM recurrent network",
            "Long short-term memory over windows of a series; for forecast tasks, not for plain table rows.",
            build_lstm, LSTMConfig, "sequence",
        ),
        ArchitectureSpec(
            "gru", "GRU recurrent network",
            "Gated recurrent units over windows of a series; lighter than an LSTM; not for plain table rows.",
            build_gru, GRUConfig, "sequence",
        ),
        ArchitectureSpec(
            "vae", "Variational autoencoder (VAE)",
            "Learns what usual rows look like; rows it reconstructs badly are flagged as anomalies.",
            build_vae, VAEConfig, "tabular",
        ),
        ArchitectureSpec(
            "tabm", "Ensemble of dense networks (TabM-mini)",
            "k dense networks sharing their weights, each with its own scaling of the hidden units and its own "
            "output, averaged (Gorishniy et al., TabM, ICLR 2025); for table rows.",
            build_tabm, TabMConfig, "tabular",
        ),
        ArchitectureSpec(
            "plr", "Dense network with periodic embeddings (MLP-PLR)",
            "Each numeric column's learned periodic features, a linear map and a ReLU, then a dense network "
            "(Gorishniy et al., 2022); embeds from 5,000 training rows, a plain dense network below; for table rows.",
            build_plr, PLRConfig, "tabular",
        ),
        ArchitectureSpec(
            "dcn", "Deep & cross network (DCN-V2)",
            "Cross layers that multiply the row with a learned map of itself, one more degree of interaction per "
            "layer, then a dense layer (Wang et al., 2021); for table rows.",
            build_dcn, DCNConfig, "tabular",
        ),
    )
}


def get_architecture(key: str) -> ArchitectureSpec:
    """Return the architecture registered under `key`; an unknown key lists the available ones."""
    try:
        return ARCHITECTURES[key]
    except KeyError:
        raise ConfigError(f"Unknown architecture '{key}'. Available architectures: {', '.join(ARCHITECTURES)}.") from None
