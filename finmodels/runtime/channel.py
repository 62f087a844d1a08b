"""The worker's side of a job: where it sends progress and where it reads a stop request.

A `Channel` wraps two objects the runner made: `events`, a queue with `put`, and `stop`, anything with
`is_set()` (a multiprocessing manager's Queue and Event in the local pool; a Ray queue and a small actor on
Ray). Training passes `channel.on_epoch` and `channel.should_stop` straight to `train()`.
"""

from __future__ import annotations

import os
import time

STOP_CHECK_SECONDS = 0.25  # how often the fit asks the web process whether Stop was pressed


class Channel:
    def __init__(self, events, stop):
        self._events, self._stop = events, stop
        self._stopped, self._checked = False, 0.0

    def on_epoch(self, epoch: int, logs: dict) -> None:
        self._events.put(("epoch", int(epoch), {k: float(v) for k, v in logs.items()}))

    def note(self, text: str) -> None:
        """A stage of the job, shown under the progress bar ('Fitting the baselines...')."""
        self._events.put(("note", str(text)))

    def started(self) -> None:
        self._events.put(("worker", os.getpid()))

    def should_stop(self) -> bool:
        # a round trip to the web side costs about 0.2 ms; an epoch of a small network takes 6 ms, so the
        # answer is re-read at most every STOP_CHECK_SECONDS
        now = time.monotonic()
        if not self._stopped and now - self._checked >= STOP_CHECK_SECONDS:
            self._checked = now
            self._stopped = bool(self._stop.is_set())
        return self._stopped


def worker_memory_mb() -> float:
    """This process's resident memory in MB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def call(fn, args: tuple, kwargs: dict, events=None, stop=None):
    """Run one job in a worker: `fn(*args, **kwargs)`, given a `channel=` when the job streams progress.

    Returns (value, resident memory in MB after the job), so the runner can recycle a worker past its ceiling.
    """
    if events is not None:
        channel = Channel(events, stop)
        channel.started()
        kwargs = {**kwargs, "channel": channel}
    value = fn(*args, **kwargs)
    return value, worker_memory_mb()


def warm() -> float:
    """Import the model stack once per worker (TensorFlow takes about 8 s), so the first job does not wait."""
    import keras  # noqa: F401
    import tensorflow  # noqa: F401

    import finmodels.runtime.worker  # noqa: F401
    from finmodels.models.fastfit import settle_heap

    settle_heap()
    return worker_memory_mb()
