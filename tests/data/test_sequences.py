import numpy as np
import pandas as pd
import pytest

from finmodels.errors import DataError
from finmodels.data.samples import load_sample
from finmodels.data.sequences import (SequencePreprocessor, daily_channels, detect_series_columns,
                                      fit_sequence_preprocessor, latest_windows, make_windows, window_labels)
from finmodels.data.splits import chronological_split


@pytest.fixture(scope="module")
def index_prices():
    return load_sample("sp500_index")


@pytest.fixture(scope="module")
def stocks():
    return load_sample("sp500_10stocks")


def test_columns_of_both_price_samples_are_found(index_prices, stocks):
    cols = detect_series_columns(index_prices)
    assert (cols.date, cols.price, cols.ticker, cols.high, cols.low) == ("Date", "Adj Close", None, "High", "Low")
    assert cols.channels == ("return", "abs_return", "log_range")
    cols = detect_series_columns(stocks)
    assert (cols.date, cols.price, cols.ticker) == ("date", "close", "Name")
    assert detect_series_columns(index_prices, price="Close").price == "Close"


def test_missing_columns_are_all_reported():
    with pytest.raises(DataError) as err:
        detect_series_columns(pd.DataFrame({"when": [1], "value": [2]}))
    assert len(err.value.problems) == 2
    assert "No date column found" in err.value.problems[0] and "No price column found" in err.value.problems[1]


def test_bad_prices_and_dates_name_their_rows():
    frame = pd.DataFrame({"Date": ["2020-01-01", "soon", "2020-01-03", "2020-01-06"], "Close": [10, 11, -1, 12]})
    with pytest.raises(DataError) as err:
        daily_channels(frame, detect_series_columns(frame))
    assert err.value.problems == [
        "Column 'Date' has 1 values that are not dates (line 3 of the file). Fix or remove those rows.",
        "Column 'Close' has 1 zero or negative prices: line 4 (-1) of the file. Returns need positive prices; fix or "
        "remove those rows.",
    ]


def test_zero_and_negative_prices_name_ticker_row_and_value():
    frame = pd.DataFrame({"date": ["2020-01-01", "2020-01-02"] * 2, "ticker": ["AAA", "AAA", "BBB", "BBB"],
                          "close": [10.0, 0.0, -2.5, 3.0]})
    with pytest.raises(DataError, match=r"Column 'close' has 2 zero or negative prices: lines 3 \(AAA, 0\), "
                                        r"4 \(BBB, -2.5\) of the file\. Returns need positive prices"):
        daily_channels(frame, detect_series_columns(frame))


def test_duplicate_dates_within_a_ticker_name_the_ticker_dates_and_rows():
    frame = pd.DataFrame({"date": ["2020-01-01", "2020-01-02", "2020-01-02", "2020-01-01", "2020-01-02"],
                          "ticker": ["AAA", "AAA", "AAA", "BBB", "BBB"], "close": [1.0, 2.0, 2.0, 3.0, 4.0]})
    with pytest.raises(DataError) as err:
        daily_channels(frame, detect_series_columns(frame))
    assert err.value.problems == [
        "Ticker 'AAA' (column 'ticker') repeats 1 date in column 'date': 2020-01-02 (lines 3, 4 of the file). Keep one row "
        "per day and ticker."]


def test_a_blank_price_is_a_missing_day_of_that_ticker_only():
    frame = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=4).astype(str).tolist() * 2,
                          "ticker": ["AAA"] * 4 + ["BBB"] * 4, "close": [1.0, None, 4.0, 2.0, 1.0, 2.0, 4.0, 8.0]})
    days = daily_channels(frame, detect_series_columns(frame))
    aaa = days[days["ticker"] == "AAA"]
    assert aaa["return"].round(6).tolist() == [round(np.log(4.0), 6), round(np.log(0.5), 6)]  # spans the gap
    assert len(days[days["ticker"] == "BBB"]) == 3


def test_window_labels_name_ticker_and_target_date(stocks):
    cols = detect_series_columns(stocks)
    w = make_windows(daily_channels(stocks, cols), window=10, channels=cols.channels)
    labels = w.labels()
    assert labels[0] == f"AAPL {str(w.dates[0])[:10]}" and len(labels) == len(w.y)
    assert window_labels(np.array(["series"]), np.array(["2017-11-03"], dtype="datetime64[ns]"))[0] == "2017-11-03"


