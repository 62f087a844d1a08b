"""The training loop whose compiled epoch is reused by every network of the same shape."""

import numpy as np
import pytest

from finmodels.models import fastfit
from finmodels.models.architectures import MLPConfig, get_architecture


def _data(n=600, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(0, 0.5, n) > 0.8).astype("float32")
    return x, y


def _model(d=6, seed=0, outputs=1, activation="sigmoid", units=(8,)):
    import keras

    keras.utils.set_random_seed(seed)
    return get_architecture("mlp").build(MLPConfig(units=units), input_shape=(d,), n_outputs=outputs,
                                         output_activation=activation)


def _fit(model, x, y, **kwargs):
    args = dict(train_data=(x[:400], y[:400]), valid_data=(x[400:], y[400:]), batch_size=64, learning_rate=0.01,
                schedule="constant", epochs=40, patience=5, seed=0)
    args.update(kwargs)
    return fastfit.fit(model, "binary_crossentropy", **args)


def test_a_second_network_of_the_same_shape_trains_without_tracing_again():
    from sklearn.metrics import roc_auc_score

    x, y = _data()
    first = _model(seed=1)
    _fit(first, x, y)
    compiled = fastfit.compiled_for(first, "binary_crossentropy", 64)
    traced = compiled.epoch_function.experimental_get_tracing_count()
    second = _model(seed=2)
    history, seconds, stopped = _fit(second, x, y, schedule="cosine")
    assert compiled.epoch_function.experimental_get_tracing_count() == traced
    assert not stopped and seconds > 0 and len(history["loss"]) == len(history["val_loss"]) >= 6
    assert roc_auc_score(y[400:], np.asarray(second(x[400:])).ravel()) > 0.85


def test_the_best_weights_by_validation_loss_are_kept():
    import keras

    x, y = _data()
    model = _model()
    history, _, _ = _fit(model, x, y, learning_rate=0.05, epochs=60, patience=3)
    best = int(np.argmin(history["val_loss"]))
    assert len(history["val_loss"]) == min(60, best + 1 + 3)  # stopped `patience` epochs after the best
    pred = np.asarray(model(x[400:], training=False))
    data = float(np.mean(keras.losses.binary_crossentropy(y[400:, None], pred)))
    penalty = float(sum(float(loss) for loss in model.losses))
    assert abs(data + penalty - history["val_loss"][best]) < 1e-4


def test_class_weights_raise_the_predicted_event_rate():
    x, y = _data()
    plain, weighted = _model(seed=3), _model(seed=3)
    _fit(plain, x, y)
    _fit(weighted, x, y, class_weight={0: 1.0, 1: 5.0})
    assert float(np.mean(weighted(x[400:]))) > float(np.mean(plain(x[400:]))) + 0.05


def test_an_external_stop_ends_training_after_the_current_epoch():
    x, y = _data()
    seen = []
    history, _, stopped = _fit(_model(), x, y, epochs=100, patience=100,
                               on_epoch=lambda epoch, logs: seen.append((epoch, sorted(logs))),
                               should_stop=lambda: len(seen) >= 2)
    assert stopped and len(history["loss"]) == 2
    assert seen == [(0, ["loss", "val_loss"]), (1, ["loss", "val_loss"])]


def test_a_last_partial_batch_counts_only_its_real_rows():
    x, y = _data(n=130)
    history, _, _ = fastfit.fit(_model(), "binary_crossentropy", train_data=(x[:100], y[:100]),
                                valid_data=(x[100:], y[100:]), batch_size=64, learning_rate=0.0, schedule="constant",
                                epochs=1, patience=1, seed=0)
    # with a zero learning rate the training loss is the untouched network's loss, averaged per batch of real rows
    assert np.isfinite(history["loss"][0]) and 0.3 < history["loss"][0] < 1.5


@pytest.mark.parametrize("loss, expected", [("binary_crossentropy", True), ("mse", True),
                                            ("sparse_categorical_crossentropy", True), ("hinge", False)])
def test_supported_losses(loss, expected):
    assert fastfit.supported(_model(), loss) is expected
    assert fastfit.supported(_model(), lambda a, b: a) is False


