"""The benchmark's cases: the datasets, the models compared, how rows are cut into folds, and `--set` experiments."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from finmodels.data.samples import SAMPLES_DIR

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
SAME_INPUTS = ("logistic_regression", "hist_gradient_boosting")
# the pipelines a risk team builds first, on the raw columns: the scorecard (optimal bins, WoE, logistic
# regression; binary tasks only) is the one a credit team builds first of all
PLAIN = ("plain_logistic_regression", "plain_hist_gradient_boosting", "scorecard")
MODELS = ("network", *SAME_INPUTS, *PLAIN)
MODEL_LABELS = {"network": "Default network", "logistic_regression": "Logistic regression",
                "hist_gradient_boosting": "Gradient boosting",
                "plain_logistic_regression": "Logistic regression, plain pipeline",
                "plain_hist_gradient_boosting": "Gradient boosting, plain pipeline",
                "scorecard": "Scorecard (WoE bins, logistic regression), plain pipeline"}


@dataclass(frozen=True)
class BenchDataset:
    key: str
    path: Path
    target: str
    task: str
    metric: str  # the ranking metric reported as "AUC" column: roc_auc, or within_one_notch for ratings
    target_gap: float | None = None  # the target: network at most this far below the best baseline
    speed_target: float | None = None  # the target: network fit under this multiple of gradient boosting's
    entity: str | None = None  # a column naming an entity with several rows (a company rated yearly), for --by-entity


DATASETS: dict[str, BenchDataset] = {
    d.key: d
    for d in (
        BenchDataset("german_credit", SAMPLES_DIR / "german_credit.csv", "creditability", "credit_default", "roc_auc",
                     0.005),
        BenchDataset("taiwan_default", SAMPLES_DIR / "taiwan_default.csv", "default_payment_next_month",
                     "credit_default", "roc_auc", 0.005, 1.5),
        BenchDataset("credit_risk_dataset", SHARED / "credit_risk_dataset.csv", "loan_status", "credit_default",
                     "roc_auc", 0.01),
        BenchDataset("corporate_rating", SHARED / "corporate_rating.csv", "Rating", "credit_rating",
                     "within_one_notch", entity="Name"),
    )
}
QUICK = ("german_credit",)


def available_keys() -> tuple[str, ...]:
    """The datasets whose files are on this machine (the shared ones may be absent)."""
    return tuple(k for k, d in DATASETS.items() if d.path.exists())


def dataset_rows(ds: BenchDataset, config):
    """(rows, strata) of a dataset: its rows with an outcome and the labels the folds are stratified by."""
    from finmodels.data.reading import load_csv
    from finmodels.data.targets import encode_classes, prepare_target

    frame = load_csv(ds.path)
    if ds.task == "credit_rating":
        rows = frame[frame[ds.target].notna()].reset_index(drop=True)
        strata, _, _ = encode_classes(rows[ds.target], ordinal=True)
        return rows, strata
    rows, strata, _ = prepare_target(frame, config.target, config.event_label)
    return rows, strata


def cv_splits(y: np.ndarray, *, folds: int = 5, seed: int = 0, valid_size: float = 0.2,
              groups: np.ndarray | None = None) -> list:
    """Stratified folds; inside each training fold a stratified validation part for early stopping. With `groups`
    (each row's entity) every part holds whole entities, as the product's split by entity deals them."""
    from sklearn.model_selection import StratifiedKFold, train_test_split

    from finmodels.data.splits import Split

    if groups is not None:
        keys = np.asarray(groups).astype(str)
        out = []
        for rest, test in _entity_folds(y, keys, folds, seed):
            learn, stop = _entity_folds(y[rest], keys[rest], round(1 / valid_size), seed)[0]
            out.append(Split(np.sort(rest[learn]), np.sort(rest[stop]), np.sort(test), f"{folds}-fold by entity",
                             keys))
        return out
    out = []
    for rest, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        train, valid = train_test_split(rest, test_size=valid_size, stratify=y[rest], random_state=seed)
        out.append(Split(np.sort(train), np.sort(valid), np.sort(test), f"{folds}-fold stratified"))
    return out


def _entity_folds(y: np.ndarray, keys: np.ndarray, folds: int, seed: int):
    """(rest, test) positions of StratifiedGroupKFold: whole entities per fold, classes' shares kept."""
    import warnings

    from sklearn.model_selection import StratifiedGroupKFold

    with warnings.catch_warnings():  # a class held by fewer entities than folds: stratified as far as it goes
        warnings.simplefilter("ignore", UserWarning)
        return list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, keys))


def parse_overrides(items: list[str]) -> dict:
    """`NAME=VALUE` strings to a dict; values are read as JSON (numbers, lists, true/false), else as text."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"--set needs NAME=VALUE, e.g. piecewise_knots=128; got '{item}'.")
        try:
            out[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[name.strip()] = value
    return out


def experiment_config(base, overrides: dict, train_rows: int):
    """`base` (a TrainConfig) with `overrides` applied to the fit settings, the network or the preprocessing.

    Preprocessing names change the defaults chosen for this many training rows (so a small table keeps its
    own encoding apart from the named setting); unknown names are refused with the list of known ones.
    """
    from finmodels.models.preprocessing import PreprocessConfig
    from finmodels.models.training import fit_defaults

    if "arch" in overrides:  # the named network's own hyperparameters (e.g. --set arch=tabm --set members=4)
        base = replace(base, arch=overrides["arch"], hyperparameters=None)
    hyper_class = type(base.hyper)
    groups = {"train": {f.name for f in fields(base)} - {"hyperparameters", "preprocessing"},
              "hyper": {f.name for f in fields(hyper_class)}, "prep": {f.name for f in fields(PreprocessConfig)}}
    unknown = [k for k in overrides if not any(k in names for names in groups.values())]
    if unknown:
        known = ", ".join(sorted(set().union(*groups.values())))
        raise SystemExit(f"Unknown setting {', '.join(unknown)}. Known settings: {known}.")
    pick = lambda group: {k: (tuple(v) if isinstance(v, list) else v)  # noqa: E731
                          for k, v in overrides.items() if k in groups[group]}
    changes = pick("train")
    if pick("hyper"):
        changes["hyperparameters"] = replace(base.hyper, **pick("hyper"))
    if pick("prep"):
        changes["preprocessing"] = replace(fit_defaults(train_rows).preprocessing, **pick("prep"))
    return replace(base, **changes)


def configured(config, overrides: dict | None, train_rows: int):
    """`config` with the experiment's overrides for a fold of `train_rows` training rows (itself without any)."""
    return experiment_config(config, overrides, train_rows) if overrides else config


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def in_own_processes(keys, args: list[str]) -> list[dict]:
    """`python -m finmodels.bench --dataset KEY *args` per dataset, each in its own process (so its peak memory is
    its own); the JSON result each prints last."""
    results = []
    for key in keys:
        cmd = [sys.executable, "-m", "finmodels.bench", "--dataset", key, *args]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results
