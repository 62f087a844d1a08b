"""The Ray runner on a real local Ray instance: the same jobs as the local pool, through Ray's own API."""

import os
import time

import pytest

from finmodels.errors import ConfigError
from finmodels.runtime.jobs import DONE
from finmodels.runtime.runners import make_runner
from finmodels.runtime.worker import ping


@pytest.fixture(scope="module")
def ray_runner():
    runner = make_runner("ray", workers=2)
    yield runner
    runner.shutdown()


def test_unknown_runner_names_the_choices():
    with pytest.raises(ConfigError) as info:
        make_runner("spark")
    assert str(info.value) == ("Unknown runner 'spark' in FINMODELS_RUNNER. Use 'local', 'ray', or 'ray://HOST:PORT' "
                               "for a running Ray cluster.")


def test_a_ray_task_streams_progress_and_stops(ray_runner):
    job = ray_runner.submit(ping, seconds=30, epochs=300, progress=True, label="a long fit")
    deadline = time.time() + 120
    while job.poll().epochs_done < 3 and time.time() < deadline:
        time.sleep(0.1)
    assert job.epochs_done >= 3
    assert job.worker_pid not in (None, os.getpid())
    job.stop()
    assert job.wait(60)
    assert job.state == DONE and job.epochs_done < 300


def test_a_network_trains_through_ray(ray_runner, german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig
    from finmodels.runtime.worker import train_run

    config = TrainConfig(target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=15, seed=0)
    job = ray_runner.submit(train_run, german, config, progress=True, label="German credit on Ray")
    assert job.wait(600), job.state
    run = job.outcome()
    assert run.model is None
    assert 0.6 < run.metrics["roc_auc"] < 0.95
    # every epoch of the ten cross-fitted networks reached the page, each network under its own name
    names = ["loss"] + [f"network_{k}_loss" for k in range(2, 11)]
    assert all(job.history[n] == pytest.approx(run.history[n]) for n in names)  # each network's own curve
    assert set(run.baselines) == {"logistic_regression", "hist_gradient_boosting", "scorecard"}
