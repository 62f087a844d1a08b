"""A TrainingResult to MLflow and back: the metrics, parameters and artifacts a kept run is made of.

`run_metrics` and `run_params` are what MLflow indexes (the network's metrics, each baseline's under
`baseline/<name>/`, the history as steps of `epoch/<key>`); `run_record` (run.json) and `evaluation_npz`
(evaluation.npz, read back without pickle) hold what Evaluate and the report redraw a run from, without its
data; `detached_result` rebuilds the run from them.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import asdict

from finmodels.data.tasks import FORECAST

RUN_FORMAT = "finmodels-run"
RUN_FORMAT_VERSION = 1
_METRIC_KEY = re.compile(r"[^A-Za-z0-9_\-. :/]")



def metric_key(name: str) -> str:
    return _METRIC_KEY.sub("_", str(name))[:250]


def run_metrics(result) -> list[tuple[str, float, int]]:
    """(key, value, step): the network's test metrics, each baseline's, and the history, one step per epoch."""
    out = [(metric_key(k), number(v), 0) for k, v in result.metrics.items()]
    for name, base in result.baselines.items():
        out += [(metric_key(f"baseline/{name}/{k}"), number(v), 0) for k, v in base.metrics.items()]
    for key, values in result.history.items():
        out += [(metric_key(f"epoch/{key}"), number(v), step) for step, v in enumerate(values)]
    return out


def number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def run_params(result) -> dict[str, str]:
    """The configuration as MLflow params (flat, short); the full one is in run.json."""
    config = asdict(result.config)
    features = config.pop("features")
    config["features"] = "profile" if features is None else f"{len(features)} columns"
    config["hyperparameters"] = asdict(result.config.hyper)
    if result.settings is not None:
        config["resolved"] = asdict(result.settings)
    flat: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}{k}." if isinstance(v, dict) else f"{prefix}{k}", v)
            return
        text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        flat[prefix.rstrip(".")] = text if len(text) <= 500 else text[:497] + "..."

    walk("", config)
    return flat


def plain(value):
    """JSON-ready: NumPy scalars and arrays to Python, NaN and infinity to null, tuples to lists."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def split_details(details: dict) -> tuple[dict, dict, list[str]]:
    """(arrays for evaluation.npz, plain values for run.json, names left out): no object arrays, so the file is
    read back without pickle."""
    import numpy as np
    import pandas as pd

    arrays, scalars, left_out = {}, {}, []
    for key, value in details.items():
        if value is None or isinstance(value, (str, bool, int, float, dict)):  # a dict: e.g. the blend's weights
            scalars[key] = plain(value)
            continue
        if isinstance(value, pd.Timestamp):
            value = value.to_datetime64()
        array = np.asarray(value)
        if array.dtype == object:
            if all(isinstance(v, str) for v in array.ravel()):
                array = array.astype(str)
            else:
                left_out.append(key)
                continue
        arrays[key] = array
    return arrays, scalars, left_out


def evaluation_npz(result) -> bytes:
    import numpy as np

    arrays = {"y_test": result.y_test, "test_scores": np.asarray(result.test_scores),
              "split.train": result.split.train, "split.valid": result.split.valid, "split.test": result.split.test}
    for name, base in result.baselines.items():
        arrays[f"baseline.{name}"] = np.asarray(base.test_scores)
    details, _, _ = split_details(result.details)
    arrays.update({f"details.{k}": v for k, v in details.items()})
    out = io.BytesIO()
    np.savez_compressed(out, **{k: np.asarray(v) for k, v in arrays.items()})
    return out.getvalue()


def read_npz(data: bytes) -> dict:
    import numpy as np

    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


def run_record(result, *, data_name: str, data_fingerprint: str, source: str) -> dict:
    """run.json: what the run is, beyond its metrics' values (which MLflow keeps)."""
    from finmodels.data.tasks import get_task

    frame = result.frame
    _, plain_details, left_out = split_details(result.details)
    try:
        features = list(result.features)
    except AttributeError:
        features = list(result.config.features or [])
    return plain({
        "format": RUN_FORMAT, "version": RUN_FORMAT_VERSION, "kind": result.kind, "task": result.config.task,
        "headline": get_task(result.config.task).headline_metric,
        "config": asdict(result.config), "settings": asdict(result.settings) if result.settings else None,
        "event_label": result.event_label, "class_labels": list(result.class_labels), "notes": list(result.notes),
        "seconds": dict(result.seconds), "stopped_early": bool(result.stopped_early),
        "target_stats": list(result.target_stats), "features": features, "source": source,
        "split": {"method": result.split.method, "sizes": result.split.sizes()},
        "data": {"name": data_name, "fingerprint": data_fingerprint,
                 "shape": list(frame.shape) if frame is not None else [None, None]},
        "metrics": list(result.metrics), "history": list(result.history),
        "baselines": {name: {"metrics": list(b.metrics), "fit_seconds": b.fit_seconds}
                      for name, b in result.baselines.items()},
        "details": plain_details, "details_left_out": left_out,
    })


def train_config(data: dict):
    from finmodels.models.architectures import get_architecture
    from finmodels.models.preprocessing import PreprocessConfig
    from finmodels.models.training import TrainConfig

    data = dict(data)
    hyper = data.pop("hyperparameters")
    if hyper is not None:
        spec = get_architecture(data["arch"])
        hyper = spec.config_class(**{k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items()})
    if data.get("features") is not None:
        data["features"] = tuple(data["features"])
    if data.get("preprocessing") is not None:
        data["preprocessing"] = PreprocessConfig(**data["preprocessing"])
    return TrainConfig(**data, hyperparameters=hyper)


