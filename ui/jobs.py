"""Training in a background thread owned by one session, so the page stays live and a Stop button works.

Streamlit reruns the page script on every interaction; a script blocked in `fit()` could neither draw the
progress nor see a Stop click. The job runs `finmodels.models.training.train` in its own thread, records each
epoch's losses, and reads a stop event through the trainer's `should_stop` hook. The page keeps the job in
`st.session_state` (never in a shared cache: it belongs to one user) and polls it from a fragment, with
`progress_text`; `collect` moves a finished job's run into the session. Nothing here calls Streamlit from the
worker thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pandas as pd

from finmodels.errors import FinModelsError
from ui import state

# One fit at a time in this process. Keras seeds are process-global (keras.utils.set_random_seed), so two
# sessions fitting at once would make each other's seeded runs unrepeatable; on a small server the fits would
# also only share the same cores. A second session's job waits here, shown as queued, and can be stopped.
_FIT_LOCK = threading.Lock()


@dataclass
class TrainingJob:
    """One training run in progress or finished: its config, live history and outcome."""

    config: object
    data_name: str
    history: dict[str, list[float]] = field(default_factory=lambda: {"loss": [], "val_loss": []})
    result: object | None = None
    error: BaseException | None = None
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    collected: bool = False
    queued: bool = False
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def epochs_done(self) -> int:
        return len(self.history["loss"])

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def stop(self) -> None:
        """Ask the trainer to end after the current epoch; the best weights so far are kept."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (for tests and scripts); True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _on_epoch(self, epoch: int, logs: dict) -> None:
        for name in ("loss", "val_loss"):
            if name in logs:
                # Replace the list rather than append in place, so a reader never sees a half-updated pair.
                self.history = {**self.history, name: [*self.history[name], float(logs[name])]}

    def _work(self, frame: pd.DataFrame) -> None:
        from finmodels.errors import TrainingStopped
        from finmodels.models.training import train

        try:
            while not _FIT_LOCK.acquire(timeout=0.2):
                self.queued = True
                if self._stop.is_set():
                    raise TrainingStopped("Stopped while waiting for another session's training; nothing was trained.")
            self.queued = False
            try:
                self.result = train(frame, self.config, on_epoch=self._on_epoch, should_stop=self._stop.is_set)
            finally:
                _FIT_LOCK.release()
        except FinModelsError as exc:
            self.error = exc
        except BaseException as exc:  # a real bug: kept and re-raised in the page, where tests see it
            self.error = exc
        finally:
            self.finished = time.perf_counter()


def start_training(frame: pd.DataFrame, config, *, data_name: str) -> TrainingJob:
    """Start training `config` on `frame` in a daemon thread and return the job to poll."""
    job = TrainingJob(config=config, data_name=data_name)
    job._thread = threading.Thread(target=job._work, args=(frame,), name="finmodels-train", daemon=True)
    job._thread.start()
    return job


def collect(job: TrainingJob | None) -> None:
    """Move a finished job's result into the session's runs, once; a real bug is re-raised, not hidden."""
    if job is None or job.running or job.collected:
        return
    job.collected = True
    if job.error is None:
        state.add_run(job.result, data_name=job.data_name)
    elif not isinstance(job.error, FinModelsError):
        raise job.error


def progress_text(job: TrainingJob) -> str:
    """The line under the progress bar: queued, stopping, preparing, or the epoch and its validation loss."""
    done, total = job.epochs_done, job.config.epochs
    if job.queued:
        return "Waiting for another session's training to finish (one network trains at a time on this server)..."
    if job.stop_requested:
        return f"Stopping after epoch {done}; keeping the best weights so far..."
    if done == 0:
        return "Preparing the data and building the network..."
    val = job.history["val_loss"][-1] if job.history["val_loss"] else job.history["loss"][-1]
    return (f"Epoch {done} of at most {total} · validation loss {val:.4f} · {job.elapsed:.0f} s "
            "· baselines and test metrics follow")


_warm = threading.Lock()
_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Import the training stack (TensorFlow, about 8 s) in the background once per process.

    Called when the Train page opens, so the analyst's first press of Train does not wait for the import,
    while the Home and Data pages still open without TensorFlow.
    """
    with _warm:
        if _warming:
            return
        thread = threading.Thread(target=_import_training_stack, name="finmodels-warm-up", daemon=True)
        _warming.append(thread)
        thread.start()


def _import_training_stack() -> None:
    import importlib

    for name in ("keras", "sklearn.linear_model", "sklearn.ensemble"):
        try:
            importlib.import_module(name)
        except ImportError:  # the training itself reports a missing library with its own message
            return
