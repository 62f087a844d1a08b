"""A new user's market-risk findings on the Evaluate page, on the shipped price files trained through the Train page:
a negative R² never looks good, the baselines table has no 'None' cell, a test shorter than 250 days gets its own
window's tile, and the one-asset selector keeps each run's choice across reruns and page switches."""

import math

import pytest

from finmodels.data.samples import load_sample
from finmodels.portfolio import backtest_of
from tests.pages.test_pages import kept, page, train_tiny
from ui.state import Dataset

STOCKS = Dataset("sp500_10stocks.csv", load_sample("sp500_10stocks"))
INDEX = Dataset("sp500_index.csv", load_sample("sp500_index"))


def market_risk(dataset: Dataset, *, seed: int = 0) -> dict:
    at = page("pages/2_Train.py", {"dataset": dataset, "target": None, "task": "market_risk"})
    assert not at.exception and at.selectbox(key="train_task").value == "market_risk"
    at.number_input(key="train_seed").set_value(seed)
    train_tiny(at, units="4", epochs=2)
    return kept(at)


@pytest.fixture(scope="module")
def stocks_state():
    return market_risk(STOCKS)


@pytest.fixture(scope="module")
def index_state():
    return market_risk(INDEX)


def tiles(at) -> dict:
    return {m.label: m for m in at.metric}


def test_a_negative_r2_tile_is_grey_without_an_arrow_and_says_why(index_state):
    run = index_state["run"]
    r2 = run.metrics["r2"]
    assert r2 < 0  # the finding's case: on the index, the tiny network does worse than the test days' mean
    best = max(b.metrics["r2"] for b in run.baselines.values())
    at = page("pages/3_Evaluate.py", index_state)
    assert not at.exception
    tile = tiles(at)["R²"].proto
    assert tile.body == f"{r2:.3f}" and tile.delta.startswith("+" if r2 > best else "-")
    # before: color GREEN (or RED) and an arrow, as if the comparison with the baselines were the whole story
    assert (tile.color, tile.direction, tile.delta_description) == (2, 2, "worse than the mean")  # GRAY, NONE
    assert "misses the actual values by more than their own mean" in tile.help
    rmse = tiles(at)["RMSE"].proto  # other tiles keep their colours: RMSE lower is better
    assert rmse.color == (1 if rmse.delta.startswith("-") else 0) and rmse.direction in (0, 1)


def test_the_baselines_table_leaves_no_var_cell_unexplained(stocks_state, index_state):
    for state, several in ((stocks_state, True), (index_state, False)):
        at = page("pages/3_Evaluate.py", state)
        assert not at.exception
        shown = next(d for d in at.dataframe if "Neural network" in d.value.columns)
        table = shown.value
        # Streamlit prints a missing cell as 'None' unless the table has a placeholder (before: none was set)
        assert shown.proto.HasField("placeholder") and shown.proto.placeholder == ""
        var = table.loc["VaR exceptions"]
        run = state["run"]
        assert var["Neural network"] == run.metrics["var_exceptions"] == backtest_of(run).exceptions
        assert math.isnan(var["Linear regression"]) and math.isnan(var["Gradient boosting"])
        notes = [c.value for c in at.caption]
        assert ("Linear regression and gradient boosting forecast the next return only, not how far it may fall, so "
                "there is no VaR to backtest: their VaR cells are empty.") in notes
        naive = run.baselines["naive"].metrics["var_exceptions"]
        pooled = [n for n in notes if "stock-days pooled" in n]
        if several:  # the naive's per-stock count is not set beside the portfolio's
            assert math.isnan(var["Naive forecast (last return)"])
            days = backtest_of(run).days
            assert len(pooled) == 1 and f"on its {days:,} dates" in pooled[0]
            assert f"{int(naive):,} exceptions in {run.split.sizes()['test']:,} stock-days pooled" in pooled[0]
        else:  # one series: the naive's VaR is backtested on the same days as the network's
            assert var["Naive forecast (last return)"] == naive and not pooled


