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
    compared = next(d.value for d in at.dataframe if "Seconds in total" in d.value.columns)  # side by side
    assert "RMSE" not in compared.columns and "MAE" not in compared.columns
    assert list(compared.columns[:2]) == ["RMSE (%)", "MAE (%)"]  # the task's headline metric first
    row = compared.iloc[0]
    assert row["RMSE (%)"] == pytest.approx(run.metrics["rmse"] * 100, rel=1e-12)
    assert row["MAE (%)"] == pytest.approx(run.metrics["mae"] * 100, rel=1e-12)
    assert 0.1 < row["RMSE (%)"] < 10  # a daily return's error: about 1%, not 0.01
    assert row["Directional accuracy"] == pytest.approx(run.metrics["directional_accuracy"])  # a share: as it is
    listed = next(d.value for d in at.dataframe if "trained" in d.value.columns)  # the list of the area's runs
    mine = listed[listed["run"] == run.run_id[:8]].iloc[0]
    assert mine["metric"] == "RMSE (%)" and mine["value"] == pytest.approx(run.metrics["rmse"] * 100, rel=1e-6)

