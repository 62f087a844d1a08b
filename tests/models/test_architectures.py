"""Each architecture on a tiny configuration, for each input kind it supports; invalid settings refused."""

import numpy as np
import pytest

from finmodels.models.architectures import (ARCHITECTURES, CNNConfig, GRUConfig, LSTMConfig, MLPConfig, VAEConfig,
                                     get_architecture)
from finmodels.errors import ConfigError
from finmodels.models.cross import DCNConfig
from finmodels.models.embeddings import PLRConfig
from finmodels.models.ensembles import TabMConfig

TINY = {
    "mlp": MLPConfig(units=(4,)),
    "tabm": TabMConfig(units=(4, 3), members=2),
    "cnn": CNNConfig(filters=(4,), kernel_size=2, dense_units=4),
    "lstm": LSTMConfig(units=(4,), dense_units=4),
    "gru": GRUConfig(units=(4, 3), dense_units=4),
    "vae": VAEConfig(units=(6,), latent_dim=2),
    "plr": PLRConfig(units=(4,), frequencies=2, embedding=3, numeric_inputs=2),
    "dcn": DCNConfig(cross_layers=2, rank=3, units=(4,)),
}
SHAPES = {"tabular": (7,), "sequence": (10, 3)}


def test_every_registered_architecture_has_a_tiny_configuration():
    assert set(TINY) == set(ARCHITECTURES)


@pytest.mark.parametrize("key,kind", [(k, kind) for k in ARCHITECTURES for kind in SHAPES
                                      if ARCHITECTURES[k].supports(kind) and k != "vae"])
@pytest.mark.parametrize("n_outputs,activation", [(1, "sigmoid"), (4, "softmax"), (2, "linear")])
def test_predictors_give_one_output_row_per_input(key, kind, n_outputs, activation):
    shape = SHAPES[kind]
    model = ARCHITECTURES[key].build(TINY[key], input_shape=shape, n_outputs=n_outputs, output_activation=activation)
    out = np.asarray(model(np.random.default_rng(0).normal(size=(5, *shape)).astype("float32"), training=False))
    assert out.shape == (5, n_outputs)
    if activation == "sigmoid":
        assert np.all((out > 0) & (out < 1))
    if activation == "softmax":
        assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)


def test_cnn_reads_a_tabular_row_along_its_feature_axis():
    model = ARCHITECTURES["cnn"].build(TINY["cnn"], input_shape=(7,), n_outputs=1, output_activation="linear")
    assert model.get_layer("feature_axis").output.shape[1:] == (7, 1)
    assert model.get_layer("conv_0").output.shape[1:] == (7, 4)


@pytest.mark.parametrize("key", ["lstm", "gru"])
def test_recurrent_networks_refuse_table_rows_and_say_why(key):
    assert not ARCHITECTURES[key].supports("tabular")
    with pytest.raises(ConfigError, match=f"{key.upper()} reads a sequence of time steps.*no time order"):
        ARCHITECTURES[key].build(TINY[key], input_shape=(7,), n_outputs=1, output_activation="sigmoid")


def test_vae_reconstructs_its_input_deterministically_and_adds_the_kl_term():
    import keras

    keras.utils.set_random_seed(0)
    model = ARCHITECTURES["vae"].build(TINY["vae"], input_shape=(7,))
    x = np.random.default_rng(0).normal(size=(6, 7)).astype("float32")
    out = np.asarray(model(x, training=False))
    assert out.shape == (6, 7)
    assert np.allclose(out, np.asarray(model(x, training=False)))  # inference uses the latent mean
    assert not np.allclose(np.asarray(model(x, training=True)), out)  # training samples the code
    assert len(model.losses) == 1 and float(model.losses[0]) >= 0  # the KL term, non-negative
    assert [model.get_layer(n).output.shape[-1] for n in ("z_mean", "z_log_var")] == [2, 2]


def test_vae_refuses_windows():
    with pytest.raises(ConfigError, match="needs flat rows"):
        ARCHITECTURES["vae"].build(TINY["vae"], input_shape=(10, 3))


@pytest.mark.parametrize("cls,kwargs,message", [
    (MLPConfig, dict(units=()), "Layer sizes must be positive"),
    (MLPConfig, dict(dropout=1.0), "Dropout must be at least 0 and below 1"),
    (MLPConfig, dict(activation="sigmoidal"), "Unknown activation 'sigmoidal'"),
    (MLPConfig, dict(l2=-1), "L2 penalty cannot be negative"),
    (CNNConfig, dict(filters=(0,)), "Filter counts must be positive"),
    (CNNConfig, dict(kernel_size=0), "Kernel size must be at least 1"),
    (CNNConfig, dict(pooling="avg"), "Unknown pooling 'avg'"),
    (LSTMConfig, dict(units=()), "Recurrent layer sizes must be positive"),
    (GRUConfig, dict(dropout=-0.1), "Dropout must be at least 0"),
    (VAEConfig, dict(latent_dim=0), "Latent size must be at least 1"),
    (VAEConfig, dict(beta=-1), "KL weight beta cannot be negative"),
])
def test_invalid_settings_are_refused(cls, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        cls(**kwargs)


def test_unknown_architecture_lists_the_available_ones():
    with pytest.raises(ConfigError, match="Unknown architecture 'transformer'. Available architectures: mlp, cnn, lstm, gru, vae, tabm"):
        get_architecture("transformer")


@pytest.mark.parametrize("key,config", [("tabm", TabMConfig(units=(6, 5), members=3)),
                                        ("plr", PLRConfig(units=(6,), frequencies=3, embedding=4, numeric_inputs=2))])
def test_a_saved_table_network_with_its_own_layers_loads_in_safe_mode_with_the_same_predictions(key, config,
                                                                                                  tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    model = get_architecture(key).build(config, input_shape=(7,), n_outputs=4, output_activation="softmax")
    path = tmp_path / f"{key}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = np.random.default_rng(0).normal(size=(20, 7)).astype("float32")
    assert np.allclose(np.asarray(loaded.predict(x, verbose=0)), np.asarray(model.predict(x, verbose=0)), atol=1e-6)


@pytest.mark.parametrize("key,message", [("tabm", "needs flat rows, not windows"),
                                         ("plr", "need flat rows, not windows")])
def test_table_networks_refuse_windows(key, message):
    with pytest.raises(ConfigError, match=message):
        get_architecture(key).build(TINY[key], input_shape=(10, 3), n_outputs=1, output_activation="sigmoid")