def test_a_test_shorter_than_250_days_gets_a_tile_of_its_real_days(stocks_state, index_state):
    short, long = backtest_of(stocks_state["run"]), backtest_of(index_state["run"])
    assert short.days == 248 and long.days > 250
    at = page("pages/3_Evaluate.py", stocks_state)
    shown = tiles(at)
    assert "Last 250 days" not in shown  # before: 'Last 250 days' read '–'
    assert "Last 248 days" not in shown  # the whole test is the window: one zone tile (was 'Last 248 days' twice)
    tile = next(m for m in at.metric if m.label == "Basel zone")  # the portfolio's (the one asset's comes after)
    assert tile.value == short.zone.capitalize() != "–"
    assert tile.help.startswith("The test has 248 test days, fewer than the 250 of the supervisory window")
    assert f"({short.exceptions} exceptions)" in tile.help
    at = page("pages/3_Evaluate.py", index_state)
    tile = tiles(at)["Last 250 days"]
    assert tile.value == long.last_250_zone.capitalize()
    assert tile.help == f"{long.last_250_exceptions} exceptions in the last 250 test days"


def test_the_asset_chosen_stays_across_reruns_and_pages_for_its_own_run(stocks_state):
    at = page("pages/3_Evaluate.py", stocks_state)
    assert at.selectbox(key="evaluate_asset").value == "AAPL"
    at.selectbox(key="evaluate_asset").set_value("GS").run()
    assert "GS exceptions" in tiles(at)
    at.run()  # a rerun
    assert at.selectbox(key="evaluate_asset").value == "GS"
    at.switch_page("pages/6_Runs.py").run()
    at.switch_page("pages/3_Evaluate.py").run()  # before: back on AAPL
    assert not at.exception
    assert at.selectbox(key="evaluate_asset").value == "GS" and "GS exceptions" in tiles(at)

    other = market_risk(STOCKS, seed=1)["run"]  # another run starts on its first asset, and keeps its own choice
    assert other.run_id != stocks_state["run"].run_id
    at.session_state["run"] = other
    at.run()
    assert at.selectbox(key="evaluate_asset").value == "AAPL"
    at.selectbox(key="evaluate_asset").set_value("XOM").run()
    at.session_state["run"] = stocks_state["run"]
    at.run()
    assert at.selectbox(key="evaluate_asset").value == "GS"


def test_clustered_exceptions_are_said_beside_the_zone_and_the_tables_speak_alike(stocks_state):
    """New user trial 6, findings 6, 15, 17: a Christoffersen p below 0.05 is said in a warning beside 'Green'; the
    test has one name in tiles and tables; every asset's table has the portfolio table's headings and 2.48 in both."""
    run = stocks_state["run"]
    backtest = backtest_of(run)
    at = page("pages/3_Evaluate.py", stocks_state)
    assert not at.exception
    shown = tiles(at)
    p = backtest.christoffersen_p_value
    assert "Independence p-value" not in shown and "Christoffersen independence p" in shown
    warnings = [w.value for w in at.warning if w.value.startswith("Exceptions cluster")]
    assert len(warnings) == (1 if p < 0.05 else 0)
    if warnings:  # the tiny seed-0 network on the 10 stocks: 3 exceptions, 2 of them on consecutive dates
        assert f"Christoffersen independence p = {p:.3f}, below 0.05" in warnings[0]
        assert f"The Basel zone ({backtest.zone.capitalize()}) counts exceptions only" in warnings[0]
    methods = next(d.value for d in at.dataframe if "method" in d.value.columns)
    assets = next(d.value for d in at.dataframe if "ticker" in d.value.columns and "Basel zone" in d.value.columns)
    assert list(assets.columns) == ["ticker", "days", "exceptions", "expected", "Kupiec p",
                                    "Christoffersen independence p", "Basel zone"]
    assert list(methods.columns)[2:] == list(assets.columns)[2:] and "expected_exceptions" not in assets.columns
    assert methods["expected"].iloc[0] == f"{backtest.expected:.2f}" == assets["expected"].iloc[0] == "2.48"
