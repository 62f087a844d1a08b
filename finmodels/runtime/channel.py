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
    _solver_first()
    if events is not None:
        channel = Channel(events, stop)
        channel.started()
        kwargs = {**kwargs, "channel": channel}
    value = fn(*args, **kwargs)
    return value, worker_memory_mb()


def _solver_first() -> None:
    """The scorecard's solver library must load before TensorFlow (see finmodels.models.scorecard); a worker
    loads it first, so its scorecards fit in the worker instead of a fresh process."""
    import finmodels.models.scorecard  # noqa: F401


def share_cores(threads: int | None) -> None:
    """Give this worker its share of the machine's cores: TensorFlow's thread pools, and the BLAS and OpenMP
    pools of NumPy and scikit-learn. Each of two workers on two cores took both, so two fits at once each ran
    at half speed and two analysts waited 1.9 times as long as one (measured in the browser test)."""
    if not threads:
        return
    import tensorflow as tf
    from threadpoolctl import threadpool_limits

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    threadpool_limits(limits=threads)


def warm(threads: int | None = None) -> float:
    """Import the model stack once per worker (TensorFlow takes about 8 s), so the first job does not wait;
    `threads` limits the worker to its share of the cores."""
    _solver_first()
    import keras  # noqa: F401
    import tensorflow  # noqa: F401

    share_cores(threads)
    import shap  # noqa: F401  (about 2 s: the first explanation or what-if of a worker no longer pays it)

    import finmodels.runtime.worker  # noqa: F401
    from finmodels.models.fastfit import settle_heap

    settle_heap()
    _open_store()
    return worker_memory_mb()


def _open_store() -> None:
    """Open (and on first use create) the workspace's run store, about 5 s, before the first run is kept."""
    try:
        from finmodels.runtime.workspace import Workspace

        Workspace()._client()
    except Exception:  # a workspace that cannot be used says so where a run is kept, with its own message
        pass
