"""The market parts of the HTML report read as the Evaluate page (new user trial 6, findings 3 and 16): the
walk-forward table has the page's headings and formats (was 'annual_return 0.169'), the portfolio VaR chart says
'99% one-day' (was '99.0% over day'), and the configuration leaves out table settings a price model never used."""

import re

import pytest

from finmodels.data.samples import load_sample
from finmodels.delivery.market_report import ALLOCATION_HEADINGS, allocation_text
from finmodels.delivery.report import build_report, config_table


@pytest.fixture(scope="module")
def allocation_run():
    """A tiny LSTM's asset-allocation run on the shipped 10-stock S&P 500 file (windows of 10 days, 2 epochs)."""
    from finmodels.models.architectures import LSTMConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target=None, task="asset_allocation", arch="lstm", window=10, epochs=2, seed=0,
                         hyperparameters=LSTMConfig(units=(4,), dense_units=4))
    return train(load_sample("sp500_10stocks"), config)


@pytest.fixture(scope="module")
def html(allocation_run):
    return build_report(allocation_run, data_name="sp500_10stocks_2013_2018.csv")


def test_the_walk_forward_table_has_the_evaluate_pages_headings_and_formats(allocation_run, html):
    from finmodels.portfolio import allocation_of

    allocation = allocation_of(allocation_run)
    stats = allocation.table().set_index("strategy")
    section = html.split("<h2>Asset allocation: monthly walk-forward</h2>")[1].split("<h3>")[0]
    heads = re.findall(r"<th>(.*?)</th>", section)
    assert heads == ["strategy", "annual return", "volatility", "Sharpe", "max drawdown", "turnover per year"]
    assert "annual_return" not in section and "max_drawdown" not in section
    row = re.search(r"<td>Equal weight</td>(.*?)</tr>", section, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    eq = stats.loc["Equal weight"]
    assert cells == [f"{eq['annual_return'] * 100:.1f}%", f"{eq['volatility'] * 100:.1f}%", f"{eq['sharpe']:.2f}",
                     f"{eq['max_drawdown'] * 100:.1f}%", f"{eq['turnover']:.2f}"]
    assert cells[0].endswith("%") and 0 < float(cells[0][:-1]) < 100  # a return in percent, not 0.254
    assert list(allocation_text(allocation).columns) == list(ALLOCATION_HEADINGS.values())
    weights = html.split("<h3>Latest weights</h3>")[1].split("</table>")[0]
    assert re.findall(r"<th>(.*?)</th>", weights) == ["ticker", "weight"]


def test_the_var_chart_and_the_configuration_speak_as_the_page(allocation_run, html):
    assert "over day" not in html and "99.0% over" not in html
    assert "Portfolio VaR 99% one-day: backtest on" in html
    table = config_table(allocation_run).set_index("setting")["value"]
    for absent in ("preprocessing", "categories", "target column"):
        assert absent not in table.index
    assert table["price column"] == allocation_run.preprocessor.series.price == "close"
    assert table["VaR level"] == "99.0%" and table["largest weight of one asset"] == "25%"
