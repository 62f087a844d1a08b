"""Population stability index: hand-computed values, bands, a real shift on German credit, the stored reference
distribution on a real file, high-cardinality text columns and values never seen in training."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from finmodels.evaluation.monitoring import (
    MISSING, OTHER, TOP_LEVELS, ReferenceDistribution, band, column_reference, psi, psi_table, reference_distribution,
    stability_report, unseen_levels,
)


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


def test_a_high_cardinality_text_column_gets_its_top_levels_and_other_not_800_bars():
    rng = np.random.default_rng(0)
    zips = pd.Series([f"{z:05d}" for z in rng.integers(10_000, 10_800, size=20_000)])
    table = psi_table(zips.iloc[:10_000], zips.iloc[10_000:])
    assert len(table) == TOP_LEVELS + 1 and table["bin"].iloc[-1] == OTHER
    assert table["training share"].sum() == pytest.approx(1.0)
    assert psi(zips.iloc[:10_000], zips.iloc[10_000:]) < 0.1


def test_a_text_columns_top_levels_are_the_most_common_ones():
    ref = column_reference(pd.Series(["b"] * 5 + ["a"] * 3 + [None] * 2))
    assert ref.bins == ["b", "a", OTHER, MISSING] and ref.shares == (0.5, 0.3, 0.0, 0.2)


@pytest.fixture(scope="module")
def credit_risk():
    from finmodels.data.reading import load_csv
    from tests.conftest import SHARED_DATASETS

    return load_csv(SHARED_DATASETS / "credit_risk_dataset.csv")


def test_a_file_against_its_own_training_rows_is_stable_in_every_column_and_survives_json(credit_risk):
    columns = [c for c in credit_risk.columns if c != "loan_status"]
    train = credit_risk.sample(frac=0.6, random_state=0)
    reference = reference_distribution(train, columns=columns, scores=np.linspace(0, 1, len(train)))
    saved = ReferenceDistribution.from_dict(json.loads(json.dumps(reference.to_dict())))
    assert saved == reference and saved.rows == len(train)
    report = stability_report(saved, credit_risk, columns=columns)
    assert set(report["name"]) == set(columns) and report["psi"].max() < 0.01
    # the bundle kept 200 training rows: by sampling alone, PSIs about a hundred times larger
    sample = stability_report(reference_distribution(train.sample(200, random_state=1), columns=columns), credit_risk,
                              columns=columns)
    assert sample["psi"].max() > 0.05


def test_values_never_seen_in_training_are_named_with_counts_and_rows(credit_risk):
    reference = reference_distribution(credit_risk, columns=["loan_intent", "loan_grade", "person_income"])
    new = credit_risk.head(50).copy()
    new.loc[:2, "loan_intent"] = "CRYPTO"
    new.loc[3, "loan_intent"] = "84 months"
    new.loc[4, "loan_grade"] = None  # missing is not an unseen value
    new.loc[5, "person_income"] = -1  # numbers are binned, not named
    found = unseen_levels(reference, new)
    assert [(u.column, u.counts, u.rows) for u in found] == [("loan_intent", {"CRYPTO": 3, "84 months": 1}, 4)]
    assert found[0].message == (
        "Column 'loan_intent' has 2 values never seen in training ('CRYPTO', '84 months') in 4 rows. The model "
        "learned nothing about them, so those rows' scores rest on their other columns; check that this file codes "
        "the column as the training data did.")
    assert unseen_levels(reference, credit_risk.head(50)) == []


def test_a_handful_of_new_rows_is_said_to_be_too_few_to_read_the_bands():
    """20 rows drawn from credit_risk_dataset itself read as a major shift by chance: the report says so."""
    from finmodels.evaluation.monitoring import noise_psi, rows_needed, sample_note, stability_report
    from finmodels.plots.monitoring import plot_stability
    from tests.conftest import SHARED_DATASETS

    frame = pd.read_csv(SHARED_DATASETS / "credit_risk_dataset.csv")
    reference = reference_distribution(frame, columns=["loan_amnt", "person_income"])
    few = stability_report(reference, frame.sample(20, random_state=0), columns=["loan_amnt", "person_income"])
    assert few.attrs["rows"] == 20 and few["psi"].max() > 1.0  # a "major shift" of rows from the file itself
    assert rows_needed() == 360 and noise_psi(20) == pytest.approx(0.45) and noise_psi(360) == pytest.approx(0.025)
    assert sample_note(20) == ("PSI on 20 rows is mostly noise: with 10 bins, rows drawn from the training population "
                               "itself score 0.45 or more by chance ((bins - 1) / rows, more where bins stay empty). "
                               "Read the bands on at least 360 rows.")
    assert sample_note(360) is None and sample_note(None) is None
    title = plot_stability(few).layout.title.text
    assert "only 20 new rows: chance alone gives a PSI of 0.45 or more; read the bands on at least 360 rows" in title
    many = stability_report(reference, frame.sample(2000, random_state=0), columns=["loan_amnt", "person_income"])
    assert (many["psi"] < 0.025).all() and "new rows" not in plot_stability(many).layout.title.text
