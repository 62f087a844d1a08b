"""A market-risk run's metrics table reads returns in percent, as its tiles do (a new user's finding on the S&P 500
files: tiles 'RMSE 1.14%' and 'MAE 0.79%' above a table of 0.01141 and 0.007859, and 0.0114 in the report), for the
network and every baseline, on the Evaluate page and in the HTML report; the other rows keep their own numbers."""

import re

import pyarrow as pa
import pytest

from finmodels.delivery.report import build_report
from tests.pages.test_market_evaluate import INDEX, market_risk, tiles
from tests.pages.test_pages import page

MODELS = ("Neural network", "Linear regression", "Gradient boosting", "Naive forecast (last return)")


@pytest.fixture(scope="module")
def index_state():
    return market_risk(INDEX)


def shown_table(at) -> dict:
    """The Evaluate table's cells as the page writes them: {row: {model: text}}."""
    element = next(d for d in at.dataframe if "Neural network" in d.value.columns)
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas().to_dict("index")


def values(run, key: str) -> list[float]:
    baselines = ("linear_regression", "hist_gradient_boosting", "naive")  # in the table's order
    return [run.metrics[key], *(run.baselines[k].metrics[key] for k in baselines)]


def in_percent(cells: list[str], numbers: list[float]) -> bool:
    """Every cell is its number in percent to four significant digits ('1.141%' for 0.01141)."""
    return all(c.endswith("%") and float(c[:-1]) == pytest.approx(v * 100, rel=5e-4)
               for c, v in zip(cells, numbers, strict=True))


def test_the_evaluate_table_reads_a_forecasts_errors_in_percent_as_its_tiles(index_state):
    run = index_state["run"]
    at = page("pages/3_Evaluate.py", index_state)
    assert not at.exception
    table = shown_table(at)
    for row, key in (("RMSE", "rmse"), ("MAE", "mae")):
        cells = [table[row][m] for m in MODELS]
        assert in_percent(cells, values(run, key)), cells  # before: '0.01141', '0.007859'
        # the tile and the network's cell say the same number (the tile to 3 digits, the table to 4)
        assert float(cells[0].rstrip("%")) == pytest.approx(float(tiles(at)[row].value.rstrip("%")), abs=0.006)
    # R² and directional accuracy are not returns: four significant digits as before
    assert table["R²"]["Neural network"] == f"{run.metrics['r2']:#.4g}".rstrip(".")
    assert not table["Directional accuracy"]["Neural network"].endswith("%")


def test_the_report_reads_a_forecasts_errors_in_percent(index_state):
    run = index_state["run"]
    html = build_report(run, data_name=INDEX.name)
    table = html.split("<h2>Metrics against the baselines</h2>")[1].split("</table>")[0]
    for row, key in (("RMSE", "rmse"), ("MAE", "mae")):
        found = re.search(rf"<th>{row}</th>(.*?)</tr>", table, re.S)
        assert in_percent(re.findall(r"<td>(.*?)</td>", found.group(1)), values(run, key))
    assert "0.0114<" not in table and f"{run.metrics['rmse']:.4f}<" not in table  # before: 0.0114
    r2 = re.search(r"<th>R²</th>\s*<td>(.*?)</td>", table).group(1)
    assert r2 == f"{run.metrics['r2']:.4f}"


@pytest.mark.parametrize("value, text", [(0.01141, "1.141%"), (0.007859, "0.7859%"), (0.016, "1.600%"),
                                         (0.0003, "0.03000%")])
def test_a_percent_cell_keeps_four_significant_digits(value, text):
    from finmodels.delivery.report import percent_cell

    assert percent_cell(value) == text
