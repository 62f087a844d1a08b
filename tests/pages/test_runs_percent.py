"""The Runs page reads a market-risk run's RMSE and MAE in percent, with the unit named, as its Evaluate tiles and
table and its report do (it showed 0.00812 beside Evaluate's 0.812%): the side-by-side table's 'RMSE (%)' and
'MAE (%)' columns and the list's headline metric 'RMSE (%)'. A real run: a tiny LSTM trained on the S&P 500 index."""

import pytest

from tests.pages.test_market_evaluate import index_state  # noqa: F401  (the tiny LSTM on the S&P 500 index)
from tests.pages.test_pages import page


def test_the_runs_page_compares_a_forecasts_errors_in_percent(index_state):  # noqa: F811
    run = index_state["run"]
    at = page("pages/6_Runs.py", index_state)
    assert not at.exception
    compared = next(d.value for d in at.dataframe if "Seconds in total" in d.value.index)  # side by side
    assert "RMSE" not in compared.index and "MAE" not in compared.index
    assert list(compared.index[:2]) == ["RMSE (%)", "MAE (%)"]  # the task's headline metric first
    (column,) = compared.columns  # the run, named by its id and its file
    runs = compared[column]
    assert runs["RMSE (%)"] == f"{run.metrics['rmse'] * 100:.4f}" and runs["MAE (%)"] == f"{run.metrics['mae'] * 100:.4f}"
    assert 0.1 < float(runs["RMSE (%)"]) < 10  # a daily return's error: about 1%, not 0.01
    assert runs["Directional accuracy"] == f"{run.metrics['directional_accuracy']:.4f}"  # a share: as it is
    listed = next(d.value for d in at.dataframe if "trained" in d.value.columns)  # the list of the area's runs
    mine = listed[listed["run"] == run.run_id[:8]].iloc[0]
    assert column == f"{run.run_id[:8]} · {mine['data file']}"
    assert mine["metric"] == "RMSE (%)" and mine["value"] == pytest.approx(run.metrics["rmse"] * 100, rel=1e-6)

