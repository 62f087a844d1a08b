"""A price file's holes, said before training (new user trial 6, finding 2): the bad-input file is the AAPL and
JPM rows of the 10-stock file with 3 text prices (file lines 12, 52, 672) and 30 AAPL trading days deleted (lines
101-130 of the original). The Data page said the text cells were filled with the column's median; a price task
drops those rows. The 30-day hole was said only on Evaluate, after training."""

import pandas as pd
import pytest

from finmodels.data.price_gaps import date_gaps, missing_does, series_of
from finmodels.data.profiling import profile
from finmodels.data.reading import load_csv
from finmodels.data.panels import read_panel
from finmodels.data.tidying import missing_message
from finmodels.data.validation import validate
from tests.conftest import SHARED_DATASETS


def _bad_prices() -> pd.DataFrame:
    stocks = pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    two = stocks[stocks["Name"].isin(["AAPL", "JPM"])].reset_index(drop=True)
    bad = two.drop(index=range(99, 129)).reset_index(drop=True).astype({"close": object})
    for line, text in ((12, "n/a"), (52, "12.3.4"), (672, "error")):
        bad.loc[line - 2, "close"] = text
    return load_csv(bad.to_csv(index=False).encode())  # read as an upload is: the text cells are kept as markers


@pytest.fixture(scope="module")
def bad():
    return _bad_prices()


def test_the_missing_note_says_a_price_task_drops_the_rows(bad):
    does = lambda columns: missing_does(bad, columns, "Market risk (returns)")  # noqa: E731
    assert missing_message(bad, None, does=does) == (
        "Missing cells in 1 column, by line of the file: 'close' in 3 rows (lines 12, 52, 672); read as missing: "
        "'12.3.4', 'error' and 'n/a'. With the task 'Market risk (returns)' (chosen below) the network reads the "
        "prices as one series per day: it drops each row without a 'close' price (that ticker has no price that day, "
        "and its next return spans the gap): no price is filled in. A task with a target column would instead fill "
        "a missing number with the column's median in the training rows.")
    # what it says is what the panel reader does: 30 deleted days and the 3 text rows are AAPL's/JPM's missing days
    panel = read_panel(bad, window=20)
    assert panel.missing_days.to_dict() == {"AAPL": 33, "JPM": 0}  # Evaluate's '33 days': 30 deleted and 3 text
    assert len(panel.days) == len(bad) - 3 - 2  # the 3 text rows dropped, and each ticker's first day (no return)
    assert "median" in missing_message(bad, None)  # a tabular reading keeps the preprocessing's sentence


def test_a_gap_of_30_trading_days_is_flagged_per_ticker_before_training(bad):
    series = series_of(bad)
    assert (series.date, series.price, series.ticker) == ("date", "close", "Name")
    (gap,) = date_gaps(bad, series)
    assert (gap.ticker, f"{gap.last:%Y-%m-%d}", f"{gap.next:%Y-%m-%d}", gap.days, gap.line) == (
        "AAPL", "2013-07-01", "2013-08-14", 31, 101)  # 30 trading days and the 4th of July
    found = profile(bad, target=None)
    (problem,) = [p for p in validate(bad, found) if p.code == "date_gaps"]
    assert problem.severity == "warning" and problem.rows == (101,) and problem.column == "date"
    assert problem.message == (
        "Column 'date' has a gap of more than a week without a price: AAPL has no price from 2013-07-02 to "
        "2013-08-13, 31 business days (the next row is line 101, 2013-08-14). The first return after a gap spans all "
        "of it (one move for many days), and a portfolio holds the last price through it. Add the missing days' "
        "prices if you have them, or train knowing the gap is there.")


def test_gaps_in_several_tickers_are_each_named():
    stocks = pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    dates = pd.to_datetime(stocks["date"])
    holes = (stocks["Name"].isin(["JPM", "XOM"]) & dates.between("2016-03-01", "2016-03-31")) | (
        (stocks["Name"] == "JPM") & dates.between("2017-06-01", "2017-06-12"))
    gaps = date_gaps(stocks[~holes].reset_index(drop=True), series_of(stocks))
    assert [(g.ticker, f"{g.last:%Y-%m-%d}", f"{g.next:%Y-%m-%d}", g.days) for g in gaps] == [
        ("JPM", "2016-02-29", "2016-04-01", 23), ("JPM", "2017-05-31", "2017-06-13", 8),
        ("XOM", "2016-02-29", "2016-04-01", 23)]


@pytest.mark.parametrize("name", ["sp500_10stocks_2013_2018.csv", "sp500_index_2001_2018.csv"])
def test_whole_price_files_have_no_gap(name):
    """Holidays, and the 4 days the market closed after 11 September 2001, are not gaps."""
    frame = pd.read_csv(SHARED_DATASETS / name)
    assert date_gaps(frame, series_of(frame)) == []
    assert not [p for p in validate(frame, profile(frame, target=None)) if p.code == "date_gaps"]
