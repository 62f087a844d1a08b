import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from finmodels.data.holdings import equal_weights
from finmodels.errors import ConfigError, DataError
from finmodels.portfolio import (correlation, ewma_var, historical_var, normal_var_es, portfolio_risk,
                                 risk_contributions)


def test_normal_var_and_es_at_each_level_and_horizon():
    var, es = normal_var_es(0.001, 0.02, level=0.99)
    assert var == pytest.approx(2.326348 * 0.02 - 0.001, rel=1e-6)
    assert es == pytest.approx(norm.pdf(norm.ppf(0.99)) / 0.01 * 0.02 - 0.001)
    var10, _ = normal_var_es(0.0, 0.02, level=0.975, horizon=10)
    assert var10 == pytest.approx(1.959964 * 0.02 * np.sqrt(10), rel=1e-6)
    with pytest.raises(ConfigError, match="VaR horizon must be a whole number of days from 1 to 20; got 0"):
        normal_var_es(0.0, 0.02, level=0.99, horizon=0)


def test_risk_contributions_add_up_to_the_portfolio_var():
    tickers = ["A", "B", "C"]
    w = pd.Series([0.5, 0.3, 0.2], index=tickers)
    vol = pd.Series([0.02, 0.01, 0.03], index=tickers)
    mean = pd.Series([0.001, 0.0, -0.001], index=tickers)
    corr = pd.DataFrame([[1, 0.5, 0.2], [0.5, 1, 0.1], [0.2, 0.1, 1]], index=tickers, columns=tickers, dtype=float)
    table = risk_contributions(w, mean, vol, corr, level=0.99)
    ws = w * vol
    sigma = np.sqrt(ws @ corr @ ws)
    assert table["contribution"].sum() == pytest.approx(norm.ppf(0.99) * sigma - w @ mean)
    assert table["share"].sum() == pytest.approx(1.0) and table["ticker"].iloc[0] == "A"


def test_correlation_reads_only_the_dates_before(stock_panel):
    returns = stock_panel.returns()
    cut = returns.index[600]
    corr = correlation(returns, before=cut)
    again = correlation(pd.concat([returns.iloc[:600], returns.iloc[600:] * -5]), before=cut)
    assert np.allclose(corr, again) and np.allclose(np.diag(corr), 1)
    assert corr.loc["JPM", "BAC"] > 0.5 > corr.loc["JPM", "AMZN"]


def test_historical_and_ewma_baselines_match_hand_computation():
    rng = np.random.default_rng(0)
    r = rng.standard_normal(400) * 0.01
    var, es = historical_var(r, np.array([300]), level=0.99)
    past = r[50:300]
    assert var[0] == pytest.approx(-np.quantile(past, 0.01))
    assert es[0] == pytest.approx(-past[past <= np.quantile(past, 0.01)].mean())
    s2 = np.mean(r[:30] ** 2)
    for x in r[:300]:
        s2 = 0.94 * s2 + 0.06 * x ** 2
    var, _ = ewma_var(r, np.array([300]), level=0.99)
    assert var[0] == pytest.approx(norm.ppf(0.99) * np.sqrt(s2))


def test_the_portfolio_is_backtested_on_distinct_dates(stock_panel, naive_forecasts):
    risk = portfolio_risk(naive_forecasts, stock_panel.returns(), equal_weights(stock_panel.tickers), level=0.99)
    dates = naive_forecasts["date"].unique()
    assert risk.network.result.days == len(dates) == len(set(risk.network.dates))  # one per date, not per stock-day
    assert len(naive_forecasts) == 10 * len(dates)
    summary = risk.to_json()
    assert set(summary) >= {"weights", "var_backtest", "baselines"}
    assert set(summary["var_backtest"]) >= {"days", "exceptions", "kupiec_p", "christoffersen_p", "zone"}
    assert set(summary["baselines"]) == {"historical_simulation", "ewma"}
    assert summary["weights"]["AAPL"] == pytest.approx(0.1)
    assert risk.contributions["contribution"].sum() > 0 and len(risk.contributions) == 10
    assert list(risk.assets["ticker"]) == stock_panel.tickers and (risk.assets["days"] == len(dates)).all()
    for b in risk.backtests.values():  # sensible VaR: 1% of days expected beyond it, a few percent at most
        assert 0 <= b.result.exceptions <= 0.06 * b.result.days
    assert list(risk.table()["method"])[0] == "Neural network"


def test_portfolio_realised_return_is_the_weighted_simple_return(stock_panel, naive_forecasts):
    w = pd.Series({"AAPL": 0.7, "JNJ": 0.3})
    f = naive_forecasts[naive_forecasts["ticker"].isin(w.index)]
    risk = portfolio_risk(f, stock_panel.returns(), w, level=0.95)
    day = pd.Timestamp(risk.dates[5])
    r = np.expm1(stock_panel.returns().loc[day, ["AAPL", "JNJ"]])
    assert risk.returns[5] == pytest.approx(0.7 * r["AAPL"] + 0.3 * r["JNJ"])
    assert risk.network.returns[5] == pytest.approx(risk.returns[5])


def test_a_ten_day_horizon_backtests_non_overlapping_blocks(stock_panel, naive_forecasts):
    one = portfolio_risk(naive_forecasts, stock_panel.returns(), equal_weights(stock_panel.tickers), level=0.99)
    ten = portfolio_risk(naive_forecasts, stock_panel.returns(), equal_weights(stock_panel.tickers), level=0.99,
                         horizon=10)
    assert ten.network.result.days == one.network.result.days // 10
    assert ten.network.returns[0] == pytest.approx(np.prod(1 + one.returns[:10]) - 1)
    assert ten.network.var[0] == pytest.approx(one.network.var[0] * np.sqrt(10), rel=0.01)


def test_holdings_outside_the_price_file_are_refused(stock_panel, naive_forecasts):
    with pytest.raises(DataError, match="The portfolio holds TSLA"):
        portfolio_risk(naive_forecasts, stock_panel.returns(), pd.Series({"AAPL": 0.5, "TSLA": 0.5}), level=0.99)
