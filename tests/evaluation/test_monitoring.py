"""Population stability index: hand-computed values, bands, and a real shift on German credit."""

import math

import numpy as np
import pandas as pd
import pytest

from finmodels.evaluation.monitoring import MISSING, band, psi, psi_table, stability_report


def test_identical_distributions_have_zero_psi():
    x = pd.Series(np.arange(1000, dtype=float))
    assert psi(x, x.sample(frac=1, random_state=0)) == pytest.approx(0.0, abs=1e-12)


def test_categorical_psi_matches_the_formula():
    train = pd.Series(["a"] * 50 + ["b"] * 50)
    new = pd.Series(["a"] * 80 + ["b"] * 20)
    expected = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert psi(train, new) == pytest.approx(expected)


def test_numeric_bins_come_from_training_deciles_and_missing_is_its_own_bin():
    train = pd.Series(np.arange(100, dtype=float))
    new = pd.Series([np.nan] * 10 + list(np.arange(90, dtype=float)))
    table = psi_table(train, new)
    assert len(table) == 11 and table["bin"].iloc[-1] == MISSING
    assert table["training share"].iloc[:10].tolist() == pytest.approx([0.1] * 10)
    assert table["new share"].iloc[-1] == pytest.approx(0.1)
    assert table["new share"].iloc[9] == 0.0  # no new row at or above the training's 90th percentile


def test_new_level_never_seen_in_training_counts():
    assert psi(pd.Series(["a"] * 10), pd.Series(["a"] * 5 + ["z"] * 5)) > 0.25


@pytest.mark.parametrize("value,label", [(0.0, "stable"), (0.0999, "stable"), (0.1, "moderate shift"),
                                         (0.2499, "moderate shift"), (0.25, "major shift"), (3.0, "major shift")])
def test_bands_at_the_usual_boundaries(value, label):
    assert band(value).label == label


def test_stability_report_on_german_credit_flags_a_shifted_column(german):
    train, new = german.iloc[:500], german.iloc[500:].copy()
    new["credit_amount"] = new["credit_amount"] * 3
    report = stability_report(train, new, columns=["credit_amount", "age_in_years", "purpose"],
                              training_scores=np.linspace(0, 1, 500), new_scores=np.linspace(0, 1, 500) ** 0.5)
    assert report["name"].tolist()[0] == "score"
    amount = report.set_index("name").loc["credit_amount"]
    assert amount["band"] == "major shift"
    assert report.set_index("name").loc["age_in_years", "band"] == "stable"
    assert report["psi"].iloc[1:].is_monotonic_decreasing
