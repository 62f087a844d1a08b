"""Seeding a run: `keras.utils.set_random_seed`, without emptying TensorFlow's kernel cache when it need not.

`keras.utils.set_random_seed` calls `tf.random.set_seed`, which clears the eager context's caches, and with
them every compiled function's instantiated graph: the next fit of an architecture already compiled in the
process paid about 70 ms again to re-optimise its epoch (Taiwan default, every cross-validation fold after
the first). When TensorFlow's global seed already has the value, this resets the same generators as
`set_random_seed` (Python, NumPy, Keras's global seed generator and TensorFlow's per-operation seed
sequence) and leaves the cache alone.

One thing differs: an unseeded stateful TensorFlow random op run eagerly (`tf.random.uniform(shape)`) keeps
its cached kernel, so it continues its stream instead of restarting it. Nothing in finmodels draws that way:
initialisers, dropout and the VAE's noise draw through Keras seed generators, shuffles through NumPy
generators or explicitly seeded tf.data, and those restart exactly (tests/test_seeds.py).
"""

from __future__ import annotations

import random

import numpy as np


def set_seed(seed: int) -> None:
    """Make the next model's initial weights, dropout masks and shuffles depend only on `seed`."""
    import keras
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from tensorflow.python.eager import context

    ctx = context.context()
    if ctx._seed != seed:  # noqa: SLF001: TensorFlow keeps the global seed only here
        keras.utils.set_random_seed(seed)
        return
    # the body of keras.utils.set_random_seed (Keras 3.15) and of the context's _set_global_seed, less the flush
    global_state.set_global_attribute("global_random_seed", seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    ctx._rng = random.Random(seed)  # noqa: SLF001
