"""Hyperparameter search: N trials of an architecture's settings with optuna (TPE, seeded), chosen on validation rows.

`search(frame, config, trials=N)` asks optuna's TPE sampler for settings (the architecture's search space in
`search_spaces.SEARCH_SPACES`, plus learning rate and batch size), trains each on the run's training split with
early stopping on its validation split, and keeps the task's loss on the validation rows at the best epoch as the
trial's score (with a validation metric beside it). The test rows are never used for the choice: a trial's test
metrics are not read.

Given a runner (`finmodels.runtime`), each trial is a job (`worker.trial_run`) and as many run at once as the
runner has workers; without one, trials run here, one after another. `on_trial(trial)` is called when a trial
starts (state 'running') and when it ends; a `SearchControl` stops the whole search or one trial (a stopped
trial ends after its current epoch and is left out of the choice). `best_config(result)` is the TrainConfig
to train with one call. Importing this module loads neither optuna nor TensorFlow.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, FinModelsError, TrainingStopped
from finmodels.models.search_spaces import SEARCH_SPACES, config_from_params
from finmodels.runtime.records import plain as _plain

MIN_TRIALS, MAX_TRIALS = 1, 200
RUNNING, COMPLETE, STOPPED, FAILED = "running", "complete", "stopped", "failed"
OBJECTIVE = "validation loss"
NOTE_PREFIX = "search trial "
TEST_ROWS_NOTE = ("Each trial was trained on the training split and scored on the validation split only; the test "
                  "rows were never used for the choice.")


# --- the trial count (the search spaces are in finmodels.models.search_spaces) -------------------------

def check_trials(trials) -> int:
    """The number of trials, checked: a whole number from MIN_TRIALS to MAX_TRIALS."""
    try:
        count = int(trials)
        whole = count == float(trials)
    except (TypeError, ValueError):
        whole = False
    if not whole or not MIN_TRIALS <= count <= MAX_TRIALS:
        raise ConfigError(f"A search runs {MIN_TRIALS} to {MAX_TRIALS} trials; got {trials}. Each trial trains one "
                          f"network, so ask for between {MIN_TRIALS} and {MAX_TRIALS} (20 to 50 is usual).")
    return count


# --- results ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trial:
    """One trial: its settings, how it ended, its validation loss (the objective) and validation metric."""

    number: int  # 0 for the first asked
    params: dict
    state: str  # running, complete, stopped or failed
    value: float | None = None  # validation loss at the best epoch
    metric: str | None = None  # name of the validation metric (roc_auc, accuracy, rmse), None when there is none
    metric_value: float | None = None
    epochs: int = 0
    seconds: float = 0.0
    error: str = ""

    def to_dict(self) -> dict:
        return {"number": self.number, "params": _plain(self.params), "state": self.state, "value": self.value,
                "metric": self.metric, "metric_value": self.metric_value, "epochs": self.epochs,
                "seconds": round(self.seconds, 3), "error": self.error}

    @classmethod
    def from_dict(cls, data: dict) -> "Trial":
        return cls(**{k: data[k] for k in ("number", "params", "state", "value", "metric", "metric_value",
                                           "epochs", "seconds", "error") if k in data})


@dataclass
class SearchResult:
    """The trials of a search, in the order they were asked, and the best complete one."""

    config: object  # the TrainConfig searched around
    trials: list[Trial]
    seconds: float = 0.0
    stopped: bool = False
    parallel: int = 1
    notes: list[str] = field(default_factory=list)
    objective: str = OBJECTIVE
    seed: int | None = None  # the TPE sampler's seed: the same seed asks the same trials (one at a time)
    search_stopped: bool = False  # the whole search was stopped (`stopped` is also True when one trial was)

    @property
    def best(self) -> Trial | None:
        done = [t for t in self.trials if t.state == COMPLETE and t.value is not None and np.isfinite(t.value)]
        return min(done, key=lambda t: (t.value, t.number)) if done else None

    @property
    def stopped_trials(self) -> list[Trial]:
        """The trials stopped before their end: out of the choice (their loss is from fewer epochs)."""
        return [t for t in self.trials if t.state == STOPPED]

    def stopped_note(self) -> str | None:
        """Why a stopped trial is not the best, even with a lower validation loss; None when none was stopped."""
        stopped = self.stopped_trials
        if not stopped:
            return None
        names = ", ".join(str(t.number + 1) for t in stopped)
        losses = [f"{t.value:.4f} after {t.epochs} epoch{'s' if t.epochs != 1 else ''}" for t in stopped
                  if t.value is not None]
        many = len(stopped) > 1
        return (f"Trial{'s' if many else ''} {names} {'were' if many else 'was'} stopped before "
                f"{'their' if many else 'its'} end, so {'they are not candidates' if many else 'it is not a candidate'}"
                ": a stopped trial's validation loss"
                + (f" ({'; '.join(losses)})" if losses else "")
                + " comes from fewer epochs and is not comparable with the finished trials'.")

    def table(self) -> pd.DataFrame:
        """One row per trial: number, state, validation loss and metric, epochs, seconds, then each setting."""
        return trials_table(self.trials)

    def to_dict(self) -> dict:
        best = self.best
        return {"trials": [t.to_dict() for t in self.trials], "best": None if best is None else best.to_dict(),
                "objective": self.objective, "arch": self.config.arch, "seconds": round(self.seconds, 3),
                "stopped": self.stopped, "parallel": self.parallel, "notes": list(self.notes), "seed": self.seed,
                "search_stopped": self.search_stopped}


def trials_table(trials) -> pd.DataFrame:
    """The live table of a search from its Trial records (or their dicts): one metric column named by the first
    trial that has one; a running trial's scores, epochs and seconds are empty (NaN) until it ends."""
    trials = [t if isinstance(t, Trial) else Trial.from_dict(t) for t in trials]
    metric = next((f"validation {t.metric}" for t in trials if t.metric), "validation metric")
    rows = []
    for t in trials:
        done = t.state != RUNNING
        row = {"trial": t.number + 1, "state": t.state, OBJECTIVE: t.value, metric: t.metric_value,
               "epochs": t.epochs if done else None, "seconds": round(t.seconds, 2) if done else None}
        rows.append({**row, **_plain(t.params)})
    table = pd.DataFrame(rows)
    for column in (OBJECTIVE, metric, "epochs", "seconds"):
        if column in table:
            table[column] = pd.to_numeric(table[column])
    return table


