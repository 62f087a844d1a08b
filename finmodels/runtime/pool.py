"""The embedded runner: a pool of warm worker processes on this machine (`FINMODELS_RUNNER=local`, the default).

Each slot of the pool is a standard-library `ProcessPoolExecutor` with one spawned worker. A worker imports
TensorFlow once, when its slot starts, and is replaced after `recycle_after` jobs (the executor's
`max_tasks_per_child`) or when its resident memory passes `memory_ceiling_mb` after a job: Keras' memory grows
with every fit in one process, so recycling keeps it bounded. One worker per slot means a worker that dies
(killed, out of memory) breaks only its own slot: its job fails with a message that says so, the slot starts a
fresh worker, and the other slots' jobs go on.

Jobs wait in one queue, first come first served, and each slot takes the next job when it is free; a job's
place in the queue is shown on the page. Progress and Stop travel through a multiprocessing manager's queue and
event (`channel.Channel`). Every job runs in its own process with its own seed, so runs stay reproducible while
others train.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from finmodels.errors import FinModelsError, TrainingStopped
from finmodels.runtime import channel as worker_side
from finmodels.runtime.jobs import RUNNING, Job, WorkerLost, worker_lost_message

RECYCLE_AFTER = int(os.environ.get("FINMODELS_RECYCLE_AFTER", "25"))  # jobs per worker before a fresh one
MEMORY_CEILING_MB = float(os.environ.get("FINMODELS_WORKER_MB", "3000"))  # a worker above this after a job is replaced


def _without_main_module(get_preparation_data):
    """multiprocessing's spawn, minus re-running the parent's main script in each worker.

    Streamlit runs a page script as the `__main__` module, so a spawned worker would run the dashboard's app.py
    again (and start a pool of its own). Workers here only ever run finmodels functions, named by module.
    """
    def preparation_data(name):
        data = get_preparation_data(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    preparation_data.finmodels_patched = True
    return preparation_data


def _spawn_context():
    import multiprocessing.spawn as spawn

    if not getattr(spawn.get_preparation_data, "finmodels_patched", False):
        spawn.get_preparation_data = _without_main_module(spawn.get_preparation_data)
    return multiprocessing.get_context("spawn")  # never fork a process that has threads


def default_workers() -> int:
    """FINMODELS_WORKERS, else one worker per core."""
    return max(1, int(os.environ.get("FINMODELS_WORKERS") or os.cpu_count() or 1))


class _Slot:
    """One worker process and the thread that feeds it jobs from the shared queue."""

    def __init__(self, runner: "LocalRunner", index: int):
        self.runner, self.index = runner, index
        self.executor: ProcessPoolExecutor | None = None
        self.warm_memory_mb: float | None = None
        self.jobs_run = 0
        self.recycled = 0
        self.thread = threading.Thread(target=self._loop, name=f"finmodels-slot-{index}", daemon=True)

    def start_worker(self) -> None:
        self.executor = ProcessPoolExecutor(max_workers=1, mp_context=self.runner.context,
                                            max_tasks_per_child=self.runner.recycle_after)
        if self.runner.warm:
            try:
                self.warm_memory_mb = self.executor.submit(worker_side.warm, self.runner.threads).result()
            except BrokenProcessPool:
                self.warm_memory_mb = None  # the next job finds the slot broken and replaces the worker

    def replace_worker(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        self.recycled += 1
        self.start_worker()

    def _loop(self) -> None:
        self.start_worker()
        while True:
            job = self.runner.next_job()
            if job is None:
                break
            self._run(job)
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job) -> None:
        fn, args, kwargs = job._call
        events, stop = job._channel if job._channel is not None else (None, None)
        job.state = RUNNING
        job.started = time.perf_counter()
        try:
            future = self.executor.submit(worker_side.call, fn, args, kwargs, events, stop)
            value, memory = future.result()
        except BrokenProcessPool as exc:
            job._finish(error=WorkerLost(worker_lost_message(job.label, str(exc.__cause__ or "").strip())))
            self.replace_worker()
            return
        except BaseException as exc:  # the job's own error (FinModelsError for bad input, else a real bug)
            job._finish(error=exc)
            self.jobs_run += 1
            return
        self.jobs_run += 1
        job._finish(result=value, memory_mb=memory)
        if memory > self.runner.memory_ceiling_mb:
            self.replace_worker()


class LocalRunner:
    """A pool of warm workers on this machine; `submit` returns a `Job` at once and the pool runs it."""

    name = "local"

    def __init__(self, workers: int | None = None, *, recycle_after: int = RECYCLE_AFTER,
                 memory_ceiling_mb: float = MEMORY_CEILING_MB, warm: bool = True):
        self.workers = workers or default_workers()
        # each worker's share of the cores (FINMODELS_WORKER_THREADS overrides): fits side by side do not fight
        self.threads = int(os.environ.get("FINMODELS_WORKER_THREADS") or max(1, (os.cpu_count() or 1) // self.workers))
        self.recycle_after, self.memory_ceiling_mb, self.warm = int(recycle_after), float(memory_ceiling_mb), warm
        self.context = _spawn_context()
        self._manager = None
        self._pending: deque[Job] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._idle = 0  # slots waiting for a job
        self.slots = [_Slot(self, i) for i in range(self.workers)]
        for slot in self.slots:
            slot.thread.start()

    # --- the web side ---------------------------------------------------------------------------------
    def submit(self, fn, *args, label: str = "a job", progress: bool = False, **kwargs) -> Job:
        """Queue `fn(*args, **kwargs)` for a worker; with `progress`, `fn` also gets `channel=` (see channel)."""
        if self._closed:
            raise FinModelsError("The model runner has been shut down; restart the dashboard.")
        job = Job(label=label)
        job._runner, job._call = self, (fn, args, kwargs)
        if progress:
            manager = self._ensure_manager()
            job._channel = (manager.Queue(), manager.Event())
        with self._cond:
            self._pending.append(job)
            self._cond.notify()
        return job

    def position(self, job: Job) -> int | None:
        with self._cond:
            try:
                return list(self._pending).index(job) + 1
            except ValueError:
                return None

    def request_stop(self, job: Job) -> None:
        with self._cond:
            if job in self._pending:
                self._pending.remove(job)
                job._finish(error=TrainingStopped("Stopped while waiting in the queue; nothing was trained."))
                return
        if job._channel is not None:
            job._channel[1].set()

    def drain(self, job: Job) -> list[tuple]:
        events = []
        queue = job._channel[0]
        try:
            while True:
                events.append(queue.get_nowait())
        except Exception:  # queue.Empty, or the manager gone at shutdown
            pass
        return events

    def queued(self) -> int:
        with self._cond:
            return len(self._pending)

    def status(self) -> dict:
        """What the pool is doing, for the Runs page and the benchmark."""
        with self._cond:
            queued, idle = len(self._pending), self._idle
        return {"runner": self.name, "workers": self.workers, "queued": queued, "busy": self.workers - idle,
                "jobs_run": sum(s.jobs_run for s in self.slots), "recycled": sum(s.recycled for s in self.slots),
                "worker_memory_mb": [s.warm_memory_mb for s in self.slots]}

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            for job in list(self._pending):
                job._finish(error=TrainingStopped("The dashboard is shutting down; the job did not run."))
            self._pending.clear()
            self._cond.notify_all()
        for slot in self.slots:
            slot.thread.join(timeout=30)
        if self._manager is not None:
            self._manager.shutdown()

    # --- the slots' side -------------------------------------------------------------------------------
    def next_job(self) -> Job | None:
        with self._cond:
            self._idle += 1
            try:
                while not self._pending and not self._closed:
                    self._cond.wait()
                return None if self._closed else self._pending.popleft()
            finally:
                self._idle -= 1

    def _ensure_manager(self):
        with self._cond:
            if self._manager is None:
                self._manager = self.context.Manager()
            return self._manager
