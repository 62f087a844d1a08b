"""The local pool of warm workers: jobs run in other processes, queue in order, stream progress, stop, and a
killed worker fails only its own job."""

import os
import signal
import time

import pytest

from finmodels.errors import TrainingStopped
from finmodels.runtime.jobs import DONE, FAILED, WorkerLost
from finmodels.runtime.pool import LocalRunner
from finmodels.runtime.worker import ping


@pytest.fixture(scope="module")
def runner():
    pool = LocalRunner(2, warm=False)
    yield pool
    pool.shutdown()


def test_jobs_run_in_worker_processes_and_return_values(runner):
    job = runner.submit(ping, 41, label="a ping")
    assert job.wait(60)
    assert job.state == DONE
    assert job.result["value"] == 41
    assert job.result["pid"] != os.getpid()
    assert job.worker_memory_mb > 10


def test_a_third_job_waits_in_the_queue_and_knows_its_place(runner):
    first = runner.submit(ping, seconds=1.5, label="first")
    second = runner.submit(ping, seconds=1.5, label="second")
    third = runner.submit(ping, 3, label="third")
    deadline = time.time() + 30
    while (first.queued or second.queued) and time.time() < deadline:
        time.sleep(0.02)
    assert third.position == 1
    fourth = runner.submit(ping, 4, label="fourth")
    assert fourth.position == 2
    assert all(j.wait(60) for j in (first, second, third, fourth))
    assert first.result["pid"] != second.result["pid"]  # the two ran side by side, one per worker
    assert third.position is None and third.result["value"] == 3


def test_progress_streams_and_stop_ends_the_job_early(runner):
    job = runner.submit(ping, seconds=20, epochs=200, progress=True, label="a long fit")
    deadline = time.time() + 30
    while job.poll().epochs_done < 3 and time.time() < deadline:
        time.sleep(0.05)
    assert job.epochs_done >= 3
    assert job.worker_pid is not None and job.worker_pid != os.getpid()
    job.stop()
    assert job.wait(30)
    assert job.state == DONE
    assert 3 <= job.epochs_done < 200
    assert job.history["loss"][0] == pytest.approx(1.0)


def test_a_queued_job_can_be_stopped_before_it_runs(runner):
    blockers = [runner.submit(ping, seconds=1.0, label=f"blocker {i}") for i in range(2)]
    deadline = time.time() + 30
    while any(b.queued for b in blockers) and time.time() < deadline:
        time.sleep(0.02)
    queued = runner.submit(ping, 1, label="queued")
    queued.stop()
    assert queued.wait(5)
    assert queued.state == FAILED
    assert isinstance(queued.error, TrainingStopped)
    assert str(queued.error) == "Stopped while waiting in the queue; nothing was trained."
    assert all(b.wait(60) for b in blockers)


def test_a_killed_worker_fails_its_own_job_with_a_message_and_the_pool_goes_on(runner):
    victim = runner.submit(ping, seconds=30, epochs=300, progress=True, label="training on taiwan_default.csv")
    other = runner.submit(ping, seconds=2.0, epochs=20, progress=True, label="another analyst's run")
    deadline = time.time() + 30
    while victim.poll().worker_pid is None and time.time() < deadline:
        time.sleep(0.05)
    os.kill(victim.worker_pid, signal.SIGKILL)
    assert victim.wait(60)
    assert victim.state == FAILED
    assert isinstance(victim.error, WorkerLost)
    message = str(victim.error)
    assert message.startswith("The worker process running training on taiwan_default.csv stopped before it finished")
    assert "Nothing already saved was lost" in message and "Press the button again to retry" in message
    assert other.wait(60) and other.state == DONE and other.epochs_done == 20
    after = runner.submit(ping, "alive", label="after the crash")
    assert after.wait(120) and after.result["value"] == "alive"
    assert sum(s.recycled for s in runner.slots) >= 1


def test_a_worker_past_its_memory_ceiling_is_replaced():
    pool = LocalRunner(1, warm=False, memory_ceiling_mb=1)
    try:
        first = pool.submit(ping, 1)
        assert first.wait(60)
        second = pool.submit(ping, 2)
        assert second.wait(60)
        assert first.result["pid"] != second.result["pid"]
        assert pool.slots[0].recycled >= 1
    finally:
        pool.shutdown()


def test_a_worker_is_replaced_after_its_quota_of_jobs():
    pool = LocalRunner(1, warm=False, recycle_after=2)
    try:
        pids = []
        for i in range(4):
            job = pool.submit(ping, i)
            assert job.wait(60)
            pids.append(job.result["pid"])
        assert pids[0] == pids[1] and pids[2] == pids[3] and pids[1] != pids[2]
    finally:
        pool.shutdown()


def test_a_network_trains_in_a_worker_with_live_epochs_and_its_model_stays_there(runner, german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig
    from finmodels.runtime.worker import predict_run, train_run

    config = TrainConfig(target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=15, seed=0)
    job = runner.submit(train_run, german, config, progress=True, label="German credit")
    assert job.wait(300), job.state
    run = job.outcome()
    assert run.model is None and run.run_id.startswith("local-")
    assert 0.6 < run.metrics["roc_auc"] < 0.95
    # every epoch of the ten cross-fitted networks reached the page, in the order they trained
    names = ["loss"] + [f"network_{k}_loss" for k in range(2, 11)]
    assert set(names) <= set(run.history) and job.epochs_done == sum(len(run.history[n]) for n in names)
    assert all(job.history[n] == pytest.approx(run.history[n]) for n in names)  # each network's own curve
    # the same worker answers from its cache; its scores are the run's own test scores
    same = [runner.submit(predict_run, run, run.frame.iloc[run.split.test]) for _ in range(2)]
    answered = [j for j in same if j.wait(120) and j.state == DONE]
    assert answered, [str(j.error) for j in same]
    assert answered[0].result == pytest.approx(run.test_scores, abs=1e-6)


def test_runs_side_by_side_are_as_reproducible_as_runs_alone(runner, german):
    """Keras seeds are process-wide: with one fit per worker process, two seeded fits at once give exactly what
    each gives alone."""
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig
    from finmodels.runtime.worker import train_run

    config = TrainConfig(members=1, blend=(),
                         target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=10, seed=3)
    other = TrainConfig(members=1, blend=(),
                        target="creditability", hyperparameters=MLPConfig(units=(8,)), epochs=10, seed=11)
    alone = runner.submit(train_run, german, config)
    assert alone.wait(300)
    together = [runner.submit(train_run, german, c) for c in (config, other)]
    assert all(j.wait(300) for j in together)
    first, again = alone.outcome(), together[0].outcome()
    assert together[0].result is not None and together[1].result is not None
    assert again.history["loss"] == first.history["loss"]
    assert again.metrics["roc_auc"] == first.metrics["roc_auc"]
    assert together[1].outcome().metrics["roc_auc"] != first.metrics["roc_auc"]
