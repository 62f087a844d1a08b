"""The model document names the model it documents and what its figures rest on (new user's trial 4, findings 4,
6, 7 and 16): the run id, name, champion, training date, bundle hash and the decision's costs in numbers; a
stability section that compares a population outside the training data or says that none was; the caveat that
the threshold was chosen on the test rows its cost is reported on; readable fairness headers."""

import dataclasses
import datetime as dt
import hashlib
import html
import re

import pandas as pd
import pytest

from finmodels.delivery.document import ModelIdentity, ScoredPopulation, build_document
from finmodels.evaluation.threshold_basis import least_cost_threshold_of
from finmodels.evaluation.thresholds import CostMatrix, decisions_at
from finmodels.models.training.blend import network_title

WHEN = dt.datetime(2026, 12, 2, 1, 5, tzinfo=dt.timezone.utc)
RUN = "d09afcf5e1c94c6c9f3f2b1a0e6d7c88"
COSTS = CostMatrix(false_negative=5.0, false_positive=1.0)


def _text(document) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", document.to_html()))


def _section(document, key: str) -> str:
    text = document.to_html()
    return html.unescape(re.sub(r"<[^>]+>", " ", text.split(f"<section id='{key}'>")[1].split("</section>")[0]))


@pytest.fixture(scope="module")
def champion_document(german_net, german):
    identity = ModelIdentity(run_id=RUN, name="Dense network (MLP) for 'creditability' (Credit default)",
                             area="desk-a", champion=RUN, trained=dt.datetime(2026, 12, 2, 0, 40, tzinfo=dt.timezone.utc),
                             bundle_sha256=hashlib.sha256(b"bundle").hexdigest(), data_name="german_credit.csv",
                             data_fingerprint="f" * 64)
    return build_document(german_net, german, data_name="german_credit.csv", protected=["age_in_years"],
                          threshold=0.14, costs=COSTS, identity=identity, explained_rows=40, created=WHEN,
                          threshold_note="the threshold is 0.14, the least-cost threshold at the default costs")


def test_the_document_names_the_run_the_champion_the_date_and_the_bundle(champion_document):
    text = _text(champion_document)
    assert champion_document.title == "Model document: Credit default model · run d09afcf5"
    assert f"run id {RUN} (d09afcf5 on the Runs page)" in " ".join(text.split())
    assert "yes: the champion of area 'desk-a'" in text
    assert "trained 2026-12-02 00:40 UTC" in " ".join(text.split())
    assert hashlib.sha256(b"bundle").hexdigest() in text
    assert "german_credit.csv, fingerprint " + "f" * 64 in text
    assert "Dense network (MLP) for 'creditability' (Credit default)" in text


def test_another_runs_champion_and_an_unkept_model_are_said(german_net, german):
    other = build_document(german_net, german.head(300), data_name="sample.csv", explained_rows=10,
                           identity=ModelIdentity(run_id=RUN, area="desk-a", champion="4f225375" + "0" * 24))
    assert "no: the champion of area 'desk-a' is run 4f225375, another run" in _text(other)
    unkept = dataclasses.replace(german_net, run_id=None)  # the shared run may have been kept by another test
    bare = _text(build_document(unkept, german.head(300), data_name="sample.csv", explained_rows=10))
    assert "not known to this document" in bare and "not known: the workspace keeps no bundle of it" in bare


def test_a_blends_document_is_named_by_its_blend(german_run, german):
    document = build_document(german_run, german.head(300), data_name="sample.csv", explained_rows=10)
    name = f"{network_title('mlp', german_run.details['blend_weights'])} for 'creditability' (Credit default)"
    assert name.startswith("Blend of ") and name in _text(document)


