"""Charts of a long price file (one row per ticker and day): one series per ticker, never all tickers pooled.

On the 10-stock file the Data page drew one histogram of 'close' over every ticker together (AAPL's 100s with
BAC's 15s) and correlated the columns across tickers, where the price level of each stock dominates. These charts
show each ticker's own series over time and the correlation of their daily returns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from finmodels.data.profiling import parse_dates
from finmodels.plots.style import LAYOUT

MAX_TICKER_TRACES = 12  # lines on one chart before they cannot be told apart; the rest are chosen on the page


def ticker_list(frame: pd.DataFrame, ticker: str) -> list[str]:
    """The file's tickers, most rows first, then by name."""
    counts = frame[ticker].dropna().astype(str).value_counts()
    return sorted(counts.index, key=lambda t: (-counts[t], t))


def _series(frame: pd.DataFrame, column: str, *, ticker: str, date: str, tickers: list[str]) -> pd.DataFrame:
    """`column` as a table of dates x the chosen tickers (the last value of a day seen twice)."""
    rows = frame[frame[ticker].astype(str).isin(tickers)]
    dates = rows[date] if pd.api.types.is_datetime64_any_dtype(rows[date]) else parse_dates(rows[date])
    long = pd.DataFrame({"date": dates.to_numpy(), "ticker": rows[ticker].astype(str).to_numpy(),
                         "value": pd.to_numeric(rows[column], errors="coerce").to_numpy()}).dropna(subset=["date"])
    wide = long.pivot_table(index="date", columns="ticker", values="value", aggfunc="last").sort_index()
    return wide[[t for t in tickers if t in wide.columns]]


def plot_ticker_lines(frame: pd.DataFrame, column: str, *, ticker: str, date: str, tickers: list[str],
                      rebase: bool = False) -> go.Figure:
    """One line per ticker of `column` over time (at most MAX_TICKER_TRACES of `tickers`); `rebase` starts each at
    100 on its first day with a value, so a 15-dollar and a 1,000-dollar stock compare by how they moved."""
    wide = _series(frame, column, ticker=ticker, date=date, tickers=list(tickers)[:MAX_TICKER_TRACES])
    fig = go.Figure()
    for name in wide.columns:
        values = wide[name].dropna()
        if rebase and len(values) and values.iloc[0] != 0:
            values = values / values.iloc[0] * 100
        fig.add_trace(go.Scattergl(x=values.index, y=values.to_numpy(), mode="lines", name=name,
                                   hovertemplate=f"{name} %{{x|%Y-%m-%d}}: %{{y:,.4g}}<extra></extra>"))
    fig.update_layout(title=f"'{column}' per '{ticker}' ({len(wide.columns)} of {frame[ticker].nunique():,})"
                      + (", 100 on each one's first day" if rebase else ""), xaxis_title=date,
                      yaxis_title=f"{column} (first day = 100)" if rebase else column, legend_title=ticker, **LAYOUT)
    return fig


def plot_return_correlation(frame: pd.DataFrame, price: str, *, ticker: str, date: str,
                            tickers: list[str]) -> go.Figure:
    """Pearson correlation of the chosen tickers' daily returns of `price` (on the days both have), -1 blue to
    +1 red: how the series move together, not how their price levels compare."""
    returns = _series(frame, price, ticker=ticker, date=date, tickers=list(tickers)).pct_change(fill_method=None)
    corr = returns.corr().to_numpy() if returns.shape[1] else np.zeros((0, 0))
    names = list(returns.columns)
    fig = go.Figure(go.Heatmap(z=corr, x=names, y=names, zmin=-1, zmax=1, colorscale="RdBu_r",
                               colorbar=dict(title="r"), name="correlation", text=np.round(corr, 2),
                               texttemplate="%{text}", hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>"))
    fig.update_layout(title=f"Daily returns of '{price}': correlation between the {len(names)} '{ticker}' series",
                      **LAYOUT)
    fig.update_yaxes(autorange="reversed")
    return fig


def plot_price_series(frame: pd.DataFrame, column: str, *, date: str, returns: bool = False) -> go.Figure:
    """A single price file's `column` over time (rows in date order; a blank or text cell leaves a gap), or with
    `returns` its daily log returns, log(value / the day before's), as a price task reads them: what a histogram
    of price levels and a correlation of price columns (all about 1) did not show."""
    dates = frame[date] if pd.api.types.is_datetime64_any_dtype(frame[date]) else parse_dates(frame[date])
    series = pd.Series(pd.to_numeric(frame[column], errors="coerce").to_numpy(), index=dates.to_numpy())
    series = series[series.index.notna()].sort_index(kind="mergesort")
    if returns:
        priced = series[series > 0]
        series = np.log(priced).diff().dropna()
    fig = go.Figure(go.Scattergl(x=series.index, y=series.to_numpy(), mode="lines", name=str(column),
                                 hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:{'.2%' if returns else ',.4g'}}}<extra></extra>"))
    what = f"Daily log return of '{column}'" if returns else f"'{column}'"
    fig.update_layout(title=f"{what} over time, {series.index.min():%Y-%m-%d} to {series.index.max():%Y-%m-%d}",
                      xaxis_title=date, yaxis_title="log return" if returns else column, showlegend=False, **LAYOUT)
    if returns:
        fig.update_yaxes(tickformat=".0%")
    return fig