def best_config(result: SearchResult, *, epochs: int | None = None):
    """The TrainConfig of the search's best trial, ready for `train` (the test rows are scored only then); with
    `epochs`, at most that many (the trials' own cap is usually lower; early stopping still ends the fit)."""
    best = result.best
    if best is None:
        raise ConfigError("No trial of the search finished, so there is no best configuration. Run the search again "
                          "with more trials, or let the trials finish before stopping it.")
    config = config_from_params(result.config, best.params)
    return config if epochs is None else dataclasses.replace(config, epochs=int(epochs))


class SearchControl:
    """Stop hooks of a search: `stop()` ends it (running trials end after their current epoch), `stop_trial(n)`
    ends trial `n` alone; thread-safe, so a page's button can press them while the search runs."""

    def __init__(self, should_stop: Callable[[], bool] | None = None):
        self._stop = threading.Event()
        self._trials: set[int] = set()
        self._lock = threading.Lock()
        self._outer = should_stop

    def stop(self) -> None:
        self._stop.set()

    def stop_trial(self, number: int) -> None:
        with self._lock:
            self._trials.add(int(number))

    @property
    def stopped(self) -> bool:
        if not self._stop.is_set() and self._outer is not None and self._outer():
            self._stop.set()
        return self._stop.is_set()

    def trial_stopped(self, number: int) -> bool:
        with self._lock:
            return self.stopped or int(number) in self._trials


# --- one trial --------------------------------------------------------------------------------------------

def run_trial(frame: pd.DataFrame, config, *, on_epoch=None, should_stop=None) -> dict:
    """Train `config` (no baselines) and score it on its validation rows: {'value': validation loss at the best
    epoch, 'metric', 'metric_value', 'epochs', 'seconds', 'stopped'}. The run's test metrics are not returned.

    A trial is one network of the searched architecture, never cross-fitted nor blended: cross-fitted networks
    learn from the validation rows the trials are compared on. The best trial's run keeps the form's ensemble."""
    from finmodels.models.training import train

    started = time.perf_counter()
    config = dataclasses.replace(config, members=1, blend=())
    try:
        result = train(frame, config, on_epoch=on_epoch, should_stop=should_stop, baselines=False)
    except TrainingStopped:
        return {"value": None, "metric": None, "metric_value": None, "epochs": 0,
                "seconds": time.perf_counter() - started, "stopped": True}
    value, metric, metric_value = validation_scores(result)
    return {"value": value, "metric": metric, "metric_value": metric_value,
            "epochs": len(result.history.get("loss", [])), "seconds": time.perf_counter() - started,
            "stopped": bool(should_stop is not None and should_stop())}


