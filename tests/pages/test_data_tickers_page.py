"""The Data page on the 10-stock long price file: each ticker's series and the correlation of their returns, not
one histogram pooling every ticker (a new user's finding)."""

import json

import base64

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page
from ui.state import Dataset


def _figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _values(array) -> np.ndarray:
    """A trace's values as the page sends them: a list, or a typed array (dtype and base64 bytes)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def test_a_long_price_file_is_charted_per_ticker():
    prices = pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    at = page("pages/1_Data.py", {"dataset": Dataset("sp500_10stocks_2013_2018.csv", prices)})
    assert not at.exception
    assert not any(c.key == "data_dist_chart" for c in at.get("plotly_chart"))  # the pooled histogram is gone
    assert any(s.value == "Series per Name" for s in at.subheader)
    assert at.multiselect(key="data_tickers").value == ["AAPL", "AMZN", "BAC", "C", "GOOGL", "GS", "JNJ", "JPM",
                                                         "MSFT", "XOM"]
    assert at.selectbox(key="data_ticker_column").value == "close"
    lines, corr = _figures(at)[-2:]
    assert [t["name"] for t in lines["data"]] == at.multiselect(key="data_tickers").value
    assert lines["layout"]["title"]["text"] == "'close' per 'Name' (10 of 10)"
    assert corr["data"][0]["type"] == "heatmap" and len(corr["data"][0]["x"]) == 10
    at.multiselect(key="data_tickers").set_value(["JPM", "BAC"]).run()
    at.selectbox(key="data_ticker_column").set_value("volume").run()
    assert not at.exception
    lines = _figures(at)[-2]
    assert [t["name"] for t in lines["data"]] == ["JPM", "BAC"]
    assert lines["layout"]["title"]["text"] == "'volume' per 'Name' (2 of 10)"
    at.toggle(key="data_ticker_rebase").set_value(True).run()
    lines = _figures(at)[-2]
    assert [t["name"] for t in lines["data"]] == ["JPM", "BAC"]
    assert [_values(t["y"])[0] for t in lines["data"]] == [100.0, 100.0]


def test_a_rating_file_keeps_its_distributions():
    rating = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    at = page("pages/1_Data.py", {"dataset": Dataset("corporate_rating.csv", rating)})
    assert not at.exception
    assert any(s.value == "Distributions and correlations" for s in at.subheader)
    assert not any(w.key == "data_tickers" for w in at.multiselect)


def test_a_two_ticker_file_is_charted_per_ticker_without_the_repeated_dates_warning():
    """New user trial 6, finding 1: AAPL and JPM rows of the 10-stock file, as Train reads them (2 tickers)."""
    prices = pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    two = prices[prices["Name"].isin(["AAPL", "JPM"])].reset_index(drop=True)
    at = page("pages/1_Data.py", {"dataset": Dataset("aapl_jpm.csv", two)})
    assert not at.exception
    assert any(s.value == "Series per Name" for s in at.subheader)
    assert at.multiselect(key="data_tickers").value == ["AAPL", "JPM"]
    assert at.multiselect(key="data_features").value == ["open", "high", "low", "close", "volume"]
    assert not [w.value for w in at.warning if "repeats dates" in w.value]
    table = next(d.value for d in at.dataframe if "why" in d.value.columns).set_index("column")
    assert (table.loc["Name", "role"], table.loc["Name", "why"]) == ("identifier", "names each price series (2 tickers)")
    lines = _figures(at)[-2]
    assert lines["layout"]["title"]["text"] == "'close' per 'Name' (2 of 2)"


def test_the_bad_price_file_says_its_rows_are_dropped_and_flags_the_gap():
    """New user trial 6, finding 2: text prices are dropped by a price task (not median-filled), and the 30-day
    hole is a check before training."""
    from tests.data.test_price_gaps import _bad_prices

    at = page("pages/1_Data.py", {"dataset": Dataset("bad_prices.csv", _bad_prices())})
    assert not at.exception
    (note,) = [i.value for i in at.info if i.value.startswith("Missing cells")]
    assert "it drops each row without a 'close' price" in note and "With the task 'Market risk (returns)'" in note
    (gap,) = [w.value for w in at.warning if "of more than a week without a price" in w.value]
    assert "AAPL has no price from 2013-07-02 to 2013-08-13, 31 business days (the next row is line 101" in gap
    assert any(s.value == "Series per Name" for s in at.subheader)


def test_a_single_price_series_is_charted_over_time_not_as_a_histogram_and_heatmap():
    """New user trial 6, finding 11: the S&P 500 index file showed a histogram of price levels and a correlation
    of its five price columns (all about 1.0)."""
    index = pd.read_csv(SHARED_DATASETS / "sp500_index_2001_2018.csv")
    at = page("pages/1_Data.py", {"dataset": Dataset("sp500_index_2001_2018.csv", index)})
    assert not at.exception
    assert any(s.value == "Price series" for s in at.subheader)
    assert not any(s.value == "Distributions and correlations" for s in at.subheader)
    keys = [c.key for c in at.get("plotly_chart")]
    assert "data_corr_chart" not in keys and "data_dist_chart" not in keys and "data_series_chart" in keys
    assert at.selectbox(key="data_series_column").value == "Adj Close"
    assert at.selectbox(key="data_series_column").options == ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    line = _figures(at)[-1]
    assert line["layout"]["title"]["text"] == "'Adj Close' over time, 2001-01-02 to 2018-08-01"
    y = _values(line["data"][0]["y"])
    assert len(y) == 4423 and y[0] == pytest.approx(1283.27002)
    at.toggle(key="data_series_returns").set_value(True).run()
    line = _figures(at)[-1]
    y = _values(line["data"][0]["y"])
    assert line["layout"]["title"]["text"] == "Daily log return of 'Adj Close' over time, 2001-01-03 to 2018-08-01"
    assert len(y) == 4422 and y[0] == pytest.approx(np.log(1347.560059 / 1283.27002))


def test_train_says_the_gap_in_dates_before_training():
    from tests.data.test_price_gaps import _bad_prices

    at = page("pages/2_Train.py", {"dataset": Dataset("bad_prices.csv", _bad_prices()), "target": None,
                                   "task": "market_risk"})
    assert not at.exception
    (gap,) = [w.value for w in at.warning if "of more than a week without a price" in w.value]
    assert "AAPL has no price from 2013-07-02 to 2013-08-13, 31 business days" in gap
    clean = pd.read_csv(SHARED_DATASETS / "sp500_index_2001_2018.csv")
    at = page("pages/2_Train.py", {"dataset": Dataset("sp500_index_2001_2018.csv", clean), "target": None,
                                   "task": "market_risk"})
    assert not at.exception and not [w for w in at.warning if "without a price" in w.value]
