import numpy as np

from finmodels.data.holdings import equal_weights
from finmodels.plots.portfolio import (plot_allocation_weights, plot_asset_forecast, plot_equity_curves,
                                       plot_portfolio_var, plot_risk_contributions)
from finmodels.portfolio import portfolio_risk, walk_forward


def test_portfolio_charts_name_methods_exceptions_and_assets(stock_panel, naive_forecasts):
    risk = portfolio_risk(naive_forecasts, stock_panel.returns(), equal_weights(stock_panel.tickers), level=0.99)
    fig = plot_portfolio_var(risk)
    names = [t.name for t in fig.data]
    assert names[0] == "Portfolio return" and names[-1] == "Exception (network)"
    assert any(n.startswith("-VaR Neural network") for n in names) and any("Historical simulation" in n for n in names)
    assert f"{risk.network.result.days} distinct dates" in fig.layout.title.text
    bars = plot_risk_contributions(risk.contributions, top=5)
    assert len(bars.data[0].y) == 5 and "top 5 of 10" in bars.layout.title.text
    one = plot_asset_forecast({k: naive_forecasts[v].to_numpy() for k, v in
                               {"dates": "date", "tickers": "ticker", "actual": "actual", "forecast": "forecast",
                                "var": "var"}.items()}, "AAPL")
    assert one.layout.title.text.startswith("AAPL") and len(one.data[0].x) == (naive_forecasts["ticker"] == "AAPL").sum()


def test_allocation_charts(stock_panel, naive_forecasts):
    expected = naive_forecasts.pivot(index="date", columns="ticker", values="actual").rolling(5, min_periods=1).mean()
    bt = walk_forward(expected, stock_panel.returns(), cap=0.3)
    fig = plot_equity_curves(bt)
    assert [t.name.split(" (")[0] for t in fig.data] == ["Mean-variance", "Equal weight", "Minimum variance"]
    assert np.isclose(fig.data[1].y[-1], bt.equity["equal_weight"].iloc[-1])
    w = plot_allocation_weights(bt, top=3)
    assert [t.name for t in w.data][-1] == "Other" and len(w.data) == 4
