import numpy as np
import pandas as pd
import pytest

from finmodels.data.holdings import equal_weights, read_holdings
from finmodels.data.panels import check_tickers, read_panel, synthetic_panel, to_long
from finmodels.data.samples import load_sample
from finmodels.data.sequences import make_windows
from finmodels.data.splits import chronological_split
from finmodels.errors import DataError
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def stocks():
    return load_sample("sp500_10stocks")


@pytest.fixture(scope="module")
def panel(stocks):
    return read_panel(stocks, window=10)


def test_a_long_file_is_one_series_per_ticker(panel, stocks):
    assert panel.layout == "long" and panel.tickers == sorted(stocks["Name"].unique())
    returns = panel.returns()
    assert returns.shape == (1258, 10) and returns.notna().all().all()
    aapl = stocks[stocks["Name"] == "AAPL"]["close"].to_numpy()
    assert np.allclose(returns["AAPL"].to_numpy(), np.diff(np.log(aapl)))
    assert panel.last_prices()["MSFT"] == pytest.approx(stocks[stocks["Name"] == "MSFT"]["close"].iloc[-1])
    assert panel.missing_days.sum() == 0 and panel.notes == []


def test_a_wide_file_reads_as_the_same_panel(stocks, panel):
    wide = stocks.pivot(index="date", columns="Name", values="close").reset_index()
    long, layout = to_long(wide)
    assert layout == "wide" and set(long.columns) == {"date", "ticker", "price"}
    again = read_panel(wide, window=10)
    assert again.tickers == panel.tickers and "Wide file: 10 price columns" in again.notes[0]
    assert np.allclose(again.returns().to_numpy(), panel.returns().to_numpy())


def test_the_index_file_is_a_single_series():
    index = load_sample("sp500_index")
    p = read_panel(index)
    assert p.layout == "single" and p.tickers == ["series"]


def test_one_date_split_for_all_tickers_and_no_window_crosses_tickers(panel):
    w = make_windows(panel.days, window=10, channels=panel.series.channels)
    split = chronological_split(w.dates)
    assert w.dates[split.train].max() < w.dates[split.valid].min() < w.dates[split.test].min()
    for ticker in panel.tickers:  # every ticker is cut on the same date
        dates = w.dates[split.test][w.tickers[split.test] == ticker]
        assert dates.min() == w.dates[split.test].min()
    days = panel.days
    aapl = days[days["ticker"] == "AAPL"]["return"].to_numpy()
    amzn = days[days["ticker"] == "AMZN"]["return"].to_numpy()
    first_amzn = np.flatnonzero(w.tickers == "AMZN")[0]
    assert np.allclose(w.x[first_amzn, :, 0], amzn[:10])  # AMZN's first window starts on its own first return
    assert np.allclose(w.x[first_amzn - 1, -1, 0], aapl[-2])  # the window before it is AAPL's last


def test_missing_days_are_counted_per_ticker_and_named(stocks):
    holes = stocks.copy()
    aapl = np.flatnonzero(holes["Name"] == "AAPL")
    holes = holes.drop(index=holes.index[aapl[100:103]])
    holes.loc[holes.index[holes["Name"] == "GS"][50], "close"] = np.nan
    p = read_panel(holes, window=10)
    assert p.missing_days["AAPL"] == 3 and p.missing_days["GS"] == 1 and p.missing_days["MSFT"] == 0
    assert "2 tickers miss 4 days of the calendar" in p.notes[0] and "AAPL 3" in p.notes[0]
    assert p.returns()["AAPL"].isna().sum() == 3


def test_a_ticker_with_3_rows_is_named_and_left_out(stocks):
    tiny = pd.DataFrame({"date": ["2018-02-05", "2018-02-06", "2018-02-07"], "close": [1.0, 1.1, 1.2],
                         "Name": ["NEW"] * 3})
    p = read_panel(pd.concat([stocks, tiny], ignore_index=True), window=10)
    assert "NEW" not in p.tickers and p.left_out == {"NEW": 2}
    assert p.notes == ["1 ticker in column 'Name' has too few rows for windows of 10 days (at least 12 prices): "
                       "'NEW' (3 rows); left out."]
    with pytest.raises(DataError, match="Holdings name NEW, whose price history is too short"):
        check_tickers(["AAPL", "NEW"], p)


def test_only_short_tickers_is_refused():
    frame = pd.DataFrame({"date": ["2020-01-01", "2020-01-02", "2020-01-03"] * 2, "close": [1.0, 2, 3, 4, 5, 6],
                          "ticker": ["A"] * 3 + ["B"] * 3})
    p = read_panel(frame, window=20)
    with pytest.raises(DataError, match="Windows of 20 days need more than 21 prices"):
        make_windows(p.days, window=20, channels=p.series.channels)


def test_the_synthetic_panel_has_the_asked_size_and_blank_days():
    frame = synthetic_panel(tickers=20, rows=5000, missing=0.01, seed=1)
    assert len(frame) == 5000 and frame["Name"].nunique() == 20 and frame["close"].isna().sum() > 10
    p = read_panel(frame)
    # a blank first or last day shortens the ticker instead of leaving a gap
    assert len(p.tickers) == 20 and frame["close"].isna().sum() - 2 <= p.missing_days.sum() <= frame["close"].isna().sum()


