"""Scoring a new file: scores equal the run's predictions, decisions follow the threshold, reasons for every
flagged row and none trivial, drift against all training rows from a run or a bundle, unseen values named."""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError, DataError
from finmodels.delivery.scoring import REASON_SEPARATOR, as_scoring_model, score_file


@pytest.fixture(scope="module")
def new_rows(german):
    return german.drop(columns="creditability").iloc[:80]


@pytest.fixture(scope="module")
def scored(german_net, new_rows):
    return score_file(german_net, new_rows, threshold=0.4)


@pytest.fixture(scope="module")
def bundle(german_net):
    from finmodels.models.bundle import bundle_bytes, load_bundle

    return load_bundle(bundle_bytes(german_net))


def effects(cell: str) -> list[float]:
    return [float(code.rsplit(" by ", 1)[1]) for code in cell.split(REASON_SEPARATOR)] if cell else []


def test_scores_and_decisions(german_net, new_rows, scored):
    probability = scored.table["probability of 'bad'"].to_numpy()
    assert np.allclose(probability, german_net.predict(new_rows))
    assert (scored.table["decision"] == np.where(probability >= 0.4, "bad", "not bad")).all()
    assert scored.decision_counts().sum() == 80 and scored.flagged == int((probability >= 0.4).sum())


def test_flagged_rows_have_reason_codes_that_name_their_columns_and_approved_rows_none(scored):
    flagged = scored.table["decision"] == "bad"
    reasons = scored.table["reason codes"]
    assert scored.explained_rows == flagged.sum() > 0
    assert (reasons[flagged] != "").all() and (reasons[~flagged] == "").all()
    first = reasons[flagged].iloc[0].split(REASON_SEPARATOR)
    assert 1 <= len(first) <= 3 and all("raised default probability by" in r for r in first)
    assert any(n == f"Reason codes for the {flagged.sum()} flagged rows; rows not flagged need none."
               for n in scored.notes)


def test_every_flagged_row_has_reason_codes_beyond_the_first_thousand_rows(german_net, german):
    """The issue's file: 1,160 rows flagged, 49 explained, because only the first 1,000 rows were."""
    rows = pd.concat([german.drop(columns="creditability")] * 3, ignore_index=True)
    out = score_file(german_net, rows, threshold=0.3)
    flagged = (out.table["decision"] == "bad").to_numpy()
    reasons = out.table["reason codes"].to_numpy()
    assert flagged[1000:].sum() > 0 and out.explained_rows == flagged.sum()
    assert (reasons[flagged] != "").all() and (reasons[~flagged] == "").all()
    # the same applicant gets the same reasons wherever it stands in the file
    assert (reasons[:1000] == reasons[1000:2000]).all() and (reasons[:1000] == reasons[2000:]).all()


def test_reasons_for_every_row_on_request_never_cite_a_negligible_effect(german_net, german):
    out = score_file(german_net, german.drop(columns="creditability"), threshold=0.3, reasons="all")
    assert out.explained_rows == 1000 and "Reason codes for all 1,000 rows." in out.notes
    approved = out.table["decision"] == "not bad"
    cited = [e for cell in out.table.loc[approved, "reason codes"] for e in effects(cell)]
    assert cited and min(cited) >= 0.005  # nothing like "raised ... by 0.000246"


def test_the_negligible_rule_drops_tiny_effects_but_a_declined_row_keeps_its_largest():
    from finmodels.explain.reasons import negligible_effect, reason_codes_of_rows

    assert negligible_effect("probability") == 0.005
    assert negligible_effect("model output", [100.0, 300.0, 200.0]) == pytest.approx(1.0)  # 0.5% of the spread
    values = np.array([[0.000246, 0.2, -0.1], [0.000246, -0.3, 0.001], [0.000246, -0.3, 0.001]])
    data = pd.DataFrame({"age": [30, 40, 50], "income": [1_000.0, 2_000.5, 3_000.0], "purpose": ["car"] * 3})
    codes = reason_codes_of_rows(values, ["age", "income", "purpose"], data, output_name="default probability",
                                 min_effect=negligible_effect("probability"), keep_top=[False, False, True])
    assert codes == [["income '1000' raised default probability by 0.20"], [],
                     ["purpose 'car' raised default probability by 0.001"]]


def test_an_unknown_reasons_choice_is_named(german_net, new_rows):
    with pytest.raises(ConfigError, match="Unknown reasons choice 'some'. Choose 'flagged'"):
        score_file(german_net, new_rows, reasons="some")
    with pytest.raises(ConfigError, match="Reason codes per row must be at least 1; got 0."):
        score_file(german_net, new_rows, codes=0)


