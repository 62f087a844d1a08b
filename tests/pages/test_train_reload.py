"""The Train page after a reload and beside other files' runs (a new user's trial): the form shows the running job's
task and settings, a run of another file is never shown under this file's training, the split follows the Data
page's advice, and the live header names the blend and reads naturally for a forecast."""

from dataclasses import replace

import pandas as pd

from finmodels.runtime.workspace import data_fingerprint
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import TIMEOUT, one_network, page, train_tiny, wait_for_job
from ui.state import Dataset

PRICES = "sp500_10stocks_2013_2018.csv"


def test_a_tab_reloaded_while_a_forecast_trains_shows_that_jobs_task_and_settings():
    # the new user's Task box went back to the data's suggestion (asset allocation, with its risk aversion and cap)
    # while the results below were the market risk run: pressing Train again would have trained the wrong task
    data = Dataset(PRICES, pd.read_csv(SHARED_DATASETS / PRICES))
    at = page("pages/2_Train.py", {"dataset": data, "target": None})
    assert at.selectbox(key="train_task").value == "asset_allocation"  # what the price file suggests
    at.selectbox(key="train_task").set_value("market_risk").run()
    at.text_input(key="train_units").set_value("8")
    at.number_input(key="train_epochs").set_value(3)
    at.number_input(key="train_window").set_value(10)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception
    job = at.session_state["train_job"]
    # the reload: a new session of the same area, its data read back from the address
    again = page("pages/2_Train.py", {"dataset": data, "target": None,
                                      "_session_area": at.session_state["_session_area"]})
    assert not again.exception
    assert again.session_state["train_job"] is job
    assert again.selectbox(key="train_task").value == "market_risk"
    assert again.text_input(key="train_units").value == "8"
    assert (again.number_input(key="train_epochs").value, again.number_input(key="train_window").value) == (3, 10)
    assert not [w for w in again.number_input if w.key == "train_risk_aversion"]
    assert job.wait(TIMEOUT)
    again.run()
    assert not again.exception
    run = again.session_state["run"]
    assert run.config.task == "market_risk"
    assert again.selectbox(key="train_task").value == "market_risk"  # the form and the results below agree
    assert any(c.value.startswith("LSTM recurrent network for market risk (returns), from 10-day windows of the "
                                  "prices · ") for c in again.caption)


def test_a_run_of_another_file_is_not_shown_under_this_files_training(german, agency_rating_run):
    # the new user's reload showed a rating run of corporate_rating.csv under the live progress of credit data
    rating = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    other = replace(agency_rating_run, data_info={"name": "corporate_rating.csv", "shape": list(rating.shape),
                                                  "fingerprint": data_fingerprint(rating)})
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "event_label": "bad", "run": other})
    assert not at.exception
    # no training: the run named in the address is shown, and says which file it was trained on
    assert "Held-out test results" in [s.value for s in at.subheader]
    assert any(c.value.endswith("· trained on **corporate_rating.csv**, not on the loaded **german_credit.csv**")
               for c in at.caption)
    one_network(at)
    at.text_input(key="train_units").set_value("256, 256")  # slow on purpose: still training when the page is read
    at.number_input(key="train_batch").set_value(8)
    at.number_input(key="train_epochs").set_value(500)
    at.number_input(key="train_patience").set_value(200)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception
    wait_for_job(at, epochs=1)
    at.run()
    assert at.session_state["train_job"].running
    assert any(c.value.startswith("Training: Dense network (MLP) for 'creditability'") for c in at.caption)
    assert "Held-out test results" not in [s.value for s in at.subheader]
    assert not [c for c in at.caption if "Rating" in c.value or "corporate_rating.csv" in c.value]
    at.button(key="train_stop").click().run()
    wait_for_job(at)
    assert not at.exception
    assert at.session_state["run"].config.target == "creditability"  # this file's run, now shown
    assert "Held-out test results" in [s.value for s in at.subheader]
    assert not [c for c in at.caption if "not on the loaded" in c.value]


def test_the_split_starts_by_entity_when_the_data_page_advises_it_and_keeps_the_analysts_choice(german):
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    at = page("pages/2_Train.py", {"dataset": Dataset("corporate_rating.csv", frame), "target": "Rating"})
    assert not at.exception
    assert at.selectbox(key="train_split").value == "entity"
    assert any(c.value.startswith("'Name' names entities with several rows each, so the split starts by entity, as "
                                  "the Data page advises") for c in at.caption)
    at.selectbox(key="train_split").set_value("random")  # the analyst's choice, sent with Train, stays
    train_tiny(at, units="8", epochs=3)
    assert at.session_state["run"].config.split == "random"
    at.switch_page("pages/3_Evaluate.py").run()
    at.switch_page("pages/2_Train.py").run()
    assert at.selectbox(key="train_split").value == "random"
    loans = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability"})
    assert loans.selectbox(key="train_split").value == "random"  # no identifier repeats in German credit
    assert not [c for c in loans.caption if "split starts by entity" in c.value]


def test_the_search_names_its_network_and_metric_in_words(german):
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability"})
    assert not at.exception
    assert any(c.value.startswith("Optuna tries settings of the **dense network (MLP)**: its layer sizes, dropout")
               for c in at.caption)
