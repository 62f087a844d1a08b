"""Hyperparameter search with optuna on the real German credit file: seeded TPE trials scored on validation rows
only, bounds, stop hooks, live reports, the best configuration, parallel trials on a runner, and its figures."""

import json

import numpy as np
import pytest

from finmodels.errors import ConfigError
from finmodels.models import search as search_module
from finmodels.models.architectures import MLPConfig
from finmodels.models.search import (
    SEARCH_SPACES, TEST_ROWS_NOTE, SearchControl, best_config, check_trials, config_from_params, run_trial, search,
    trial_note, trials_from_notes,
)
from finmodels.models.training import TrainConfig

TINY = TrainConfig(target="creditability", hyperparameters=MLPConfig(units=(8,)), epochs=3, seed=0)


@pytest.fixture(scope="module")
def searched(german):
    reported = []
    result = search(german, TINY, trials=3, on_trial=reported.append)
    return result, reported


def test_trials_are_scored_on_validation_rows_and_the_best_is_the_least_loss(searched, german):
    result, reported = searched
    assert [t.number for t in result.trials] == [0, 1, 2]
    assert all(t.state == "complete" and t.metric == "roc_auc" and 0.5 < t.metric_value <= 1 for t in result.trials)
    assert result.best.value == min(t.value for t in result.trials)
    assert result.notes[0] == TEST_ROWS_NOTE == ("Each trial was trained on the training split and scored on the "
                                                 "validation split only; the test rows were never used for the choice.")
    # live reports: each trial when it starts, then when it ends
    assert [(t.number, t.state) for t in reported] == [(0, "running"), (0, "complete"), (1, "running"),
                                                       (1, "complete"), (2, "running"), (2, "complete")]
    # the best trial's value is the validation log loss of its configuration, trained again from the same seed as
    # one network (a trial is never cross-fitted: its networks would have learned from the validation rows)
    import dataclasses

    from finmodels.models.training import train
    from sklearn.metrics import log_loss

    # the run keeps the form's ensemble (None: five cross-fitted networks of each architecture on German credit)
    assert best_config(result).members is None and best_config(result).resolved(600).members == 5
    again = train(german, dataclasses.replace(best_config(result), members=1, blend=()), baselines=False)
    valid = again.split.valid
    p = again.predict(again.frame.iloc[valid])
    assert log_loss(again.y[valid], np.clip(p, 1e-7, 1 - 1e-7), labels=[0, 1]) == pytest.approx(result.best.value,
                                                                                                  rel=1e-4)


