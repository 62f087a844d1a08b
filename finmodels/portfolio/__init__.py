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

__all__ = ["AllocationBacktest", "METHOD_LABELS", "NextDayForecast", "PortfolioBacktest", "PortfolioRisk",
           "STRATEGY_LABELS", "VAR_LEVELS", "correlation", "ewma_var", "forecast_next", "historical_var",
           "mean_variance_weights", "minimum_variance_weights", "normal_var_es", "performance", "portfolio_risk",
           "rebalance_dates", "risk_contributions", "walk_forward"]
