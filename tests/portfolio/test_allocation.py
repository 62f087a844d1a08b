import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError
from finmodels.portfolio import (mean_variance_weights, minimum_variance_weights, performance, rebalance_dates,
                                 walk_forward)


def test_mean_variance_is_long_only_capped_and_follows_the_forecasts():
    cov = np.diag([0.0004, 0.0004, 0.0004, 0.0004])
    w = mean_variance_weights([0.002, 0.001, 0.0, -0.001], cov, risk_aversion=5, cap=0.4)
    assert w.sum() == pytest.approx(1) and (w >= -1e-9).all() and (w <= 0.4 + 1e-9).all()
    assert w[0] == pytest.approx(0.4, abs=1e-4) and w[0] >= w[1] >= w[2] >= w[3]
    cautious = mean_variance_weights([0.002, 0.001, 0.0, -0.001], cov, risk_aversion=1e6, cap=1.0)
    assert cautious == pytest.approx(np.full(4, 0.25), abs=1e-3)  # huge risk aversion: least variance


def test_minimum_variance_prefers_the_calm_asset_up_to_the_cap():
    cov = np.diag([0.0001, 0.0009, 0.0016])
    w = minimum_variance_weights(cov, cap=1.0)
    inverse = 1 / np.diag(cov)
    assert w == pytest.approx(inverse / inverse.sum(), abs=1e-4)
    assert minimum_variance_weights(cov, cap=0.5)[0] == pytest.approx(0.5, abs=1e-4)


@pytest.mark.parametrize("kwargs,message", [
    ({"risk_aversion": 0, "cap": 0.5}, "Risk aversion must be positive"),
    ({"risk_aversion": 5, "cap": 1.5}, "cap per asset must be above 0 and at most 1"),
    ({"risk_aversion": 5, "cap": 0.2}, "A cap of 0.2 per asset over 4 assets cannot make 100%; raise the cap to at "
                                       "least 0.25"),
])
def test_impossible_settings_are_named(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        mean_variance_weights(np.zeros(4), np.eye(4), **kwargs)


def test_performance_figures():
    daily = np.array([0.01, -0.02, 0.03, -0.01] * 63)  # one year
    out = performance(daily, turnover=2.0)
    equity = np.cumprod(1 + daily)
    assert out["annual_return"] == pytest.approx(equity[-1] - 1)
    assert out["volatility"] == pytest.approx(np.std(daily, ddof=1) * np.sqrt(252))
    assert out["sharpe"] == pytest.approx(np.mean(daily) * 252 / out["volatility"])
    assert out["max_drawdown"] == pytest.approx(np.max(1 - equity / np.maximum.accumulate(equity)))
    assert out["turnover"] == pytest.approx(2.0)


def test_rebalance_dates_are_each_months_first_trading_day():
    dates = pd.bdate_range("2018-01-29", "2018-03-05")
    assert [f"{d:%Y-%m-%d}" for d in rebalance_dates(dates)] == ["2018-01-29", "2018-02-01", "2018-03-01"]


def test_walk_forward_uses_only_the_past(stock_panel, naive_forecasts):
    returns = stock_panel.returns()
    expected = naive_forecasts.assign(forecast=naive_forecasts["actual"].rolling(5, min_periods=1).mean()).pivot(
        index="date", columns="ticker", values="forecast")
    bt = walk_forward(expected, returns, risk_aversion=5, cap=0.3)
    assert set(bt.stats) == {"strategy", "equal_weight", "minimum_variance"}
    for stats in bt.stats.values():
        assert set(stats) == {"sharpe", "max_drawdown", "turnover", "annual_return", "volatility"}
    latest = bt.latest
    assert latest.sum() == pytest.approx(1) and latest.max() <= 0.3 + 1e-6 and latest.min() >= -1e-9
    assert bt.stats["equal_weight"]["turnover"] > 0  # drift back to 1/N each month
    # changing returns after a rebalance date cannot change that date's weights
    cut = bt.weights["strategy"].index[3]
    future = returns.copy()
    future.loc[future.index >= cut] *= -3
    again = walk_forward(expected, future, risk_aversion=5, cap=0.3)
    assert np.allclose(again.weights["minimum_variance"].loc[:cut], bt.weights["minimum_variance"].loc[:cut], atol=1e-5)
    assert bt.equity.shape[1] == 3 and bt.equity.index[0] == expected.index.min()
    assert set(bt.to_json()) >= {"weights", "backtest"} and len(bt.to_json()["backtest"]) == 3
