"""The note of a one-asset market-risk run says it is one series, not 'Portfolio of 1 assets' (a new user's finding on
the S&P 500 index file); several assets keep their portfolio note."""

import pandas as pd

from finmodels.portfolio import portfolio_risk


def test_one_series_is_not_called_a_portfolio_of_1_assets(stock_panel, naive_forecasts):
    one = naive_forecasts[naive_forecasts["ticker"] == "AAPL"]
    risk = portfolio_risk(one, stock_panel.returns(), pd.Series({"AAPL": 1.0}), level=0.99)
    start = pd.Timestamp(risk.dates[0])
    assert risk.notes[0] == ("One series, so no portfolio and no correlation to estimate: its own VaR, backtested on "
                             f"{risk.network.result.days} dates from {start:%Y-%m-%d}.")
    ten = portfolio_risk(one, stock_panel.returns(), pd.Series({"AAPL": 1.0}), level=0.99, horizon=10)
    assert ten.notes[0].endswith(f"its own VaR, backtested on {ten.network.result.days} periods of 10 days from "
                                 f"{start:%Y-%m-%d}.")


def test_several_assets_keep_their_portfolio_note(stock_panel, naive_forecasts):
    two = naive_forecasts[naive_forecasts["ticker"].isin(["AAPL", "JNJ"])]
    risk = portfolio_risk(two, stock_panel.returns(), pd.Series({"AAPL": 0.5, "JNJ": 0.5}), level=0.99)
    assert risk.notes[0].startswith("Portfolio of 2 assets; correlation from 500 days of returns before ")
    assert f"(Ledoit-Wolf); backtested on {risk.network.result.days} dates from " in risk.notes[0]
