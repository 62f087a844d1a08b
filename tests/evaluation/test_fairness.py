"""Fairness by a protected attribute on German credit: age in bands, personal status and sex, foreign worker;
rates checked against a direct count, and every refusal's message."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from finmodels.errors import ConfigError, DataError
from finmodels.evaluation.fairness import (
    FOUR_FIFTHS, age_like, bundle_fairness, fairness_report, fairness_reports, protected_groups, result_fairness,
)


@pytest.fixture(scope="module")
def scored(german):
    """German credit scored by a scorecard fitted on it (fast, no network): rows, scores, outcomes."""
    from finmodels.models.scorecard import fit_scorecard

    y = (german["creditability"] == "bad").astype(int).to_numpy()
    features = [c for c in german.columns if c != "creditability"]
    model = fit_scorecard(german, y, features=features)
    return german, model.predict(german), y


def test_age_is_analysed_in_bands_and_the_small_oldest_band_is_merged(german):
    groups, notes = protected_groups(german["age_in_years"])
    assert list(groups.cat.categories) == ["<25", "25–34", "35–44", "45–54", "55+"]
    assert groups.value_counts().reindex(groups.cat.categories).tolist() == [149, 399, 251, 122, 79]
    assert notes == ["'age_in_years' is analysed in age bands.",
                     "Band 65+ of 'age_in_years' had 23 rows (under 30); merged with 55–64 into 55+."]
    # with a lower bound every usual band stays
    groups, _ = protected_groups(german["age_in_years"], min_rows=20)
    assert list(groups.cat.categories) == ["<25", "25–34", "35–44", "45–54", "55–64", "65+"]


def test_other_numbers_are_banded_at_quantiles_and_text_kept_as_groups(german):
    groups, notes = protected_groups(german["credit_amount"])
    assert notes == ["'credit_amount' has 921 values; it is analysed in 5 quantile bands."]
    assert list(groups.cat.categories) == ["under 1260", "1260 to under 1910", "1910 to under 2850",
                                           "2850 to under 4720", "4720 and over"]
    assert groups.value_counts(sort=False).tolist() == [198, 203, 199, 200, 200]
    groups, notes = protected_groups(german["personal_status_and_sex"])
    assert list(groups.cat.categories) == ["male : single", "female : divorced/separated/married",
                                           "male : married/widowed", "male : divorced/separated"]
    assert notes == []
    # few distinct numbers are groups of their own
    groups, _ = protected_groups(german["number_of_existing_credits_at_this_bank"], min_rows=1)
    assert list(groups.cat.categories) == ["1", "2", "3", "4"]


def test_age_like_names():
    ages = pd.Series([22.0, 40, 67])
    assert age_like("age_in_years", ages) and age_like("person_age", ages) and age_like("AGE", ages)
    assert not age_like("agency_code", ages) and not age_like("page_views", ages)
    assert not age_like("age", pd.Series([1000.0, 5000]))


def test_rates_match_a_direct_count(scored):
    frame, scores, y = scored
    report = fairness_report(frame, scores, protected="personal_status_and_sex", outcomes=y, threshold=0.4,
                             event_label="bad")
    table = report.table
    groups = frame["personal_status_and_sex"].to_numpy()
    approvals = {}
    for group in table.index:
        inside = groups == group
        s, t = scores[inside], y[inside]
        approvals[group] = np.mean(s < 0.4)
        assert table.loc[group, "rows"] == inside.sum()
        assert table.loc[group, "events"] == t.sum()
        assert table.loc[group, "approval_rate"] == pytest.approx(approvals[group])
        assert table.loc[group, "tpr"] == pytest.approx(np.mean(s[t == 1] >= 0.4))
        assert table.loc[group, "fpr"] == pytest.approx(np.mean(s[t == 0] >= 0.4))
        assert table.loc[group, "auc"] == pytest.approx(roc_auc_score(t, s))
    best = max(approvals, key=approvals.get)
    assert report.reference == best
    for group in table.index:
        ratio = approvals[group] / approvals[best]
        assert table.loc[group, "adverse_impact_ratio"] == pytest.approx(ratio)
        assert table.loc[group, "flagged"] == (ratio < FOUR_FIFTHS)
    assert report.overall["approval_rate"] == pytest.approx(np.mean(scores < 0.4))
    data = report.to_dict()
    assert set(data) >= {"groups", "reference", "flagged"}
    assert set(data["groups"][best]) >= {"adverse_impact_ratio", "approval_rate", "tpr", "fpr", "auc", "rows"}
    assert data["groups"][best]["adverse_impact_ratio"] == 1.0


def test_young_applicants_are_flagged_under_four_fifths(scored):
    frame, scores, y = scored
    report = fairness_report(frame, scores, protected="age_in_years", outcomes=y, threshold=0.3)
    # the scorecard declines the under-25s far more often: the textbook adverse impact on German credit
    assert report.table.loc["<25", "approval_rate"] < report.table.loc[report.reference, "approval_rate"]
    assert "<25" in report.flagged
    assert report.table.loc["<25", "adverse_impact_ratio"] < FOUR_FIFTHS


def test_without_outcomes_only_decisions_are_compared(scored):
    frame, scores, _ = scored
    report = fairness_report(frame, scores, protected="foreign_worker", threshold=0.5)
    assert not report.has_outcomes
    assert report.table["tpr"].isna().all() and report.table["auc"].isna().all()
    assert report.to_dict()["groups"]["no"]["auc"] is None
    assert list(report.table.index) == ["yes", "no"] and report.table["rows"].tolist() == [963, 37]


def test_rows_without_an_outcome_are_left_out(scored):
    frame, scores, y = scored
    outcomes = y.astype(float)
    outcomes[:10] = np.nan
    report = fairness_report(frame, scores, protected="foreign_worker", outcomes=outcomes)
    assert report.table["rows"].sum() == 990
    assert "10 rows without an outcome are left out." in report.notes


def test_a_column_with_one_group_is_refused_with_its_count(scored):
    frame, scores, y = scored
    with pytest.raises(DataError, match=r"^Protected column 'country' has one group \('DE', 1,000 rows\); fairness "
                                        r"compares groups, so it needs at least 2\."):
        fairness_report(frame.assign(country="DE"), scores, protected="country", outcomes=y)


def test_small_groups_are_refused_with_the_counts_of_every_group(scored):
    frame, scores, y = scored
    with pytest.raises(DataError) as raised:
        fairness_report(frame, scores, protected="purpose", outcomes=y)
    assert str(raised.value) == (
        "Protected column 'purpose' has 4 groups under 30 rows: 'repairs' (22 rows), 'domestic appliances' "
        "(12 rows), 'others' (12 rows), 'retraining' (9 rows); the others have 'radio/television' (280), "
        "'car (new)' (234), 'furniture/equipment' (181), 'car (used)' (103), 'business' (97), 'education' (50). "
        "Rates of so few rows are too noisy to compare: merge small groups into larger ones, or score more rows.")
    # a lower bound, chosen by the analyst, lets them through
    assert len(fairness_report(frame, scores, protected="purpose", outcomes=y, min_rows=9).table) == 10


def test_every_column_problem_is_reported_at_once(scored):
    frame, scores, y = scored
    with pytest.raises(DataError) as raised:
        fairness_reports(frame, scores, protected=["nationality", "purpose", "age_in_years"], outcomes=y)
    problems = raised.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("Protected column 'nationality' not found. Columns are: status_of_existing_")
    assert problems[1].startswith("Protected column 'purpose' has 4 groups under 30 rows")


@pytest.mark.parametrize("kwargs, message", [
    (dict(protected=[]), "No protected column was given. Mark at least one column (age, sex ...) as protected."),
    (dict(protected="age_in_years", threshold=1.5), "The threshold is a probability between 0 and 1; got 1.5."),
    (dict(protected="age_in_years", min_rows=0), "The smallest group size must be at least 1 row; got 0."),
])
def test_settings_are_checked(scored, kwargs, message):
    frame, scores, _ = scored
    with pytest.raises(ConfigError) as raised:
        fairness_reports(frame, scores, **kwargs)
    assert str(raised.value) == message


def test_a_runs_held_out_rows(german_net):
    reports = result_fairness(german_net, protected=["age_in_years", "housing"], min_rows=10)
    age = reports[0]
    assert age.table["rows"].sum() == len(german_net.split.test) == 200
    assert "On the run's 200 held-out test rows." in age.notes
    assert "'age_in_years' is one of the model's inputs." in age.notes
    assert age.table["events"].sum() == german_net.y_test.sum()


def test_a_bundle_scores_the_file_and_notes_a_protected_column_left_out_of_the_inputs(german, tmp_path):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.bundle import load_bundle, save_bundle
    from finmodels.models.training import TrainConfig, train

    features = tuple(c for c in german.columns if c not in ("creditability", "personal_status_and_sex",
                                                              "age_in_years"))
    run = train(german, TrainConfig(members=1, blend=(), target="creditability", features=features, epochs=3,
                                    hyperparameters=MLPConfig(units=(8,))), baselines=False)
    save_bundle(run, tmp_path / "b.zip")
    bundle = load_bundle(tmp_path / "b.zip")
    sex, age = bundle_fairness(bundle, german, protected=["personal_status_and_sex", "age_in_years"], threshold=0.3)
    assert "'personal_status_and_sex' is not a model input; it is used only for this analysis." in sex.notes
    assert sex.table["rows"].sum() == 1000 and sex.table["events"].sum() == 300
    scores = bundle.predict(german)
    young = german["age_in_years"] < 25
    assert age.table.loc["<25", "approval_rate"] == pytest.approx(np.mean(scores[young] < 0.3))
    # without the target column: decisions only, said so
    (only,) = bundle_fairness(bundle, german.drop(columns="creditability"), protected=["age_in_years"])
    assert not only.has_outcomes
    assert only.notes[-2] == ("The file has no 'creditability' column, so only approval rates and adverse impact "
                              "are shown (no error rates or AUC).")
