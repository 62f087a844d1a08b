"""What a worker process does for the web process: train, explain, score and predict, with models kept warm.

The web process never holds a Keras model. It keeps a run *detached* (`TrainingResult.detached()`: the
metrics, split, rows and preprocessing, without the network) and sends it with each request; the worker puts
the network back, from its own cache of recently used models, or else from the run's bundle in the workspace.
So any worker of the pool can answer for any run, and a worker that was recycled or died loses nothing: the
next request loads the model again (`MODEL_CACHE` runs stay in memory per worker, least recently used first out).

Each function here is called through `finmodels.runtime.channel.call` in a worker, never in the web process.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd

from finmodels.errors import FinModelsError

MODEL_CACHE = 4  # models kept per worker

_MODELS: "OrderedDict[str, object]" = OrderedDict()


@dataclass(frozen=True)
class WorkspaceRef:
    """Where a worker finds and keeps runs: the workspace folder and the analyst's area in it."""

    root: str | None = None
    area: str = "default"

    def open(self):
        from finmodels.runtime.workspace import Workspace

        return Workspace(self.root, area=self.area)


def _remember(run_id: str, model) -> None:
    _MODELS[run_id] = model
    _MODELS.move_to_end(run_id)
    while len(_MODELS) > MODEL_CACHE:
        _MODELS.popitem(last=False)


def cached_runs() -> list[str]:
    """The runs whose models this worker holds, oldest first."""
    return list(_MODELS)


def _home(run, workspace: WorkspaceRef) -> WorkspaceRef:
    """The workspace area a run is kept in: its own (a run opened from a colleague's link lives in theirs)."""
    area = (run.data_info or {}).get("area")
    return WorkspaceRef(workspace.root, area) if area and area != workspace.area else workspace


def _model_for(run, workspace: WorkspaceRef | None):
    """The Keras model of a detached run: from this worker's cache, else from the run's bundle."""
    if run.model is not None:
        return run.model
    model = _MODELS.get(run.run_id)
    if model is not None:
        _MODELS.move_to_end(run.run_id)
        return model
    if workspace is None or run.run_id is None or run.run_id.startswith("local-"):
        raise FinModelsError("This run's model is no longer in memory and the run was not kept in a workspace. "
                             "Train it again.")
    from finmodels.models.bundle import load_bundle

    model = load_bundle(_home(run, workspace).open().bundle_bytes(run.run_id)).model
    _remember(run.run_id, model)
    return model


def attached(run, workspace: WorkspaceRef | None = None):
    """The run with its network put back, ready to explain, score or save."""
    import dataclasses

    return dataclasses.replace(run, model=_model_for(run, workspace))


def train_run(frame: pd.DataFrame, config, *, data_name: str = "", workspace: WorkspaceRef | None = None,
              source: str = "dashboard", search: dict | None = None, channel=None):
    """Train `config` on `frame`, keep the run in the workspace (when given) and its model in this worker;
    returns the detached run, its `run_id` set. `search` (a SearchResult.to_dict()) is the search that chose
    `config`, kept with the run."""
    from finmodels.models.training import train

    hooks = {} if channel is None else {"on_epoch": channel.on_epoch, "should_stop": channel.should_stop}
    result = train(frame, config, **hooks)
    from finmodels.runtime.workspace import data_fingerprint

    result.data_info = {"name": data_name, "fingerprint": data_fingerprint(frame), "shape": list(frame.shape)}
    if workspace is not None:
        result.data_info["area"] = workspace.area
        if channel is not None:
            channel.note("Saving the run in the workspace...")
        kept = workspace.open()
        result.run_id = kept.log_run(result, data_name=data_name, data_fingerprint=result.data_info["fingerprint"],
                                     source=source)
        if search is not None:
            from finmodels.runtime.records import keep_result

            keep_result(kept, result.run_id, "search", search)
    else:
        result.run_id = f"local-{uuid.uuid4().hex[:12]}"
    _remember(result.run_id, result.model)
    return result.detached()


def explain_run(run, *, workspace: WorkspaceRef | None = None, **options):
    """`finmodels.explain.explain_result` of the run: SHAP values of its test rows, in the data's columns."""
    from finmodels.explain.explanation import explain_result

    return explain_result(attached(run, workspace), **options)


def score_run(run, frame: pd.DataFrame, *, workspace: WorkspaceRef | None = None, **options):
    """`finmodels.delivery.scoring.score_file` with the run's model: scores, decisions, reason codes, PSI."""
    from finmodels.delivery.scoring import score_file

    if run.frame is None and workspace is not None and run.run_id and not run.run_id.startswith("local-"):
        # a run read back from the workspace holds no training rows: its bundle has their distribution
        return score_file(_bundle(_home(run, workspace).open().bundle_bytes(run.run_id)), frame, **options)
    return score_file(attached(run, workspace), frame, **options)


def explain_scored_run(run, frame: pd.DataFrame, positions, *, workspace: WorkspaceRef | None = None, **options):
    """`finmodels.delivery.scoring.explain_rows` with the run's model: SHAP values of more rows of a scored file
    (the flagged rows the Score page did not explain up front)."""
    from finmodels.delivery.scoring import explain_rows

    if run.frame is None and workspace is not None and run.run_id and not run.run_id.startswith("local-"):
        return explain_rows(_bundle(_home(run, workspace).open().bundle_bytes(run.run_id)), frame, positions,
                            **options)
    return explain_rows(attached(run, workspace), frame, positions, **options)


