"""Portfolio charts: pure functions from `finmodels.portfolio` results to a plotly Figure.

plot_portfolio_var (the portfolio's return against each method's -VaR, exceptions marked), plot_risk_contributions
(each asset's share of the VaR), plot_asset_forecast (one asset's returns, forecast and -VaR),
plot_equity_curves (the allocation strategies' growth of 1), plot_allocation_weights (weights at each rebalance),
plot_next_day (next-day VaR per asset and for the portfolio).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, TRAIN_COLOR, VALID_COLOR

METHOD_COLORS = {"network": TRAIN_COLOR, "historical_simulation": VALID_COLOR, "ewma": "#27ae60"}
STRATEGY_COLORS = {"strategy": TRAIN_COLOR, "equal_weight": NEUTRAL_COLOR, "minimum_variance": VALID_COLOR}


def plot_portfolio_var(risk, *, methods=None, title: str | None = None) -> go.Figure:
    """The portfolio's return per date (or per period of `horizon` days) and each method's -VaR; the network's
    exceptions are marked. `methods` picks keys of `risk.backtests` (default all)."""
    keys = list(methods or risk.backtests)
    net = risk.backtests[keys[0]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=net.dates, y=net.returns, mode="lines", name="Portfolio return",
                             line=dict(color=NEUTRAL_COLOR, width=1)))
    for key in keys:
        b = risk.backtests[key]
        s = b.result
        fig.add_trace(go.Scatter(x=b.dates, y=-b.var, mode="lines", line=dict(color=METHOD_COLORS.get(key)),
                                 name=f"-VaR {b.label} ({s.exceptions} exceptions, {s.zone})"))
    hits = net.result.exception_days
    fig.add_trace(go.Scatter(x=net.dates[hits], y=net.returns[hits], mode="markers", name="Exception (network)",
                             marker=dict(color=EVENT_COLOR, size=8, symbol="x")))
    period = "one-day" if risk.horizon == 1 else f"{risk.horizon}-day"
    level = f"{risk.level:.1%}".replace(".0%", "%")
    fig.update_layout(**LAYOUT, title=title or f"Portfolio VaR {level} {period}: backtest on "
                      f"{net.result.days} distinct {'dates' if risk.horizon == 1 else 'periods'}",
                      xaxis_title="Date", yaxis_title="Portfolio return", yaxis_tickformat=".1%")
    return fig


def plot_risk_contributions(contributions: pd.DataFrame, *, top: int = 30,
                            title: str = "Risk contribution to the portfolio VaR") -> go.Figure:
    """Each asset's share of the portfolio VaR (Euler), largest first; a hedge shows a negative share."""
    table = contributions.sort_values("contribution", ascending=False).head(top).iloc[::-1]
    fig = go.Figure(go.Bar(x=table["share"], y=table["ticker"].astype(str), orientation="h", name="Share of VaR",
                           marker_color=[EVENT_COLOR if v < 0 else TRAIN_COLOR for v in table["share"]],
                           customdata=np.c_[table["weight"], table["contribution"]],
                           hovertemplate="%{y}: %{x:.1%} of VaR (weight %{customdata[0]:.1%})<extra></extra>"))
    fig.add_trace(go.Scatter(x=table["weight"], y=table["ticker"].astype(str), mode="markers", name="Weight",
                             marker=dict(color=VALID_COLOR, symbol="diamond", size=8)))
    more = f" (top {top} of {len(contributions)})" if len(contributions) > top else ""
    fig.update_layout(**LAYOUT, title=title + more, xaxis_title="Share of portfolio VaR", xaxis_tickformat=".0%",
                      yaxis_title="Asset", height=max(300, 22 * len(table) + 120))
    return fig


