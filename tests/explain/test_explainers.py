"""Explainer choice, the permutation engine's exactness, fallback, and TensorFlow left usable after a failure."""

import numpy as np
import pytest

from finmodels.errors import ConfigError
from finmodels.explain.explainers import ExplainerFailed, additivity, attribute, explainer_candidates, get_explainer
from finmodels.explain.permutation import permutation_pairs, permutation_values


def _linear(weights):
    weights = np.asarray(weights, dtype="float64")
    return lambda x: x.reshape(len(x), -1).astype("float64") @ weights


def test_permutation_values_are_exact_for_a_linear_model():
    rng = np.random.default_rng(0)
    bg, rows = rng.normal(size=(30, 4)), rng.normal(size=(5, 4))
    w = np.array([0.5, -2.0, 1.0, 3.0])
    values = permutation_values(_linear(w), bg, rows, [[0], [1], [2], [3]], pairs=1)
    np.testing.assert_allclose(values, w * (rows - bg.mean(axis=0)), atol=1e-9)


def test_permutation_values_of_a_group_move_together_and_add_up():
    rng = np.random.default_rng(1)
    bg, rows = rng.normal(size=(20, 5)), rng.normal(size=(6, 5))

    def f(x):  # an interaction between inputs 1 and 2, which form one group
        return np.tanh(x[:, 0]) + x[:, 1] * x[:, 2] + 0.3 * x[:, 3] ** 2 - x[:, 4]

    values = permutation_values(f, bg, rows, [[0], [1, 2], [3], [4]], pairs=2, seed=3)
    assert values.shape == (6, 4)
    np.testing.assert_allclose(values.sum(axis=1) + f(bg).mean(), f(rows), atol=1e-9)
    np.testing.assert_allclose(values[:, 3], -(rows[:, 4] - bg[:, 4].mean()), atol=1e-9)  # additive term: exact


def test_permutation_values_with_two_groups_are_the_exact_shapley_values():
    # with two groups one order and its reverse are every order, so one pair gives exact (interventional) Shapley
    rng = np.random.default_rng(2)
    bg, rows = rng.normal(size=(15, 3)), rng.normal(size=(4, 3))

    def f(x):
        return np.sin(x[:, 0]) * x[:, 1] + np.exp(0.3 * x[:, 2]) * x[:, 0]

    def v(x, keep):  # mean output with the columns in `keep` from the row, the rest from the background
        mixed = bg.copy()
        mixed[:, keep] = x[keep]
        return f(mixed).mean()

    groups = [[0], [1, 2]]
    exact = np.array([[0.5 * (v(x, [0]) - v(x, [])) + 0.5 * (v(x, [0, 1, 2]) - v(x, [1, 2])),
                       0.5 * (v(x, [1, 2]) - v(x, [])) + 0.5 * (v(x, [0, 1, 2]) - v(x, [0]))] for x in rows])
    np.testing.assert_allclose(permutation_values(f, bg, rows, groups, pairs=1, seed=5), exact, atol=1e-12)


def test_permutation_pairs_fit_the_evaluation_budget():
    assert permutation_pairs(200, 30, 100, evaluations=4_000_000) == 3
    assert permutation_pairs(10_000, 60, 100) == 1
    assert permutation_pairs(5, 4, 10) == 8


def test_unknown_explainer_lists_the_registry():
    with pytest.raises(ConfigError, match="Unknown explainer 'kernel'. Available explainers: deep, gradient, "):
        get_explainer("kernel")


@pytest.fixture(scope="module")
def tiny_models():
    import keras

    keras.utils.set_random_seed(0)
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    leaky = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.LeakyReLU(),
                              keras.layers.Dense(1, activation="sigmoid")])
    lstm = keras.Sequential([keras.Input((6, 2)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    swish = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="swish"),
                              keras.layers.Dense(1, activation="sigmoid")])
    cnn = keras.Sequential([keras.Input((6, 2)), keras.layers.Conv1D(4, 3, activation="relu"),
                            keras.layers.MaxPooling1D(2), keras.layers.Flatten(),
                            keras.layers.Dense(1, activation="sigmoid")])
    return {"dense": dense, "leaky": leaky, "lstm": lstm, "swish": swish, "cnn": cnn}