def test_latest_windows_end_on_each_tickers_last_day(stocks):
    cols = detect_series_columns(stocks)
    x, table = latest_windows(daily_channels(stocks, cols), window=10, channels=cols.channels)
    assert x.shape == (10, 10, 3) and table["ticker"].tolist() == sorted(stocks["Name"].unique())
    aapl = stocks[stocks["Name"] == "AAPL"]
    assert table.set_index("ticker").loc["AAPL", "last_price"] == pytest.approx(aapl["close"].iloc[-1])
    assert x[0, -1, 0] == pytest.approx(np.log(stocks[stocks["Name"] == "AAPL"]["close"].iloc[-2:]).diff().iloc[-1])


def test_windows_hold_past_log_returns_and_the_next_days_return_as_target():
    prices = [100.0, 110.0, 99.0, 99.0, 108.9, 100.0]
    frame = pd.DataFrame({"Date": pd.date_range("2020-01-01", periods=6).astype(str), "Close": prices})
    cols = detect_series_columns(frame)
    w = make_windows(daily_channels(frame, cols), window=3, channels=cols.channels)
    r = np.diff(np.log(prices))
    assert w.x.shape == (2, 3, 2)
    assert np.allclose(w.x[0, :, 0], r[:3]) and np.allclose(w.x[0, :, 1], np.abs(r[:3]))
    assert np.allclose(w.y, r[3:]) and np.allclose(w.last_return, r[2:4])
    assert np.allclose(w.window_std, [np.std(r[:3]), np.std(r[1:4])])
    assert str(w.dates[0])[:10] == "2020-01-05"


def test_windows_never_cross_tickers(stocks):
    cols = detect_series_columns(stocks)
    days = daily_channels(stocks, cols)
    w = make_windows(days, window=10, channels=cols.channels)
    per_ticker = stocks.groupby("Name").size()
    assert len(w.y) == int((per_ticker - 1 - 10).sum())
    first_aapl = days[days["ticker"] == "AAPL"]["return"].to_numpy()
    assert np.allclose(w.x[w.tickers == "AAPL"][0, :, 0], first_aapl[:10])


def test_too_short_history_is_refused():
    frame = pd.DataFrame({"Date": ["2020-01-01", "2020-01-02", "2020-01-03"], "Close": [1.0, 2.0, 3.0]})
    cols = detect_series_columns(frame)
    with pytest.raises(DataError, match="Windows of 20 days need more than 21 prices per series; the longest series has 3"):
        make_windows(daily_channels(frame, cols), window=20, channels=cols.channels)


def test_windows_of_many_tickers_split_by_target_date_keep_time_order(stocks):
    cols = detect_series_columns(stocks)
    w = make_windows(daily_channels(stocks, cols), window=5, channels=cols.channels)
    split = chronological_split(w.dates, test_size=0.2, valid_size=0.25)
    d = w.dates
    assert d[split.train].max() < d[split.valid].min() and d[split.valid].max() < d[split.test].min()
    assert len(split.train) + len(split.valid) + len(split.test) == len(d)
    for part in (split.train, split.test):  # a date's windows (one per ticker) are never cut apart
        assert set(np.unique(w.tickers[part])) == set(stocks["Name"])


def test_preprocessor_scales_on_training_windows_and_round_trips_as_json(index_prices):
    cols = detect_series_columns(index_prices)
    w = make_windows(daily_channels(index_prices, cols), window=4, channels=cols.channels)
    split = chronological_split(w.dates)
    pre = fit_sequence_preprocessor(w, split.train, series=cols, window=4)
    scaled = pre.scale(w.x[split.train]).reshape(-1, 3)
    assert np.allclose(scaled.mean(axis=0), 0, atol=1e-3) and np.allclose(scaled.std(axis=0), 1, atol=1e-3)
    assert pre.target_scale == pytest.approx(np.std(w.y[split.train]))
    assert pre.groups["return"] == [0, 3, 6, 9] and pre.groups["log_range"] == [2, 5, 8, 11]
    again = SequencePreprocessor.from_dict(pre.to_dict())
    assert np.allclose(again.transform(index_prices.head(50)), pre.transform(index_prices.head(50)))
