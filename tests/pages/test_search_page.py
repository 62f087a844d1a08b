"""The Train page's hyperparameter search through AppTest on the real German credit file: the best configuration
is offered only on the file the search ran on, trains with the form's max epochs, each search draws a fresh
sampler seed (shown, and taken back to ask the same settings), and a running trial's scores are empty cells."""

import threading

import pyarrow as pa
import pytest

from finmodels.data.samples import load_sample
from finmodels.models.search import RUNNING, SearchControl, SearchResult, Trial
from finmodels.models.training import TrainConfig
from tests.pages.test_pages import TIMEOUT, page, wait_for_job
from ui.jobs import SEED_MAX, SearchJob
from ui.state import Dataset

PARAMS = {"units": 8, "layers": 1, "dropout": 0.1, "l2": 1e-4, "learning_rate": 1e-3, "batch_size": 64}


def start(at, *, seed=None):
    """Press Start the search (2 trials of 2 epochs), wait on its thread, and show its outcome."""
    at.number_input(key="search_trials").set_value(2)
    at.number_input(key="search_epochs").set_value(2)
    at.number_input(key="search_seed").set_value(seed)
    at.button(key="search_start").click().run()
    assert not at.exception
    job = at.session_state["train_search"]
    job.thread.join(TIMEOUT)
    assert not job.running and job.error is None
    at.run()
    assert not at.exception
    return job


def shown_cells(element) -> list[dict]:
    """The table's cells as the browser draws them (the Styler's display values)."""
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas().to_dict("records")


@pytest.fixture(scope="module")
def searched(german):
    # the form's values as after an earlier Train (a form's inputs count once submitted); one network, not the
    # default ensemble, for the best configuration's run
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "event_label": "bad", "train_units": "8", "train_epochs": 7,
                                   "train_members": 1, "train_blend": "none"})
    assert at.number_input(key="train_epochs").value == 7
    return at, start(at)


def test_the_outcome_names_its_seed_and_the_best_trains_with_the_form_epochs(searched):
    at, job = searched
    result = job.result
    assert 0 <= job.seed <= SEED_MAX and result.seed == job.seed
    assert job.epochs == 7 and job.config.epochs == 2 and all(t.epochs <= 2 for t in result.trials)
    header = at.markdown[[m.value.startswith("**2 of 2 trials complete**") for m in at.markdown].index(True)].value
    assert header.endswith(f"on *german_credit.csv* (2 at once) · sampler seed {job.seed}") or header.endswith(
        f"on *german_credit.csv* · sampler seed {job.seed}")
    assert "stopped" not in header
    assert f"Optuna's sampler seed was {job.seed}: enter it as the search seed" in " ".join(c.value for c in at.caption)
    button = at.button(key="search_train_best")
    assert button.help.startswith("Trains the best trial's settings with the form's max epochs (7, not the "
                                  "trials' 2; early stopping")
    table = shown_cells(at.dataframe[0])
    assert [row["best"] for row in table].count("★") == 1 and "None" not in str(table)


def test_another_file_loaded_hides_the_train_button_and_says_why(searched, german):
    at, job = searched
    at.session_state["dataset"] = Dataset("corporate_rating.csv", german.iloc[:500].copy())
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "search_train_best"]
    assert ("The last search ran on **german_credit.csv**, not on the loaded data (**corporate_rating.csv**), so its "
            "best configuration is not trained here. Start a new search for this file, or load german_credit.csv "
            "again.") in [c.value for c in at.caption]
    # the same name with other rows is another file too
    at.session_state["dataset"] = Dataset("german_credit.csv", german.iloc[::-1].reset_index(drop=True))
    at.run()
    assert not [b for b in at.button if b.key == "search_train_best"]
    # the same file read again (another frame, the same fingerprint) offers it again
    at.session_state["dataset"] = Dataset("german_credit.csv", load_sample("german_credit"))
    at.run()
    assert [b.key for b in at.button if b.key == "search_train_best"] == ["search_train_best"]


