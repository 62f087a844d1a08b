"""Multi-asset price files as panels: one series per ticker, on one calendar.

A panel file is long (`date, ticker, open, high, low, close, volume`, one row per ticker and day, like the shipped
`sp500_10stocks_2013_2018.csv`) or wide (a date column and one price column per asset). `read_panel` reads
either into `Panel`: daily channels per ticker (`sequences.daily_channels`), the tickers too short for a window
(left out, and named), each ticker's missing days (dates of the panel's calendar, between its first and last
day, on which it has no price) and a dates x tickers matrix of returns. Windows are cut per ticker
(`sequences.make_windows`), so none crosses two tickers; a missing day's move shows in the next day's return.
`synthetic_panel` makes a large panel with a market factor, for benchmarks and tests of size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.sequences import (DATE_NAMES, PRICE_NAMES, TICKER_NAMES, SeriesColumns, _find, daily_channels,
                                      detect_series_columns, short_series, ticker_column)
from finmodels.errors import DataError

LONG, WIDE, SINGLE = "long", "wide", "single"


@dataclass
class Panel:
    """A price file read as one series per ticker.

    `frame` is the file in long format (a wide file melted to `date, ticker, price`), `series` its columns,
    `days` the daily channels of the tickers kept, `left_out` the tickers too short for a window (ticker -> number
    of returns), `missing_days` each kept ticker's missing days and `notes` what was done, in words.
    """

    frame: pd.DataFrame
    series: SeriesColumns
    layout: str
    days: pd.DataFrame
    left_out: dict[str, int] = field(default_factory=dict)
    missing_days: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    notes: list[str] = field(default_factory=list)

    @property
    def tickers(self) -> list[str]:
        return sorted(self.days["ticker"].unique())

    @property
    def calendar(self) -> pd.DatetimeIndex:
        """Every date on which at least one ticker has a return."""
        return pd.DatetimeIndex(np.sort(self.days["date"].unique()))

    def returns(self) -> pd.DataFrame:
        """Daily log returns, dates x tickers; NaN where a ticker has no price that day (or is not yet listed)."""
        return self.days.pivot(index="date", columns="ticker", values="return").sort_index()

    def last_prices(self) -> pd.Series:
        """Each ticker's last price, to value a holdings file's quantities."""
        last = self.days.groupby("ticker", sort=True).tail(1)
        return pd.Series(last["price"].to_numpy(), index=last["ticker"].to_numpy(), name="last_price")


def to_long(frame: pd.DataFrame, *, price: str | None = None) -> tuple[pd.DataFrame, str]:
    """(the file in long format, its layout): long and single-series files unchanged; a wide file (a date column
    and two or more price columns, none with a usual price or ticker name) melted to `date, ticker, price`."""
    date = _find(frame.columns, DATE_NAMES)
    if price is not None or date is None or _find(frame.columns, PRICE_NAMES) or _find(frame.columns, TICKER_NAMES):
        return frame, LONG if ticker_column(frame, price=price) is not None else SINGLE
    assets = [c for c in frame.columns if c != date and pd.to_numeric(frame[c], errors="coerce").notna().any()]
    if len(assets) < 2:
        return frame, SINGLE
    long = frame.melt(id_vars=[date], value_vars=assets, var_name="ticker", value_name="price")
    long = long.rename(columns={date: "date"})
    long["ticker"] = long["ticker"].astype(str)
    return long, WIDE


def read_panel(frame: pd.DataFrame, *, price: str | None = None, window: int = 20) -> Panel:
    """Read a long, wide or single-series price file as a panel for windows of `window` days.

    Tickers with too few returns for one window and its target are left out and named in `notes`; when no
    ticker is long enough the file is refused. Problems with dates, prices or repeated dates are reported for
    every ticker at once (`DataError`).
    """
    long, layout = to_long(frame, price=price)
    series = detect_series_columns(long, price=price)
    days = daily_channels(long, series)
    notes = []
    if layout == WIDE:
        notes.append(f"Wide file: {days['ticker'].nunique()} price columns read as one series per asset.")
    short = short_series(days, window=window)
    left_out = {}
    if len(short) and len(short) < days["ticker"].nunique():
        left_out = {str(k): int(v) for k, v in short.items()}
        rows = long.groupby(long[series.ticker].astype(str)).size() if series.ticker else None
        shown = ", ".join(f"'{t}' ({int(rows[t]) if rows is not None else n + 1} rows)" for t, n in
                          short.iloc[:10].items())
        more = f" and {len(short) - 10} more" if len(short) > 10 else ""
        notes.append(f"{len(short)} ticker{'s' if len(short) > 1 else ''} in column '{series.ticker}' "
                     f"{'have' if len(short) > 1 else 'has'} too few rows for windows of {window} days (at least "
                     f"{window + 2} prices): {shown}{more}; left out.")
        days = days[~days["ticker"].isin(short.index)].reset_index(drop=True)
    missing = missing_days(days)
    if missing.sum():
        gaps = missing[missing > 0].sort_values(ascending=False)
        notes.append(f"{len(gaps)} ticker{'s' if len(gaps) > 1 else ''} miss{'' if len(gaps) > 1 else 'es'} "
                     f"{int(gaps.sum()):,} days of the calendar between their first and last day (most: "
                     f"{', '.join(f'{t} {int(n)}' for t, n in gaps.iloc[:3].items())}); their next return spans "
                     "the gap, and a portfolio holds their last price on those days.")
    return Panel(long, series, layout, days, left_out, missing, notes)


def missing_days(days: pd.DataFrame) -> pd.Series:
    """Per ticker: dates of the panel's calendar between its first and last day on which it has no row."""
    calendar = np.sort(days["date"].unique())
    span = days.groupby("ticker", sort=True)["date"].agg(["min", "max", "size"])
    first = np.searchsorted(calendar, span["min"].to_numpy())
    last = np.searchsorted(calendar, span["max"].to_numpy())
    return pd.Series(last - first + 1 - span["size"].to_numpy(), index=span.index, name="missing_days")