def plot_asset_forecast(details: dict, ticker: str, *, title: str | None = None) -> go.Figure:
    """One asset's test-period return, the network's forecast and -VaR, its exceptions marked (from a run's
    details: dates, tickers, actual, forecast, var)."""
    pick = np.asarray(details["tickers"]).astype(str) == str(ticker)
    if not pick.any():
        raise ValueError(f"No test windows of '{ticker}'.")
    dates = np.asarray(details["dates"])[pick]
    actual, var = np.asarray(details["actual"])[pick], np.asarray(details["var"])[pick]
    hits = actual < -var
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=dates, y=actual, mode="lines", name="Return", line=dict(color=NEUTRAL_COLOR, width=1)))
    fig.add_trace(go.Scatter(x=dates, y=np.asarray(details["forecast"])[pick], mode="lines", name="Forecast",
                             line=dict(color=VALID_COLOR)))
    fig.add_trace(go.Scatter(x=dates, y=-var, mode="lines", name="-VaR", line=dict(color=TRAIN_COLOR)))
    fig.add_trace(go.Scatter(x=dates[hits], y=actual[hits], mode="markers", name=f"Exception ({int(hits.sum())})",
                             marker=dict(color=EVENT_COLOR, size=8, symbol="x")))
    fig.update_layout(**LAYOUT, title=title or f"{ticker}: next-day return, forecast and VaR",
                      xaxis_title="Date", yaxis_title="Daily log return", yaxis_tickformat=".1%")
    return fig


def plot_equity_curves(allocation, *, title: str = "Walk-forward allocation: growth of 1") -> go.Figure:
    """Each strategy's equity curve, its Sharpe ratio in the legend."""
    from finmodels.portfolio.allocation import STRATEGY_LABELS

    fig = go.Figure()
    for key in allocation.equity.columns:
        sharpe = allocation.stats[key]["sharpe"]
        fig.add_trace(go.Scatter(x=allocation.equity.index, y=allocation.equity[key], mode="lines",
                                 name=f"{STRATEGY_LABELS.get(key, key)} (Sharpe {sharpe:.2f})",
                                 line=dict(color=STRATEGY_COLORS.get(key))))
    for d in allocation.weights["strategy"].index:
        fig.add_vline(x=d, line=dict(color="#dddddd", width=1))
    fig.update_layout(**LAYOUT, title=title, xaxis_title="Date", yaxis_title="Value of 1 invested")
    return fig


def plot_allocation_weights(allocation, *, strategy: str = "strategy", top: int = 15,
                            title: str | None = None) -> go.Figure:
    """Stacked weights at each rebalance; assets beyond the `top` largest on average are summed as 'Other'."""
    from finmodels.portfolio.allocation import STRATEGY_LABELS

    w = allocation.weights[strategy]
    order = w.mean().sort_values(ascending=False).index
    shown = w[order[:top]]
    if len(order) > top:
        shown = shown.assign(Other=w[order[top:]].sum(axis=1))
    fig = go.Figure([go.Bar(x=shown.index, y=shown[c], name=str(c)) for c in shown.columns])
    fig.update_layout(**LAYOUT, barmode="stack", title=title or f"{STRATEGY_LABELS.get(strategy, strategy)}: weights "
                      "at each rebalance", xaxis_title="Rebalance date", yaxis_title="Weight", yaxis_tickformat=".0%")
    return fig


def plot_next_day(forecast, *, top: int = 30, title: str | None = None) -> go.Figure:
    """Next-day VaR and expected shortfall per asset (largest VaR first), the portfolio's as a line."""
    table = forecast.assets.sort_values("var", ascending=False).head(top)
    fig = go.Figure([go.Bar(x=table["ticker"].astype(str), y=table["var"], name=f"VaR {forecast.level:.1%}",
                            marker_color=TRAIN_COLOR),
                     go.Bar(x=table["ticker"].astype(str), y=table["es"], name="Expected shortfall",
                            marker_color=VALID_COLOR)])
    fig.add_hline(y=forecast.portfolio["var"], line=dict(color=EVENT_COLOR, dash="dash"),
                  annotation_text=f"Portfolio VaR {forecast.portfolio['var']:.2%}")
    fig.update_layout(**LAYOUT, barmode="group", title=title or f"Forecast for the day after {forecast.as_of:%Y-%m-%d}",
                      xaxis_title="Asset", yaxis_title="Loss (share of value)", yaxis_tickformat=".1%")
    return fig