def test_the_best_configuration_trains_with_the_form_max_epochs(searched):
    at, job = searched
    at.button(key="search_train_best").click().run()
    assert not at.exception
    wait_for_job(at)
    run = at.session_state["run"]
    best = job.result.best.params
    assert run.config.epochs == 7 and run.config.learning_rate == best["learning_rate"]
    assert run.config.batch_size == best["batch_size"]
    assert run.config.hyper.units == tuple(max(4, best["units"] // 2 ** i) for i in range(best["layers"]))


def test_each_search_draws_a_fresh_seed_and_a_given_seed_asks_the_same_settings(searched):
    at, first = searched
    again = start(at, seed=first.seed)
    assert again.seed == first.seed
    assert [t.params for t in again.result.trials] == [t.params for t in first.result.trials]
    fresh = start(at)
    assert fresh.seed != first.seed
    assert [t.params for t in fresh.result.trials] != [t.params for t in first.result.trials]


def test_a_running_trial_shows_empty_cells_not_none(german):
    done = threading.Event()
    thread = threading.Thread(target=done.wait, daemon=True)
    thread.start()
    job = SearchJob(config=TrainConfig(target="creditability", epochs=2), count=2, data_name="german_credit.csv",
                    frame=german, control=SearchControl(),
                    trials={0: Trial(0, PARAMS, "complete", 0.51234, "roc_auc", 0.71, 2, 1.2), 1: Trial(1, PARAMS, RUNNING)},
                    thread=thread)
    try:
        at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                       "train_search": job})
    finally:
        done.set()
    assert not at.exception
    first, running = shown_cells(at.dataframe[0])
    assert (first["validation loss"], first["validation ROC AUC"], first["epochs"]) == ("0.5123", "0.71", "2")
    assert (running["state"], running["validation loss"], running["validation ROC AUC"], running["epochs"],
            running["seconds"]) == ("running", "", "", "", "")
    assert running["units"] == "8" and running["learning rate"] == "0.001"
    values = at.dataframe[0].value  # the cells stay numbers, so the columns sort
    assert values["validation loss"].dtype.kind == "f" and values["validation loss"].isna().tolist() == [False, True]


def finished(german, trials, *, search_stopped: bool) -> SearchJob:
    """A search that has ended, as the page keeps it (its result made from these trials)."""
    config = TrainConfig(target="creditability", epochs=2)
    result = SearchResult(config=config, trials=trials, stopped=True, seed=4321, search_stopped=search_stopped)
    return SearchJob(config=config, count=3, data_name="german_credit.csv", frame=german, control=SearchControl(),
                     epochs=9, seed=4321, trials={t.number: t for t in trials}, result=result, finished=1.0, started=0.0)


def test_a_stopped_trial_with_the_least_loss_is_named_as_no_candidate(german):
    trials = [Trial(0, PARAMS, "complete", 0.2141, "roc_auc", 0.93, 12, 3.0),
              Trial(1, PARAMS, "complete", 0.2390, "roc_auc", 0.91, 15, 3.1),
              Trial(2, PARAMS, "stopped", 0.2031, "roc_auc", 0.94, 4, 1.0)]
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "train_search": finished(german, trials, search_stopped=False)})
    assert not at.exception
    assert "**2 of 3 trials complete** in 1 s on *german_credit.csv* · 1 trial stopped · sampler seed 4321" in [
        m.value for m in at.markdown]
    assert at.success[0].value.startswith("Best: trial 1, validation loss 0.2141, validation ROC AUC 0.9300.")
    assert ("Trial 3 was stopped before its end, so it is not a candidate: a stopped trial's validation loss (0.2031 "
            "after 4 epochs) comes from fewer epochs and is not comparable with the finished trials'.") in [
        c.value for c in at.caption]
    assert at.button(key="search_train_best").help.startswith("Trains the best trial's settings with the form's max "
                                                              "epochs (9, not the trials' 2;")
    whole = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                      "train_search": finished(german, trials[:2], search_stopped=True)})
    assert "**2 of 3 trials complete** in 1 s on *german_credit.csv* · search stopped · sampler seed 4321" in [
        m.value for m in whole.markdown]
    assert not [c for c in whole.caption if "not a candidate" in c.value]
