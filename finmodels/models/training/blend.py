"""A blend of architectures: each one's cross-fitted networks (`members`), weighted by ensemble selection on their
out-of-fold predictions, joined into one Keras model.

The dense network and the deep & cross network are each better on different files: the cross network on
credit_risk_dataset, whose risk lies in two- and three-column cells, the dense one on Taiwan default, German credit
and the rating file, where the cross layers over-fit. Which one, and how much of each, is chosen per run from the
training and validation rows alone: every pooled row has a prediction from a network that never learned from it,
and greedy ensemble selection with replacement (Caruana et al., ICML 2004) adds, twenty times, the architecture
whose addition lowers the out-of-fold loss most. The weights are those counts over twenty. The test rows play no
part. An architecture whose weight is zero is left out of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from finmodels.data.tasks import BINARY, MULTICLASS, ORDINAL

SELECTION_STEPS = 20


@dataclass(frozen=True)
class Blend:
    """The blended model, the weight of each architecture, each one's out-of-fold loss and the blend's, and the
    blend's out-of-fold predictions of the pooled rows (what a decision threshold is chosen on, never the test rows)."""

    model: object
    weights: dict[str, float]
    losses: dict[str, float]  # architecture -> out-of-fold loss alone; "blend" -> the blend's
    out_of_fold: np.ndarray | None = None


def out_of_fold_loss(kind: str, y: np.ndarray, predicted: np.ndarray) -> float:
    """Log loss for classes, mean squared error for numbers (on the network's own, scaled, output)."""
    y = np.asarray(y)
    if kind == BINARY:
        p = np.clip(np.asarray(predicted, "float64").ravel(), 1e-7, 1 - 1e-7)
        return float(-np.mean(y.ravel() * np.log(p) + (1 - y.ravel()) * np.log(1 - p)))
    if kind in (MULTICLASS, ORDINAL):
        p = np.clip(np.asarray(predicted, "float64"), 1e-7, 1)
        p = p / p.sum(axis=1, keepdims=True)
        return float(-np.mean(np.log(p[np.arange(len(y)), y.astype(int).ravel()])))
    return float(np.mean((np.asarray(predicted, "float64").ravel() - y.ravel()) ** 2))


def selection_weights(kind: str, y: np.ndarray, predictions: dict[str, np.ndarray],
                      steps: int = SELECTION_STEPS) -> dict[str, float]:
    """Greedy ensemble selection with replacement: `steps` times, add the candidate whose addition to the running
    average lowers the loss most (ties go to the first listed). Returns each candidate's share of the picks."""
    names = list(predictions)
    picks = {n: 0 for n in names}
    total = None
    for step in range(1, steps + 1):
        trial = {n: (predictions[n] if total is None else (total * (step - 1) + predictions[n]) / step) for n in names}
        best = min(names, key=lambda n: out_of_fold_loss(kind, y, trial[n]))
        picks[best] += 1
        total = trial[best]
    return {n: picks[n] / steps for n in names}


def blend(kind: str, y: np.ndarray, found: dict) -> Blend:
    """The blend of `found` (architecture -> Members, all fitted on the same pooled rows)."""
    predictions = {arch: members.out_of_fold for arch, members in found.items()}
    weights = selection_weights(kind, y, predictions)
    mixed = sum(weights[a] * predictions[a] for a in predictions)
    losses = {a: out_of_fold_loss(kind, y, p) for a, p in predictions.items()}
    losses["blend"] = out_of_fold_loss(kind, y, mixed)
    return Blend(weighted({a: found[a].model for a in found if weights[a] > 0}, weights), weights, losses, mixed)


def weighted(models: dict, weights: dict[str, float]):
    """One Keras model whose output is the weighted sum of `models`' outputs (the model itself when alone)."""
    import keras

    if len(models) == 1:
        return next(iter(models.values()))
    first = next(iter(models.values()))
    inputs = keras.Input(shape=tuple(first.inputs[0].shape[1:]), name="features")
    parts = [keras.layers.Rescaling(weights[arch], name=f"{arch}_weight")(
        keras.Model(model.inputs[0], model.outputs[0], name=f"{arch}_networks")(inputs))
        for arch, model in models.items()]
    return keras.Model(inputs, keras.layers.Add(name="blend")(parts), name="blend")


def blend_notes(result: Blend) -> list[str]:
    """The weights and out-of-fold losses, as the analyst reads them (architectures by their registry labels)."""
    alone = ", ".join(f"{arch_label(a)} {result.losses[a]:.4f}" for a in result.weights)
    return [f"The model blends {weights_text(result.weights)}, weighted by ensemble selection on the out-of-fold "
            f"predictions of the training and validation rows (out-of-fold loss {result.losses['blend']:.4f}; "
            f"alone: {alone})."]


def arch_label(arch: str, *, lower: bool = False, plural: bool = False) -> str:
    """The architecture registry's label ('Dense network (MLP)'); `lower` for the middle of a sentence ('deep &
    cross network (DCN-V2)', but 'LSTM recurrent network' keeps its capitals), `plural` for several of them
    ('dense networks (MLP)')."""
    from finmodels.models.architectures import ARCHITECTURES

    label = ARCHITECTURES[arch].label if arch in ARCHITECTURES else arch
    label = re.sub(r"\bnetwork\b", "networks", label) if plural else label
    return label[:1].lower() + label[1:] if lower and label[1:2].islower() else label


def weights_text(weights: dict[str, float]) -> str:
    """A blend's weights in the analyst's words, the same in the run summary, the report and the Runs table:
    '0.30 × Dense network (MLP) + 0.70 × Deep & cross network (DCN-V2)', in the blend's order (the chosen
    architecture first); an architecture of weight 0, left out of the model, shows as '0.00 × ...'."""
    return " + ".join(f"{w:.2f} × {arch_label(a)}" for a, w in weights.items())


def network_title(arch: str, weights: dict[str, float] | None = None) -> str:
    """What a run is named by: its architecture's label ('Dense network (MLP)'), or for a blended run the blend
    ('Blend of 0.30 × Dense network (MLP) + 0.70 × Deep & cross network (DCN-V2)'), not the chosen network alone
    when the blend weighs another more."""
    return f"Blend of {weights_text(weights)}" if weights else arch_label(arch)


def member_config(config, arch: str):
    """The configuration `arch`'s networks train with in a run of `config`: the chosen architecture's own, a blended
    partner's at its defaults (no blend of its own)."""
    from dataclasses import replace

    return config if arch == config.arch else replace(config, arch=arch, hyperparameters=None, blend=())


def network_settings(config, weights: dict[str, float] | None = None) -> dict[str, object]:
    """Each architecture's hyperparameters as flat (setting, value) rows: 'network: units' for one architecture; for a
    blended run (its `weights`, `blend_weights`), under each architecture's name ('mlp: units', 'dcn: rank'), as
    `member_config` gives them."""
    from dataclasses import asdict, is_dataclass

    archs = list(weights) if weights else [config.arch]
    rows: dict[str, object] = {}
    for arch in archs:
        hyper = member_config(config, arch).hyper
        if is_dataclass(hyper):
            prefix = "network" if len(archs) == 1 else arch
            rows.update({f"{prefix}: {k}": v for k, v in asdict(hyper).items()})
    return rows


def blend_weights(result) -> dict[str, float]:
    """A run's blend weights ({} for one architecture, or a result without details)."""
    return (getattr(result, "details", None) or {}).get("blend_weights") or {}


def run_title(result) -> str:
    """`network_title` of a trained run (a TrainingResult, a run read back from the workspace, a model source)."""
    return network_title(result.config.arch, blend_weights(result))