def explain_scored_bundle(raw: bytes, frame: pd.DataFrame, positions, **options):
    """`explain_rows` with an uploaded bundle's model (its bytes)."""
    from finmodels.delivery.scoring import explain_rows

    return explain_rows(_bundle(raw), frame, positions, **options)


def predict_run(run, frame: pd.DataFrame, *, workspace: WorkspaceRef | None = None):
    """The run's scores for `frame`, in the analyst's units."""
    return attached(run, workspace).predict(frame)


def bundle_of(run, *, workspace: WorkspaceRef | None = None) -> bytes:
    """The run's bundle (a zip), as the Score page offers it for download."""
    from finmodels.models.bundle import bundle_bytes

    return bundle_bytes(attached(run, workspace))


def _bundle(raw: bytes):
    """A bundle read with its network, kept in this worker's cache under its content hash."""
    import hashlib

    from finmodels.models.bundle import load_bundle

    key = "bundle-" + hashlib.sha256(raw).hexdigest()
    bundle = _MODELS.get(key)
    if bundle is None:
        bundle = load_bundle(raw)
        _remember(key, bundle)
    else:
        _MODELS.move_to_end(key)
    return bundle


def score_bundle(raw: bytes, frame: pd.DataFrame, **options):
    """`score_file` with a bundle an analyst uploaded (its bytes; checked and loaded without running its code)."""
    from finmodels.delivery.scoring import score_file

    return score_file(_bundle(raw), frame, **options)


def explain_bundle_rows(raw: bytes, frame: pd.DataFrame, **options):
    """`finmodels.explain.explain_bundle` of rows of `frame` with an uploaded bundle's model."""
    from finmodels.explain.explanation import explain_bundle

    return explain_bundle(_bundle(raw), frame, **options)


def forecast_bundle(raw: bytes, frame: pd.DataFrame, **options):
    """`finmodels.portfolio.forecast_next` with an uploaded bundle's market risk or allocation model: the day after
    the price file ends, per asset and for the portfolio."""
    from finmodels.portfolio import forecast_next

    return forecast_next(_bundle(raw), frame, **options)


def call_with(run, function: str, *, workspace: WorkspaceRef | None = None, **kwargs):
    """Any finmodels function that takes a trained run first, named 'package.module:function' (the report,
    a what-if), called with the run's model attached."""
    import importlib

    module, name = function.split(":")
    if not module.startswith("finmodels."):
        raise FinModelsError(f"Only finmodels functions run in a worker; got '{function}'.")
    return getattr(importlib.import_module(module), name)(attached(run, workspace), **kwargs)


def ping(value=None, *, channel=None, seconds: float = 0.0, epochs: int = 0):
    """A tiny job for tests and health checks: reports `epochs` fake epochs, honours Stop, returns its pid."""
    import os
    import time

    for epoch in range(epochs):
        if channel is not None:
            if channel.should_stop():
                break
            channel.on_epoch(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 1.0 / (epoch + 1)})
        time.sleep(seconds / max(epochs, 1))
    if not epochs:
        time.sleep(seconds)
    return {"pid": os.getpid(), "value": value, "tensorflow": "tensorflow" in __import__("sys").modules}


def whatif_run(run, changes: dict, *, frame: pd.DataFrame | None = None, workspace: WorkspaceRef | None = None,
               **options):
    """`finmodels.explain.whatif.what_if` of one row with the run's model (kept warm in this worker): the score,
    decision and contributions before and after `changes`, counterfactuals and extrapolation warnings.

    `frame` is the file the row comes from (default: the run's own rows); `options` are what_if's (`row`,
    `id_column`, `id_value`, `threshold`, `background`, ...).
    """
    from finmodels.explain.whatif import what_if

    if run.frame is None and workspace is not None and run.run_id and not run.run_id.startswith("local-"):
        # a run read back from the workspace holds no training rows: its bundle has their range and a sample
        return what_if(_bundle(_home(run, workspace).open().bundle_bytes(run.run_id)), frame, changes, **options)
    return what_if(attached(run, workspace), frame, changes, **options)


def whatif_bundle(raw: bytes, frame: pd.DataFrame, changes: dict, **options):
    """`what_if` of one row of `frame` with an uploaded bundle's model (its bytes)."""
    from finmodels.explain.whatif import what_if

    return what_if(_bundle(raw), frame, changes, **options)


def trial_run(frame: pd.DataFrame, config, *, channel=None) -> dict:
    """One trial of a hyperparameter search (`finmodels.models.search.run_trial`): train `config` without
    baselines, score it on its validation rows; Stop ends it after the current epoch."""
    from finmodels.models.search import run_trial

    hooks = {} if channel is None else {"on_epoch": channel.on_epoch, "should_stop": channel.should_stop}
    return run_trial(frame, config, **hooks)


def search_run(frame: pd.DataFrame, config, *, trials: int, seed: int | None = None, channel=None):
    """A whole search in this worker, trials one after another (`finmodels.models.search.search` without a
    runner): each trial's start and end is a progress note (`search.trials_from_notes(job.notes)` reads them
    back), Stop ends the search after the current trial's epoch. Returns the SearchResult."""
    from finmodels.models.search import search, trial_note

    report = None if channel is None else (lambda trial: channel.note(trial_note(trial)))
    return search(frame, config, trials=trials, seed=seed, on_trial=report,
                  should_stop=None if channel is None else channel.should_stop)
