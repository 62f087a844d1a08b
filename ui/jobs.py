"""Training as a job in a worker process, seen from one session: queued, then live epochs, a Stop button, a run.

The fit runs in the server's runner (ui.runtime: a pool of warm workers, or Ray), never in this process, so
several analysts train at once, each in their own process with their own seed. The page keeps its
`TrainingJob` in `st.session_state` (one user's) and polls it from a fragment: `progress_text` says where the
job is (its place in the queue, the epoch and its validation loss), `collect` moves the finished run into the
session and into the address, so a reload finds it again in the workspace. `keep` also holds each job in the
server's memory for the session's workspace area, and `kept` finds it there: a tab reloaded while a training or
a search runs (a new session in the same area) shows it still running, and its outcome when it ends.

A hyperparameter search (`start_search`, a `SearchJob`) drives its trials from a thread of this process: each
trial is a job of the same runner, as many at once as it has workers, and reports to the SearchJob the page
polls; the best configuration is trained with `start_training(..., search=...)`, which keeps the search with
the run.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.models.training.members import network_kind, network_progress, noted_networks
from finmodels.runtime.jobs import Job
from finmodels.runtime.worker import train_run
from ui import runtime, session, state

SEED_MAX = 1_000_000  # a search's sampler seed is drawn from 0 to this (the seed inputs' range)
LIVE_KEPT = 64  # (area, kind) pairs whose latest job this server remembers for a reload, most recent last
_LIVE = session.AreaMemory(LIVE_KEPT)  # (area, key) -> the latest job this area's sessions kept under key
_ADOPTED = "_adopted_"  # + key: the job this session found in the server's memory (a reload), not one it started


def keep(key: str, job) -> None:
    """Hold `job` (a TrainingJob or SearchJob) in this session under `key`, and in the server's memory for this
    session's area, so a reload of the tab finds it."""
    st.session_state[key] = job
    _LIVE.put((session.area(), key), job)


def kept(key: str):
    """The job this session keeps under `key`; after a reload, the one this area's last session started."""
    job = st.session_state.get(key)
    if job is None:
        job = _LIVE.get((session.area(), key))
        if job is not None:
            st.session_state[key] = job
            st.session_state[_ADOPTED + key] = job
    return job


def adopted(key: str):
    """The job under `key` when this session found it after a reload (another session of the area started it), so
    the page can show that job's settings rather than its defaults; None for a job this session started."""
    job = st.session_state.get(key)
    return job if job is not None and st.session_state.get(_ADOPTED + key) is job else None