def test_missing_columns_are_named(german_net, new_rows):
    with pytest.raises(DataError, match="lacks 2 of the 20 columns") as info:
        score_file(german_net, new_rows.drop(columns=["purpose", "age_in_years"]))
    assert "'purpose'" in str(info.value) and "'age_in_years'" in str(info.value)


def test_bundle_scores_like_the_run(german_net, bundle, new_rows):
    out = score_file(bundle, new_rows, threshold=0.4)
    assert np.allclose(out.scores, german_net.predict(new_rows), atol=1e-5)
    assert as_scoring_model(bundle).reference_note == (
        f"the {len(german_net.split.train)} training rows (their distribution, stored in the bundle)")


def test_default_threshold_is_said(german_net, new_rows):
    out = score_file(german_net, new_rows)
    assert out.threshold == 0.5 and any("threshold 0.5" in n for n in out.notes)


def test_stability_is_the_same_from_a_bundle_as_from_the_session_and_low_on_the_training_file(german_net, bundle,
                                                                                              german):
    """The issue: one column's PSI was 0.001 from the session and 0.105 from the bundle's 200 stored rows."""
    rows = german.drop(columns="creditability")
    session = score_file(german_net, rows, threshold=0.5).stability.set_index("name")["psi"]
    saved = score_file(bundle, rows, threshold=0.5).stability.set_index("name")["psi"]
    assert list(saved.index) == list(session.index) and len(session) == 21
    assert np.allclose(saved.to_numpy(), session.to_numpy(), atol=1e-6)
    assert session.max() < 0.1


def test_the_bundle_stores_the_distribution_of_all_training_rows(german_net, bundle):
    reference = bundle.reference
    assert reference.rows == len(german_net.split.train) == reference.columns["credit_amount"].rows
    assert sorted(reference.columns) == sorted(german_net.preprocessor.columns)
    assert reference.columns["purpose"].kind == "categorical" and reference.score.kind == "numeric"
    assert sum(reference.columns["credit_amount"].shares) == pytest.approx(1.0)


def test_an_older_bundle_without_its_distribution_scores_with_a_warning(german_net, new_rows):
    from finmodels.models.bundle import bundle_bytes, load_bundle

    files = {}
    with zipfile.ZipFile(io.BytesIO(bundle_bytes(german_net))) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
    del files["reference.json"]
    manifest = json.loads(files["manifest.json"])
    del manifest["files"]["reference.json"]
    files["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    old = load_bundle(buffer.getvalue())
    out = score_file(old, new_rows, threshold=0.4)
    assert old.reference is None
    assert out.warnings == [
        "This bundle stores no training distribution (it was saved by an older version), so stability is measured "
        "against its sample of 200 training rows and a PSI above 0.1 may be sampling noise. Save the bundle again "
        "from the training run."]


def test_values_never_seen_in_training_are_named_with_their_rows(german_net, bundle, german):
    rows = german.drop(columns="creditability").iloc[:100].copy()
    rows.loc[:4, "purpose"] = "ZZ"
    rows.loc[5:6, "purpose"] = "84 months"
    expected = ("Column 'purpose' has 2 values never seen in training: 'ZZ' in lines 2, 3, 4, 5, 6; '84 months' in "
                "lines 7, 8. The model has no input for such a value: it scores the row as if 'purpose' held none of "
                "its training values (with neutral evidence in its weight-of-evidence input). Write them as the "
                "training data does (its values: 'business', 'car (new)', 'car (used)', 'domestic appliances', "
                "'education', 'furniture/equipment', 'others', 'radio/television', 'repairs', 'retraining') and score "
                "the file again.")
    assert score_file(german_net, rows, threshold=0.5).warnings == [expected]
    assert score_file(bundle, rows, threshold=0.5).warnings == [expected]
    assert score_file(german_net, german.drop(columns="creditability").iloc[:100], threshold=0.5).warnings == []


def test_bins_of_a_scored_column_come_from_the_reference(bundle, german):
    out = score_file(bundle, german.drop(columns="creditability").iloc[:200], threshold=0.5)
    bins = out.bins("purpose")
    assert bins["training share"].sum() == pytest.approx(1.0) and bins["new share"].sum() == pytest.approx(1.0)
    assert out.bins("score")["psi"].sum() == pytest.approx(out.stability.set_index("name").loc["score", "psi"])