def test_the_settings_come_from_the_space_and_make_a_train_config(searched):
    result, _ = searched
    for t in result.trials:
        p = t.params
        assert set(p) == {"units", "layers", "dropout", "l2", "learning_rate", "batch_size"}
        assert p["units"] in (16, 32, 64, 128) and 1 <= p["layers"] <= 3 and 0 <= p["dropout"] <= 0.5
        assert 1e-4 <= p["learning_rate"] <= 3e-2 and p["batch_size"] in (32, 64, 128, 256, 512, 1024)
    best = best_config(result)
    p = result.best.params
    assert best.hyperparameters.units == tuple(max(4, p["units"] // 2 ** i) for i in range(p["layers"]))
    assert best.learning_rate == p["learning_rate"] and best.batch_size == p["batch_size"]
    assert best.epochs == TINY.epochs and best.target == TINY.target and best.seed == TINY.seed
    # the best trained for longer than the trials (the form's max epochs): only the epochs change
    longer = best_config(result, epochs=40)
    assert longer.epochs == 40 and longer.hyperparameters == best.hyperparameters
    assert longer.learning_rate == best.learning_rate and longer.batch_size == best.batch_size


def test_json_and_table(searched):
    result, _ = searched
    out = json.loads(json.dumps(result.to_dict()))
    assert set(out) == {"trials", "best", "objective", "arch", "seconds", "stopped", "parallel", "notes", "seed",
                        "search_stopped"}
    assert out["seed"] == TINY.seed == 0 and out["search_stopped"] is False and "(seed 0)" in out["notes"][1]
    assert out["best"]["number"] == result.best.number and len(out["trials"]) == 3 and out["arch"] == "mlp"
    table = result.table()
    assert list(table.columns[:6]) == ["trial", "state", "validation loss", "validation roc_auc", "epochs", "seconds"]
    assert table["trial"].tolist() == [1, 2, 3]


def test_the_test_rows_never_change_the_choice(searched, german, monkeypatch):
    """Scramble what the fit computes on test rows: the trials and their scores stay the same."""
    from finmodels.models.training import tabular

    monkeypatch.setattr(tabular, "evaluate", lambda *a, **k: ({"roc_auc": float("nan")}, {}))
    result, _ = searched
    again = search(german, TINY, trials=2)
    for first, second in zip(result.trials, again.trials):
        assert first.params == second.params  # the same seed asks the same settings
        assert first.value == pytest.approx(second.value, rel=1e-6)


@pytest.mark.parametrize("trials", [0, 10_000, -3, 2.5, "many"])
def test_a_trial_count_outside_the_range_is_refused(trials):
    with pytest.raises(ConfigError) as info:
        check_trials(trials)
    assert str(info.value) == (f"A search runs 1 to 200 trials; got {trials}. Each trial trains one network, so ask "
                               "for between 1 and 200 (20 to 50 is usual).")


def test_bounds_are_checked_before_anything_trains(german):
    with pytest.raises(ConfigError, match="A search runs 1 to 200 trials; got 10000."):
        search(german, TINY, trials=10_000)


# --- the driver, with a fast stand-in for training -----------------------------------------------------------

def _fake(frame, config, *, on_epoch=None, should_stop=None):
    value = config.learning_rate * 10 + config.hyper.dropout
    return {"value": value, "metric": None, "metric_value": None, "epochs": 1, "seconds": 0.0,
            "stopped": bool(should_stop and should_stop())}


def test_the_same_seed_asks_the_same_trials_and_another_seed_others(german, monkeypatch):
    monkeypatch.setattr(search_module, "run_trial", _fake)
    first, second = search(german, TINY, trials=12), search(german, TINY, trials=12)
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    other = search(german, TINY, trials=12, seed=7)
    assert [t.params for t in other.trials] != [t.params for t in first.trials]
    # TPE learns: after its random start, its trials score better than the random ones on average
    values = [t.value for t in search(german, TINY, trials=40).trials]
    assert np.mean(values[-15:]) < np.mean(values[:10])


def test_stop_ends_the_search_and_stop_trial_leaves_a_trial_out(german, monkeypatch):
    monkeypatch.setattr(search_module, "run_trial", _fake)
    control = SearchControl()

    def on_trial(trial):
        if trial.state == "running" and trial.number == 1:
            control.stop_trial(1)
        if trial.state != "running" and trial.number == 2:
            control.stop()

    result = search(german, TINY, trials=6, control=control, on_trial=on_trial)
    assert [t.state for t in result.trials] == ["complete", "stopped", "complete"]
    assert result.stopped and result.notes[-1] == "Stopped after 3 of 6 trials."
    assert result.best.number in (0, 2)
    assert result.search_stopped and [t.number for t in result.stopped_trials] == [1]
    hook = search(german, TINY, trials=5, should_stop=lambda: True)
    assert hook.trials == [] and hook.best is None
    with pytest.raises(ConfigError, match="No trial of the search finished, so there is no best configuration."):
        best_config(hook)


def test_trials_travel_as_notes_of_one_job(german, monkeypatch):
    monkeypatch.setattr(search_module, "run_trial", _fake)
    notes = []
    result = search(german, TINY, trials=3, on_trial=lambda t: notes.append(trial_note(t)))
    assert len(notes) == 6 and notes[0].startswith("search trial {")
    assert trials_from_notes(["Fitting...", *notes]) == result.trials


def test_every_registered_architecture_has_a_search_space():
    from finmodels.models.architectures import ARCHITECTURES

    assert set(SEARCH_SPACES) == set(ARCHITECTURES)


@pytest.mark.parametrize("arch", sorted(SEARCH_SPACES))
def test_every_search_space_makes_a_valid_config(arch):
    import optuna

    task = {"vae": "anomaly", "lstm": "market_risk", "gru": "market_risk"}.get(arch, "credit_default")
    base = TrainConfig(target=None if arch == "vae" else "x", task=task, arch=arch)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    for _ in range(5):
        config = config_from_params(base, SEARCH_SPACES[arch](study.ask()))
        assert config.arch == arch and config.hyperparameters is not None


def test_run_trial_reports_validation_scores(german):
    out = run_trial(german, TINY)
    assert set(out) == {"value", "metric", "metric_value", "epochs", "seconds", "stopped"}
    assert out["metric"] == "roc_auc" and out["epochs"] == 3 and out["stopped"] is False and out["value"] > 0


def test_trials_run_in_parallel_on_a_runner(german):
    from finmodels.runtime.pool import LocalRunner

    runner = LocalRunner(2, warm=False)
    try:
        reported = []
        result = search(german, TINY, trials=4, runner=runner, on_trial=reported.append)
    finally:
        runner.shutdown()
    assert result.parallel == 2 and [t.state for t in result.trials] == ["complete"] * 4
    assert "2 trials ran at once" in result.notes[-1]
    # the first two trials were both running before either ended
    states = [(t.number, t.state) for t in reported]
    assert states[:2] == [(0, "running"), (1, "running")]
    print(f"\nparallel search: {result.seconds:.1f} s for 4 trials on 2 workers (each worker imports TensorFlow)")


def test_search_figures(searched):
    from finmodels.plots.search import plot_search_history, plot_search_parameter

    result, _ = searched
    fig = plot_search_history(result.trials)
    assert [t.name for t in fig.data] == ["complete trial", "best so far", "best trial"]
    assert fig.data[2].y[0] == result.best.value and fig.data[1].y[-1] == result.best.value
    assert fig.layout.xaxis.title.text == "Trial" and "test rows never used" in fig.layout.title.text
    lr = plot_search_parameter([t.to_dict() for t in result.trials], "learning_rate")
    assert lr.layout.xaxis.title.text == "learning_rate" and len(lr.data[0].x) == 3
    with pytest.raises(ValueError, match="Unknown setting 'width'. The trials have: batch_size, dropout"):
        plot_search_parameter(result.trials, "width")


def test_a_stopped_trial_is_not_a_candidate_even_with_the_least_loss_and_the_text_says_so(german, monkeypatch):
    monkeypatch.setattr(search_module, "run_trial", _fake)
    control = SearchControl()
    control.stop_trial(1)  # the analyst stops trial 2 alone; the search goes on
    result = search(german, TINY, trials=3, control=control, seed=3)
    assert [t.state for t in result.trials] == ["complete", "stopped", "complete"]
    assert result.stopped and not result.search_stopped and result.seed == 3
    stopped = result.trials[1]
    assert stopped.value is not None and result.best.number != 1
    assert result.stopped_note() == (
        f"Trial 2 was stopped before its end, so it is not a candidate: a stopped trial's validation loss "
        f"({stopped.value:.4f} after 1 epoch) comes from fewer epochs and is not comparable with the finished "
        "trials'.")
    both = SearchControl()
    both.stop_trial(0)
    both.stop_trial(2)
    two = search(german, TINY, trials=3, control=both)
    assert two.stopped_note().startswith("Trials 1, 3 were stopped before their end, so they are not candidates: a stopped "
                                          "trial's validation loss (")
    assert search(german, TINY, trials=2).stopped_note() is None