@dataclass
class TrainingJob:
    """One training run submitted by this session: its config, the data's name, and the runner's job."""

    config: object
    data_name: str
    job: Job
    collected: bool = False
    rows: int | None = None  # the rows of the file it trains on, to tell that file from another of the same name

    @property
    def running(self) -> bool:
        return self.job.running

    def blended(self) -> tuple[str, ...]:
        """The architectures the run blends (the chosen one first), as TrainConfig.resolved gives them for its rows;
        () for one architecture, so the live header names the blend before its weights are known."""
        from finmodels.data.tasks import ANOMALY, FORECAST, get_task
        from finmodels.models.training.config import expected_train_rows

        if get_task(self.config.task).kind in (FORECAST, ANOMALY):
            return ()
        blend = self.config.resolved(expected_train_rows(self.rows or 0)).blend
        return (self.config.arch, *blend) if blend else ()

    @property
    def queued(self) -> bool:
        return self.job.queued

    @property
    def position(self) -> int | None:
        return self.job.position

    @property
    def stop_requested(self) -> bool:
        return self.job.stop_requested

    @property
    def stage(self) -> str | None:
        """The training's latest stage note ('Preprocessing 1,000,000 rows...'), None before the first."""
        notes = self.job.notes
        return notes[-1].rstrip(".") if notes else None

    @property
    def fitted(self) -> bool:
        """True once a stage after the network's fit has begun (scoring, backtests, baselines)."""
        notes = self.job.notes
        fits = [i for i, n in enumerate(notes) if n.startswith("Fitting the network")]
        return bool(fits) and len(notes) > fits[-1] + 1

    @property
    def network(self) -> tuple[int, int] | None:
        """(k, n) of the last of n cross-fitted networks that began ('Fitting the network 2 of 10 ...'), while
        one trains or after; None for a single network."""
        return next((found for found in map(network_progress, reversed(self.job.notes)) if found), None)

    @property
    def network_kind(self) -> str | None:
        """The architecture of the cross-fitted network training now ('deep & cross network (DCN-V2)'), if named."""
        return next((found for found in map(network_kind, reversed(self.job.notes)) if found), None)

    @property
    def networks(self) -> dict[str, list[int]]:
        """The networks begun so far by architecture, for the live chart's colours (members.noted_networks)."""
        return noted_networks(self.job.notes)

    @property
    def planned(self) -> int | None:
        """How many cross-fitted networks the run fits in all (not only those begun); None for a single network."""
        return self.network[1] if self.network else None

    @property
    def fraction(self) -> float:
        """The progress bar's share: epochs of the most (networks done, for cross-fitted networks), then full once
        the network is fitted."""
        if self.fitted:
            return 1.0
        if self.network:
            k, n = self.network  # the networks fitted so far
            return (k - 1) / n
        return min(1.0, self.epochs_done / self.config.epochs)

    @property
    def history(self) -> dict[str, list[float]]:
        return self.job.poll().history

    @property
    def epochs_done(self) -> int:
        return self.job.poll().epochs_done

    @property
    def elapsed(self) -> float:
        return self.job.elapsed

    @property
    def result(self):
        return self.job.result

    @property
    def error(self) -> BaseException | None:
        return self.job.error

    def stop(self) -> None:
        """Ask the worker to end after the current epoch (the best weights are kept); a queued job is dropped."""
        self.job.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (for tests and scripts); True when it has ended."""
        return self.job.wait(timeout)


def start_training(frame: pd.DataFrame, config, *, data_name: str, search: dict | None = None) -> TrainingJob:
    """Submit training `config` on `frame` to a worker and return the job to poll; the run is kept in this
    session's workspace area (with `search`, the SearchResult.to_dict() that chose `config`, when given)."""
    job = runtime.runner().submit(train_run, frame, config, data_name=data_name, workspace=runtime.workspace_ref(),
                                  search=search, progress=True, label=f"the training on {data_name}")
    return TrainingJob(config=config, data_name=data_name, job=job, rows=len(frame))


def collect(job: TrainingJob | None) -> None:
    """Move a finished job's run into the session's runs, once; a real bug is re-raised, not hidden."""
    if job is None or job.running or job.collected:
        return
    job.collected = True
    if job.error is None:
        state.add_run(job.result, data_name=job.data_name)
    elif not isinstance(job.error, FinModelsError):
        raise job.error


def clock_at_end(job: TrainingJob | None, result) -> float | None:
    """Where the live clock of `result`'s training stopped (seconds since a worker took the job), when this
    session's job trained it; None for a run opened from the workspace."""
    if job is None or job.running or getattr(job.result, "run_id", None) != result.run_id:
        return None
    return job.elapsed


def network_in_training(job: TrainingJob) -> tuple[int, int] | None:
    """(k, n) while the k-th of n cross-fitted networks trains, for the live chart's title (the line under the
    progress bar names the same network); None for one network and once the networks are fitted."""
    return None if job.fitted else job.network


def progress_text(job: TrainingJob) -> str:
    """The line under the progress bar: queued (and where), stopping, preparing, or the epoch and its loss."""
    done, total = job.epochs_done, job.config.epochs
    if job.queued:
        place = job.position
        ahead = "" if place is None else f" · {place - 1} job(s) ahead of it" if place > 1 else " · next to start"
        return f"Waiting for a free worker: every worker is training another run{ahead}..."
    if job.stop_requested and not job.fitted:
        return f"Stopping after epoch {done}; keeping the best weights so far..."
    if job.fitted:
        trained = f"{job.network[0]} networks trained for {done} epochs in all" if job.network else (
            f"the network trained for {done} epochs")
        return f"{job.stage} · {trained} · {job.elapsed:.0f} s so far"
    if done == 0:
        return f"{job.stage or 'Preparing the data and building the network'}... · {job.elapsed:.0f} s so far"
    if job.network:  # not yet fitted: the k-th network trains
        k, n = job.network
        losses = job.history.get("val_loss" if k == 1 else f"network_{k}_val_loss") or []
        kind = f" ({job.network_kind})" if job.network_kind else ""
        shown = f"epoch {len(losses)} of at most {total} · validation loss {losses[-1]:.4f}" if losses else \
            "first epoch running"
        return f"Network {k} of {n}{kind} · {shown} · {job.elapsed:.0f} s so far"
    val = job.history["val_loss"][-1] if job.history["val_loss"] else job.history["loss"][-1]
    return f"Epoch {done} of at most {total} · validation loss {val:.4f} · {job.elapsed:.0f} s so far"


