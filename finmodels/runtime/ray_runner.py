"""The scale-out runner: the same jobs as Ray tasks (`FINMODELS_RUNNER=ray`, or `ray://HOST:PORT`).

Without an address, a local Ray instance is started with one CPU per core. With `ray://HOST:PORT` (Ray Client),
jobs go to the team's cluster and the `finmodels` package is shipped with them (`runtime_env` `py_modules`), so
the cluster needs the requirements installed but not this repository. Each job is one Ray task with one CPU;
a Ray worker runs at most `recycle_after` tasks (`max_calls`) before Ray starts a fresh one, which bounds the
memory Keras accumulates, and Ray's own memory monitor stops a task that would exhaust its node. Progress
travels through a Ray queue and Stop through a small actor; a task whose worker died fails with the same
message as in the local pool.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from finmodels.errors import FinModelsError, TrainingStopped
from finmodels.runtime import channel as worker_side
from finmodels.runtime.jobs import QUEUED, RUNNING, Job, WorkerLost, worker_lost_message
from finmodels.runtime.pool import RECYCLE_AFTER, default_workers

PACKAGE = Path(__file__).resolve().parents[1]  # the finmodels package, shipped to a remote cluster


class _StopFlag:
    def __init__(self):
        self.value = False

    def set(self) -> None:
        self.value = True

    def is_set(self) -> bool:
        return self.value


class _RemoteStop:
    """What a Ray task reads Stop from: the job's flag actor."""

    def __init__(self, actor):
        self.actor = actor

    def is_set(self) -> bool:
        import ray

        return bool(ray.get(self.actor.is_set.remote()))


class RayRunner:
    """Jobs as Ray tasks; `submit` returns a `Job` at once, as `LocalRunner.submit` does."""

    name = "ray"

    def __init__(self, address: str | None = None, *, workers: int | None = None, recycle_after: int = RECYCLE_AFTER):
        import ray

        self.address = address
        self.workers = workers or default_workers()
        if not ray.is_initialized():
            if address:
                ray.init(address=address, runtime_env={"py_modules": [str(PACKAGE)]}, logging_level="WARNING")
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, logging_level="WARNING",
                         runtime_env={"env_vars": {"PYTHONPATH": str(PACKAGE.parent),
                                                   "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}})
        self._call = ray.remote(num_cpus=1, max_calls=int(recycle_after), max_retries=0)(worker_side.call)
        self._flag = ray.remote(num_cpus=0)(_StopFlag)
        self._lock = threading.Lock()
        self._jobs: list[Job] = []

    def submit(self, fn, *args, label: str = "a job", progress: bool = False, **kwargs) -> Job:
        from ray.util.queue import Queue

        job = Job(label=label)
        job._runner, job._call = self, (fn, args, kwargs)
        events = stop = None
        if progress:
            events, flag = Queue(actor_options={"num_cpus": 0}), self._flag.remote()
            stop = _RemoteStop(flag)
            job._channel = (events, flag)
        job._ref = self._call.remote(fn, args, kwargs, events, stop)
        with self._lock:
            self._jobs.append(job)
        threading.Thread(target=self._await, args=(job,), name=f"finmodels-ray-{job.id}", daemon=True).start()
        return job

    def _await(self, job: Job) -> None:
        import ray
        from ray.exceptions import RayTaskError, TaskCancelledError, WorkerCrashedError

        try:
            value, memory = ray.get(job._ref)
        except TaskCancelledError:
            job._finish(error=TrainingStopped("Stopped while waiting in the queue; nothing was trained."))
        except WorkerCrashedError as exc:
            job._finish(error=WorkerLost(worker_lost_message(job.label, type(exc).__name__)))
        except RayTaskError as exc:
            cause = exc.cause if isinstance(getattr(exc, "cause", None), BaseException) else exc
            job._finish(error=cause)
        except BaseException as exc:  # the cluster went away, or a real bug
            job._finish(error=exc if isinstance(exc, FinModelsError) else WorkerLost(
                worker_lost_message(job.label, f"{type(exc).__name__}: {exc}")))
        else:
            job._finish(result=value, memory_mb=memory)
        finally:
            with self._lock:
                if job in self._jobs:
                    self._jobs.remove(job)

    def drain(self, job: Job) -> list[tuple]:
        events = []
        queue = job._channel[0]
        try:
            while not queue.empty():
                events.append(queue.get_nowait())
        except Exception:  # Empty, or the queue actor gone with the job
            pass
        for event in events:
            if event[0] == "worker" and job.state == QUEUED:
                job.state = RUNNING
        return events

    def position(self, job: Job) -> int | None:
        with self._lock:
            waiting = [j for j in self._jobs if j.state == QUEUED]
        return waiting.index(job) + 1 if job in waiting else None

    def request_stop(self, job: Job) -> None:
        import ray

        if job.state == QUEUED and job._channel is None:
            ray.cancel(job._ref)
        elif job._channel is not None:
            job._channel[1].set.remote()

    def status(self) -> dict:
        import ray

        with self._lock:
            queued = sum(1 for j in self._jobs if j.state == QUEUED)
            running = len(self._jobs) - queued
        return {"runner": self.name, "address": self.address or "local Ray instance", "queued": queued,
                "busy": running, "cpus": ray.cluster_resources().get("CPU", 0)}

    def shutdown(self) -> None:
        import ray

        if not self.address:
            ray.shutdown()