def synthetic_panel(*, tickers: int = 500, rows: int = 600_000, missing: float = 0.002, seed: int = 0) -> pd.DataFrame:
    """A long price file of `tickers` assets and about `rows` rows: returns driven by one market factor and a
    GARCH-like volatility, with `missing` of the days blank at random. For benchmarks and tests of size."""
    rng = np.random.default_rng(seed)
    n_days = int(np.ceil(rows / tickers))
    dates = pd.bdate_range("2010-01-04", periods=n_days)
    market_vol = np.empty(n_days)
    market_vol[0], shock = 0.01, rng.standard_normal(n_days)
    for t in range(1, n_days):  # volatility clusters, so VaR models have something to learn
        market_vol[t] = np.sqrt(1e-6 + 0.9 * market_vol[t - 1] ** 2 + 0.08 * (market_vol[t - 1] * shock[t - 1]) ** 2)
    market = market_vol * shock
    beta = rng.uniform(0.5, 1.5, tickers)
    idio = rng.uniform(0.005, 0.02, tickers)
    returns = market[:, None] * beta[None, :] + rng.standard_normal((n_days, tickers)) * idio[None, :] + 0.0002
    close = 50 * np.exp(np.cumsum(returns, axis=0))
    spread = np.abs(rng.standard_normal((n_days, tickers))) * idio[None, :]
    names = np.array([f"T{i:03d}" for i in range(tickers)])
    frame = pd.DataFrame({
        "date": np.repeat(dates.strftime("%Y-%m-%d").to_numpy(), tickers), "open": close.ravel(),
        "high": (close * np.exp(spread)).ravel(), "low": (close * np.exp(-spread)).ravel(), "close": close.ravel(),
        "volume": rng.integers(1e5, 1e7, n_days * tickers), "Name": np.tile(names, n_days)})
    frame = frame.iloc[:rows]
    if missing:
        blank = rng.random(len(frame)) < missing
        frame.loc[blank, "close"] = np.nan
    return frame.reset_index(drop=True)


def check_tickers(names, panel: Panel, *, what: str = "Holdings") -> None:
    """Refuse tickers that are not (or no longer) series of the panel, naming them and the ones that are."""
    known = set(panel.tickers)
    unknown = [str(t) for t in names if str(t) not in known]
    if unknown:
        left = [t for t in unknown if t in panel.left_out]
        absent = [t for t in unknown if t not in panel.left_out]
        problems = []
        if absent:
            problems.append(f"{what} name {len(absent)} ticker{'s' if len(absent) > 1 else ''} not in the price file: "
                            f"{', '.join(absent[:10])}. Tickers in the price file: {', '.join(panel.tickers[:10])}"
                            f"{' ...' if len(panel.tickers) > 10 else ''}. Fix the names or add their prices.")
        if left:
            problems.append(f"{what} name {', '.join(left)}, whose price history is too short for a window "
                            "(see the notes). Add more history or drop them from the holdings.")
        raise DataError(problems)


def inputs_note(frame: pd.DataFrame, *, price: str | None = None) -> str | None:
    """What a network of a price task reads, derived from which columns (the Data page's note under the features):
    the daily `return` (log of the price over the day before's, per ticker), `abs_return` and, with high and low
    columns, `log_range`; the file's other columns are not read. None when the file is not a price file."""
    try:
        long, layout = to_long(frame, price=price)
        series = detect_series_columns(long, price=price)
    except DataError:
        return None
    if layout == WIDE:
        assets = frame.shape[1] - 1
        return (f"For this task the network does not read the {assets} price columns as they are: for each, it "
                "computes per day return = log(price / the day before's price) and abs_return = |return|, and "
                "learns from windows of these inputs. The features box does not apply.")
    per = f" per '{series.ticker}'" if series.ticker else ""
    inputs = [f"return = log('{series.price}' / the day before's '{series.price}'){per}", "abs_return = |return|"]
    used = {series.price, series.date, series.ticker}
    if series.high and series.low:
        inputs.append(f"log_range = log('{series.high}' / '{series.low}')")
        used |= {series.high, series.low}
    unused = [f"'{c}'" for c in frame.columns if c not in used]
    rest = ""
    if unused:
        shown = unused[0] if len(unused) == 1 else f"{', '.join(unused[:-1])} and {unused[-1]}"
        rest = f" {shown} {'are' if len(unused) > 1 else 'is'} not read."
    return (f"For this task the network does not read the columns as they are: it computes per day "
            f"{'; '.join(inputs)}, and learns from windows of these {len(inputs)} inputs.{rest} The features box "
            "does not apply.")