# holdings

def test_weights_per_ticker(panel):
    h = read_holdings(pd.DataFrame({"ticker": ["AAPL", "MSFT"], "weight": [0.6, 0.4]}), tickers=panel.tickers)
    assert h.as_dict() == {"AAPL": 0.6, "MSFT": 0.4} and h.source == "weight"
    h = read_holdings(pd.DataFrame({"Symbol": ["AAPL", "MSFT"], "Weight": ["60%", "40%"]}), tickers=panel.tickers)
    assert h.as_dict() == pytest.approx({"AAPL": 0.6, "MSFT": 0.4}) and "percentages" in h.notes[0]
    assert equal_weights(["B", "A"]).to_dict() == {"A": 0.5, "B": 0.5}


def test_quantities_are_valued_at_the_last_price(panel):
    last = panel.last_prices()
    h = read_holdings(pd.DataFrame({"ticker": ["AAPL", "GS"], "quantity": [10, 5]}), tickers=panel.tickers,
                      last_prices=last)
    value = np.array([10 * last["AAPL"], 5 * last["GS"]])
    assert h.weights.to_numpy() == pytest.approx(value / value.sum()) and h.source == "quantity"


def test_weights_that_do_not_add_up_name_the_sum_and_offer_normalising(panel):
    frame = pd.DataFrame({"ticker": ["AAPL", "MSFT", "GS"], "weight": [0.5, 0.3, 0.1]})
    with pytest.raises(DataError, match=r"The weights in column 'weight' add up to 0.9, not 1 \(lines 2, 3, 4 of the file\). Fix "
                                        r"them, or normalise them so they add up to 1 \(each divided by 0.9"):
        read_holdings(frame, tickers=panel.tickers)
    h = read_holdings(frame, tickers=panel.tickers, normalise=True)
    assert h.weights.sum() == pytest.approx(1) and h.weights["AAPL"] == pytest.approx(0.5 / 0.9)
    assert h.notes == ["Weights in column 'weight' added up to 0.9; each was divided by it."]
    with pytest.raises(DataError) as err:  # the command line's way of asking, or the page's
        read_holdings(frame, tickers=panel.tickers)
    assert str(err.value).endswith("(each divided by 0.9; on the command line --normalise-holdings).")
    with pytest.raises(DataError) as err:
        read_holdings(frame, tickers=panel.tickers, normalise_hint="; tick 'Normalise' below to do so")
    assert str(err.value).endswith("(each divided by 0.9; tick 'Normalise' below to do so).")


@pytest.mark.parametrize("frame,message", [
    (pd.DataFrame({"ticker": ["AAPL", "TSLA", "XYZ"], "weight": [0.5, 0.3, 0.2]}),
     "The holdings name 2 tickers not in the price file: TSLA, XYZ (lines 3, 4 of the file)"),
    (pd.DataFrame({"ticker": ["AAPL", "AAPL"], "weight": [0.5, 0.5]}), "Column 'ticker' repeats AAPL (lines 2, 3 of the file)"),
    (pd.DataFrame({"ticker": ["AAPL", "MSFT"], "weight": ["half", 0.5]}),
     "Column 'weight' has 1 values that are not numbers (line 2 of the file, e.g. 'half')"),
    (pd.DataFrame({"asset_name": ["AAPL"], "size": [1]}), "No ticker column found in the holdings file"),
])
def test_bad_holdings_files_name_column_rows_and_values(panel, frame, message):
    with pytest.raises(DataError) as err:
        read_holdings(frame, tickers=panel.tickers)
    assert any(message in p for p in err.value.problems), err.value.problems


def test_a_two_ticker_file_is_a_panel_on_the_data_page_as_on_train():
    """New user trial 6, finding 1: AAPL and JPM rows of the 10-stock file. 'Name' (2 distinct values) was read as
    a categorical feature and the dates as repeated; the panel reader (Train) read 2 tickers. One rule for both."""
    from finmodels.data.profiling import profile
    from finmodels.data.sequences import ticker_column
    from finmodels.data.validation import validate

    stocks = pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    two = stocks[stocks["Name"].isin(["AAPL", "JPM"])].reset_index(drop=True)
    assert len(two) == 2518
    found = profile(two, target=None)
    name = found.column("Name")
    assert (name.role, name.reason, name.unique) == ("identifier", "names each price series (2 tickers)", 2)
    assert found.series_columns == ("Name", "date")
    assert "Name" not in found.features and found.features == ["open", "high", "low", "close", "volume"]
    assert found.task == "market_risk" and "asset_allocation" in found.other_tasks
    assert not [p for p in validate(two, found) if p.code == "repeated_dates"]
    assert ticker_column(two) == "Name" and read_panel(two, window=20).tickers == ["AAPL", "JPM"]
    one = two[two["Name"] == "AAPL"].reset_index(drop=True)  # one ticker: a single series, as the panel reads it
    assert ticker_column(one) is None and profile(one, target=None).series_columns is None
    assert read_panel(one, window=20).layout == "single"
    ten = profile(stocks, target=None)
    assert ten.column("Name").reason == "names each price series (10 tickers)" and ten.task == "asset_allocation"
