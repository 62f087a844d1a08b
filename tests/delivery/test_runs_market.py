"""The Runs comparison of market-risk runs (new user trial 6, findings 10 and 14), on tiny LSTMs trained on the shipped
S&P 500 files: the backtest figures that matter as rows, counts whole ('5', not '5.0000'), and a loss chart whose
title says the losses of runs on different files cannot be compared."""

import pytest

from finmodels.data.samples import load_sample
from finmodels.delivery.runs import RunRecord, column_name, comparison_by_run
from finmodels.delivery.runs_backtest import LOSS_TITLE, loss_title
from finmodels.portfolio import backtest_of


def market_risk(name: str):
    from finmodels.models.architectures import LSTMConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target=None, task="market_risk", arch="lstm", window=10, epochs=2, seed=0,
                         hyperparameters=LSTMConfig(units=(4,), dense_units=4))
    return train(load_sample(name), config)


@pytest.fixture(scope="module")
def records():
    return [RunRecord(1, "sp500_10stocks_2013_2018.csv", market_risk("sp500_10stocks")),
            RunRecord(2, "sp500_index_2001_2018.csv", market_risk("sp500_index"))]


def test_the_comparison_has_the_backtest_figures_and_whole_counts(records):
    table = comparison_by_run(records)
    stocks, index = (column_name(r) for r in records)
    for record, column in zip(records, (stocks, index)):
        backtest = backtest_of(record.result)
        assert table.loc["var_exceptions", column] == f"{backtest.exceptions:,}"  # before: '3.0000'
        assert table.loc["Basel zone", column] == backtest.zone.capitalize()
        assert table.loc["test days", column] == f"{backtest.days:,}"
        assert table.loc["VaR level", column] == "99% one-day" and table.loc["window (days)", column] == "10"
    assert table.loc["Christoffersen independence p", stocks] == "0.020"  # 3 exceptions, 2 on consecutive dates
    assert table.loc["test days", stocks] == "250" and table.loc["Basel zone", stocks] == "Green"
    assert table.loc["test period", stocks].startswith("2017-") and " to 2018-02-07" in table.loc["test period", stocks]
    rows = list(table.index)
    assert rows.index("Basel zone") < rows.index("data")  # with the metrics, above the settings


def test_the_loss_chart_says_losses_of_different_files_cannot_be_compared(records):
    assert loss_title(records) == (f"{LOSS_TITLE}: runs of different files, whose losses cannot be compared (each on "
                                    "its own data's scale)")
    assert loss_title(records[:1]) == LOSS_TITLE
