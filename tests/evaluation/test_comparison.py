"""A forecast run's comparison table says why a VaR cell is empty; a backtest shorter than 250 days still has a
supervisory window (its own days); a negative R² is worse than the mean."""

import math

import numpy as np
import pytest

from finmodels.evaluation.backtest import var_backtest
from finmodels.evaluation.comparison import below_the_mean, var_gaps
from finmodels.evaluation.metrics import comparison_table

# the figures of the 10-stock file's market risk run (5 epochs, seed 0): the network's portfolio VaR on 248 dates,
# the naive forecast's per-stock VaR on 2,480 stock-days
NETWORK = {"rmse": 0.01139, "r2": 0.00131, "var_exceptions": 5.0, "kupiec_p_value": 0.1575}
BASELINES = {"linear_regression": {"rmse": 0.01158, "r2": -0.0327},
             "hist_gradient_boosting": {"rmse": 0.01165, "r2": -0.0443},
             "naive": {"rmse": 0.01604, "r2": -0.978, "var_exceptions": 66.0, "kupiec_p_value": 5.5e-12}}


def test_baselines_without_a_var_are_named_in_a_note():
    table, notes = var_gaps(comparison_table(NETWORK, BASELINES), tickers=1)
    assert table.loc["VaR exceptions", "Naive forecast (last return)"] == 66
    assert math.isnan(table.loc["VaR exceptions", "Linear regression"])
    assert notes == ["Linear regression and gradient boosting forecast the next return only, not how far it may "
                     "fall, so there is no VaR to backtest: their VaR cells are empty."]


def test_a_portfolios_count_is_not_set_beside_pooled_stock_days():
    table, notes = var_gaps(comparison_table(NETWORK, BASELINES), tickers=10, dates=248, stock_days=2480)
    assert table.loc["VaR exceptions", "Neural network"] == 5
    assert table.loc[["VaR exceptions", "Kupiec p-value"], "Naive forecast (last return)"].isna().all()
    assert len(notes) == 2 and notes[1].startswith("The network's VaR is backtested on the portfolio of 10 assets, "
                                                   "on its 248 dates; the naive forecast's VaR on each stock alone, "
                                                   "66 exceptions in 2,480 stock-days pooled.")


def test_a_table_without_var_rows_is_left_as_it_is():
    table = comparison_table({"rmse": 1.0}, {"linear_regression": {"rmse": 2.0}})
    assert var_gaps(table, tickers=1) == (table, [])


@pytest.mark.parametrize("days, window", [(248, (248, "whole test")), (300, (250, "last 250"))])
def test_the_supervisory_window_is_the_last_250_days_or_every_day_of_a_shorter_test(days, window):
    rng = np.random.default_rng(0)
    returns = rng.normal(0, 0.01, days)
    returns[[10, 200, 240, days - 5]] = -0.05  # four exceptions, the first outside the last 250 of 300 days
    bt = var_backtest(returns, np.full(days, 0.03))
    got = bt.recent()
    if window[1] == "whole test":
        assert bt.last_250_zone is None and got == (248, bt.exceptions, bt.zone)
    else:
        assert got == (250, bt.last_250_exceptions, bt.last_250_zone) and got[1] == bt.exceptions - 1


def test_only_a_negative_r2_is_worse_than_the_mean():
    assert below_the_mean("r2", -0.0037) and not below_the_mean("r2", 0.0013)
    assert not below_the_mean("rmse", -1.0)