def test_networks_of_any_input_width_share_one_trace():
    x, y = _data(d=40)
    narrow = _model(d=6, seed=1, units=(5,))
    _fit(narrow, x[:, :6], y)
    compiled = fastfit.compiled_for(narrow, "binary_crossentropy", 64)
    traced = compiled.epoch_function.experimental_get_tracing_count()
    wide = _model(d=40, seed=1, units=(5,))
    assert fastfit.compiled_for(wide, "binary_crossentropy", 64) is compiled
    _fit(wide, x, y)
    assert compiled.epoch_function.experimental_get_tracing_count() == traced == 1
    assert tuple(wide.trainable_variables[0].shape) == (40, 5)
    # another architecture compiles apart
    assert fastfit.compiled_for(_model(d=6, units=(7,)), "binary_crossentropy", 64) is not compiled


def test_the_first_layer_computed_here_trains_as_through_keras(monkeypatch):
    import keras

    x, y = _data(d=7)
    runs = []
    for split in (False, True):
        if not split:
            monkeypatch.setattr(fastfit, "first_block", lambda model: None)
        else:
            monkeypatch.undo()
        keras.utils.set_random_seed(4)
        model = get_architecture("mlp").build(MLPConfig(units=(6, 4), batch_norm=True), input_shape=(7,),
                                              n_outputs=1, output_activation="sigmoid")
        assert (fastfit.first_block(model) is not None) is split
        history, _, _ = _fit(model, x, y, epochs=8, patience=8)
        runs.append((history, [np.asarray(v) for v in model.weights]))
    (keras_path, keras_weights), (own_path, own_weights) = runs
    np.testing.assert_allclose(own_path["loss"], keras_path["loss"], rtol=1e-4)
    np.testing.assert_allclose(own_path["val_loss"], keras_path["val_loss"], rtol=1e-4)
    for a, b in zip(keras_weights, own_weights):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_only_networks_reading_a_row_with_a_dense_layer_have_it_computed_here():
    from finmodels.models.architectures import CNNConfig

    cnn = get_architecture("cnn").build(CNNConfig(), input_shape=(10,), n_outputs=1, output_activation="sigmoid")
    assert fastfit.first_block(cnn) is None
    windows = get_architecture("mlp").build(MLPConfig(units=(8,)), input_shape=(5, 3), n_outputs=1,
                                            output_activation="sigmoid")
    assert fastfit.first_block(windows) is None
    import keras

    inputs = keras.Input((5,))
    logistic = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    assert fastfit.first_block(logistic) is None  # its one Dense layer is the output
    assert [layer.name for layer in fastfit.first_block(_model(d=40))] == ["dense_0", "relu_0", "dropout_0"]
    deeper = get_architecture("mlp").build(MLPConfig(units=(8, 4), batch_norm=True), input_shape=(6,), n_outputs=1,
                                           output_activation="sigmoid")
    assert [layer.name for layer in fastfit.first_block(deeper)] == ["dense_0"]  # batch norm is left to Keras


def test_first_block_dropout_keeps_the_configured_share_of_units_at_an_unchanged_mean():
    threshold, scale = fastfit.dropout_threshold(0.3)
    assert threshold == 19661 and abs(scale - 1 / 0.7) < 1e-4
    draws = fastfit.dropout_draws(np.random.default_rng(0), (20, 64, 32))
    keep = (draws >= threshold) * scale
    assert abs((draws >= threshold).mean() - 0.7) < 0.005 and abs(keep.mean() - 1.0) < 0.01
    # a new draw for each epoch and each unit: two epochs' masks agree no more than chance would
    again = fastfit.dropout_draws(np.random.default_rng(1), (20, 64, 32)) >= threshold
    assert abs(((draws >= threshold) == again).mean() - (0.7 ** 2 + 0.3 ** 2)) < 0.01


def test_the_heap_is_settled_once_per_process():
    import gc

    fastfit.settle_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    fastfit.settle_heap()
    assert gc.get_freeze_count() == frozen
