"""Losses the project names by string beside Keras's own: the soft ordinal cross-entropy of rating tasks.

A rating scale is ordered: calling a BBB borrower BBB- is a smaller error than calling it CCC. Plain cross-entropy
treats every wrong notch alike. Soft ordinal labels (SORD, Diaz & Marathe, CVPR 2019, "Soft Labels for Ordinal
Regression") train the softmax towards a distribution that gives the true notch the largest share and its
neighbours shares that fall with the squared distance: target_j = softmax_j(-ALPHA * (y - j)^2). The network
still outputs one probability per notch, its prediction is still the most probable notch, and SHAP explains it as
before; the probabilities spread to the neighbouring notches by design, so their log loss is not comparable with
a model trained on hard labels.

ALPHA was chosen by 3-fold CV on the bench's development rows of the rating file (bench/quality.md), never on its
held-out slice.
"""

from __future__ import annotations

from finmodels.data.tasks import SOFT_ORDINAL

SOFT_ORDINAL_ALPHA = 1.0  # weight of a neighbour one notch away: exp(-1) = 0.37 of the true notch's
INTEGER_TARGETS = ("sparse_categorical_crossentropy", SOFT_ORDINAL)  # losses that read class numbers


_REGISTERED: list = []


def soft_ordinal_crossentropy(y_true, y_pred):
    """Per-row cross-entropy of `y_pred` (softmax over the ordered classes) against soft labels around `y_true`
    (each row's class number)."""
    from keras import ops

    classes = ops.cast(ops.arange(ops.shape(y_pred)[-1]), "float32")
    distance = ops.reshape(ops.cast(y_true, "float32"), (-1, 1)) - classes
    soft = ops.softmax(-SOFT_ORDINAL_ALPHA * distance * distance, axis=-1)
    return -ops.sum(soft * ops.log(ops.clip(y_pred, 1e-7, 1.0)), axis=-1)


def registered_soft_ordinal():
    """`soft_ordinal_crossentropy` registered by name with Keras (once), so a model compiled with it saves as
    'finmodels>soft_ordinal_crossentropy' and its bundle loads in safe mode without code from the file."""
    if not _REGISTERED:
        import keras

        _REGISTERED.append(keras.saving.register_keras_serializable(package="finmodels", name=SOFT_ORDINAL)(
            soft_ordinal_crossentropy))
    return _REGISTERED[0]


def for_compile(name: str):
    """What `model.compile` takes for `name`: the project's registered function, or Keras's name as it is (a name
    saves as a name; Keras's function object would save as a builtin function, which safe bundles refuse)."""
    return registered_soft_ordinal() if name == SOFT_ORDINAL else name


def resolve(name: str):
    """The loss function for `name`: the project's own, or Keras's."""
    import keras

    return registered_soft_ordinal() if name == SOFT_ORDINAL else keras.losses.get(name)


def loss_notes(name: str) -> list[str]:
    """What an analyst should know about the loss the network learned with, when it is not the usual one."""
    if name != SOFT_ORDINAL:
        return []
    import math

    return [f"The network learned from soft ordinal labels (SORD, Diaz & Marathe 2019): each rating's neighbours "
            f"share its weight (one notch away {math.exp(-SOFT_ORDINAL_ALPHA):.2f} of the true notch's, two notches "
            f"{math.exp(-4 * SOFT_ORDINAL_ALPHA):.2f}), so being one notch off costs less than being several off. "
            "Its probabilities spread to the neighbouring notches by design: compare it with the baselines by exact "
            "and within-one-notch accuracy, not by log loss."]
