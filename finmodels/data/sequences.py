"""From a price file to sliding windows for sequence models: daily log returns, per ticker, split in time order.

A price file has a date column and a price column (e.g. `Adj Close`), and optionally a ticker column in long
format (one row per ticker and day, like `sp500_10stocks_2013_2018.csv`). Each window holds `window` days of
channels (return, absolute return as a volatility proxy, and the log high/low range when the file has high and
low prices) and its target is the next day's return. Windows never cross tickers; the trainer splits them with
`finmodels.data.splits.chronological_split` on their target dates, so every training target comes before every
validation target, and those before every test target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.tidying import rows_phrase
from finmodels.errors import DataError

DATE_NAMES = ("date", "datetime", "timestamp", "time", "day")
PRICE_NAMES = ("adj close", "adj_close", "adjclose", "adjusted close", "close", "price", "last")
# the other columns of a market data file: with the prices, they mark a file as a price history
MARKET_NAMES = ("open", "high", "low", "volume", "mid", "bid", "ask")


def is_market_column(name) -> bool:
    """True for a column named like a price or market quantity ('Adj Close', 'adjusted_close', 'Volume')."""
    norm = re.sub(r"[\s_]+", " ", str(name).strip().lower())
    return norm in _MARKET_NORMS


_MARKET_NORMS = {re.sub(r"[\s_]+", " ", n) for n in (*PRICE_NAMES, *MARKET_NAMES)}
TICKER_NAMES = ("name", "ticker", "symbol", "asset", "instrument", "isin")
HIGH_NAMES, LOW_NAMES = ("high",), ("low",)


@dataclass(frozen=True)
class SeriesColumns:
    """Which columns of a price file hold the date, the price and (in long format) the ticker."""

    date: str
    price: str
    ticker: str | None = None
    high: str | None = None
    low: str | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        base = ("return", "abs_return")
        return base + ("log_range",) if self.high and self.low else base


def _find(columns, names) -> str | None:
    norm = {str(c).strip().lower(): c for c in columns}
    return next((norm[n] for n in names if n in norm), None)


def ticker_column(frame: pd.DataFrame, *, price: str | None = None) -> str | None:
    """The column that names each series of a long price file: named like a ticker (TICKER_NAMES), with at least
    two distinct values that repeat (not one per row), in a file with a date and a price column (by their usual
    names, or `price`). One rule for the panel reader (Train) and the Data page's profile (its role 'identifier')."""
    ticker = _find(frame.columns, TICKER_NAMES)
    priced = price is not None or _find(frame.columns, PRICE_NAMES) is not None
    if ticker is None or _find(frame.columns, DATE_NAMES) is None or not priced:
        return None
    return ticker if 1 < frame[ticker].nunique() < len(frame) else None


def detect_series_columns(frame: pd.DataFrame, *, price: str | None = None) -> SeriesColumns:
    """Find the date, price and ticker columns by their usual names; `price` overrides the price column."""
    problems = []
    date = _find(frame.columns, DATE_NAMES)
    if date is None:
        problems.append(f"No date column found (looked for {', '.join(DATE_NAMES)}). Columns are: "
                        f"{', '.join(map(str, frame.columns))}. Rename the date column to 'Date'.")
    if price is None:
        price = _find(frame.columns, PRICE_NAMES)
        if price is None:
            problems.append(f"No price column found (looked for {', '.join(PRICE_NAMES)}). Choose the price column "
                            "as the target.")
    elif price not in frame.columns:
        problems.append(f"Price column '{price}' not found. Columns are: {', '.join(map(str, frame.columns))}.")
    if problems:
        raise DataError(problems)
    ticker = _find(frame.columns, TICKER_NAMES)
    if ticker is not None and frame[ticker].nunique() in (0, len(frame)):
        ticker = None  # a name on every row is an identifier, not a ticker
    return SeriesColumns(date, price, ticker, _find(frame.columns, HIGH_NAMES), _find(frame.columns, LOW_NAMES))


def _examples(rows: np.ndarray, values, tickers=None, *, limit: int = 5) -> str:
    """'lines 4 (-1.0), 9 (0.0) of the file' or, with tickers, 'lines 4 (AAPL, -1.0), ... of the file': the file's
    lines, the header being line 1 (as `tidying.rows_phrase` names rows)."""
    shown = []
    for i in rows[:limit]:
        value = values[i]
        value = f"{float(value):g}" if isinstance(value, (int, float, np.number)) else repr(str(value))
        shown.append(f"{i + 2} ({tickers[i]}, {value})" if tickers is not None else f"{i + 2} ({value})")
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"line{'s' if len(rows) > 1 else ''} {', '.join(shown)} of the file{more}"


