"""The dense network with periodic embeddings ('plr'): shapes, the plain dense network when nothing is embedded,
which columns the training code embeds, invalid settings refused, and a run that trains, explains (SHAP values
that add up) and bundles (saving and loading in safe mode, and windows refused, in test_architectures)."""

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError
from finmodels.models.architectures import get_architecture
from finmodels.models.embeddings import PERIODIC_MIN_ROWS, PLRConfig, periodic_inputs

TINY = PLRConfig(units=(6,), frequencies=3, embedding=4, numeric_inputs=2)


def build(config=TINY, *, n_outputs=1, activation="sigmoid", width=7):
    import keras

    keras.utils.set_random_seed(0)
    return get_architecture("plr").build(config, input_shape=(width,), n_outputs=n_outputs,
                                         output_activation=activation)


def rows(n=20, width=7, seed=0):
    return np.random.default_rng(seed).normal(size=(n, width)).astype("float32")


@pytest.mark.parametrize("n_outputs,activation", [(1, "sigmoid"), (4, "softmax"), (1, "linear")])
def test_output_is_one_row_per_input_and_the_embedded_columns_matter(n_outputs, activation):
    model = build(n_outputs=n_outputs, activation=activation)
    x = rows()
    out = np.asarray(model.predict(x, verbose=0))
    assert out.shape == (20, n_outputs)
    # the embedding's output: 2 columns x 4 units, then the 7 inputs as they came
    assert tuple(model.get_layer("periodic").output.shape) == (None, 2 * 4 + 7)
    moved = x.copy()
    moved[:, 0] += 1.0
    assert not np.allclose(np.asarray(model.predict(moved, verbose=0)), out, atol=1e-4)


def test_nothing_embedded_is_the_plain_dense_network_that_fastfit_compiles_for_any_width():
    from dataclasses import replace

    from finmodels.models import fastfit
    from finmodels.models.architectures import MLPConfig

    plain = build(replace(TINY, numeric_inputs=0))
    assert plain.name == "mlp" and [layer.name for layer in fastfit.first_block(plain)] == ["dense_0", "relu_0",
                                                                                               "dropout_0"]
    mlp = get_architecture("mlp").build(MLPConfig(units=(6,)), input_shape=(7,), n_outputs=1,
                                        output_activation="sigmoid")
    assert [tuple(w.shape) for w in plain.weights] == [tuple(w.shape) for w in mlp.weights]
    assert fastfit.first_block(build()) is None  # the embedding comes first: compiled per input width


def test_the_training_code_embeds_the_scaled_numeric_columns_of_a_large_table_only():
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.preprocessing import PreprocessConfig, fit_preprocessor

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"income": rng.normal(50, 10, 400), "debt": rng.normal(10, 3, 400),
                          "grade": rng.choice(["a", "b"], 400)})
    pre = fit_preprocessor(frame, ["income", "debt", "grade"], PreprocessConfig(piecewise_knots=4))
    assert pre.output_names[:2] == ["income", "debt"]  # the scaled values come first
    assert periodic_inputs(PLRConfig(), pre, PERIODIC_MIN_ROWS).numeric_inputs == 2
    assert periodic_inputs(PLRConfig(), pre, PERIODIC_MIN_ROWS - 1).numeric_inputs == 0
    assert periodic_inputs(MLPConfig(), pre, PERIODIC_MIN_ROWS) == MLPConfig()


@pytest.mark.parametrize("kwargs,message", [
    (dict(units=()), "Layer sizes must be positive"),
    (dict(frequencies=0), "frequencies and embedding must be at least 1; got 0 and 16"),
    (dict(sigma=0.0), "sigma .* must be positive; got 0.0"),
    (dict(numeric_inputs=-1), "numeric_inputs cannot be negative; got -1"),
    (dict(dropout=1.0), "Dropout must be at least 0 and below 1"),
    (dict(activation="sigmoidal"), "Unknown activation 'sigmoidal'"),
])
def test_invalid_settings_are_refused_with_what_to_do(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        PLRConfig(**kwargs)


@pytest.fixture(scope="module")
def large_run():
    """A binary run on 8,000 rows (5,120 training rows: the numeric columns are embedded), 3 epochs."""
    from finmodels.models.training import TrainConfig, train

    rng = np.random.default_rng(0)
    n = 8000
    frame = pd.DataFrame({"income": rng.lognormal(3.9, 0.4, n), "debt": rng.gamma(3.0, 3.0, n),
                          "grade": rng.choice(["a", "b", "c"], n)})
    frame["default"] = (frame["debt"] / frame["income"] + 0.1 * (frame["grade"] == "c")
                        + rng.normal(0, 0.05, n) > 0.25).astype(int)
    return frame, train(frame, TrainConfig(target="default", arch="plr", epochs=3, blend=(), members=1), baselines=False)


def test_a_large_run_embeds_its_numeric_columns_learns_and_bundles(large_run):
    from finmodels.models.bundle import bundle_bytes, load_bundle

    frame, result = large_run
    assert result.model.name == "plr" and result.model.get_layer("periodic").columns == 2
    assert result.metrics["roc_auc"] > 0.8
    bundle = load_bundle(bundle_bytes(result))
    x = result.preprocessor.transform(frame.head(10))
    assert np.allclose(np.asarray(bundle.model.predict(x, verbose=0)),
                       np.asarray(result.model.predict(x, verbose=0)), atol=1e-6)


def test_a_large_run_is_explained_with_values_that_add_up(large_run):
    from finmodels.explain.explainers import additivity
    from finmodels.explain.explanation import explain_result

    _, result = large_run
    found = explain_result(result, rows=30, background=20)
    assert found.explainer in ("DeepExplainer", "PermutationExplainer")  # SHAP values, not expected gradients
    assert found.values.shape == (30, 3)  # income, debt, grade: the analyst's own columns
    error, tolerance = additivity(found)
    assert error <= tolerance
    assert np.abs(found.values).sum(axis=0)[:2].min() > 0  # both embedded columns carry attribution
