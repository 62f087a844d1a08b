"""The table path: rows with a target (or none, for anomaly detection) -> a fitted network and its baselines.

The stages run in order: find the rows and encode the target, split them, choose the features, fit the
preprocessing on training rows only and encode every part, build and fit the network, score the test rows,
and fit the baselines on the identical split and inputs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from finmodels.data.splits import Split, checked_split, split_for_run
from finmodels.data.targets import encode_classes, numeric_target, prepare_target, rows_with_target
from finmodels.data.tasks import ANOMALY, BINARY, LOSS_TASKS, MULTICLASS, ORDINAL, REGRESSION, get_task
from finmodels.data.tidying import rows_phrase
from finmodels.errors import DataError
from finmodels.models.architectures import get_architecture
from finmodels.models import scorecard_tables
from finmodels.models.capacity import check_fits
from finmodels.models.embeddings import periodic_inputs
from finmodels.models.losses import loss_notes as loss_notes_of
from finmodels.models.preprocessing import Preprocessor, fit_preprocessor
from finmodels.models.sampling import BASELINE_ROWS, stratified_positions
from finmodels.models.seeds import set_seed
from finmodels.models.training.config import FitDefaults, TrainConfig
from finmodels.models.training.fitloop import balanced_class_weights, fit_network
from finmodels.models.training.members import member_notes
from finmodels.models.training.result import TrainingResult, predict_frame, predict_rows
from finmodels.models.training.sequence import stage_hook


@dataclass(frozen=True)
class TableTarget:
    """The rows a run learns from, their encoded target, and the split of those rows."""

    rows: pd.DataFrame
    y: np.ndarray
    event_label: str  # the binary risk event; '' for other kinds
    class_labels: list[str]  # class index -> label, for multi-class and ratings
    notes: list[str]
    split: Split


@dataclass(frozen=True)
class EncodedInputs:
    """The preprocessing fitted on training rows, and every part encoded by it."""

    preprocessor: Preprocessor
    x: tuple[np.ndarray, np.ndarray, np.ndarray]  # train, valid, test
    y: tuple[np.ndarray, np.ndarray, np.ndarray]
    seconds: float
    notes: list[str]


def train_table(frame: pd.DataFrame, config: TrainConfig, kind: str, *, on_epoch, should_stop, baselines: bool,
                split: Split | None, started: float) -> TrainingResult:
    """Split, preprocess (fitted on training rows only), fit the network with early stopping, and score it."""
    note = stage_hook(on_epoch)
    note("Encoding the target and splitting the rows...")
    target = table_target(frame, config, kind)
    split = target.split if split is None else checked_split(split, len(target.rows))
    features = chosen_features(target.rows, config)
    settings = config.resolved(len(split.train))
    check_fits(target.rows, features)
    note(f"Preprocessing {len(target.rows):,} rows...")
    members = member_count(settings, kind)
    encoded = pooled(split) if members > 1 else split  # the parts the inputs are encoded and the baselines fit by
    inputs = encode_inputs(target, encoded, features, settings, kind)
    model, history, fit_seconds, stopped, stats, fit_notes, fit_details = fit_model(
        config, kind, inputs, target.class_labels, settings, members=members, on_epoch=on_epoch,
        should_stop=should_stop, groups=None if encoded.groups is None else encoded.groups[encoded.train])

    note(f"Scoring {len(split.test):,} test rows...")
    test_scores = predict_frame(kind, model, inputs.preprocessor, target.rows.iloc[split.test], target_stats=stats)
    metrics, details = evaluate(kind, inputs.y[2], test_scores, target.class_labels)
    details.update(fit_details)
    if baselines:
        note("Fitting the baselines...")
    base = (table_baselines(kind, inputs, seed=config.seed, classes=len(target.class_labels), rows=target.rows,
                            split=encoded) if baselines else {})
    loss_notes = loss_evaluation(config, target.rows.iloc[split.test], inputs.y[2], test_scores, metrics, details,
                                 base)
    if getattr(base.get("scorecard"), "model", None) is not None:  # its tables outlive the fitted scorecard
        card = base["scorecard"].model
        details.update(scorecard_tables.to_details(card.binning_table(), card.points_table()))
    return TrainingResult(
        config=config, model=model, preprocessor=inputs.preprocessor, frame=target.rows, y=target.y,
        event_label=target.event_label, split=split, history=history, test_scores=test_scores, metrics=metrics,
        baselines=base, stopped_early=stopped, kind=kind, class_labels=target.class_labels, target_stats=stats,
        details=details, notes=[*target.notes, *inputs.notes, *member_notes(members, split), *fit_notes, *loss_notes_of(get_task(config.task).loss),
               *scale_notes(split, settings, baselines),
               *loss_notes],
        settings=settings,
        seconds={"preprocess": inputs.seconds, "fit": fit_seconds, "total": time.perf_counter() - started},
    )


def table_target(frame: pd.DataFrame, config: TrainConfig, kind: str) -> TableTarget:
    """The rows with a target, the target encoded for the task kind, and the configured split of those rows."""
    split = dict(target=config.target, method=config.split, test_size=config.test_size,
                 valid_size=config.valid_size, seed=config.seed)
    if kind == ANOMALY and not config.target:
        rows = frame.reset_index(drop=True)
        return TableTarget(rows, np.full(len(rows), -1, "int32"), "", [], [], split_for_run(rows, None, **split))
    if kind in (BINARY, ANOMALY):
        rows, y, event = prepare_target(frame, config.target, config.event_label)
        return TableTarget(rows, y, event, [], [], split_for_run(rows, y, **split))
    rows = rows_with_target(frame, config.target)
    if kind == REGRESSION and get_task(config.task).bounds is not None:
        check_bounds(frame, config.target, get_task(config.task))
    if kind == REGRESSION:
        return TableTarget(rows, numeric_target(rows, config.target), "", [], [], split_for_run(rows, None, **split))
    y, labels, notes = encode_classes(rows[config.target], ordinal=kind == ORDINAL)
    return TableTarget(rows, y, "", labels, notes, split_for_run(rows, y, **split))


def check_bounds(frame: pd.DataFrame, target: str, task) -> None:
    """Refuse a bounded task's target with values outside its bounds, naming the column, the file's rows and the
    values; a column of percentages (every value in [0, 100]) is told to be divided by 100."""
    low, high = task.bounds
    values = pd.to_numeric(frame[target], errors="coerce")
    outside = np.flatnonzero(((values < low) | (values > high)).to_numpy())
    if not len(outside):
        return
    rows = rows_phrase((outside + 2).tolist(), limit=5)
    shown = ", ".join(f"{values.iloc[i]:g}" for i in outside[:3])
    present = values.dropna()
    fix = (f"They look like percentages (every value is between 0 and 100): divide the column by 100 (e.g. "
           f"{values.iloc[outside[0]]:g} -> {values.iloc[outside[0]] / 100:g})"
           if present.between(0, 100).all() and high == 1 else "Fix or drop those rows")
    name = task.label[0].lower() + task.label[1:]  # 'loss given default (LGD)'
    raise DataError(f"Column '{target}' has {len(outside):,} values outside [{low:g}, {high:g}] ({rows}; e.g. "
                    f"{shown}); the {name} task predicts a share between {low:g} and {high:g}. {fix}, or pick the "
                    "risk control or regression task for an amount.")


def chosen_features(rows: pd.DataFrame, config: TrainConfig) -> list[str]:
    """The configured features, else the profile's; the target never becomes an input, even when listed (for
    anomaly runs it is the held-out label)."""
    excluded = {config.target} if config.target else set()
    features = [c for c in (config.features or default_features(rows, config.target)) if c not in excluded]
    if not features:
        raise DataError("There are no feature columns besides the target. Upload a file with more columns.")
    return features


def default_features(rows: pd.DataFrame, target: str | None) -> list[str]:
    """The columns the profile marks as features: identifiers, dates, constants and free text left out."""
    from finmodels.data.profiling import profile

    return profile(rows, target=target or None).features


def encode_inputs(target: TableTarget, split: Split, features: list[str], settings: FitDefaults,
                  kind: str) -> EncodedInputs:
    """Fit the preprocessing on training rows only, then encode the training, validation and test rows.

    The target places piecewise-linear knots (training rows only); never for anomaly runs, whose label is held
    out of training, nor for unordered classes, whose codes are not numbers.
    """
    start = time.perf_counter()
    parts = (split.train, split.valid, split.test)
    guide = target.y[split.train] if kind in (BINARY, REGRESSION, ORDINAL) else None
    pre = fit_preprocessor(target.rows.iloc[split.train], features, settings.preprocessing, target=guide)
    x_train = pre.transform(target.rows.iloc[split.train])
    x = tuple(x_train if i is split.train else pre.transform(target.rows.iloc[i]) if len(i)
              else np.zeros((0, x_train.shape[1]), x_train.dtype) for i in parts)  # cross-fitting has no valid part
    y = tuple(target.y[i] for i in parts)
    encoding = pre.encoding_summary()
    return EncodedInputs(pre, x, y, time.perf_counter() - start, [encoding] if encoding else [])


def build_network(config: TrainConfig, kind: str, inputs: EncodedInputs, labels: list[str]):
    """(model, loss, training pair, validation pair, target (mean, std), class weights) for the task kind.

    A VAE learns to reconstruct its inputs; a regression is fitted on a standardised target and mapped back, unless
    its task bounds the output (a loss given default's sigmoid fits the share as it is).
    """
    (x_train, x_valid, _), (y_train, y_valid, _) = inputs.x, inputs.y
    spec = get_architecture(config.arch)
    if kind == ANOMALY:
        model = spec.build(config.hyper, input_shape=(x_train.shape[1],))
        return model, "mse", (x_train, x_train), (x_valid, x_valid), (0.0, 1.0), None
    task = get_task(config.task)
    n_out = len(labels) if kind in (MULTICLASS, ORDINAL) else 1
    hyper = periodic_inputs(config.hyper, inputs.preprocessor, len(x_train))  # the columns 'plr' embeds
    model = spec.build(hyper, input_shape=(x_train.shape[1],), n_outputs=n_out,
                       output_activation=task.output_activation)
    # a bounded output (a sigmoid's [0, 1]) is fitted on the target as it is: standardising would move it outside
    scaled = kind == REGRESSION and task.bounds is None
    stats = (float(y_train.mean()), float(y_train.std()) or 1.0) if scaled else (0.0, 1.0)
    if scaled:
        y_train, y_valid = ((y - stats[0]) / stats[1] for y in (y_train, y_valid))
    weights = balanced_class_weights(inputs.y[0]) if config.class_weight and kind != REGRESSION else None
    return model, task.loss, (x_train, y_train), (x_valid, y_valid), stats, weights


def member_count(settings: FitDefaults, kind: str) -> int:
    """How many cross-fitted networks a run averages: the resolved number for table rows with a target, one for
    anomaly detection (which learns without labels)."""
    return int(settings.members) if kind in (BINARY, MULTICLASS, ORDINAL, REGRESSION) else 1


def pooled(split: Split) -> Split:
    """The split the cross-fitted networks are encoded with: training and validation rows as one part (each
    network stops early on its own share of them); the test rows untouched."""
    pool = np.sort(np.concatenate([split.train, split.valid]))
    return Split(pool, np.zeros(0, dtype=pool.dtype), split.test, split.method, split.groups)


def fit_model(config: TrainConfig, kind: str, inputs: EncodedInputs, labels: list[str], settings: FitDefaults, *,
              members: int, on_epoch, should_stop, groups: np.ndarray | None = None):
    """(model, history, fit seconds, stopped by the user, target (mean, std), notes, blend details): one network
    fitted on the training rows and stopped on the validation rows, or `members` networks of each architecture
    cross-fitted on both (whole entities per part when `groups` names each pooled row's), averaged, and blended
    across architectures (`training.blend`)."""
    from finmodels.models.training.blend import blend, blend_notes, member_config
    from finmodels.models.training.members import fit_members, member_history

    note = stage_hook(on_epoch)
    set_seed(config.seed)
    model, loss, fit_train, fit_valid, stats, weights = build_network(config, kind, inputs, labels)
    # XLA compilation took 2.9 s and made epochs slower for small dense networks on table rows (measured)
    fit = dict(should_stop=should_stop, class_weight=weights, jit_compile=False, settings=settings,
               reuse_trace=kind != ANOMALY)
    if members == 1:
        note(f"Fitting the network on {len(fit_train[0]):,} rows...")
        history, seconds, stopped = fit_network(model, loss, config, fit_train, fit_valid, on_epoch=on_epoch, **fit)
        held = predict_rows(model, fit_valid[0]) if kind == BINARY and len(fit_valid[0]) else None
        return model, history, seconds, stopped, stats, [], threshold_details(kind, held, fit_valid[1], "validation")

    archs = (config.arch, *settings.blend)
    found, stopped = {}, False
    for i, arch in enumerate(archs):
        own = member_config(config, arch)

        def build(k: int, own=own, i=i):
            if i == 0 and k == 0:
                return model
            set_seed(config.seed + k)
            return build_network(own, kind, inputs, labels)[0]

        def fit_one(network, train_pair, valid_pair, k: int, own=own, i=i):
            return fit_network(network, loss, replace(own, seed=config.seed + k), train_pair, valid_pair,
                               on_epoch=network_hook(on_epoch, i * members + k), **fit)

        found[arch] = fit_members(build, fit_one, fit_train[0], fit_train[1], members=members, kind=kind,
                                  seed=config.seed, note=note, should_stop=should_stop, groups=groups,
                                  numbered=(i * members, members * len(archs)), arch=arch)
        if found[arch].stopped:
            stopped = True
            break
    seconds = sum(f.seconds for f in found.values())
    if len(found) == 1 or stopped:  # stopped: some rows have no out-of-fold prediction to choose weights on
        first = found[config.arch]
        history = member_history(first.histories)  # the model's own networks only
        kept = [] if not stopped else [
            f"Training was stopped: the model is {len(first.histories)} {get_architecture(config.arch).label} "
            f"network(s) of the {members * len(archs)} planned, averaged, without a blend (its weights need every "
            "network's out-of-fold predictions). A network stopped midway is left out unless it is the only one."]
        # stopped midway: rows no kept network stopped on have the average's in-sample prediction, no basis
        held = None if first.stopped else first.out_of_fold
        return (found[config.arch].model, history, seconds, stopped, stats, kept,
                threshold_details(kind, held, fit_train[1], "out-of-fold"))
    history = member_history([h for f in found.values() for h in f.histories])
    mixed = blend(kind, fit_train[1], found)
    details = {"blend_weights": mixed.weights, "blend_losses": mixed.losses,
               **threshold_details(kind, mixed.out_of_fold, fit_train[1], "out-of-fold")}
    return mixed.model, history, seconds, stopped, stats, blend_notes(mixed), details


def threshold_details(kind: str, scores, labels, rows: str) -> dict:
    """A binary run's scores of rows outside the test rows that no network learned from ('out-of-fold': each pooled
    row scored by the network that stopped on it; 'validation': the rows a single network stopped on), with their
    labels: what the least-cost threshold is chosen on (`evaluation.threshold_basis`), so its cost on the test rows
    is an honest one. Empty for other kinds or without such scores."""
    if kind != BINARY or scores is None:
        return {}
    return {"threshold_scores": np.asarray(scores, "float32").ravel(),
            "threshold_labels": np.asarray(labels).ravel().astype("int8"), "threshold_rows": rows}


def network_hook(on_epoch, index: int):
    """The epoch hook of the index-th cross-fitted network (from 0): the first reports 'loss' and 'val_loss', the
    others 'network_K_loss' and 'network_K_val_loss', as the run's history names them (members.member_history)."""
    if on_epoch is None or index == 0:
        return on_epoch

    def hook(epoch: int, logs: dict) -> None:
        on_epoch(epoch, {f"network_{index + 1}_{name}": value for name, value in logs.items()})

    return hook


def evaluate(kind: str, y_test: np.ndarray, scores: np.ndarray, labels: list[str]) -> tuple[dict, dict]:
    """Test metrics of the network and the arrays its evaluation charts need."""
    from finmodels.evaluation import metrics as m

    if kind == BINARY:
        return m.binary_metrics(y_test, scores), {}
    if kind in (MULTICLASS, ORDINAL):
        pred = scores.argmax(axis=1)
        return (m.classification_metrics(y_test, scores, ordinal=kind == ORDINAL),
                {"confusion": m.confusion_matrix(y_test, pred, len(labels)), "predicted": pred})
    if kind == REGRESSION:
        return m.regression_metrics(y_test, scores), {}
    labelled = bool(len(y_test)) and y_test.min() >= 0
    return m.anomaly_metrics(scores, y_test if labelled else None), {}


def loss_evaluation(config: TrainConfig, test_rows: pd.DataFrame, y_test: np.ndarray, scores: np.ndarray,
                    metrics: dict, details: dict, baselines: dict) -> list[str]:
    """A loss model's (and its baselines') predicted against realised loss: the calibration bins and totals go to
    `details`, the loss ratio and calibration error to each model's metrics. A credit default model is one too on a
    file with LGD and EAD columns (its expected loss PD x LGD x EAD). Returns the evaluation's notes."""
    from finmodels.evaluation.losses import evaluate_losses, find_loss_columns

    task = get_task(config.task)
    if task.key in LOSS_TASKS:
        predicts = "lgd" if task.bounds is not None else "loss"
    elif task.key == "credit_default":
        columns = find_loss_columns([c for c in test_rows.columns if c != config.target])
        if columns.lgd is None or columns.ead is None:
            return []
        predicts = "pd"
    else:
        return []
    try:
        found = evaluate_losses(test_rows, y_test, scores, target=config.target, predicts=predicts)
    except DataError as exc:  # the run stands without it
        return [f"No loss evaluation: {exc}"]
    if predicts == "pd" and (found.lgd is None or found.exposure is None):
        return list(found.notes)  # a PD alone is no expected loss: its LGD or EAD column could not be used
    metrics.update(found.metrics())
    details.update(found.to_details())
    for base in baselines.values():
        try:
            base.metrics.update(evaluate_losses(test_rows, y_test, base.test_scores, target=config.target,
                                                predicts=predicts).metrics())
        except DataError:
            continue  # e.g. a baseline's scores that are not numbers: its table shows a dash
    return list(found.notes)


def table_baselines(kind: str, inputs: EncodedInputs, *, seed: int, classes: int, rows: pd.DataFrame | None = None,
                    split: Split | None = None) -> dict:
    """The task's baselines on the network's own split and inputs.

    The baselines need no early-stopping rows, so they learn from the validation rows too: a network compared
    with baselines denied a fifth of the data would look better than it is. Given the run's `rows` (original
    units) and `split`, a binary task's scorecard bins the same training and test rows in their own units, the
    columns the preprocessing reads as categories (`TrainConfig.categories` included) as categories.
    """
    from finmodels.models.baselines import fit_baselines

    (x_train, x_valid, x_test), (y_train, y_valid, y_test) = inputs.x, inputs.y
    # on a huge file, a stratified sample (BASELINE_ROWS), taken from the encoded parts without stacking them whole
    y_all = np.concatenate([y_train, y_valid])
    keep = stratified_positions(y_all, BASELINE_ROWS, seed=seed)  # numeric targets: a plain random sample
    if len(keep) == len(y_all):
        x_fit, y_fit = np.concatenate([x_train, x_valid]), y_all
    else:
        first = keep[keep < len(x_train)]
        x_fit, y_fit = np.concatenate([x_train[first], x_valid[keep[len(first):] - len(x_train)]]), y_all[keep]
    raw = {}
    if rows is not None and split is not None:
        raw = dict(train_rows=rows.iloc[np.concatenate([split.train, split.valid])[keep]],
                   test_rows=rows.iloc[split.test], features=list(inputs.preprocessor.columns),
                   categories=tuple(getattr(inputs.preprocessor, "categorical", ())))  # text and named codes
    return fit_baselines(kind, x_fit, y_fit, x_test, y_test, seed=seed, classes=classes, **raw)


def scale_notes(split: Split, settings: FitDefaults, baselines: bool) -> list[str]:
    """What a huge file changed: rounds of batches instead of passes, and the baselines' sample."""
    from finmodels.models.fastfit import ROUND_BATCHES, STEP_BUDGET

    notes = []
    if len(split.train) > ROUND_BATCHES * settings.batch_size:
        rows = ROUND_BATCHES * settings.batch_size
        notes.append(f"The {len(split.train):,} training rows were streamed to the network in rounds of {rows:,} "
                     f"rows ({ROUND_BATCHES} batches); each epoch in the history is one round, early stopping counts "
                     f"rounds, and training takes at most {STEP_BUDGET:,} batches.")
    fit_rows = len(split.train) + len(split.valid)
    if baselines and fit_rows > BASELINE_ROWS:
        notes.append(f"The baselines learned from a stratified sample of {BASELINE_ROWS:,} of the {fit_rows:,} "
                     "training and validation rows (the file is large); the network from every training row. All "
                     "are scored on the same test rows.")
    return notes
