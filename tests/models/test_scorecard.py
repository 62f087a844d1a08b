"""The scorecard challenger on German credit: binning, WoE, IV, points scaled by PDO and odds, and the baseline
trained beside the network."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError, DataError
from finmodels.models.scorecard import ScorecardConfig, fit_scorecard, iv_band, scorecard_run
from tests.conftest import ROOT, SHARED_DATASETS


@pytest.fixture(scope="module")
def german_scorecard(german):
    return scorecard_run(german, target="creditability")


def test_held_out_auc_and_the_strongest_features(german_scorecard):
    run = german_scorecard
    assert run.event_label == "bad" and run.rows == {"train": 800, "test": 200}
    assert 0.74 < run.metrics["roc_auc"] < 0.82
    iv = run.model.iv()
    # the checking account status is German credit's strongest predictor in every published scorecard
    assert iv.index[0] == "status_of_existing_checking_account" and iv.iloc[0] > 0.5
    assert set(iv.index) == {c for c in run.model.features}
    assert "creditability" not in iv.index
    table = run.model.iv_table()
    assert table.loc[0, "strength"] == "strong"
    assert list(table.columns) == ["feature", "iv", "strength", "bins"]


def test_binning_table_has_monotonic_numeric_bins_and_missing_and_special_bins(german_scorecard):
    table = german_scorecard.model.binning_table()
    assert list(table.columns) == ["feature", "bin", "rows", "share", "non_events", "events", "event_rate", "woe", "iv"]
    duration = table[table["feature"] == "duration_in_month"]
    assert list(duration["bin"].iloc[-2:]) == ["Special", "Missing"]
    filled = duration[duration["rows"] > 0]
    assert filled["bin"].iloc[0].startswith("(-inf") and filled["bin"].iloc[-1].endswith("inf)")
    # longer loans default more often: the event rate rises and the WoE falls from bin to bin
    assert filled["event_rate"].is_monotonic_increasing and filled["woe"].is_monotonic_decreasing
    assert filled["rows"].sum() == 800
    # WoE = ln(share of non-events / share of events), bin by bin
    shares = (filled["non_events"] / filled["non_events"].sum()) / (filled["events"] / filled["events"].sum())
    assert np.allclose(filled["woe"], np.log(shares), atol=1e-6)
    status = table[table["feature"] == "status_of_existing_checking_account"]
    assert "no checking account" in set(status["bin"])


def test_points_follow_pdo_and_odds(german_scorecard, german):
    model = german_scorecard.model
    points = model.points_table()
    assert list(points.columns) == ["feature", "bin", "woe", "points"]
    # more points for a safer bin: within a feature, points rise with the WoE, unless the regression gave the
    # feature the counter-intuitive sign, which the run's notes name
    coefficients = model.coefficients()
    assert (coefficients < 0).sum() >= 15
    for name, group in points.groupby("feature"):
        order = group.sort_values("woe")["points"]
        assert order.is_monotonic_increasing if coefficients[name] < 0 else order.is_monotonic_decreasing
    wrong = coefficients[coefficients > 0].index
    assert len(german_scorecard.notes) == 1 + len(wrong)
    assert all(f"Feature '{name}' has a coefficient of +" in " ".join(german_scorecard.notes) for name in wrong)
    rows = german.head(50)
    total = model.points(rows)
    odds = (1 - model.predict(rows)) / model.predict(rows)
    # score = offset + factor * ln(odds) with factor = pdo / ln 2: 20 more points, twice the odds
    factor = 20 / np.log(2)
    assert np.allclose(total - factor * np.log(odds), 600 - factor * np.log(50), atol=1e-6)
    low, high = model.point_range()
    assert low <= total.min() and total.max() <= high


def test_missing_values_are_scored_in_the_missing_bin(german_scorecard, german):
    model = german_scorecard.model
    row = german.head(1).copy()
    row["duration_in_month"] = np.nan
    points = model.points_table()
    missing = points[(points["feature"] == "duration_in_month") & (points["bin"] == "Missing")]["points"].iloc[0]
    known = german.head(1)
    assert np.isfinite(model.points(row)).all()
    before = points[(points["feature"] == "duration_in_month") & (points["bin"] == "(-inf, 8.50)")]
    assert len(before) == 1  # the first row has a 6-month loan
    assert model.points(row)[0] - model.points(known)[0] == pytest.approx(missing - before["points"].iloc[0])


def test_a_target_that_is_not_binary_names_the_task_a_scorecard_supports():
    ratings = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    with pytest.raises(DataError, match=r"Column 'Rating' has 10 values \('A', 'AA', .*a scorecard supports only the "
                                        r"credit default task, a target with exactly 2 values"):
        scorecard_run(ratings, target="Rating")


@pytest.mark.parametrize("settings, message", [
    (dict(pdo=0), "points to double the odds (pdo) must be above 0; got 0"),
    (dict(odds=-1), "odds must be above 0; got -1"),
    (dict(max_bins=1), "bins per feature must be 2 to 50; got 1"),
    (dict(min_bin_size=0.9), "the smallest bin share must be above 0 and at most 0.5; got 0.9"),
])
def test_settings_are_checked(settings, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ScorecardConfig(**settings)


def test_one_outcome_only_is_refused(german):
    with pytest.raises(DataError, match="needs both outcomes among its training rows; these 10 rows have only"):
        fit_scorecard(german.head(10), np.zeros(10), features=["age_in_years"])


def test_iv_bands():
    assert [iv_band(v) for v in (0.0, 0.05, 0.2, 0.6)] == ["not predictive", "weak", "medium", "strong"]


def test_the_network_run_has_the_scorecard_beside_its_baselines(german_net):
    from finmodels.evaluation.labels import BASELINE_LABELS

    scorecard = german_net.baselines["scorecard"]
    assert BASELINE_LABELS["scorecard"] == "Scorecard"
    assert scorecard.test_scores.shape == german_net.test_scores.shape
    assert 0.72 < scorecard.metrics["roc_auc"] < 0.85
    # fitted on the same rows as the other baselines (training and validation), in their original units
    assert sorted(scorecard.model.features) == sorted(german_net.features)
    assert scorecard.model.binning_table().groupby("feature")["rows"].sum().max() == 800


def test_a_process_that_loaded_tensorflow_first_fits_in_a_fresh_process():
    # CP-SAT crashed the process when loaded after TensorFlow; the scorecard then fits elsewhere, and still fits
    code = ("import tensorflow\nfrom finmodels.models import scorecard as s\nfrom finmodels.data.samples import "
            "load_sample\nassert not s.SOLVER_SAFE\nrun = s.scorecard_run(load_sample('german_credit'), "
            "target='creditability')\nprint(round(run.metrics['roc_auc'], 4))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 0.74 < float(out.stdout.strip().splitlines()[-1]) < 0.82
