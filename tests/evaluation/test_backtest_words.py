"""A VaR backtest in words (new user trial 6, findings 6 and 7), on the portfolio of a tiny LSTM's market-risk run on
the shipped 10-stock S&P 500 file: clustered exceptions are said beside the zone, in the report too; a network whose
exceptions fall on the days historical simulation's do is said to add nothing on that window."""

import dataclasses

import numpy as np
import pytest

from finmodels.data.samples import load_sample
from finmodels.evaluation.backtest_words import clustering_note, expected_text, same_days_note


@pytest.fixture(scope="module")
def stocks():
    from finmodels.models.architectures import LSTMConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target=None, task="market_risk", arch="lstm", window=10, epochs=2, seed=0,
                         hyperparameters=LSTMConfig(units=(4,), dense_units=4))
    return train(load_sample("sp500_10stocks"), config)


def test_clustered_exceptions_are_said_in_the_report(stocks):
    from finmodels.delivery.report import build_report
    from finmodels.portfolio import portfolio_of

    network = portfolio_of(stocks).network.result
    assert (network.exceptions, network.days, network.zone) == (3, 250, "green")
    assert network.christoffersen_p_value == pytest.approx(0.0198, abs=1e-4)  # 2 of the 3 on consecutive dates
    note = clustering_note(network)
    assert note.startswith("Exceptions cluster: Christoffersen independence p = 0.020, below 0.05, so the 3 "
                           "exceptions over 250 test days")
    assert "The Basel zone (Green) counts exceptions only" in note
    html = build_report(stocks, data_name="sp500_10stocks.csv")
    section = html.split("<h2>Portfolio VaR backtest (99% one-day)</h2>")[1].split("<h2>")[0]
    assert "Exceptions cluster: Christoffersen independence p = 0.020" in section
    assert clustering_note(dataclasses.replace(network, christoffersen_p_value=0.076)) is None
    assert expected_text(network.expected) == "2.50" and expected_text(0.01 * 248) == "2.48"


def test_a_network_breaking_on_historical_simulations_days_is_said_to_add_nothing(stocks):
    from finmodels.portfolio import portfolio_of

    risk = portfolio_of(stocks)
    assert same_days_note(risk) is None  # 3 exceptions against historical simulation's 5 and EWMA's 7
    hs = risk.backtests["historical_simulation"]
    # the trial's case: the network's VaR 10% above historical simulation's, its exceptions on the same 5 days
    twin = dataclasses.replace(hs, key="network", var=hs.var * 1.1)
    same = dataclasses.replace(risk, backtests={**risk.backtests, "network": twin})
    note = same_days_note(same)
    assert np.array_equal(twin.result.exception_days, hs.result.exception_days) and hs.result.exceptions == 5
    assert note == ("The network's VaR has its 5 exceptions on the same days as historical simulation (250 days): on "
                    "this window its backtest adds nothing to it. On average the network's VaR is 10.0% above "
                    "historical simulation's.")
