"""A market-risk run's Evaluate tiles speak the run's units (a new user's findings on the S&P 500 index file): the RMSE
and MAE of a returns forecast in percent like its other return figures (they read 0.00812), and a tiny p-value
'<0.001', not '0.000'."""

import pytest

from finmodels.explain.units import percent
from finmodels.portfolio import backtest_of
from tests.pages.test_market_evaluate import INDEX, market_risk, tiles
from tests.pages.test_pages import page
from ui.results import p_value


@pytest.fixture(scope="module")
def index_state():
    return market_risk(INDEX)


def test_a_returns_forecasts_errors_read_in_percent(index_state):
    run = index_state["run"]
    at = page("pages/3_Evaluate.py", index_state)
    assert not at.exception
    shown = tiles(at)
    for name, key in (("RMSE", "rmse"), ("MAE", "mae")):
        best = min(b.metrics[key] for b in run.baselines.values())
        tile = shown[name]
        assert tile.value == percent(run.metrics[key]) and tile.value.endswith("%")  # before: '0.00812'
        assert tile.proto.delta == percent(run.metrics[key] - best, sign=True)
        assert tile.help.endswith(f" {percent(best)}")
    # the other tiles keep their own numbers
    assert shown["Directional accuracy"].value == f"{run.metrics['directional_accuracy']:.3f}"  # before: '0.53'
    r2 = shown["R²"]
    assert r2.value == f"{run.metrics['r2']:.3f}"
    diff = run.metrics["r2"] - max(b.metrics["r2"] for b in run.baselines.values())
    if diff < 0:  # worse than the best baseline: red, as every other tile says worse (it was grey)
        assert r2.proto.delta_color == "normal" and r2.proto.delta.startswith("-")
    backtest = backtest_of(run)
    assert shown["Christoffersen independence p"].value == p_value(backtest.christoffersen_p_value) != "0.000"


@pytest.mark.parametrize("value, text", [(5.5e-12, "<0.001"), (0.0004, "<0.001"), (0.0138, "0.014"),
                                         (float("nan"), "–"), (None, "–")])
def test_a_tiny_p_value_is_below_a_thousandth(value, text):
    assert p_value(value) == text  # before: '0.000' for 5.5e-12 and 0.0004


def test_the_baselines_table_writes_p_values_alike():
    from finmodels.evaluation.metrics import comparison_table
    from ui.results import styled_metrics

    table = comparison_table({"rmse": 0.0114, "var_exceptions": 5.0, "kupiec_p_value": 0.1575},
                             {"naive": {"rmse": 0.016, "var_exceptions": 66.0, "kupiec_p_value": 5.5e-12},
                              "linear_regression": {"rmse": 0.0116}})
    html = styled_metrics(table).to_html()
    assert "><0.001<" in html and ">0.158<" in html and "5.500e-12" not in html  # before: '5.500e-12'
    assert ">66<" in html and ">0.01140<" in html