def validation_scores(result) -> tuple[float | None, str | None, float | None]:
    """(validation loss, metric name, metric value) of a run on its validation rows (its early-stopping rows,
    never the test rows), from its predictions: the task's loss without the weight penalty (log loss for classes,
    mean squared error for values, mean reconstruction error for anomalies), so settings with different penalties
    compare fairly; a forecast keeps its best epoch's validation loss."""
    from finmodels.data.tasks import ANOMALY, BINARY, MULTICLASS, ORDINAL, REGRESSION

    valid = np.asarray(result.split.valid)
    if result.kind not in (BINARY, MULTICLASS, ORDINAL, REGRESSION, ANOMALY) or result.frame is None or not len(valid):
        losses = [v for v in result.history.get("val_loss", []) if np.isfinite(v)]
        return (float(min(losses)) if losses else None), None, None
    y = np.asarray(result.y)[valid]
    scores = np.asarray(result.predict(result.frame.iloc[valid]), dtype="float64")
    if not np.all(np.isfinite(scores)):
        return None, None, None
    if result.kind == ANOMALY:
        return float(scores.mean()), None, None
    if result.kind == REGRESSION:
        mse = float(np.mean((scores - y) ** 2))
        return mse, "rmse", float(np.sqrt(mse))
    from sklearn.metrics import log_loss, roc_auc_score

    if result.kind == BINARY:
        loss = float(log_loss(y, np.clip(scores, 1e-7, 1 - 1e-7), labels=[0, 1]))
        return loss, "roc_auc", (float(roc_auc_score(y, scores)) if len(np.unique(y)) == 2 else None)
    loss = float(log_loss(y, np.clip(scores, 1e-7, 1), labels=list(range(scores.shape[1]))))
    return loss, "accuracy", float(np.mean(scores.argmax(axis=1) == y))


# --- the driver -------------------------------------------------------------------------------------------

