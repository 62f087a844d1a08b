"""Seeding a run reproduces keras.utils.set_random_seed without emptying TensorFlow's kernel cache."""

import numpy as np

from finmodels.models.seeds import set_seed


def _draws():
    import keras
    import tensorflow as tf

    layer = keras.layers.Dense(4)
    layer.build((None, 3))
    dropped = keras.layers.Dropout(0.5, seed=None)(np.ones((1, 8), "float32"), training=True)
    shuffled = list(tf.data.Dataset.range(8).shuffle(8, seed=1).as_numpy_iterator())
    return (np.asarray(layer.kernel), np.asarray(dropped).tolist(), shuffled, float(np.random.rand()),
            float(keras.random.uniform(())))


def test_set_seed_draws_what_keras_set_random_seed_draws():
    import keras

    keras.utils.set_random_seed(7)
    expected = _draws()
    for _ in range(2):  # the first call changes TensorFlow's seed, the second finds it already set
        set_seed(7)
        got = _draws()
        np.testing.assert_array_equal(got[0], expected[0])
        assert got[1:] == expected[1:]
    set_seed(8)
    assert not np.array_equal(_draws()[0], expected[0])


def test_set_seed_keeps_compiled_functions_instantiated():
    import tensorflow as tf
    from tensorflow.python.eager import context

    set_seed(3)
    double = tf.function(lambda a: a * 2)
    double(tf.constant(1.0))
    cleared = []
    original = context.context()._set_global_seed
    context.context()._set_global_seed = lambda seed: cleared.append(seed) or original(seed)
    try:
        set_seed(3)
        assert cleared == []
        set_seed(4)
        assert cleared == [4]
    finally:
        del context.context()._set_global_seed
