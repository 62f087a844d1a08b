"""The deep & cross network (DCN-V2): its outputs, its training through fastfit, exact SHAP values, a bundle that
scores the same, and the values its configuration refuses."""

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError
from finmodels.models import fastfit
from finmodels.models.architectures import MLPConfig, get_architecture
from finmodels.models.cross import DCNConfig

TINY = DCNConfig(cross_layers=2, rank=3, units=(6,), dropout=0.1)


def _dcn(width=5, *, seed=0, outputs=1, activation="sigmoid", config=TINY):
    import keras

    keras.utils.set_random_seed(seed)
    return get_architecture("dcn").build(config, input_shape=(width,), n_outputs=outputs,
                                         output_activation=activation)


def _interaction(n=600, width=5, seed=0):
    """Rows whose outcome is the product of two columns: the interaction a cross layer models directly."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, width)).astype("float32")
    y = (x[:, 0] * x[:, 1] + rng.normal(0, 0.3, n) > 0).astype("float32")
    return x, y


@pytest.mark.parametrize("outputs, activation", [(1, "sigmoid"), (4, "softmax"), (1, "linear")])
def test_the_network_builds_for_each_output(outputs, activation):
    model = _dcn(7, outputs=outputs, activation=activation, config=DCNConfig(cross_layers=3, rank=64, units=(8, 4)))
    x = np.random.default_rng(1).normal(size=(9, 7)).astype("float32") * 3
    out = np.asarray(model(x, training=False))
    assert model.name == "dcn" and out.shape == (9, outputs)
    names = [layer.name for layer in model.layers]
    assert [n for n in names if n.startswith("cross_") and n[-1].isdigit()] == ["cross_0", "cross_1", "cross_2"]
    assert ["dense_0", "dense_1", "output"] == [n for n in names if n.startswith("dense_") or n == "output"]
    # the rank is capped at the row's width: a map of rank 64 onto 7 inputs is a 7 x 7 one
    assert tuple(model.get_layer("cross_0_down").kernel.shape) == (7, 7)
    assert tuple(model.get_layer("cross_0_up").kernel.shape) == (7, 7)
    if activation == "softmax":
        np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)
    elif activation == "sigmoid":
        assert ((out >= 0) & (out <= 1)).all() and np.ptp(out) > 0.01
    else:  # a linear output is unbounded: some of these scores leave [0, 1]
        assert (out < 0).any() or (out > 1).any()


def test_a_cross_layer_is_the_input_times_a_low_rank_map_plus_the_layer_before():
    import keras

    model = _dcn(4, config=DCNConfig(cross_layers=1, rank=2, units=(3,), dropout=0.0, l2=0.0))
    x = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    down, (up, bias) = model.get_layer("cross_0_down").get_weights(), model.get_layer("cross_0_up").get_weights()
    expected = x * (x @ down[0] @ up + bias) + x
    found = keras.Model(model.inputs, model.get_layer("cross_0").output)(x)
    np.testing.assert_allclose(np.asarray(found), expected, rtol=1e-5, atol=1e-5)


def test_windows_are_refused():
    with pytest.raises(ConfigError, match="flat rows, not windows"):
        get_architecture("dcn").build(TINY, input_shape=(5, 3), n_outputs=1, output_activation="sigmoid")


def test_it_trains_through_fastfit_with_the_generic_epoch_while_a_dense_network_keeps_its_first_block():
    from sklearn.metrics import roc_auc_score

    x, y = _interaction()
    model = _dcn()
    assert fastfit.first_block(model) is None  # the cross layers read the row again, beyond the first Dense
    mlp = get_architecture("mlp").build(MLPConfig(units=(8,)), input_shape=(5,), n_outputs=1,
                                        output_activation="sigmoid")
    assert [layer.name for layer in fastfit.first_block(mlp)] == ["dense_0", "relu_0", "dropout_0"]
    before = roc_auc_score(y[400:], np.asarray(model(x[400:])).ravel())
    history, seconds, stopped = fastfit.fit(
        model, "binary_crossentropy", train_data=(x[:400], y[:400]), valid_data=(x[400:], y[400:]), batch_size=64,
        learning_rate=0.02, schedule="constant", epochs=25, patience=25, seed=0)
    assert not stopped and seconds > 0 and len(history["loss"]) == len(history["val_loss"]) == 25
    assert history["val_loss"][-1] < history["val_loss"][0]
    # the epoch this network was trained by is the cached one, traced once, and it reads rows of this width only
    compiled = fastfit.compiled_for(model, "binary_crossentropy", 64)
    assert compiled.epoch_function.experimental_get_tracing_count() == 1
    after = roc_auc_score(y[400:], np.asarray(model(x[400:], training=False)).ravel())
    assert after > 0.8 and after > before + 0.1


@pytest.fixture(scope="module")
def trained():
    x, y = _interaction(n=400, width=4, seed=3)
    model = _dcn(4, seed=3, config=DCNConfig(cross_layers=2, rank=2, units=(6,), dropout=0.2))
    fastfit.fit(model, "binary_crossentropy", train_data=(x[:300], y[:300]), valid_data=(x[300:], y[300:]),
                batch_size=64, learning_rate=0.02, schedule="constant", epochs=5, patience=5, seed=0)
    return model, x


def test_deep_explainer_values_of_a_trained_network_add_up_to_its_predictions(trained):
    from finmodels.explain.explainers import attribute

    model, x = trained
    found = attribute(model, x[:30], x[300:340], groups=[[i] for i in range(4)], candidates=("deep",))
    assert found.explainer == "DeepExplainer" and found.failures == () and found.values.shape == (40, 4)
    predictions = np.asarray(model(x[300:340], training=False), dtype="float64").ravel()
    np.testing.assert_allclose(found.predictions, predictions, atol=1e-6)
    assert found.base_value == pytest.approx(float(np.mean(np.asarray(model(x[:30], training=False)))), abs=1e-6)
    assert np.max(np.abs(found.base_value + found.values.sum(axis=1) - predictions)) < 1e-5
    # the two columns of the interaction carry the network's decisions, the noise columns little
    importance = np.abs(found.values).mean(axis=0)
    assert importance[:2].min() > importance[2:].max()


def test_a_run_of_the_cross_network_keeps_a_bundle_that_scores_the_same():
    from finmodels.models.bundle import bundle_bytes, load_bundle
    from finmodels.models.training import TrainConfig, train

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"income": rng.normal(50, 10, 300), "debt": rng.normal(10, 3, 300),
                          "grade": rng.choice(["a", "b", "c"], 300)})
    frame["default"] = (frame["debt"] / frame["income"] + rng.normal(0, 0.05, 300) > 0.2).astype(int)
    config = TrainConfig(target="default", arch="dcn", blend=(), members=1, epochs=3,
                         hyperparameters=DCNConfig(cross_layers=2, rank=4, units=(8,)))
    result = train(frame, config, baselines=False)
    assert result.model.name == "dcn" and len(result.history["loss"]) == 3
    assert not [k for k in result.history if k.startswith("network_")] and "blend_weights" not in result.details
    bundle = load_bundle(bundle_bytes(result))
    assert bundle.arch == "dcn" and bundle.train_config() == result.config
    np.testing.assert_allclose(bundle.predict(frame.head(60)), result.predict(frame.head(60)), atol=1e-6)
    test_rows = frame.iloc[result.split.test]
    np.testing.assert_allclose(bundle.predict(test_rows), result.test_scores, atol=1e-6)


@pytest.mark.parametrize("field, value, message", [
    ("cross_layers", 7, "Cross layers must be between 0 and 6; got 7."),
    ("rank", 0, "The cross layers' rank must be at least 1; got 0."),
    ("dropout", 1.0, "Dropout must be at least 0 and below 1; got 1.0."),
    ("units", (), "Layer sizes must be positive whole numbers; got ()."),
    ("l2", -0.1, "L2 penalty cannot be negative; got -0.1."),
    ("activation", "relux", "Unknown activation 'relux'. Available: "),
])
def test_bad_values_are_refused_with_a_message(field, value, message):
    with pytest.raises(ConfigError) as found:
        DCNConfig(**{field: value})
    assert str(found.value).startswith(message)
