"""A job as the web process sees it: queued, running or finished, with its live progress and its outcome.

Both runners (`pool.LocalRunner`, `ray_runner.RayRunner`) hand back a `Job`. The page polls it: `poll()` drains
the progress the worker sent (epoch losses, stage notes), `position` is its place in the queue, `stop()` asks
the worker to end the fit after the current epoch (keeping the best weights), and a finished job holds either
its `result` or its `error`. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

from finmodels.errors import FinModelsError

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
_IDS = itertools.count(1)


class WorkerLost(FinModelsError):
    """The worker process running a job ended without a result (killed, or out of memory)."""


def worker_lost_message(label: str, detail: str = "") -> str:
    what = f" ({detail})" if detail else ""
    return (f"The worker process running {label} stopped before it finished{what}: it was killed, or the machine "
            "ran out of memory. Nothing already saved was lost, and other analysts' jobs go on. Press the button "
            "again to retry; if the file is large, train on a sample of its rows or fewer features.")


@dataclass
class Job:
    """One unit of model work submitted to a runner."""

    label: str
    id: int = field(default_factory=lambda: next(_IDS))
    state: str = QUEUED
    submitted: float = field(default_factory=time.perf_counter)
    started: float | None = None
    finished: float | None = None
    result: object | None = None
    error: BaseException | None = None
    history: dict[str, list[float]] = field(default_factory=lambda: {"loss": [], "val_loss": []})
    notes: list[str] = field(default_factory=list)  # stage notes sent by the worker, newest last
    worker_pid: int | None = None
    worker_memory_mb: float | None = None
    collected: bool = False
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _runner: object | None = field(default=None, repr=False)
    _call: tuple | None = field(default=None, repr=False)  # (function, args, kwargs) the worker runs
    _channel: object | None = field(default=None, repr=False)  # the runner's handle on the progress channel

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    @property
    def queued(self) -> bool:
        return self.state == QUEUED

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def epochs_done(self) -> int:
        """Epochs trained so far, over every network of a cross-fitted run ('network_K_loss' beside 'loss')."""
        from finmodels.models.training.members import epochs_per_network

        return sum(epochs_per_network(self.history))

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - (self.started or self.submitted)

    @property
    def position(self) -> int | None:
        """1 for the next job to start, 2 for the one after; None once running or finished."""
        return self._runner.position(self) if self._runner is not None and self.state == QUEUED else None

    def stop(self) -> None:
        """Ask the worker to end after the current epoch; a queued job is taken off the queue."""
        self._stop.set()
        if self._runner is not None:
            self._runner.request_stop(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (scripts and tests); True when it has ended."""
        deadline = None if timeout is None else time.perf_counter() + timeout
        while not self._done.is_set():
            self.poll()
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0:
                break
            self._done.wait(0.05 if left is None else min(0.05, left))
        self.poll()
        return self._done.is_set()

    def poll(self) -> "Job":
        """Take in the progress the worker sent since the last poll."""
        if self._runner is not None and self._channel is not None:
            for event in self._runner.drain(self):
                self.record(event)
        return self

    def record(self, event: tuple) -> None:
        kind = event[0]
        if kind == "epoch":
            logs = event[2]
            history = dict(self.history)
            for name in logs:  # 'loss' and 'val_loss', and a cross-fitted run's 'network_K_loss' ...
                if name in ("loss", "val_loss") or name.startswith("network_"):
                    # a new list rather than an append, so a reader never sees a half-updated pair
                    history[name] = [*history.get(name, []), float(logs[name])]
            self.history = history
        elif kind == "note":
            self.notes = [*self.notes, str(event[1])]
        elif kind == "worker":
            self.worker_pid = int(event[1])

    def outcome(self):
        """The result, or the job's error raised here."""
        if self.running:
            raise RuntimeError("The job has not finished.")
        if self.error is not None:
            raise self.error
        return self.result

    def _finish(self, *, result=None, error: BaseException | None = None, memory_mb: float | None = None) -> None:
        self.poll()
        self.result, self.error, self.worker_memory_mb = result, error, memory_mb
        self.state = FAILED if error is not None else DONE
        self.finished = time.perf_counter()
        self._done.set()
