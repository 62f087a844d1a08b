"""Cross-fitted networks: the run's training and validation rows cut into K parts; network k learns from the other
K-1 parts and stops early on part k; the K networks are averaged into one Keras model.

One network learns from the training rows and keeps the validation rows for early stopping only, while the
baselines learn from both (`tabular.table_baselines`): it saw a fifth fewer rows, and its score moved by about
0.002 AUC from seed to seed. Cross-fitting lets every row teach four of five networks and stop one, and the
average of five networks is steadier than any of them. On the bench's development folds (bench/quality.md) five
cross-fitted dense networks lifted Taiwan default from 0.7775 to 0.7806 and the rating file from 0.8965 to 0.9039
within one notch; five seeds on the same rows gave less (0.7808 and 0.9008 but 0.9400 against 0.9416 on
credit_risk_dataset).

The averaged model is one Keras model (the members are its layers, `keras.layers.Average` joins them), so
scoring, bundles and SHAP treat it as any network: an average is linear, so DeepExplainer's values of the
ensemble are the average of each member's, exact as before. Search trials fit one network each: they compare
scores on validation rows, which an ensemble has learned from.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass

import numpy as np

from finmodels.data.tasks import BINARY, MULTICLASS, ORDINAL

@dataclass(frozen=True)
class Members:
    """The averaged model, every network's history, and each pooled row's out-of-fold prediction (by the network
    that stopped on it, so never by one that learned from it)."""

    model: object
    histories: tuple[dict, ...]
    out_of_fold: np.ndarray
    seconds: float
    stopped: bool


def member_parts(y: np.ndarray, members: int, *, kind: str, seed: int,
                 groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(learning rows, early-stopping rows) of each network: K stratified parts for classes (shuffled ones for
    numbers), seeded by the run's seed. With `groups` (each row's entity, from a split by entity) every part holds
    whole entities, so no network stops early on a company it learned from."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

    if groups is not None and len(np.unique(groups)) >= members:
        keys = np.asarray(groups).astype(str)
        classed = kind in (BINARY, MULTICLASS, ORDINAL)
        cut = (StratifiedGroupKFold(members, shuffle=True, random_state=seed) if classed
               else GroupKFold(members, shuffle=True, random_state=seed))
        with warnings.catch_warnings():  # a class held by fewer entities than parts: stratified as far as it goes
            warnings.simplefilter("ignore", UserWarning)
            found = cut.split(np.zeros(len(y)), np.asarray(y).ravel() if classed else None, groups=keys)
            return [(np.sort(a), np.sort(b)) for a, b in found]
    if kind in (BINARY, MULTICLASS, ORDINAL):
        counts = np.bincount(np.asarray(y).astype(int).ravel())
        if counts[counts > 0].min() >= members:
            cut = StratifiedKFold(members, shuffle=True, random_state=seed)
            return [(np.sort(a), np.sort(b)) for a, b in cut.split(np.zeros(len(y)), np.asarray(y).ravel())]
    cut = KFold(members, shuffle=True, random_state=seed)
    return [(np.sort(a), np.sort(b)) for a, b in cut.split(np.zeros(len(y)))]


def fit_members(build, fit, x: np.ndarray, y: np.ndarray, *, members: int, kind: str, seed: int, note,
                should_stop=None, numbered: tuple[int, int] | None = None, arch: str | None = None,
                groups: np.ndarray | None = None) -> Members:
    """Fit `members` networks on the parts of (x, y) and average them.

    `build(k)` returns a new, seeded network; `fit(model, train_pair, valid_pair, k)` trains it in place and
    returns (history, seconds, stopped by the user). A stop ends the ensemble: the networks finished before it are
    averaged and the one stopped midway is left out (unless it is the first: then it is the model, with its best
    weights so far), and the rows no kept network stopped on keep the average's prediction in `out_of_fold`. `numbered` is (networks fitted before these, networks in all), for the notes of a
    blend of several architectures.
    """
    start = time.perf_counter()
    models, histories, held, stopped = [], [], [], False
    parts = member_parts(y, members, kind=kind, seed=seed, groups=groups)
    for k, (learn, stop_on) in enumerate(parts):
        before, total = numbered or (0, members)
        note(network_note(before + k + 1, total, learn=len(learn), stop_on=len(stop_on), arch=arch))
        model = build(k)
        history, _, stopped = fit(model, (x[learn], y[learn]), (x[stop_on], y[stop_on]), k)
        models.append(model)
        histories.append(history)
        held.append(stop_on)
        if stopped or (should_stop is not None and should_stop()):
            stopped = True
            if len(models) > 1:  # the network stopped midway is left out; the finished ones are the model
                models.pop(), histories.pop(), held.pop()
            break
    averaged = average(models)
    out_of_fold = predict(averaged, x) if len(held) < len(parts) else None
    for model, rows in zip(models, held):
        found = predict(model, x[rows])
        if out_of_fold is None:
            out_of_fold = np.zeros((len(x), *found.shape[1:]), "float32")
        out_of_fold[rows] = found
    return Members(averaged, tuple(histories), out_of_fold, time.perf_counter() - start, stopped)


_NETWORK_NOTE = re.compile(r"Fitting the network (\d+) of (\d+) \(cross-fitted(?:; (.+?))?\) on ")


def network_note(k: int, n: int, *, learn: int, stop_on: int, arch: str | None = None) -> str:
    """The stage note of the k-th of n cross-fitted networks (from 1), naming its architecture when given ('Fitting
    the network 7 of 10 (cross-fitted; deep & cross network (DCN-V2)) on ...'), as the page and the command line read
    it back (`network_progress`, `network_kind`)."""
    from finmodels.models.training.blend import arch_label

    kind = f"; {arch_label(arch, lower=True)}" if arch else ""
    return f"Fitting the network {k} of {n} (cross-fitted{kind}) on {learn:,} rows, stopping early on {stop_on:,}..."


def network_progress(note: str) -> tuple[int, int] | None:
    """(k, n) of a cross-fitted network's stage note ('Fitting the network 2 of 10 (cross-fitted) ...'); None for
    any other note (one network's 'Fitting the network on 640 rows...' included)."""
    found = _NETWORK_NOTE.match(note)
    return (int(found[1]), int(found[2])) if found else None


def network_kind(note: str) -> str | None:
    """The architecture a cross-fitted network's stage note names ('deep & cross network (DCN-V2)'), else None."""
    found = _NETWORK_NOTE.match(note)
    return found[3] if found else None


def noted_networks(notes) -> dict[str, list[int]]:
    """The cross-fitted networks begun so far, by architecture, from a run's stage notes, as a chart's legend reads
    them ({'dense networks (MLP)': [1, ..., 5], 'deep & cross networks (DCN-V2)': [6, 7]}): the live loss chart's
    `run_networks` while the run trains."""
    groups: dict[str, list[int]] = {}
    for note in notes:
        found, kind = network_progress(note), network_kind(note)
        if found and kind:
            groups.setdefault(re.sub(r"\bnetwork\b", "networks", kind), []).append(found[0])
    return groups


def average(models: list):
    """One Keras model whose output is the mean of `models`' outputs (the model itself when there is one)."""
    import keras

    if len(models) == 1:
        return models[0]
    first = models[0]
    inputs = keras.Input(shape=tuple(first.inputs[0].shape[1:]), name="features")
    outputs = [keras.Model(m.inputs[0], m.outputs[0], name=f"network_{k + 1}")(inputs) for k, m in enumerate(models)]
    return keras.Model(inputs, keras.layers.Average(name="average")(outputs), name=f"{first.name}_x{len(models)}")


def predict(model, x: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    """The network's raw outputs, `chunk` rows at a time, through its call (not `predict`, which traces anew)."""
    return np.concatenate([np.asarray(model(x[i:i + chunk], training=False)) for i in range(0, len(x), chunk)])


def member_history(histories) -> dict[str, list[float]]:
    """The run's history: the first network's loss and validation loss per epoch, and each other network's under
    'network_K_loss' and 'network_K_val_loss'."""
    out = {k: list(v) for k, v in histories[0].items()}
    for k, history in enumerate(histories[1:], start=2):
        for name, values in history.items():
            out[f"network_{k}_{name}"] = list(values)
    return out


def member_notes(members: int, split) -> list[str]:
    """What the analyst reads of a cross-fitted run: how its networks shared the rows."""
    if members == 1:
        return []
    rows = len(split.train) + len(split.valid)
    whole = " (each part holds whole entities, as the split does)" if getattr(split, "groups", None) is not None else ""
    return [f"Each architecture's network is the average of {members} networks cross-fitted on the {rows:,} training "
            f"and validation rows: each learned from {members - 1} of {members} parts{whole} and stopped early on the "
            "other; the test rows were never used. The loss curve is the first network's; the others are drawn "
            "faintly."]


def epochs_per_network(history: dict) -> list[int]:
    """Epochs each network of a run trained for, the first first (one entry for a single network)."""
    others = sorted((int(k.split("_")[1]) for k in history if k.startswith("network_") and k.endswith("_val_loss")))
    return [len(history.get("loss", []))] + [len(history[f"network_{k}_loss"]) for k in others]


def network_groups(history: dict, archs: tuple[str, ...], members: int) -> dict[str, list[int]]:
    """The run's networks by architecture, as numbers in its history (1 is 'loss'/'val_loss', K is
    'network_K_...'): fit_model cross-fits `members` networks of each of `archs` in turn, the chosen one first,
    and numbers them in that order; a stopped run keeps the first architecture's alone."""
    groups: dict[str, list[int]] = {}
    for k in range(1, len(epochs_per_network(history)) + 1):
        groups.setdefault(archs[min((k - 1) // max(members, 1), len(archs) - 1)], []).append(k)
    return groups


def run_networks(result) -> dict[str, list[int]]:
    """A TrainingResult's `network_groups` (from its resolved members and blend) under the architectures' labels as
    a chart's legend reads them: {'dense networks (MLP)': [1, ..., 5], 'deep & cross networks (DCN-V2)': [6, ...]}."""
    from finmodels.models.training.blend import arch_label

    settings = getattr(result, "settings", None)
    archs = (result.config.arch, *(getattr(settings, "blend", None) or ()))
    groups = network_groups(result.history, archs, int(getattr(settings, "members", None) or 1))
    return {arch_label(a, lower=True, plural=True): numbers for a, numbers in groups.items()}


def epochs_summary(history: dict) -> str:
    """'35' for one network; '15-49 each, 10 networks' for cross-fitted ones."""
    epochs = epochs_per_network(history)
    return str(epochs[0]) if len(epochs) == 1 else f"{epoch_spread(epochs)} each, {len(epochs)} networks"


def epoch_spread(epochs: list[int]) -> str:
    """'15-49', or '3' when every network ran as many epochs."""
    return str(min(epochs)) if min(epochs) == max(epochs) else f"{min(epochs)}-{max(epochs)}"
