"""Portfolio: the portfolio, not a pooled stock-day, is the unit of market risk and allocation.

`var` turns per-asset forecasts of the next day's mean and volatility into the portfolio's VaR and expected
shortfall (with the assets' correlation), each asset's risk contribution, and backtests on distinct dates beside
historical simulation and EWMA volatility; `allocation` builds long-only mean-variance weights with cvxpy and
backtests monthly walk-forward rebalancing against equal weight and minimum variance; `forecast` forecasts the
next day from a fitted run and a price file. Holdings files are read by `finmodels.data.holdings`, price panels
by `finmodels.data.panels`.
"""

from finmodels.portfolio.allocation import (STRATEGY_LABELS, AllocationBacktest, mean_variance_weights,
                                            minimum_variance_weights, performance, rebalance_dates, walk_forward)
from finmodels.portfolio.forecast import NextDayForecast, forecast_next
from finmodels.portfolio.var import (METHOD_LABELS, VAR_LEVELS, PortfolioBacktest, PortfolioRisk, correlation,
                                     ewma_var, historical_var, normal_var_es, portfolio_risk, risk_contributions)



def portfolio_of(result) -> PortfolioRisk | None:
    """A forecast run's portfolio VaR backtest (weights, network and baselines, contributions, per-asset table), or
    None for a run without one. Works on a fresh run and on one read back from the workspace."""
    return PortfolioRisk.from_details(result.details, level=result.config.var_level)


def backtest_of(result):
    """The VaR backtest a forecast run is judged by: for several tickers its portfolio's (the network's, on distinct
    dates), else the series' own; None without one. A run read back from the workspace has `result.backtest`
    recomputed from the per-asset rows (stock-days pooled across tickers), so the portfolio's is taken first."""
    risk = portfolio_of(result)
    if risk is not None and len(risk.weights) > 1 and "network" in risk.backtests:
        return risk.network.result
    return result.backtest


def allocation_of(result) -> AllocationBacktest | None:
    """An asset allocation run's walk-forward backtest, or None for a run without one."""
    return AllocationBacktest.from_details(result.details)


__all__ = ["AllocationBacktest", "allocation_of", "backtest_of", "portfolio_of", "METHOD_LABELS", "NextDayForecast", "PortfolioBacktest", "PortfolioRisk",
           "STRATEGY_LABELS", "VAR_LEVELS", "correlation", "ewma_var", "forecast_next", "historical_var",
           "mean_variance_weights", "minimum_variance_weights", "normal_var_es", "performance", "portfolio_risk",
           "rebalance_dates", "risk_contributions", "walk_forward"]