def search(frame: pd.DataFrame, config, *, trials: int = 20, runner=None,
           on_trial: Callable[[Trial], None] | None = None,
           control: SearchControl | None = None, should_stop: Callable[[], bool] | None = None,
           seed: int | None = None, parallel: int | None = None, trial_job=None) -> SearchResult:
    """Run `trials` trials of `config.arch`'s settings and return every trial and the best (least validation loss).

    `runner` (a LocalRunner or RayRunner) runs the trials as jobs, `parallel` at once (default: its workers);
    without one they run here in turn. `seed` seeds the TPE sampler (default `config.seed`); in turn, the same
    seed asks the same trials. `should_stop()` or `control.stop()` ends the search; `control.stop_trial(n)` one
    trial. `trial_job` is the function a runner's job calls (default `finmodels.runtime.worker.trial_run`).
    """
    count = check_trials(trials)
    if config.arch not in SEARCH_SPACES:
        raise ConfigError(f"No search space for '{config.arch}'. Searchable architectures: {', '.join(SEARCH_SPACES)}.")
    import optuna

    seed = config.seed if seed is None else int(seed)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed,
                                         n_startup_trials=min(10, max(2, count // 3)))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    control = control or SearchControl(should_stop)
    if should_stop is not None and control._outer is None:
        control._outer = should_stop
    report = on_trial or (lambda trial: None)
    started = time.perf_counter()
    if runner is None:
        trials_done = _in_process(study, frame, config, count, control, report)
        workers = 1
    else:
        workers = max(1, int(parallel or getattr(runner, "workers", 1) or 1))
        if trial_job is None:
            from finmodels.runtime.worker import trial_run as trial_job
        trials_done = _on_runner(study, frame, config, count, control, report, runner, workers, trial_job)
    notes = [TEST_ROWS_NOTE,
             f"Settings drawn by optuna's TPE sampler (seed {seed}); the objective "
             "is the loss on the validation rows (log loss for classes, mean squared error for values, reconstruction "
             "error for anomalies; without the weight penalty) at each trial's best epoch (early stopping on the "
             "same rows)."]
    if workers > 1:
        notes.append(f"{workers} trials ran at once; which trials the sampler asks then depends on which finish "
                     "first, so a rerun can differ.")
    stopped = control.stopped or any(t.state == STOPPED for t in trials_done)
    if len(trials_done) < count:
        notes.append(f"Stopped after {len(trials_done)} of {count} trials.")
    return SearchResult(config=config, trials=sorted(trials_done, key=lambda t: t.number),
                        seconds=time.perf_counter() - started, stopped=stopped, parallel=workers, notes=notes,
                        seed=seed, search_stopped=control.stopped)


def _ask(study, config):
    trial = study.ask()
    params = SEARCH_SPACES[config.arch](trial)
    return trial, params, config_from_params(config, params)


def _finish(study, ask, number: int, params: dict, outcome: dict | None, error: str, stop_asked: bool) -> Trial:
    import optuna

    if error:
        study.tell(ask, state=optuna.trial.TrialState.FAIL)
        return Trial(number, params, FAILED, error=error, seconds=(outcome or {}).get("seconds", 0.0))
    if outcome["stopped"] or stop_asked or outcome["value"] is None:
        # a trial cut short is not comparable with the others: out of the choice, and pruned for the sampler
        study.tell(ask, state=optuna.trial.TrialState.PRUNED)
        state = STOPPED if (outcome["stopped"] or stop_asked) else FAILED
        return Trial(number, params, state, outcome["value"], outcome["metric"], outcome["metric_value"],
                     outcome["epochs"], outcome["seconds"],
                     "" if state == STOPPED else "The validation loss was not finite.")
    study.tell(ask, outcome["value"])
    return Trial(number, params, COMPLETE, outcome["value"], outcome["metric"], outcome["metric_value"],
                 outcome["epochs"], outcome["seconds"])


def _in_process(study, frame, config, count, control, report) -> list[Trial]:
    done = []
    for number in range(count):
        if control.stopped:
            break
        ask, params, trial_config = _ask(study, config)
        report(Trial(number, params, RUNNING))
        try:
            outcome, error = run_trial(frame, trial_config, should_stop=lambda n=number: control.trial_stopped(n)), ""
        except FinModelsError as exc:  # e.g. a batch size the data cannot fill; the search goes on
            outcome, error = None, str(exc)
        trial = _finish(study, ask, number, params, outcome, error, control.trial_stopped(number))
        done.append(trial)
        report(trial)
    return done


def _on_runner(study, frame, config, count, control, report, runner, workers, trial_job) -> list[Trial]:
    done, running, asked = [], {}, 0
    while asked < count or running:
        while not control.stopped and asked < count and len(running) < workers:
            ask, params, trial_config = _ask(study, config)
            job = runner.submit(trial_job, frame, trial_config, progress=True,
                                label=f"search trial {asked + 1} of {count}")
            running[job.id] = (job, ask, asked, params)
            report(Trial(asked, params, RUNNING))
            asked += 1
        for key, (job, ask, number, params) in list(running.items()):
            if control.trial_stopped(number) and not job.stop_requested:
                job.stop()
            if job.running:
                continue
            del running[key]
            outcome, error = None, ""
            if job.error is None:
                outcome = job.result
            elif isinstance(job.error, TrainingStopped):
                outcome = {"value": None, "metric": None, "metric_value": None, "epochs": 0, "seconds": 0.0,
                           "stopped": True}
            elif isinstance(job.error, FinModelsError):  # bad settings, or a worker lost: the search goes on
                error = str(job.error)
            else:
                raise job.error
            trial = _finish(study, ask, number, params, outcome, error, job.stop_requested)
            done.append(trial)
            report(trial)
        if running:
            next(iter(running.values()))[0].wait(0.05)
        if control.stopped and not running:
            break
    return done


# --- a search in one job ----------------------------------------------------------------------------------

def trial_note(trial: Trial) -> str:
    """A trial as one progress note of a search job (`trials_from_notes` reads it back)."""
    import json

    return NOTE_PREFIX + json.dumps(trial.to_dict())


def trials_from_notes(notes: list[str]) -> list[Trial]:
    """The latest state of each trial reported in a search job's notes, in trial order."""
    import json

    latest = {}
    for note in notes:
        if str(note).startswith(NOTE_PREFIX):
            trial = Trial.from_dict(json.loads(note[len(NOTE_PREFIX):]))
            latest[trial.number] = trial
    return [latest[n] for n in sorted(latest)]


__all__ = ["MAX_TRIALS", "MIN_TRIALS", "SEARCH_SPACES", "SearchControl", "SearchResult", "TEST_ROWS_NOTE", "Trial",
           "best_config", "check_trials", "config_from_params", "run_trial", "search", "trial_note", "trials_from_notes",
           "trials_table", "validation_scores"]