def daily_channels(frame: pd.DataFrame, cols: SeriesColumns) -> pd.DataFrame:
    """One row per ticker and day, sorted by ticker then date, with the channels of `cols.channels`.

    A blank price is a missing day of that ticker: the row is dropped, and the next day's return spans the gap.
    The first day of each ticker (no return yet) is dropped. Dates must parse, prices must be positive, and a
    ticker may not repeat a date; every such problem is reported, with the rows and values.
    """
    problems = []
    dates = pd.to_datetime(frame[cols.date], errors="coerce", format="mixed")
    bad_dates = np.flatnonzero(dates.isna().to_numpy())
    if len(bad_dates):
        problems.append(f"Column '{cols.date}' has {len(bad_dates)} values that are not dates "
                        f"({rows_phrase([int(i) + 2 for i in bad_dates], limit=5)}). Fix or remove those rows.")
    raw = frame[cols.price]
    price = pd.to_numeric(raw, errors="coerce")
    tickers = frame[cols.ticker].astype(str).to_numpy() if cols.ticker else None
    text = np.flatnonzero((price.isna() & raw.notna()).to_numpy())
    if len(text):
        problems.append(f"Column '{cols.price}' has {len(text)} values that are not numbers: "
                        f"{_examples(text, raw.to_numpy(), tickers)}. Fix them, or leave the cells blank for days "
                        "without a price.")
    bad = np.flatnonzero((price <= 0).to_numpy())
    if len(bad):
        problems.append(f"Column '{cols.price}' has {len(bad)} zero or negative prices: "
                        f"{_examples(bad, price.to_numpy(), tickers)}. Returns need positive prices; fix or remove "
                        "those rows.")
    if problems:
        raise DataError(problems)
    data = pd.DataFrame({"date": dates.to_numpy(), "ticker": tickers if cols.ticker else "series",
                         "price": price.to_numpy("float64"), "row": np.arange(len(frame)) + 2})
    if cols.high and cols.low:
        data["high"] = pd.to_numeric(frame[cols.high], errors="coerce").to_numpy()
        data["low"] = pd.to_numeric(frame[cols.low], errors="coerce").to_numpy()
    data = data[data["price"].notna()].sort_values(["ticker", "date"], kind="mergesort")
    dup = data.duplicated(["ticker", "date"], keep=False).to_numpy()
    if dup.any():
        raise DataError(_duplicate_dates(data[dup], cols))
    data["return"] = np.log(data["price"]).groupby(data["ticker"], sort=False).diff()
    data["abs_return"] = data["return"].abs()
    if "high" in data:
        data["log_range"] = np.log(data["high"] / data["low"]).replace([np.inf, -np.inf], np.nan).fillna(0.0)
    return data.dropna(subset=["return"]).reset_index(drop=True)


def _duplicate_dates(rows: pd.DataFrame, cols: SeriesColumns, *, limit: int = 5) -> list[str]:
    """One message per ticker (at most `limit`) that repeats a date, naming the dates and file rows."""
    problems = []
    groups = list(rows.groupby("ticker", sort=True))
    for ticker, g in groups[:limit]:
        repeated = g.groupby("date")["row"].apply(list)
        shown = "; ".join(f"{d:%Y-%m-%d} ({rows_phrase(r)})" for d, r in repeated.iloc[:3].items())
        more = f" and {len(repeated) - 3} more dates" if len(repeated) > 3 else ""
        who = f"Ticker '{ticker}' (column '{cols.ticker}')" if cols.ticker else "The series"
        problems.append(f"{who} repeats {len(repeated)} date{'s' if len(repeated) > 1 else ''} in column "
                        f"'{cols.date}': {shown}{more}. Keep one row per day"
                        + (" and ticker." if cols.ticker else "; for several assets add a ticker column."))
    if len(groups) > limit:
        problems.append(f"{len(groups) - limit} more tickers repeat dates.")
    return problems


def short_series(days: pd.DataFrame, *, window: int) -> pd.Series:
    """Number of returns of each ticker too short for one window of `window` days and its target."""
    sizes = days.groupby("ticker", sort=False).size()
    return sizes[sizes <= window]


@dataclass
class Windows:
    """Model inputs (windows x days x channels), next-day return targets, and where each window belongs."""

    x: np.ndarray
    y: np.ndarray
    dates: np.ndarray  # the date of the target day
    tickers: np.ndarray
    last_return: np.ndarray  # the window's last return: the persistence ("naive") forecast
    window_std: np.ndarray  # the standard deviation of the window's returns: a naive volatility forecast

    def labels(self, positions=None) -> np.ndarray:
        """'AAPL 2017-11-03' per window (the ticker and its target date), for explanations and tables."""
        positions = slice(None) if positions is None else positions
        return window_labels(self.tickers[positions], self.dates[positions])


