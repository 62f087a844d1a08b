"""A price file's Data page (new user's trial 2, finding 3; 29_sp500_data.png vs 44_sp500_alloc_explain.png): it
listed open, high, low, close, volume as features while the network reads return, log_range and abs_return. The page
now says which inputs are derived from which columns, and that the features box does not apply."""

import pandas as pd

from finmodels.data.panels import inputs_note
from finmodels.data.profiling import profile
from finmodels.data.samples import load_sample
from finmodels.data.validation import feature_problems

TEN = ("For this task the network does not read the columns as they are: it computes per day return = log('close' / "
       "the day before's 'close') per 'Name'; abs_return = |return|; log_range = log('high' / 'low'), and learns from "
       "windows of these 3 inputs. 'open' and 'volume' are not read. The features box does not apply.")


def test_each_derived_input_names_the_columns_it_comes_from():
    assert inputs_note(load_sample("sp500_10stocks")) == TEN
    index = inputs_note(load_sample("sp500_index"))
    assert "return = log('Adj Close' / the day before's 'Adj Close');" in index
    assert "log_range = log('High' / 'Low')" in index and "'Open', 'Close' and 'Volume' are not read." in index
    closes = pd.DataFrame({"Date": pd.date_range("2024-01-01", periods=30).astype(str), "Close": range(10, 40)})
    assert inputs_note(closes) == (
        "For this task the network does not read the columns as they are: it computes per day return = "
        "log('Close' / the day before's 'Close'); abs_return = |return|, and learns from windows of these 2 inputs. "
        "The features box does not apply.")
    assert inputs_note(load_sample("german_credit")) is None


def test_the_note_comes_with_the_feature_checks_of_a_price_task_only():
    frame = load_sample("sp500_10stocks")
    found = profile(frame)
    for task in ("market_risk", "asset_allocation", "forecast"):
        (note,) = [p for p in feature_problems(found, found.features, task=task, frame=frame)
                   if p.code == "price_inputs"]
        assert note.message == TEN
    assert not [p for p in feature_problems(found, found.features, task="anomaly", frame=frame)
                if p.code == "price_inputs"]
    assert not [p for p in feature_problems(found, found.features) if p.code == "price_inputs"]  # no frame: none


def test_the_data_page_shows_the_derived_inputs_of_a_price_file():
    from tests.pages.test_pages import page

    at = page("pages/1_Data.py")
    at.selectbox(key="data_sample").set_value("sp500_10stocks")
    at.button(key="data_load_sample").click().run()
    assert not at.exception
    assert at.session_state["task"] in ("asset_allocation", "market_risk")
    assert TEN in [w.value for w in at.warning]