def test_the_decision_states_its_costs_and_the_rows_its_threshold_was_chosen_on(champion_document, german_net):
    purpose = " ".join(_section(champion_document, "purpose").split())
    assert ("the least-cost threshold at the default costs; a missed 'bad' (false negative) costs 5, a false alarm "
            "(false positive: a declined applicant who would not be 'bad') costs 1.") in purpose
    assert "set your own" not in purpose
    performance = " ".join(_section(champion_document, "performance").split())
    assert "The decision rule" in performance
    at = decisions_at(german_net.y[german_net.split.test], german_net.test_scores, 0.14, costs=COSTS)
    assert f"expected cost per row on the 200 test rows {at.cost:.3f}" in performance
    # the least-cost threshold is chosen on the network's 200 validation rows, never on the test rows
    least = least_cost_threshold_of(german_net, COSTS)
    assert least.basis.rows == "validation"
    assert len(german_net.split.valid) == 160
    assert (f"The least-cost threshold at these costs, {least.threshold:.2f}, is chosen on the 160 validation rows "
            "(the network stopped early on them, it never learned from them), never on the 200 test rows, so its "
            "figures above are a fair estimate of its cost on new rows.") in performance
    assert ("The threshold used here, 0.14, was set by hand" in performance) == (abs(least.threshold - 0.14) >= 0.005)
    assert "optimistic" not in performance.split("The decision rule")[1].split("fair estimate")[0]
    assert "Section 4 says which rows the threshold was chosen on." in _section(champion_document, "fairness")


def test_the_training_file_is_not_shown_as_evidence_of_stability(champion_document):
    stability = " ".join(_section(champion_document, "stability").split())
    assert stability.startswith("5. Stability No population outside the training data has been compared yet.")
    assert "holds the model's training rows (640 of the 640 looked for)" in stability
    assert "score a recent file (applicants the model has not seen) on the Score page" in stability
    assert "python -m finmodels score champion RECENT.csv --area desk-a" in stability
    assert "stable" not in stability and "<table" not in champion_document.sections["stability"][0]
    assert "Stability has not been measured on a population outside the training data" in \
        _section(champion_document, "limitations")


def test_the_file_scored_on_score_gives_the_stability_section(german_net, german):
    from finmodels.delivery.scoring import score_file

    recent = german.tail(200).drop(columns="creditability")
    scored = score_file(german_net, recent, threshold=0.14, explain_top=0)
    inside = int(len(recent))  # the last 200 rows of the training file itself
    population = ScoredPopulation("score_clean_200.csv", scored.stability, len(recent), inside, len(german))
    document = build_document(german_net, german, data_name="german_credit.csv", explained_rows=10,
                              scored=population)
    stability = " ".join(_section(document, "stability").split())
    assert "'score_clean_200.csv' (200 rows, the file last scored with this model on the Score page)" in stability
    assert document.findings["stability_of"] == "score_clean_200.csv"
    assert document.findings["psi"] == pytest.approx({str(r.name): float(r.psi) for r in scored.stability.itertuples()})
    assert "200 of its 200 rows are rows of the model's own data file (german_credit.csv)" in stability
    # a scored file that is the whole training file compares nothing
    whole = ScoredPopulation("german_credit.csv", scored.stability, len(german), len(german), len(german))
    again = " ".join(_section(build_document(german_net, german, data_name="german_credit.csv", explained_rows=10,
                                             scored=whole), "stability").split())
    assert "No population outside the training data has been compared yet" in again
    assert "'german_credit.csv', is the training file itself" in again


def test_fairness_headers_are_readable_and_quality_findings_name_their_columns(champion_document):
    fairness = champion_document.to_html().split("<section id='fairness'>")[1].split("</section>")[0]
    headers = re.findall(r"<th>(.*?)</th>", fairness)
    assert headers == ["group", "rows", "events", "approval rate", "adverse impact ratio", "true positive rate",
                       "false positive rate", "AUC within the group", "four-fifths rule"]
    for raw in ("approval_rate", "adverse_impact_ratio", "<th>tpr", "<th>fpr", ">True<", ">False<"):
        assert raw not in fairness
    assert re.search(r"<td>\d+\.\d%</td>", fairness)  # rates in percent
    data = champion_document.to_html().split("<h3>Quality findings</h3>")[1].split("</table>")[0]
    cells = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", data)
    assert cells and all(c.strip() for c in cells)
    assert "present_residence_since" in cells[0]  # the 'may be category codes' finding names its columns


def test_the_rows_of_a_file_are_found_among_training_rows_whatever_their_types():
    from finmodels.delivery.population import rows_among

    training = pd.DataFrame({"age": [25, 40, 31], "purpose": ["car", "tv", "car"]})
    scored = pd.DataFrame({"age": [25.0, 40.0, 99.0], "purpose": ["car ", "tv", "car"], "score": [0.1, 0.2, 0.3]})
    assert rows_among(scored, training, ["age", "purpose"]) == 2
