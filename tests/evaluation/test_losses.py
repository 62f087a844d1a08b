import numpy as np
import pandas as pd
import pytest

from finmodels.errors import DataError
from finmodels.evaluation.losses import expected_loss, expected_loss_summary, find_loss_columns, loss_calibration


def test_expected_loss_is_pd_times_lgd_times_ead():
    book = pd.DataFrame({"PD": [0.02, 0.10], "LGD": [0.45, 0.6], "EAD": [1000.0, 500.0]})
    assert expected_loss(book).tolist() == pytest.approx([9.0, 30.0])
    summary = expected_loss_summary(book)
    assert summary["expected_loss"] == pytest.approx(39.0) and summary["loss_rate"] == pytest.approx(39 / 1500)


@pytest.mark.parametrize("book,message", [
    (pd.DataFrame({"pd": [0.1], "ead": [1.0]}), "Expected loss needs loss given default (LGD)"),
    (pd.DataFrame({"pd": [0.1, 45.0], "lgd": [0.4, 0.4], "ead": [1.0, 1.0]}),
     "Column 'pd' has 1 values that are missing or not between 0 and 1 (rows 3, e.g. 45)"),
    (pd.DataFrame({"pd": [0.1], "lgd": [0.4], "exposure": [-5]}), "Column 'exposure' has 1 values that are missing or "
                                                                 "not at least 0"),
])
def test_bad_loss_columns_are_named(book, message):
    with pytest.raises(DataError) as err:
        expected_loss(book)
    assert message in str(err.value)


def test_loss_columns_are_found_by_their_usual_names():
    cols = find_loss_columns(["id", "Probability_of_Default", "lgd", "Exposure_At_Default"])
    assert (cols.pd, cols.lgd, cols.ead) == ("Probability_of_Default", "lgd", "Exposure_At_Default") and cols.complete


def test_calibration_bins_compare_predicted_and_realised():
    rng = np.random.default_rng(0)
    predicted = rng.uniform(0, 1, 10_000)
    realised = np.clip(predicted + rng.normal(0, 0.05, 10_000), 0, 1)
    table = loss_calibration(predicted, realised, bins=5)
    assert len(table) == 5 and table["rows"].sum() == 10_000
    assert np.abs(table["difference"]).max() < 0.02 and table["predicted"].is_monotonic_increasing
    biased = loss_calibration(predicted, realised * 0.5, exposure=np.full(10_000, 2.0), bins=5)
    assert (biased["difference"] < 0).all() and biased["exposure"].sum() == pytest.approx(20_000)