def window_labels(tickers, dates) -> np.ndarray:
    """'TICKER YYYY-MM-DD' for each (ticker, date) pair; a single series is labelled by its date alone."""
    days = pd.DatetimeIndex(np.asarray(dates)).strftime("%Y-%m-%d")
    return np.array([d if t == "series" else f"{t} {d}" for t, d in zip(np.asarray(tickers), days)], dtype=object)


def latest_windows(days: pd.DataFrame, *, window: int, channels: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """The last `window` days of each ticker long enough: inputs (tickers x days x channels) to forecast the day
    after the file ends, and a table of ticker, last date and last price."""
    xs, rows = [], []
    for ticker, g in days.groupby("ticker", sort=True):
        if len(g) < window:
            continue
        xs.append(g[list(channels)].to_numpy("float32")[-window:])
        rows.append({"ticker": ticker, "last_date": g["date"].iloc[-1], "last_price": float(g["price"].iloc[-1])})
    if not xs:
        raise DataError(f"A forecast needs the last {window} returns of a series ({window + 1} prices); no series in "
                        "the file is that long. Upload a longer price history.")
    return np.stack(xs), pd.DataFrame(rows)


def make_windows(days: pd.DataFrame, *, window: int, channels: tuple[str, ...]) -> Windows:
    """Every run of `window` consecutive days of one ticker, with the following day's return as target."""
    parts = []
    values_all = days[list(channels)].to_numpy("float32")
    returns_all = days["return"].to_numpy("float64")
    dates_all = days["date"].to_numpy()
    tickers = days["ticker"].to_numpy()
    starts = np.flatnonzero(np.r_[True, tickers[1:] != tickers[:-1]])  # days are sorted by ticker, then date
    for a, b in zip(starts, np.r_[starts[1:], len(days)]):
        n = b - a - window
        if n < 1:
            continue
        values, returns = values_all[a:b], returns_all[a:b]
        idx = np.arange(window)[None, :] + np.arange(n)[:, None]
        parts.append(Windows(values[idx], returns[window:], dates_all[a + window:b], np.full(n, tickers[a], dtype=object),
                             returns[window - 1:-1], returns[idx].std(axis=1)))
    if not parts:
        longest = int(days.groupby("ticker").size().max()) if len(days) else 0
        raise DataError(f"Windows of {window} days need more than {window + 1} prices per series; the longest "
                        f"series has {longest + 1}. Use a shorter window or a longer history.")
    return Windows(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("x", "y", "dates", "tickers", "last_return", "window_std")))


@dataclass
class SequencePreprocessor:
    """Turns a price file into scaled windows; scaling fitted on the training windows only.

    `columns` are the channels; `groups` maps each channel to its positions in a flattened window
    (day-major: position = day * channels + channel), so attributions can be summed per channel.
    """

    series: SeriesColumns
    window: int
    mean: np.ndarray
    std: np.ndarray
    target_scale: float  # standard deviation of training targets; the network predicts returns in these units
    groups: dict[str, list[int]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.series.channels)

    def windows(self, frame: pd.DataFrame) -> Windows:
        """Unscaled windows and targets of a price file with the training file's columns."""
        return make_windows(daily_channels(frame, self.series), window=self.window, channels=self.series.channels)

    def scale(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std).astype("float32")

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Scaled model inputs, one window per day that has `window` days before it."""
        return self.scale(self.windows(frame).x)

    def to_dict(self) -> dict:
        """Plain JSON-ready values, for the model bundle."""
        return {"series": self.series.__dict__, "window": self.window, "mean": self.mean.tolist(),
                "std": self.std.tolist(), "target_scale": self.target_scale}

    @classmethod
    def from_dict(cls, data: dict) -> "SequencePreprocessor":
        return _with_groups(SeriesColumns(**data["series"]), int(data["window"]), np.asarray(data["mean"], "float32"),
                            np.asarray(data["std"], "float32"), float(data["target_scale"]))


def _with_groups(series: SeriesColumns, window: int, mean, std, target_scale: float) -> SequencePreprocessor:
    k = len(series.channels)
    groups = {c: [day * k + j for day in range(window)] for j, c in enumerate(series.channels)}
    return SequencePreprocessor(series, window, mean, std, target_scale, groups)


def fit_sequence_preprocessor(windows: Windows, train_idx: np.ndarray, *, series: SeriesColumns,
                              window: int) -> SequencePreprocessor:
    """Channel means and standard deviations (and the target scale) from the training windows only."""
    x = windows.x[train_idx]
    mean = x.reshape(-1, x.shape[-1]).mean(axis=0)
    std = x.reshape(-1, x.shape[-1]).std(axis=0)
    std = np.where(std > 0, std, 1.0).astype("float32")
    return _with_groups(series, window, mean.astype("float32"), std, float(np.std(windows.y[train_idx])) or 1.0)