def fit_settings(data: dict | None):
    if data is None:
        return None
    from finmodels.models.preprocessing import PreprocessConfig
    from finmodels.models.training import FitDefaults

    return FitDefaults(**{**data, "preprocessing": PreprocessConfig(**data["preprocessing"]),
                          "blend": tuple(data.get("blend") or ())})  # JSON gives a list


def bundle_preprocessor(raw: bytes):
    """(the bundle's fitted preprocessing, None) without loading its network, or (None, why not)."""
    from finmodels.errors import BundleError
    from finmodels.models import bundle

    try:
        files = bundle._open_archive(raw)  # the bundle's own checks: members, hashes, allowlisted types
        bundle._manifest(files)
        return bundle._load_preprocessor(files), None
    except BundleError as exc:
        return None, f"The run's model bundle could not be read ({exc}); its charts are shown, scoring is not."


def detached_result(record: dict, arrays: dict, values: dict, history: dict, preprocessor, run_id: str,
                     notes: list[str]):
    import numpy as np

    from finmodels.data.splits import Split
    from finmodels.models.baselines import BaselineResult
    from finmodels.models.training import TrainingResult

    def metrics(names: list[str], prefix: str = "") -> dict[str, float]:
        return {name: float(values.get(metric_key(prefix + name), math.nan)) for name in names}

    details = {k: v for k, v in record["details"].items()}
    for key, array in arrays.items():
        if key.startswith("details."):
            array = array[()] if array.ndim == 0 else array
            details[key[len("details."):]] = array.astype(object) if getattr(array, "dtype", None) is not None \
                and array.dtype.kind == "U" else array
    baselines = {name: BaselineResult(name, None, arrays[f"baseline.{name}"],
                                      metrics(info["metrics"], f"baseline/{name}/"), float(info["fit_seconds"]))
                 for name, info in record["baselines"].items()}
    config = train_config(record["config"])
    kind = record["kind"]
    backtest = None
    if kind == FORECAST and {"actual", "var"} <= set(details):
        from finmodels.evaluation.backtest import var_backtest

        backtest = var_backtest(np.asarray(details["actual"]), np.asarray(details["var"]), level=config.var_level)
    split = Split(arrays["split.train"], arrays["split.valid"], arrays["split.test"], record["split"]["method"])
    result = TrainingResult(
        config=config, model=None, preprocessor=preprocessor, frame=None, y=arrays["y_test"],
        event_label=record["event_label"], split=split, history=history, test_scores=arrays["test_scores"],
        metrics=metrics(record["metrics"]), baselines=baselines,
        seconds={k: float(v) if v is not None else math.nan for k, v in record["seconds"].items()},
        stopped_early=record["stopped_early"], kind=kind, class_labels=list(record["class_labels"]),
        target_stats=tuple(record["target_stats"]), details=details, backtest=backtest, notes=notes,
        settings=fit_settings(record["settings"]), run_id=run_id)
    result.data_info = dict(record["data"])  # name, fingerprint, shape: which data file the run was trained on
    return result


# --- results kept with a run after it was trained ----------------------------------------------------------

# What an analyst's later work on a run adds to it, one JSON artifact each: fairness by protected column (the
# latest report per column), the what-ifs they chose to keep (newest last, at most KEPT_WHATIFS), the
# hyperparameter search that chose the run's settings, and the decision set on Evaluate (the latest).
KEPT_FILES = {"fairness": "fairness.json", "whatif": "whatif.json", "search": "search.json",
              "decision": "decision.json"}
REPLACED = ("search", "decision")  # kinds whose new content replaces the old, rather than adding to it
KEPT_WHATIFS = 20


def keep_result(workspace, run_id: str, kind: str, payload) -> object:
    """Add `payload` to what run `run_id` keeps under `kind` ('fairness': {column: FairnessReport.to_dict()},
    merged by column; 'whatif': one WhatIf.to_dict(), appended; 'search': SearchResult.to_dict(), replaced;
    'decision': `finmodels.delivery.kept.decision_record(...)`, replaced) and return what the run now keeps under
    `kind`."""
    import json

    from finmodels.errors import FinModelsError

    if kind not in KEPT_FILES:
        raise FinModelsError(f"Unknown kept result '{kind}'. A run keeps: {', '.join(KEPT_FILES)}.")
    value = plain(payload)
    if kind not in REPLACED:
        before = kept_results(workspace, run_id, kinds=(kind,)).get(kind)
        if kind == "fairness":
            value = {**(before or {}), **value}
        else:
            value = [*(before or []), value][-KEPT_WHATIFS:]
    workspace.add_artifact(run_id, KEPT_FILES[kind], json.dumps(value, indent=1))
    return value


def kept_results(workspace, run_id: str, *, kinds=tuple(KEPT_FILES)) -> dict:
    """What run `run_id` keeps of `kinds` ({kind: content}); a kind never kept is left out."""
    import json

    from finmodels.errors import FinModelsError

    out = {}
    for kind in kinds:
        try:
            out[kind] = json.loads(workspace.read_artifact(run_id, KEPT_FILES[kind]))
        except FinModelsError:  # never kept with this run
            continue
    return out