def test_candidates_follow_the_model_type(tiny_models, german_net):
    assert explainer_candidates(tiny_models["dense"]) == ("deep", "permutation", "gradient")
    assert explainer_candidates(tiny_models["lstm"]) == ("permutation",)
    assert explainer_candidates(german_net.baselines["hist_gradient_boosting"].model)[0] == "tree"
    assert explainer_candidates(german_net.baselines["logistic_regression"].model)[0] == "linear"
    assert explainer_candidates(lambda x: x.sum(axis=1)) == ("permutation",)


def test_lstm_is_explained_by_permutation_per_lag_and_series(tiny_models):
    from finmodels.explain.explanation import explain_windows

    rng = np.random.default_rng(0)
    windows = rng.normal(size=(30, 6, 2)).astype("float32")
    e = explain_windows(tiny_models["lstm"], windows[:20], windows[20:], series=["return", "volume"], pairs=1)
    assert e.explainer == "PermutationExplainer" and e.failures == ()
    assert e.lag_values.shape == (10, 6, 2) and e.lags == [6, 5, 4, 3, 2, 1]
    np.testing.assert_allclose(e.values, e.lag_values.sum(axis=1))  # per-series totals
    assert e.additivity_error < 1e-5
    assert list(e.lag_importance().columns) == ["return", "volume"]
    np.testing.assert_allclose(e.data.to_numpy(), windows[20:, -1, :])  # the last observation of each window


def test_failed_deepexplainer_falls_back_and_training_still_works(tiny_models, german):
    """DeepExplainer fails on LeakyReLU and used to leave TensorFlow's record_gradient patched, so every later
    fit() in the process failed with 'gradient registry has no entry for: shap_...'."""
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 4)).astype("float32")
    found = attribute(tiny_models["leaky"], x[:20], x[20:], groups=[[0], [1], [2], [3]], pairs=1)
    assert found.explainer == "PermutationExplainer"
    assert len(found.failures) == 1 and "DeepExplainer failed" in found.failures[0]
    assert "LeakyRelu" in found.failures[0]
    config = TrainConfig(members=1, blend=(),
                         target="creditability", hyperparameters=MLPConfig(units=(4,)), epochs=2, seed=0)
    result = train(german, config, baselines=False)
    assert len(result.history["loss"]) == 2 and np.isfinite(result.history["loss"]).all()


def test_every_explainer_failing_names_each_error(tiny_models):
    x = np.zeros((4, 6, 2), dtype="float32")
    with pytest.raises(ExplainerFailed, match=r"DeepExplainer failed \(.*shap_TensorListStack\); TreeExplainer failed"):
        attribute(tiny_models["lstm"], x, x, groups=[[i] for i in range(12)], candidates=("deep", "tree"))


def test_convolutional_model_gets_deepexplainer_and_adds_up(tiny_models):
    windows = np.random.default_rng(0).normal(size=(30, 6, 2)).astype("float32")
    found = attribute(tiny_models["cnn"], windows[:20], windows[20:], groups=[[i] for i in range(12)])
    assert found.explainer == "DeepExplainer" and found.failures == ()
    assert additivity(found)[0] < 1e-5


def test_deepexplainer_that_does_not_add_up_falls_back(tiny_models):
    """shap's DeepLIFT rule for swish (x * sigmoid(x)) raises nothing but its values miss the output."""
    x = 2 * np.random.default_rng(0).normal(size=(30, 4)).astype("float32")
    found = attribute(tiny_models["swish"], x[:20], x[20:], groups=[[0], [1], [2], [3]], pairs=1)
    assert found.explainer == "PermutationExplainer"
    assert found.failures[0].startswith("DeepExplainer did not add up (error ")
    error, tolerance = additivity(found)
    assert tolerance == 1e-3 and error < 1e-6


def test_tensorflow_gradient_state_is_put_back_after_an_error():
    from tensorflow.python.eager import execute
    from tensorflow.python.framework import ops

    from finmodels.explain.explainers import tensorflow_gradients_restored

    registry = ops._gradient_registry._registry
    record, relu = execute.record_gradient, registry["Relu"]["type"]
    with pytest.raises(RuntimeError, match="mid-explanation"):
        with tensorflow_gradients_restored():
            execute.record_gradient = lambda *args: None  # what a failing DeepExplainer leaves behind
            registry["Relu"]["type"] = None
            registry["shap_Relu"] = {"type": None, "location": None}
            raise RuntimeError("mid-explanation")
    assert execute.record_gradient is record and registry["Relu"]["type"] is relu and "shap_Relu" not in registry
