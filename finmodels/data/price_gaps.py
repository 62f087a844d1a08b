"""A price file's holes, said before training: what a price task does with its unreadable or blank cells, and
where a ticker's dates jump by more than a week.

A price task (market risk, asset allocation, sequence forecasting) reads a file through
`sequences.daily_channels`, which drops a row without a price: that ticker has no price that day and its next
return spans the gap. It does not fill the price with the column's median (that is what a tabular model does,
`finmodels.models.preprocessing`). `missing_does` says this for the Data page's missing-cells note;
`date_gaps` finds the runs of business days without a price, per ticker, for the Data page's checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.data.sequences import SeriesColumns, detect_series_columns, ticker_column
from finmodels.errors import DataError

# More business days than a week (5) without a price in a row is a gap to flag; a holiday or two is not.
GAP_DAYS = 5


@dataclass(frozen=True)
class DateGap:
    """A run of `days` business days without a price for `ticker` (None for a single series), between the
    `last` day priced before it and the `next` one (file line `line`)."""

    ticker: str | None
    last: pd.Timestamp
    next: pd.Timestamp
    days: int
    line: int

    def phrase(self) -> str:
        first = np.busday_offset(self.last.date(), 1, roll="forward")
        last = np.busday_offset(self.next.date(), -1, roll="backward")
        who = f"{self.ticker} has" if self.ticker is not None else "the series has"
        return (f"{who} no price from {pd.Timestamp(first):%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d}, "
                f"{self.days} business days (the next row is line {self.line}, {self.next:%Y-%m-%d})")


def series_of(frame: pd.DataFrame) -> SeriesColumns | None:
    """The date, price and ticker columns of a price file, as a price task reads them; None for another table."""
    try:
        found = detect_series_columns(frame)
    except DataError:
        return None
    return SeriesColumns(found.date, found.price, ticker_column(frame), found.high, found.low)


def missing_does(frame: pd.DataFrame, columns: list[str], task_label: str) -> str | None:
    """What a price task does with the missing cells of `columns` (the missing-cells note's last sentence), or None
    when `frame` is not a price file."""
    series = series_of(frame)
    if series is None:
        return None
    said = []
    if series.price in columns:
        who = "that ticker has" if series.ticker else "the series has"
        said.append(f"drops each row without a '{series.price}' price ({who} no price that day, and its next return "
                    "spans the gap): no price is filled in")
    if series.high and series.low and (series.high in columns or series.low in columns):
        said.append(f"gives a day without '{series.high}' or '{series.low}' a log_range of 0")
    unread = [f"'{c}'" for c in columns if c not in (series.price, series.high, series.low)]
    if unread:
        said.append(f"does not read {', '.join(unread)}")
    return (f"With the task '{task_label}' (chosen below) the network reads the prices as one series per day: it "
            f"{'; it '.join(said)}. A task with a target column would instead fill a missing number with the "
            "column's median in the training rows.")


def date_gaps(frame: pd.DataFrame, series: SeriesColumns, *, min_days: int = GAP_DAYS) -> list[DateGap]:
    """Every run of more than `min_days` business days without a price (a blank or unreadable price counts as
    none, as the price task drops that row), per ticker, in file order of tickers then dates."""
    dates = pd.to_datetime(frame[series.date], errors="coerce", format="mixed")
    priced = pd.to_numeric(frame[series.price], errors="coerce").notna() & dates.notna()
    rows = pd.DataFrame({"date": dates.dt.normalize(), "line": np.arange(len(frame)) + 2,
                         "ticker": frame[series.ticker].astype(str) if series.ticker else ""})[priced.to_numpy()]
    gaps = []
    for ticker, group in rows.groupby("ticker", sort=False):
        group = group.sort_values("date", kind="mergesort")
        day = group["date"].to_numpy("datetime64[D]")
        missing = np.busday_count(day[:-1] + 1, day[1:]) if len(day) > 1 else np.array([], dtype=int)
        for i in np.flatnonzero(missing > min_days):
            gaps.append(DateGap(str(ticker) if series.ticker else None, pd.Timestamp(day[i]),
                                pd.Timestamp(day[i + 1]), int(missing[i]), int(group["line"].iloc[i + 1])))
    return gaps


def gap_message(gaps: list[DateGap], series: SeriesColumns, *, limit: int = 5) -> str:
    """The Data page's warning for `gaps` (non-empty): each named with its dates and days, at most `limit`."""
    tickers = sorted({g.ticker for g in gaps if g.ticker is not None})
    which = f" in {len(tickers)} tickers ({', '.join(tickers[:5])}{' ...' if len(tickers) > 5 else ''})" if len(
        tickers) > 1 else ""
    shown = "; ".join(g.phrase() for g in gaps[:limit])
    more = f"; and {len(gaps) - limit} more" if len(gaps) > limit else ""
    many = f"{len(gaps)} gaps" if len(gaps) > 1 else "a gap"
    return (f"Column '{series.date}' has {many} of more than a week without a price{which}: {shown}{more}. The "
            "first return after a gap spans all of it (one move for many days), and a portfolio holds the last "
            "price through it. Add the missing days' prices if you have them, or train knowing the gap is there.")
