"""The TabM-mini ensemble on tiny configurations: shapes, members that differ, their average as the output, SHAP
additivity, training through fastfit, and invalid settings refused (saving and loading in safe mode, and windows
refused, in test_architectures)."""

import numpy as np
import pytest

from finmodels.errors import ConfigError
from finmodels.models.architectures import get_architecture
from finmodels.models.ensembles import TabMConfig, member_predictions

TINY = TabMConfig(units=(6, 5), members=3)
LOSSES = {"sigmoid": "binary_crossentropy", "softmax": "sparse_categorical_crossentropy",
          "linear": "mse"}


def build(config=TINY, *, n_outputs=1, activation="sigmoid", width=7):
    import keras

    keras.utils.set_random_seed(0)
    return get_architecture("tabm").build(config, input_shape=(width,), n_outputs=n_outputs,
                                          output_activation=activation)


def rows(n=20, width=7, seed=0):
    return np.random.default_rng(seed).normal(size=(n, width)).astype("float32")


@pytest.mark.parametrize("pooling", ["members", "logits"])
@pytest.mark.parametrize("n_outputs,activation", [(1, "sigmoid"), (4, "softmax"), (1, "linear")])
def test_output_is_one_row_per_input_and_members_differ(pooling, n_outputs, activation):
    from dataclasses import replace

    model = build(replace(TINY, pooling=pooling), n_outputs=n_outputs, activation=activation)
    x = rows()
    out = np.asarray(model.predict(x, verbose=0))
    assert out.shape == (20, n_outputs)
    each = member_predictions(model, x)
    assert each.shape == (20, 3, n_outputs)
    assert not np.allclose(each[:, 0], each[:, 1], atol=1e-4)  # the adapters' random signs set members apart
    if pooling == "members":
        assert np.allclose(each.mean(axis=1), out, atol=1e-5)  # the output is the members' average
    if activation == "softmax":
        assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)


def test_training_output_is_one_members_prediction_per_row():
    x = rows()
    # dropout changes the hidden units in training, so compare without it
    no_dropout = build(TabMConfig(units=(6, 5), members=3, dropout=0.0))
    each = member_predictions(no_dropout, x)[:, :, 0]
    trained = np.asarray(no_dropout(x, training=True))[:, 0]
    assert all(np.isclose(each[i], trained[i], atol=1e-5).any() for i in range(len(x)))
    assert trained.shape == (20,)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax", "linear"])
def test_fastfit_trains_it_with_the_first_block_computed_for_any_width(activation):
    from finmodels.models import fastfit

    n_outputs = 3 if activation == "softmax" else 1
    loss = LOSSES[activation]
    model = build(n_outputs=n_outputs, activation=activation)
    assert fastfit.supported(model, loss)
    assert [layer.name for layer in fastfit.first_block(model)] == ["dense_0", "relu_0", "dropout_0"]
    x = rows(200)
    y = (x[:, 0] > 0).astype("int32") if activation != "linear" else x[:, 0] * 2.0
    before = [np.array(w) for w in model.get_weights()]
    history, seconds, stopped = fastfit.fit(model, loss, train_data=(x, y), valid_data=(x[:50], y[:50]),
                                            batch_size=32, learning_rate=1e-2, schedule="constant", epochs=15,
                                            patience=15, seed=0)
    assert not stopped and seconds > 0 and len(history["loss"]) == 15
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    # a wider row reuses the compiled epoch: the ensemble layers sit behind the first block
    wider = build(n_outputs=n_outputs, activation=activation, width=11)
    assert fastfit.compiled_for(wider, loss, 32) is fastfit.compiled_for(model, loss, 32)


def test_shap_values_add_up_to_the_averaged_output():
    from finmodels.explain.explainers import additivity, attribute

    model = build()
    background, explained = rows(30, seed=1), rows(8, seed=2)
    found = attribute(model, background, explained, groups=[[i] for i in range(7)])
    assert found.explainer == "DeepExplainer"  # not a fallback: every op of the ensemble is one DeepLIFT knows
    error, tolerance = additivity(found)
    assert error <= tolerance
    assert np.allclose(found.predictions, np.asarray(model.predict(explained, verbose=0)).ravel(), atol=1e-5)


@pytest.mark.parametrize("kwargs,message", [
    (dict(units=()), "Layer sizes must be positive"),
    (dict(members=0), "An ensemble needs 1 to 64 members; got 0"),
    (dict(l2=-1.0), "L2 penalty cannot be negative"),
    (dict(pooling="median"), "Unknown pooling 'median'. Available: members, logits"),
    (dict(dropout=1.0), "Dropout must be at least 0 and below 1"),
    (dict(activation="sigmoidal"), "Unknown activation 'sigmoidal'"),
])
def test_invalid_settings_are_refused_with_what_to_do(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TabMConfig(**kwargs)


def test_a_run_with_the_ensemble_saves_a_bundle_that_loads_and_scores_the_same():
    import pandas as pd

    from finmodels.models.bundle import bundle_bytes, load_bundle
    from finmodels.models.training import TrainConfig, train

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"income": rng.normal(50, 10, 300), "debt": rng.normal(10, 3, 300),
                          "grade": rng.choice(["a", "b", "c"], 300)})
    frame["default"] = (frame["debt"] / frame["income"] + rng.normal(0, 0.05, 300) > 0.2).astype(int)
    config = TrainConfig(target="default", arch="tabm", blend=(), members=1, hyperparameters=TabMConfig(units=(8, 4), members=2),
                         epochs=3)
    result = train(frame, config, baselines=False)
    bundle = load_bundle(bundle_bytes(result))
    assert bundle.model.name == "tabm"
    x = result.preprocessor.transform(frame.head(10))
    assert np.allclose(np.asarray(bundle.model.predict(x, verbose=0)),
                       np.asarray(result.model.predict(x, verbose=0)), atol=1e-6)