def warm_up() -> None:
    """Start the runner's workers (each imports TensorFlow, about 8 s) before the analyst presses Train."""
    runtime.start()


@dataclass
class SearchJob:
    """A hyperparameter search this session started: its trials as they are reported, and its outcome.

    The search's driver (`finmodels.models.search.search`: optuna's sampler) runs in a thread of this process;
    each trial is a job of the runner, as many at once as it has workers, so no network is trained here.
    """

    config: object
    count: int
    data_name: str
    frame: pd.DataFrame  # the rows searched on: the best is trained on them, whatever the analyst loads since
    control: object  # finmodels.models.search.SearchControl
    epochs: int | None = None  # the form's max epochs when the search started: the best is trained with them
    seed: int | None = None  # the TPE sampler's seed, shown with the outcome so the search can be asked again
    trials: dict = field(default_factory=dict)  # trial number -> its latest Trial
    result: object | None = None  # the SearchResult once it ends
    error: BaseException | None = None
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    thread: threading.Thread | None = None
    _fingerprint: str | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def report(self, trial) -> None:
        self.trials = {**self.trials, trial.number: trial}  # a new dict: the page may be reading the old one

    def listed(self) -> list:
        """The trials reported so far, in the order they were asked."""
        trials = self.trials
        return [trials[n] for n in sorted(trials)]

    def stop(self) -> None:
        """End the search: no new trial starts, running ones end after their current epoch."""
        self.control.stop()

    def searched_on(self, current) -> bool:
        """True when `current` (a ui.state.Dataset) is the table this search ran on: the same frame, or the same
        file read again (same name, shape and fingerprint); another file is not, whatever its name."""
        if current is None:
            return False
        if current.frame is self.frame:
            return True
        if current.name != self.data_name or current.frame.shape != self.frame.shape:
            return False
        from finmodels.runtime.workspace import data_fingerprint

        if self._fingerprint is None:
            self._fingerprint = data_fingerprint(self.frame)
        return data_fingerprint(current.frame) == self._fingerprint

    def _run(self) -> None:
        from finmodels.models.search import search

        try:
            self.result = search(self.frame, self.config, trials=self.count, runner=runtime.runner(), on_trial=self.report,
                                 control=self.control, seed=self.seed)
        except BaseException as exc:  # shown (the project's own) or re-raised on the page, never lost in the thread
            self.error = exc
        finally:
            self.finished = time.perf_counter()


def start_search(frame: pd.DataFrame, config, *, trials: int, data_name: str, epochs: int | None = None,
                 seed: int | None = None) -> SearchJob:
    """Start `trials` trials of `config.arch`'s settings on `frame` (checked first: a ConfigError names the bounds);
    the trials run as worker jobs and report to the returned SearchJob. `epochs` is the form's max epochs, which
    the best configuration trains with (the trials use `config.epochs`); `seed` seeds optuna's sampler, a fresh
    one (0 to SEED_MAX) for each search when None, so a search on another file asks other settings."""
    from finmodels.models.search import SearchControl, check_trials

    seed = secrets.randbelow(SEED_MAX + 1) if seed is None else int(seed)
    job = SearchJob(config=config, count=check_trials(trials), data_name=data_name, frame=frame,
                    control=SearchControl(), epochs=epochs, seed=seed)
    job.thread = threading.Thread(target=job._run, name="hyperparameter-search", daemon=True)
    job.thread.start()
    return job
