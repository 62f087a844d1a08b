"""A market-risk run's HTML report reads like its Evaluate and Explain pages (a new user's findings
on the S&P 500 files): the metrics table has no 'NaN' and says why a VaR cell is empty, counts are whole, a tiny
p-value is '<0.001', the importance axis is a return's and the explained rows' forecasts are in percent."""

import re

import numpy as np
import pytest

from finmodels.data.samples import load_sample
from finmodels.delivery.report import (build_report, metrics_comparison, metrics_html, metrics_table,
                                       p_value_text)
from finmodels.explain.units import percent

NOTE = ("Linear regression and gradient boosting forecast the next return only, not how far it may fall, so there is "
        "no VaR to backtest: their VaR cells are empty.")


def market_risk(name: str):
    """A tiny LSTM's market-risk run on a shipped price file (windows of 10 days, 2 epochs), with its baselines."""
    from finmodels.models.architectures import LSTMConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target=None, task="market_risk", arch="lstm", window=10, epochs=2, seed=0,
                         hyperparameters=LSTMConfig(units=(4,), dense_units=4))
    return train(load_sample(name), config)


@pytest.fixture(scope="module")
def stocks():
    return market_risk("sp500_10stocks")


@pytest.fixture(scope="module")
def index():
    return market_risk("sp500_index")


def cells(html: str, row: str) -> list[str]:
    """The cells of one row of the report's metrics table, as written."""
    table = html.split("<h2>Metrics against the baselines</h2>")[1].split("</table>")[0]
    found = re.search(rf"<th>{re.escape(row)}</th>(.*?)</tr>", table, re.S)
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def test_the_metrics_table_leaves_empty_var_cells_blank_and_says_why(stocks, index):
    for run, several in ((stocks, True), (index, False)):
        html = build_report(run, data_name="prices.csv")
        metrics = html.split("<h2>Metrics against the baselines</h2>")[1].split("<h2>")[0]
        assert "NaN" not in metrics  # before: 'NaN' in the linear regression's and gradient boosting's VaR cells
        exceptions = cells(html, "VaR exceptions")
        network = int(run.metrics["var_exceptions"])
        assert exceptions[:3] == [f"{network:,}", "", ""]  # a count, not '5.0000'
        assert f"<p class='note'>{NOTE}</p>" in metrics
        naive = int(run.baselines["naive"].metrics["var_exceptions"])
        if several:  # the naive's per-stock count is not set beside the portfolio's, as on the Evaluate page
            assert exceptions[3] == "" and "stock-days pooled" in metrics
            assert f"{naive:,} exceptions in {run.split.sizes()['test']:,} stock-days pooled" in metrics
        else:
            assert exceptions[3] == f"{naive:,}" and "stock-days pooled" not in metrics
        p = cells(html, "Kupiec p-value")
        assert p[0] == p_value_text(run.metrics["kupiec_p_value"]) and p[1:3] == ["", ""]


def test_the_report_and_the_evaluate_page_share_one_comparison(stocks):
    table, notes = metrics_comparison(stocks)
    assert notes[0] == NOTE and len(notes) == 2
    assert np.isnan(table.loc["VaR exceptions", "Naive forecast (last return)"])
    assert metrics_table(stocks).loc["VaR exceptions", "Naive forecast (last return)"] > 0  # the raw figure is kept


@pytest.mark.parametrize("value, text", [(5.5e-12, "<0.001"), (0.00049, "<0.001"), (0.0005, "0.001"),
                                         (0.1575, "0.158"), (float("nan"), "–"), (None, "–")])
def test_a_tiny_p_value_is_below_a_thousandth_not_zero(value, text):
    assert p_value_text(value) == text


def test_the_tables_tiny_p_values_are_below_a_thousandth():
    from finmodels.evaluation.metrics import comparison_table

    table = comparison_table({"rmse": 0.0114, "var_exceptions": 5.0, "kupiec_p_value": 0.1575},
                             {"naive": {"rmse": 0.016, "var_exceptions": 66.0, "kupiec_p_value": 5.5e-12},
                              "linear_regression": {"rmse": 0.0116}})
    html = metrics_html(table)
    assert "0.0000" not in html and "NaN" not in html
    assert re.search(r"<th>Kupiec p-value</th>\s*<td>0.158</td>\s*<td>&lt;0.001</td>\s*<td></td>", html)
    assert re.search(r"<th>VaR exceptions</th>\s*<td>5</td>\s*<td>66</td>\s*<td></td>", html)
    assert re.search(r"<th>RMSE</th>\s*<td>0.0114</td>\s*<td>0.0160</td>\s*<td>0.0116</td>", html)


def test_the_explained_forecast_reads_in_percent(index):
    from finmodels.explain.explanation import explain_result
    from finmodels.explain.labels import explained_row_labels

    explanation = explain_result(index, rows=12, background=10, pairs=1)
    html = build_report(index, data_name="sp500_index.csv", explanation=explanation)
    drives = html.split("<h2>What drives the model</h2>")[1]
    # before: the axis said '(probability)' and the rows 'predicted next-day return 0.011'
    assert "Mean |SHAP value| (return)" in drives and "(probability)" not in drives
    top = int(np.argmax(explanation.predictions))
    # each row named by its window's date (a one-series file), as on the Explain page (before: 'Row with ...')
    name = explained_row_labels(index, explanation)[top]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", name)
    assert f"<p>{name}, with predicted next-day return {percent(explanation.predictions[top])}:</p>" in drives
    shown = re.findall(r"<p>\S+, with predicted next-day return (.*?):</p>", drives)
    assert len(shown) == 3 and all(s.endswith("%") for s in shown)



def test_the_portfolio_backtest_reads_as_on_the_evaluate_page(stocks):
    from finmodels.portfolio import portfolio_of

    html = build_report(stocks, data_name="sp500_10stocks.csv")
    section = html.split("<h2>Portfolio VaR backtest (99% one-day)</h2>")[1].split("</table>")[0]
    heads = re.findall(r"<th>(.*?)</th>", section)
    # before: days, expected_exceptions, kupiec_p, christoffersen_p, zone, and the expected count as '2.480'
    assert heads == ["method", "periods", "exceptions", "expected", "Kupiec p", "Christoffersen independence p",
                     "Basel zone"]
    network = portfolio_of(stocks).network.result
    first = re.findall(r"<td>(.*?)</td>", section)[:7]
    assert first == ["Neural network", f"{network.days}", f"{network.exceptions}", f"{network.expected:.2f}",
                     p_value_text(network.kupiec_p_value), p_value_text(network.christoffersen_p_value),
                     network.zone.capitalize()]
