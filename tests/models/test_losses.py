"""The soft ordinal cross-entropy of rating tasks: its values, and both fit paths train with it."""

import math

import numpy as np
import pytest

from finmodels.data.tasks import SOFT_ORDINAL, get_task
from finmodels.models import losses
from finmodels.models.losses import loss_notes, resolve, soft_ordinal_crossentropy


def _by_hand(y: int, proba: np.ndarray, alpha: float) -> float:
    j = np.arange(len(proba))
    soft = np.exp(-alpha * (y - j) ** 2)
    soft /= soft.sum()
    return float(-(soft * np.log(proba)).sum())


def test_values_match_the_soft_labels_by_hand():
    proba = np.array([[0.1, 0.6, 0.2, 0.1], [0.7, 0.1, 0.1, 0.1], [0.05, 0.05, 0.1, 0.8]], dtype="float32")
    y = np.array([[1], [3], [3]], dtype="int32")
    got = np.asarray(soft_ordinal_crossentropy(y, proba))
    want = [_by_hand(int(t), p, losses.SOFT_ORDINAL_ALPHA) for t, p in zip(y.ravel(), proba)]
    assert got.shape == (3,)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # the same 0.1 on the true class (plain cross-entropy: 2.30 for both); one notch off costs less than three off
    near = np.array([[0.05, 0.05, 0.8, 0.1]], dtype="float32")
    far = np.array([[0.8, 0.05, 0.05, 0.1]], dtype="float32")
    cost = lambda p: float(soft_ordinal_crossentropy(np.array([[3]]), p)[0])  # noqa: E731
    assert cost(near) == pytest.approx(1.760, abs=1e-3) and cost(far) == pytest.approx(2.495, abs=1e-3)


def test_a_large_alpha_is_the_plain_cross_entropy(monkeypatch):
    import keras

    monkeypatch.setattr(losses, "SOFT_ORDINAL_ALPHA", 50.0)
    proba = np.array([[0.1, 0.6, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]], dtype="float32")
    y = np.array([[2], [0]], dtype="int32")
    plain = keras.losses.sparse_categorical_crossentropy(y, proba)
    np.testing.assert_allclose(np.asarray(soft_ordinal_crossentropy(y, proba)), np.asarray(plain), rtol=1e-5)


def test_rating_task_uses_it_and_says_so():
    assert get_task("credit_rating").loss == SOFT_ORDINAL
    assert resolve(SOFT_ORDINAL) is soft_ordinal_crossentropy
    assert resolve("binary_crossentropy").__name__ == "binary_crossentropy"
    note = loss_notes(SOFT_ORDINAL)[0]
    assert f"{math.exp(-losses.SOFT_ORDINAL_ALPHA):.2f}" in note and "not by log loss" in note
    assert loss_notes("binary_crossentropy") == []


@pytest.mark.parametrize("reuse_trace", [True, False])
def test_both_fit_paths_train_a_rating_network(reuse_trace):
    """The compiled epoch (fastfit) and Keras's own fit both learn an ordered target with the soft loss."""
    from finmodels.models.architectures import get_architecture
    from finmodels.models.training import TrainConfig, fit_defaults
    from finmodels.models.training.fitloop import fit_network

    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 6)).astype("float32")
    y = np.digitize(x[:, 0] + 0.3 * x[:, 1], [-1.0, -0.3, 0.3, 1.0]).astype("int32")  # 5 ordered classes
    spec = get_architecture("mlp")
    model = spec.build(spec.config_class(), input_shape=(6,), n_outputs=5, output_activation="softmax")
    config = TrainConfig(target="y", task="credit_rating", epochs=30, patience=30, seed=0)
    history, _, _ = fit_network(model, SOFT_ORDINAL, config, (x[:900], y[:900]), (x[900:], y[900:]),
                                settings=fit_defaults(900), on_epoch=None, should_stop=None, reuse_trace=reuse_trace)
    assert history["val_loss"][-1] < history["val_loss"][0] - 0.2
    pred = np.asarray(model(x[900:], training=False)).argmax(axis=1)
    within = np.mean(np.abs(pred - y[900:]) <= 1)
    assert within > 0.95
    if not reuse_trace:  # Keras compiled it with the loss: the saved model names it and loads in safe mode
        import io

        from keras.src.saving import saving_lib

        from finmodels.models.bundle import _load_model

        buffer = io.BytesIO()
        saving_lib.save_model(model, buffer)
        loaded = _load_model(buffer.getvalue())
        np.testing.assert_allclose(np.asarray(loaded(x[:5], training=False)),
                                   np.asarray(model(x[:5], training=False)), rtol=1e-5)


def test_compile_takes_names_for_keras_losses_and_the_registered_function_for_ours():
    from finmodels.models.losses import for_compile

    assert for_compile("mse") == "mse" and for_compile("binary_crossentropy") == "binary_crossentropy"
    ours = for_compile(SOFT_ORDINAL)
    import keras

    assert keras.saving.get_registered_name(ours) == f"finmodels>{SOFT_ORDINAL}"
