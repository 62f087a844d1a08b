"""The scorecard challenger bins the number codes a run reads as categories (the Data page's 'categorical' role,
TrainConfig.categories) as categories. A new user's trial set Taiwan's EDUCATION to categorical; the scorecard
still binned it as an ordered number, '(-inf, 1.50) / [1.50, 2.50) / [2.50, inf)', pooling code 4 ('other') with
3 (high school). Default runs (no categories) keep their bins and AUC: the bench compares with them."""

import numpy as np
import pytest

from finmodels.data.reading import load_csv
from finmodels.models.preprocessing import level_text
from finmodels.models.scorecard import scorecard_run
from finmodels.models.scorecard_tables import tables_of
from tests.conftest import SHARED_DATASETS

TARGET = "default_payment_next_month"


@pytest.fixture(scope="module")
def taiwan():
    return load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)


def _levels(bins) -> list[str]:
    return [level.strip() for b in bins for level in b.split(",")]


def _filled(table, column):
    rows = table[(table["feature"] == column) & (table["rows"] > 0)]
    return rows[~rows["bin"].isin(["Special", "Missing"])]


def test_a_run_categorical_code_is_binned_by_level(taiwan):
    run = scorecard_run(taiwan, target=TARGET, categories=("EDUCATION",))
    assert run.model.categorical == ["EDUCATION"]
    education = _filled(run.model.binning_table(), "EDUCATION")
    assert not any(b.startswith(("(", "[")) for b in education["bin"])  # no interval
    # every level the training rows hold sits in exactly one bin, spelled as the network reads it ('2', never '2.0')
    levels = _levels(education["bin"])
    assert sorted(levels) == sorted(set(levels)) == ["0", "1", "2", "3", "4", "5", "6"]
    assert education["rows"].sum() == run.rows["train"]
    # bins of levels grouped by their event rate, which need not follow the codes' order
    assert len(education) >= 2
    # the other columns are as before: LIMIT_BAL in ordered intervals
    assert _filled(run.model.binning_table(), "LIMIT_BAL")["bin"].iloc[0].startswith("(-inf")
    # a code read as a float (a file with a gap in the column) lands in the same bin as the whole number
    rows = taiwan.head(30).copy()
    floats = rows.assign(EDUCATION=rows["EDUCATION"].astype("float64"))
    np.testing.assert_allclose(run.model.predict(floats), run.model.predict(rows))


def test_without_categories_the_code_stays_an_ordered_number(taiwan):
    run = scorecard_run(taiwan, target=TARGET)
    assert run.model.categorical == []
    assert _filled(run.model.binning_table(), "EDUCATION")["bin"].iloc[0].startswith("(-inf")


@pytest.mark.parametrize("name, target, auc", [("german_credit", "creditability", 0.776547619047619),
                                               ("credit_risk_dataset", "loan_status", 0.8830810935405908)])
def test_default_runs_keep_their_scorecard(name, target, auc):
    """Measured before categories reached the scorecard (bench's comparisons depend on them)."""
    run = scorecard_run(load_csv(SHARED_DATASETS / f"{name}.csv"), target=target)
    assert run.metrics["roc_auc"] == pytest.approx(auc, abs=1e-12)
    text = [c for c in run.model.features if c in run.model.categorical]
    assert run.model.categorical == text and text  # the text columns only, as before


def test_a_training_run_bins_its_categories_as_categories(taiwan):
    """The categories reach the scorecard baseline from the run's config: the Evaluate page's and the report's
    tables (`tables_of` the run's details) list EDUCATION's levels, not intervals."""
    from finmodels.models.training import TrainConfig, train

    result = train(taiwan.head(3000), TrainConfig(target=TARGET, task="credit_default", members=1, blend=(), epochs=1,
                                                  seed=0, categories=("EDUCATION",)))
    assert result.baselines["scorecard"].model.categorical == ["EDUCATION"]
    _, bins, points = tables_of(result)
    education = _filled(bins, "EDUCATION")
    assert not any(b.startswith(("(", "[")) for b in education["bin"])
    seen = {level_text(v) for v in taiwan.head(3000)["EDUCATION"]}
    assert set(_levels(education["bin"])) <= seen and {"1", "2", "3"} <= set(_levels(education["bin"]))
    assert set(points[points["feature"] == "EDUCATION"]["bin"]) >= set(education["bin"])
    assert _filled(bins, "LIMIT_BAL")["bin"].iloc[0].startswith("(-inf")
