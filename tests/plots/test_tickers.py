"""Charts of the 10-stock long price file: one series per ticker and the correlation of their daily returns (the
Data page pooled every ticker into one histogram of 'close' before; a new user's finding)."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.profiling import profile
from finmodels.plots.tickers import MAX_TICKER_TRACES, plot_return_correlation, plot_ticker_lines, ticker_list
from tests.conftest import SHARED_DATASETS

TICKERS = ["AAPL", "AMZN", "BAC", "C", "GOOGL", "GS", "JNJ", "JPM", "MSFT", "XOM"]


@pytest.fixture(scope="module")
def prices():
    return pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")


def test_a_long_price_file_is_read_as_series_per_ticker(prices):
    assert profile(prices).series_columns == ("Name", "date")
    assert ticker_list(prices, "Name") == TICKERS  # 1,259 rows each, then by name
    rating = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    assert profile(rating).series_columns is None  # a target: its charts compare rows, not series
    assert profile(pd.read_csv(SHARED_DATASETS / "sp500_index_2001_2018.csv")).series_columns is None  # one series


def test_one_line_per_ticker(prices):
    fig = plot_ticker_lines(prices, "close", ticker="Name", date="date", tickers=TICKERS)
    assert [t.name for t in fig.data] == TICKERS and all(len(t.x) == 1259 for t in fig.data)
    assert fig.data[0].y[0] == pytest.approx(67.8542) and fig.data[1].y[0] == pytest.approx(261.95)  # AAPL, AMZN
    assert str(fig.data[0].x[0])[:10] == "2013-02-08"
    assert fig.layout.title.text == "'close' per 'Name' (10 of 10)"
    moved = plot_ticker_lines(prices, "close", ticker="Name", date="date", tickers=["AAPL", "BAC"], rebase=True)
    assert [t.y[0] for t in moved.data] == [100.0, 100.0]
    aapl = prices[prices["Name"] == "AAPL"]["close"]
    assert moved.data[0].y[-1] == pytest.approx(aapl.iloc[-1] / aapl.iloc[0] * 100)  # 2018-02-07 over 2013-02-08
    assert moved.layout.title.text == "'close' per 'Name' (2 of 10), 100 on each one's first day"
    assert moved.layout.yaxis.title.text == "close (first day = 100)"
    many = pd.concat([prices.assign(Name=prices["Name"] + suffix) for suffix in ("", "2")])
    capped = plot_ticker_lines(many, "volume", ticker="Name", date="date", tickers=ticker_list(many, "Name"))
    assert len(capped.data) == MAX_TICKER_TRACES == 12 and capped.layout.title.text == "'volume' per 'Name' (12 of 20)"


def test_returns_correlate_by_ticker(prices):
    fig = plot_return_correlation(prices, "close", ticker="Name", date="date", tickers=TICKERS)
    z = np.asarray(fig.data[0].z)
    assert list(fig.data[0].x) == TICKERS and z.shape == (10, 10)
    assert z[TICKERS.index("JPM"), TICKERS.index("BAC")] == pytest.approx(0.8328, abs=1e-4)  # two banks
    assert z[TICKERS.index("AAPL"), TICKERS.index("MSFT")] == pytest.approx(0.3666, abs=1e-4)
    assert fig.layout.title.text == "Daily returns of 'close': correlation between the 10 'Name' series"
