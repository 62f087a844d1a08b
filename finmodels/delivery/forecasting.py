"""The next-day forecast of a market risk or allocation bundle on a price file, for `python -m finmodels score`.

The figures are `finmodels.portfolio.forecast_next(bundle, frame)`'s, the function the Score page calls for a price
file (with the run's own level, horizon and holdings, as the page does). Before it runs, the file is checked
against the run: the price, date, ticker (and high/low) columns it reads, the tickers its portfolio holds (its
holdings, else every ticker it was trained on, at equal weight) and enough days per ticker for a window; each
problem is named with its column, tickers and rows and what to do, where the forecast would otherwise stop on a
missing key or quietly leave a ticker out of the portfolio.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from finmodels.errors import DataError

# The CSV's and the text table's columns, with the Score page's headings (VaR's takes the level)
HEADINGS = {"ticker": "ticker", "last_date": "last day", "last_price": "last price", "weight": "weight",
            "expected_return": "expected return", "volatility": "volatility", "var": "VaR", "es": "expected shortfall"}
PORTFOLIO = "portfolio"


@dataclass
class ScoredPrices:
    """The forecast (`finmodels.portfolio.NextDayForecast`), the checks' notes, and the seconds it took."""

    forecast: object
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def table(self) -> pd.DataFrame:
        """One row per asset, then the portfolio's (ticker 'portfolio', its weight the holdings' sum)."""
        f = self.forecast
        p = f.portfolio
        total = {"ticker": PORTFOLIO, "last_date": f.as_of, "last_price": float("nan"),
                 "weight": float(f.assets["weight"].sum()), "expected_return": p["expected_return"],
                 "volatility": p["volatility"], "var": p["var"], "es": p["es"]}
        return pd.concat([f.assets[list(HEADINGS)], pd.DataFrame([total])], ignore_index=True)

    def csv_bytes(self) -> bytes:
        """`table()` as the CSV the command writes (days as YYYY-MM-DD, formula cells escaped)."""
        from finmodels.delivery.export import to_csv_bytes

        table = self.table()
        return to_csv_bytes(table.assign(last_date=table["last_date"].dt.strftime("%Y-%m-%d")))

    def to_json(self) -> dict:
        """`as_of`, `level`, `horizon`, `portfolio` and `assets` (each with its share of the portfolio VaR,
        `contribution`), and `notes`."""
        out = self.forecast.to_json()
        share = self.forecast.contributions.set_index("ticker")["contribution"]
        for asset in out["assets"]:
            asset["contribution"] = float(share.get(asset["ticker"], 0.0))
        return {**out, "notes": [*self.forecast.notes, *self.notes]}


def level_label(level: float) -> str:
    """'99%', '97.5%': as the Score page heads its VaR column."""
    return f"{level:.1%}".replace(".0%", "%")


def _training_tickers(source, series) -> list[str]:
    from finmodels.data.panels import to_long

    rows = getattr(source, "background", None)
    rows = rows if rows is not None else getattr(source, "frame", None)
    if rows is None or series.ticker is None:
        return []
    long, _ = to_long(rows, price=None)
    return sorted(long[series.ticker].astype(str).unique()) if series.ticker in long.columns else []


def check_price_file(source, frame: pd.DataFrame) -> list[str]:
    """Refuse (DataError) a price file the run cannot forecast its portfolio from; notes on what else differs."""
    from finmodels.data.panels import WIDE, to_long
    from finmodels.data.sequences import daily_channels

    pre, config = source.preprocessor, source.train_config() if hasattr(source, "train_config") else source.config
    series = pre.series
    long, layout = to_long(frame, price=None)
    roles = {"date": series.date, "price": series.price, "ticker": series.ticker, "high": series.high,
             "low": series.low}
    missing = [f"'{col}' (its {role})" for role, col in roles.items() if col and col not in long.columns]
    if missing:
        raise DataError(f"The price file lacks {len(missing)} column(s) the run reads: {', '.join(missing)}. The file "
                        f"has {', '.join(map(str, frame.columns[:12]))}. Give it the training file's layout (rename "
                        "the columns, or add them).")
    days = daily_channels(long, series).groupby("ticker").size()
    trained = _training_tickers(source, series)
    held = [t for t, w in (config.holdings or ()) if w > 0] if config.holdings else trained
    absent = [t for t in held if t not in days.index]
    if absent and series.ticker:
        how = "its holdings" if config.holdings else f"equal weight over its {len(trained)} training tickers"
        one = len(absent) == 1
        where = (f"the price file has no price column{'' if one else 's'} named so" if layout == WIDE else
                 f"column '{series.ticker}' of the price file has no rows for {'it' if one else 'them'}")
        raise DataError(f"The run's portfolio holds {', '.join(absent)} ({how}), but {where}. Add "
                        f"{'its' if one else 'their'} prices up to the file's last day, or score with a bundle trained "
                        "on the file's tickers.")
    needed = [t for t in (held or days.index) if t in days.index]
    short = days[needed][days[needed] < pre.window]
    if len(short):
        named = ", ".join(f"{t} ({int(n) + 1} rows)" for t, n in short.items())
        has = f"fewer for {named}" if series.ticker else f"{int(short.iloc[0]) + 1} rows with a price"
        raise DataError(f"A forecast reads each ticker's last {pre.window} returns, so it needs at least "
                        f"{pre.window + 1} days of prices per ticker; the price file has {has}. Give at least "
                        f"{pre.window + 1} days of prices for every ticker, up to the day before the forecast.")
    extra = [str(t) for t in days.index if trained and t not in trained]
    if extra and not config.holdings:
        return [f"{len(extra)} ticker(s) the run was not trained on ({', '.join(extra[:10])}) are forecast and held "
                "at equal weight with the others, as the Score page does."]
    return []


def forecast_prices(source, frame: pd.DataFrame) -> ScoredPrices:
    """The Score page's next-day forecast of `source` (a loaded bundle of a market risk or allocation run) on the
    price file `frame`, after `check_price_file`."""
    from finmodels.portfolio import forecast_next

    start = time.perf_counter()
    notes = check_price_file(source, frame)
    forecast = forecast_next(source, frame)
    return ScoredPrices(forecast, notes, time.perf_counter() - start)


def text_table(scored: ScoredPrices) -> str:
    """The per-asset and portfolio rows in percents, as the Score page shows them."""
    level = level_label(scored.forecast.level)
    table = scored.table()
    shown = pd.DataFrame({"ticker": table["ticker"], "last day": table["last_date"].dt.strftime("%Y-%m-%d"),
                          "last price": table["last_price"].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}"),
                          "weight": table["weight"].map("{:.1%}".format),
                          "expected return": table["expected_return"].map("{:+.2%}".format)})
    for col, heading in (("volatility", "volatility"), ("var", f"VaR {level}"), ("es", "expected shortfall")):
        shown[heading] = table[col].map("{:.2%}".format)
    return shown.to_string(index=False)


__all__ = ["HEADINGS", "PORTFOLIO", "ScoredPrices", "check_price_file", "forecast_prices", "level_label",
           "text_table"]
