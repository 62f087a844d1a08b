"""Scoring a new file: scores equal the run's predictions, decisions follow the threshold, reasons, drift."""

import numpy as np
import pytest

from finmodels.errors import ConfigError, DataError
from finmodels.delivery.scoring import REASON_SEPARATOR, as_scoring_model, score_file


@pytest.fixture(scope="module")
def new_rows(german):
    return german.drop(columns="creditability").iloc[:80]


@pytest.fixture(scope="module")
def scored(german_run, new_rows):
    return score_file(german_run, new_rows, threshold=0.4)


def test_scores_and_decisions(german_run, new_rows, scored):
    probability = scored.table["probability of 'bad'"].to_numpy()
    assert np.allclose(probability, german_run.predict(new_rows))
    assert (scored.table["decision"] == np.where(probability >= 0.4, "bad", "not bad")).all()
    assert scored.decision_counts().sum() == 80


def test_every_row_has_reason_codes_that_name_its_columns(scored):
    reasons = scored.table["reason codes"]
    assert scored.explained_rows == 80
    first = reasons.iloc[0].split(REASON_SEPARATOR)
    assert 1 <= len(first) <= 3 and all("raised default probability" in r for r in first)


def test_reason_codes_are_capped_and_the_rest_left_blank(german_run, new_rows):
    out = score_file(german_run, new_rows, threshold=0.5, max_explained=10)
    assert (out.table["reason codes"].iloc[10:] == "").all() and out.table["reason codes"].iloc[0]
    assert any("first 10 of 80 rows" in n for n in out.notes)


def test_stability_of_the_same_population_is_low(scored):
    score_row = scored.stability.iloc[0]
    assert score_row["name"] == "score" and score_row["psi"] < 0.25


def test_missing_columns_are_named(german_run, new_rows):
    with pytest.raises(DataError, match="lacks 2 of the 20 columns") as info:
        score_file(german_run, new_rows.drop(columns=["purpose", "age_in_years"]))
    assert "'purpose'" in str(info.value) and "'age_in_years'" in str(info.value)


def test_bundle_scores_like_the_run(german_run, new_rows):
    from finmodels.models.bundle import bundle_bytes, load_bundle

    bundle = load_bundle(bundle_bytes(german_run))
    out = score_file(bundle, new_rows, threshold=0.4, max_explained=5)
    assert np.allclose(out.scores, german_run.predict(new_rows), atol=1e-5)
    assert as_scoring_model(bundle).reference_note.startswith("the bundle's sample")


def test_default_threshold_is_said(german_run, new_rows):
    out = score_file(german_run, new_rows, max_explained=1)
    assert out.threshold == 0.5 and any("threshold 0.5" in n for n in out.notes)
