"""What-if through a worker process: the run trained in the worker stays warm there, and a what-if answers from
it; the round trip is measured and printed (never asserted: the machine is shared)."""

import time

import pytest

from finmodels.runtime.pool import LocalRunner
from finmodels.runtime.worker import train_run, whatif_bundle, whatif_run


@pytest.fixture(scope="module")
def runner():
    pool = LocalRunner(1)
    yield pool
    pool.shutdown()


@pytest.fixture(scope="module")
def detached(runner, german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig

    config = TrainConfig(members=1, blend=(),
                         target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=15, seed=0)
    job = runner.submit(train_run, german, config, label="a tiny German credit run")
    assert job.wait(300), "training in the worker did not finish"
    return job.outcome()


def test_whatif_answers_from_the_warm_worker(runner, detached, german):
    assert detached.model is None and detached.run_id.startswith("local-")
    timings = []
    for i in range(4):
        started = time.perf_counter()
        job = runner.submit(whatif_run, detached, {"credit_amount": 2000 + 100 * i}, frame=german, row=1,
                            label="a what-if")
        assert job.wait(120)
        result = job.outcome()
        timings.append(round(time.perf_counter() - started, 3))
        assert result.changes == {"credit_amount": (5951, 2000.0 + 100 * i)}
    print(f"\nwhat-if round trips through a warm worker, seconds (first includes the explainer's graph): {timings}; "
          f"inside the worker: {result.seconds}")
    e = result.explanation
    assert e.base_value + e.values[1].sum() == pytest.approx(result.after["score"], abs=1e-5)
    # the numeric moves, and since text inputs are searched too, the other levels that change the decision
    numeric = [c for c in result.counterfactuals if not c.level]
    assert result.threshold == 0.5 and len(numeric) == 7
    levels = [c for c in result.counterfactuals if c.level]
    assert len(levels) == 13 and {c.column for c in levels} <= set(german.columns)


def test_whatif_on_the_runs_own_rows_and_a_bundle(runner, detached, german):
    from finmodels.runtime.worker import bundle_of

    own = runner.submit(whatif_run, detached, {"age_in_years": 99}, row=0, label="a what-if")
    raw = runner.submit(bundle_of, detached, label="the bundle")
    assert own.wait(120) and raw.wait(120)
    result = own.outcome()
    assert result.warnings[0].startswith("age_in_years = 99 is outside the training range (")
    first = detached.frame.iloc[0]
    assert result.changes == {"age_in_years": (int(first["age_in_years"]), 99.0)}
    via_bundle = runner.submit(whatif_bundle, raw.outcome(), detached.frame, {"age_in_years": 99}, row=0,
                               label="a what-if")
    assert via_bundle.wait(120)
    assert via_bundle.outcome().after["score"] == pytest.approx(result.after["score"], abs=1e-6)


def test_a_whole_search_in_one_job_reports_its_trials_as_notes(runner, german):
    """The search's worker entry point (it shares this file's warm worker): trials stream as notes, Stop works."""
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.search import trials_from_notes
    from finmodels.models.training import TrainConfig
    from finmodels.runtime.worker import search_run

    config = TrainConfig(members=1, blend=(),
                         target="creditability", hyperparameters=MLPConfig(units=(8,)), epochs=2, seed=0)
    job = runner.submit(search_run, german, config, trials=2, progress=True, label="a search")
    assert job.wait(300)
    result = job.outcome()
    assert [t.state for t in result.trials] == ["complete", "complete"]
    assert [t.to_dict() for t in trials_from_notes(job.notes)] == [t.to_dict() for t in result.trials]
    stopped = runner.submit(search_run, german, config, trials=50, progress=True, label="a long search")
    deadline = time.time() + 120
    while not trials_from_notes(stopped.poll().notes) and time.time() < deadline:
        time.sleep(0.05)
    stopped.stop()
    assert stopped.wait(120)
    cut = stopped.outcome()
    assert cut.stopped and len(cut.trials) < 50 and cut.notes[-1] == f"Stopped after {len(cut.trials)} of 50 trials."
