"""A tiny network trained on the shipped 10-stock panel, shared by the tests of what a market-risk run carries."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.samples import load_sample
from finmodels.errors import DataError


@pytest.fixture(scope="module")
def stocks():
    return load_sample("sp500_10stocks")


@pytest.fixture(scope="module")
def run(stocks):
    from finmodels.models.architectures import get_architecture
    from finmodels.models.training import TrainConfig, train

    hyper = get_architecture("gru").config_class(units=(4,), dense_units=4)
    config = TrainConfig(target=None, task="asset_allocation", arch="gru", epochs=2, hyperparameters=hyper,
                         var_level=0.975, cap=0.3)
    return train(stocks, config, baselines=False)


def test_the_portfolio_not_pooled_stock_days_is_backtested(run):
    from finmodels.portfolio import portfolio_of

    risk = portfolio_of(run)
    days = len(np.unique(run.details["dates"]))
    assert run.backtest.days == days == risk.network.result.days and len(run.details["dates"]) == 10 * days
    assert run.metrics["var_exceptions"] == risk.network.result.exceptions
    assert risk.level == 0.975 and set(risk.backtests) == {"network", "historical_simulation", "ewma"}
    assert run.backtest.christoffersen_p_value == risk.network.result.christoffersen_p_value


def test_rows_are_labelled_by_ticker_and_date(run):
    labels = run.details["labels"]
    assert len(labels) == len(run.test_scores)
    assert labels[0] == f"AAPL {str(run.details['dates'][0])[:10]}"


def test_allocation_run_carries_the_walk_forward(run):
    from finmodels.portfolio import allocation_of

    allocation = allocation_of(run)
    assert allocation.latest.max() <= 0.3 + 1e-6 and set(allocation.stats) == {"strategy", "equal_weight",
                                                                               "minimum_variance"}


def test_next_day_forecast_per_asset_and_portfolio(run, stocks):
    from finmodels.portfolio import forecast_next

    out = forecast_next(run, stocks, weights={"AAPL": 0.5, "MSFT": 0.5}, level=0.99)
    assert f"{out.as_of:%Y-%m-%d}" == "2018-02-07" and len(out.assets) == 10
    assert (out.assets["var"] > 0).all() and out.portfolio["var"] > 0
    assert out.contributions["contribution"].sum() == pytest.approx(out.portfolio["var"], rel=1e-6)
    assert out.assets.set_index("ticker")["weight"].sum() == pytest.approx(1)
    with pytest.raises(DataError, match="not in the price file: TSLA"):
        forecast_next(run, stocks, weights={"TSLA": 1.0})


def test_next_day_forecast_from_a_saved_bundle(run, stocks, tmp_path):
    from finmodels.models.bundle import load_bundle, save_bundle
    from finmodels.portfolio import forecast_next

    save_bundle(run, tmp_path / "run.zip")
    again = forecast_next(load_bundle(tmp_path / "run.zip"), stocks)
    direct = forecast_next(run, stocks)
    assert again.portfolio["var"] == pytest.approx(direct.portfolio["var"], rel=1e-5)
    assert again.level == 0.975


def test_holdings_the_panel_left_out_are_refused(stocks):
    from finmodels.models.training import TrainConfig, train

    tiny = pd.DataFrame({"date": ["2018-02-05", "2018-02-06", "2018-02-07"], "close": [1.0, 1.1, 1.2], "Name": "NEW"})
    config = TrainConfig(target=None, task="market_risk", arch="gru", epochs=1, holdings={"AAPL": 0.5, "NEW": 0.5})
    with pytest.raises(DataError, match="Holdings name NEW, whose price history is too short"):
        train(pd.concat([stocks, tiny], ignore_index=True), config, baselines=False)


def test_portfolio_and_allocation_survive_the_workspace(run):
    from finmodels.portfolio import allocation_of, portfolio_of
    from finmodels.runtime.records import evaluation_npz as _evaluation_npz, read_npz as _read_npz, split_details as _split_details

    _, plain, left_out = _split_details(run.details)
    assert left_out == []
    arrays = _read_npz(_evaluation_npz(run))
    details = {**plain, **{k[len("details."):]: v for k, v in arrays.items() if k.startswith("details.")}}

    class Back:
        config = run.config

    Back.details = details
    back, fresh = portfolio_of(Back), portfolio_of(run)
    assert back.to_json() == fresh.to_json() and len(back.assets) == 10
    assert allocation_of(Back).to_json() == allocation_of(run).to_json()


def test_a_run_read_back_from_the_workspace_is_backtested_on_the_portfolio(run, stocks, tmp_path):
    """The workspace recomputes `backtest` from the per-asset rows (stock-days pooled over ten tickers); what the
    run is judged by, on Evaluate and in the JSON, stays the portfolio's on distinct dates."""
    from finmodels.portfolio import backtest_of
    from finmodels.runtime.workspace import Workspace, data_fingerprint
    from tests.pages.test_pages import page

    space = Workspace(tmp_path, area="reload")
    back = space.load_result(space.log_run(run, data_name="stocks.csv", data_fingerprint=data_fingerprint(stocks),
                                           source="test"), preprocessor=False)
    days = len(np.unique(run.details["dates"]))
    assert back.backtest.days == 10 * days  # the pooled stock-days
    assert backtest_of(back).summary() == backtest_of(run).summary() == run.backtest.summary()
    assert backtest_of(back).days == days

    # after a reload of the tab the analyst's price file is put back beside the run: the test windows' targets stay
    from finmodels.runtime.restore import with_rows

    restored = with_rows(back, stocks)
    assert restored.frame is stocks and np.array_equal(restored.y_test, run.y_test)
    net = run.backtest.summary()
    for shown in (back, restored):  # before: an IndexError on Evaluate for the restored run (y[split.test])
        at = page("pages/3_Evaluate.py", {"run": shown})
        assert not at.exception
        assert "Portfolio VaR backtest" in [s.value for s in at.subheader]
        assert {m.label: m.value for m in at.metric}["Exceptions"] == f"{net['exceptions']:,} of {net['days']:,}"
        assert any(c.value.startswith(f"97.5% one-day VaR on {days:,} test days") for c in at.caption)
