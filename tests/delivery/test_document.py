"""The model document of a run and of a bundle on German credit: SR 11-7 sections in order, values computed from
the model and the file, escaped text, and one copy of plotly's JavaScript."""

import datetime as dt
import hashlib
import html
import re

import numpy as np
import pytest

from finmodels.delivery.document import SECTIONS, build_document, data_fingerprint
from finmodels.errors import ConfigError
from tests.conftest import ROOT

GERMAN_CSV = ROOT / "assets" / "samples" / "german_credit.csv"
WHEN = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def bundle(german_net, tmp_path_factory):
    from finmodels.models.bundle import load_bundle, save_bundle

    path = tmp_path_factory.mktemp("bundles") / "german.zip"
    save_bundle(german_net, path)
    return load_bundle(path)


@pytest.fixture(scope="module")
def run_document(german_net, german):
    return build_document(german_net, german, data_name="german_credit.csv", raw=GERMAN_CSV.read_bytes(),
                          protected=["age_in_years", "personal_status_and_sex", "foreign_worker"], threshold=0.4,
                          explained_rows=60,
                          created=WHEN)


def _headings(text: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", text)


def test_sections_follow_sr_11_7_in_order(run_document):
    text = run_document.to_html()
    assert _headings(text) == [f"{i}. {title}" for i, (_, title) in enumerate(SECTIONS, start=1)]
    # plotly's JavaScript inline, once: the file opens offline
    assert 'src="https://cdn.plot.ly' not in text and text.count("* plotly.js v") == 1
    assert "Model document: Credit default model" in text
    assert "generated 2026-11-30 12:00 UTC" in text


def test_data_section_has_the_shape_and_the_files_hash(run_document):
    text = run_document.to_html()
    assert hashlib.sha256(GERMAN_CSV.read_bytes()).hexdigest() in text
    assert "<td>1,000</td>" in text and "<td>21</td>" in text
    assert "Share of &#x27;bad&#x27; in &#x27;creditability&#x27;: 30.0% of 1,000 rows with an outcome." in text
    assert "The run&#x27;s split: train 640 rows, valid 160 rows, test 200 rows" in text


def test_performance_compares_the_network_with_the_baselines_and_the_scorecard(run_document, german_net):
    test = run_document.findings["test"]
    assert set(test) == {"Neural network", "logistic_regression", "hist_gradient_boosting", "scorecard"}
    assert test["scorecard"]["roc_auc"] == pytest.approx(german_net.baselines["scorecard"].metrics["roc_auc"])
    text = run_document.to_html()
    assert "<th>Scorecard</th>" in text and "<h3>The scorecard challenger</h3>" in text
    assert "Information value per feature" in text  # the IV chart's title
    # the run's own scorecard is shown, so none is fitted again
    assert "scorecard_on_file" not in run_document.findings
    assert run_document.findings["file"]["roc_auc"] == pytest.approx(
        __import__("sklearn.metrics").metrics.roc_auc_score(german_net.y, german_net.predict(german_net.frame)))


def test_stability_and_explainability(run_document, german_net):
    # the training file against its own training rows shows nothing: no PSI table of zeros (new user's trial 4)
    assert "psi" not in run_document.findings and run_document.findings["stability_of"] is None
    assert "No population outside the training data has been compared yet" in run_document.to_html()
    importance = run_document.findings["importance"]
    assert set(importance) == set(german_net.features)
    text = run_document.to_html()
    assert "<h3>Reason codes</h3>" in text and text.count("A held-out row (") == 0  # named as the Explain page does
    assert len(re.findall(r"<p>Line \d+ of the file \(default probability 0\.\d{3}\):", text)) == 3


def test_fairness_section_has_each_protected_column(run_document, german_net):
    """A run's document counts the run's 200 held-out test rows with the Governance page's function and rules: the
    same groups and rates, the same refusals. It counted all 1,000 rows (800 of them training and validation rows):
    '<25' at 0.343 in the document against 0.30 on the page, and 'foreign_worker' flagged at 0.64 where the page
    refused it ('no' has 8 held-out rows)."""
    from finmodels.evaluation.fairness import run_fairness

    page = run_fairness(german_net, protected=["age_in_years", "personal_status_and_sex", "foreign_worker"],
                        threshold=0.4)
    fairness = run_document.findings["fairness"]
    assert list(fairness) == ["age_in_years"]  # the two others refused, as on the page
    age = fairness["age_in_years"]
    assert age == page["age_in_years"].to_dict() and age["threshold"] == 0.4
    assert sum(g["rows"] for g in age["groups"].values()) == 200
    test = german_net.frame.iloc[german_net.split.test]
    young = (test["age_in_years"] < 25).to_numpy()
    assert age["groups"]["<25"]["approval_rate"] == pytest.approx(np.mean(german_net.test_scores[young] < 0.4))
    text = html.unescape(run_document.to_html())
    assert "On the run's 200 held-out test rows. The training and validation rows are not counted" in text
    assert "Groups need at least 30 rows." in text
    for column in ("personal_status_and_sex", "foreign_worker"):
        assert f"'{column}' could not be analysed:" in text
        assert page[column].problems[0] in text  # the page's message, word for word
    assert "Protected column 'foreign_worker' has 1 group under 30 rows: 'no' (" in text
    assert "Adverse impact ratio by 'age_in_years'" in text  # the chart's title, in plotly's JSON
    assert "'age_in_years' is one of the model's inputs." in text
    assert "Monitoring plan" in text and "The decision threshold (0.4)" in text


def test_a_bundle_refits_the_scorecard_and_says_so_and_small_groups_are_reported(bundle, german):
    document = build_document(bundle, german, data_name="german_credit.csv", protected=["purpose"],
                              explained_rows=40, created=WHEN)
    # the same split and rows as the run's own scorecard: the same held-out AUC
    assert document.findings["scorecard_on_file"]["roc_auc"] == pytest.approx(
        bundle.manifest["baselines"]["scorecard"]["roc_auc"], abs=1e-9)
    text = document.to_html()
    assert "The scorecard&#x27;s tables below come from a scorecard fitted again for this document" in text
    assert "On all 1,000 rows of german_credit.csv; if the file holds the model&#x27;s training rows" in text
    assert "&#x27;purpose&#x27; could not be analysed:" in text
    assert "Protected column &#x27;purpose&#x27; has 4 groups under 30 rows: &#x27;repairs&#x27; (22 rows)" in text
    assert re.search(r"Line \d+ of the file \(default probability 0\.\d{3}\):", text)


def test_without_protected_columns_the_section_says_how_to_add_it(bundle, german):
    text = build_document(bundle, german.head(300), data_name="sample", explained_rows=20).to_html()
    assert ("No protected columns were given, so fairness was not analysed. Generate the document with the "
            "protected columns") in text


def test_text_from_the_data_and_the_user_is_escaped(bundle, german):
    rows = german.copy()
    rows.loc[:59, "personal_status_and_sex"] = "<img src=x onerror=alert(1)>"
    document = build_document(bundle, rows, data_name="<b>file</b>.csv", purpose="<script>alert(2)</script>",
                              protected=["personal_status_and_sex"], explained_rows=20)
    text = document.to_html()
    assert "<img src=x" not in text and "<script>alert(2)" not in text and "<b>file</b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "&lt;script&gt;alert(2)&lt;/script&gt;" in text


def test_a_file_without_the_models_columns_is_refused(bundle, german):
    with pytest.raises(Exception, match="duration_in_month"):
        build_document(bundle, german.drop(columns="duration_in_month"), data_name="x")
    with pytest.raises(ConfigError, match="Rows to explain must be at least 1; got 0."):
        build_document(bundle, german, data_name="x", explained_rows=0)


def test_fingerprint_is_of_the_bytes_when_given(german):
    assert data_fingerprint(german, b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert data_fingerprint(german) == hashlib.sha256(german.to_csv(index=False).encode()).hexdigest()


def test_a_blended_runs_bundle_documents_the_blend_and_its_cross_fitting(german_run, german, tmp_path):
    """A bundle keeps how its model was fitted: the document of a blended run's bundle names the blend, both
    architectures' settings and the cross-fitting, as the dashboard's document of the run does."""
    from finmodels.models.bundle import load_bundle, save_bundle
    from finmodels.models.training.blend import network_title

    save_bundle(german_run, tmp_path / "blend.zip")
    loaded = load_bundle(tmp_path / "blend.zip")
    weights = german_run.details["blend_weights"]
    assert loaded.details["blend_weights"] == weights and loaded.settings == german_run.settings
    assert loaded.title == network_title("mlp", weights) and loaded.title.startswith("Blend of ")
    for source in (loaded, german_run):
        text = build_document(source, german, data_name="german_credit.csv", explained_rows=20,
                              created=WHEN).to_html()
        assert html.escape(f"Architecture: {network_title('mlp', weights)}, weighted on out-of-fold predictions.",
                           quote=False) in text
        assert "average of 5 networks cross-fitted on the training and validation rows" in text
        assert "the validation rows stop it early" not in text
        cells = re.sub(r"\s+", "", text)  # the settings table's rows, whitespace aside
        assert "<td>dcn:rank</td><td>32</td>" in cells and "<td>mlp:units</td><td>16</td>" in cells


def test_the_training_line_says_one_network_where_one_was_fitted():
    """An anomaly run keeps the resolved ensemble setting (5 members, a blend) but fits one network: its document
    must not claim cross-fitting; a table run with a target and 5 members does cross-fit."""
    from finmodels.data.tasks import ANOMALY, BINARY
    from finmodels.delivery.sections import training_text
    from finmodels.models.preprocessing import PreprocessConfig
    from finmodels.models.training import FitDefaults, TrainConfig

    settings = FitDefaults(64, 1e-3, PreprocessConfig(), members=5, blend=("dcn",))
    one = training_text(TrainConfig(target=None, task="anomaly", arch="vae"), settings, {}, kind=ANOMALY)
    assert one.startswith("Training: the network is fitted on the training rows; the validation rows stop it early")
    five = training_text(TrainConfig(target="creditability"), settings, {"mlp": 0.3, "dcn": 0.7}, kind=BINARY)
    assert five.startswith("Training: each architecture's network is the average of 5 networks cross-fitted")
    assert "blended by the weights above" in five


def test_quality_findings_name_implausible_values_with_their_rows(bundle, german):
    def findings(frame):
        text = build_document(bundle, frame, data_name="german_credit.csv", explained_rows=20, created=WHEN).to_html()
        return text, text.split("<h3>Quality findings</h3>")[1].split("</section>")[0]

    # German credit's own findings since the code checks (d324f99): small whole numbers that may be codes, and a
    # rare one; no implausible value
    _, clean = findings(german)
    assert "may be category codes" in clean and "age_in_years" not in clean
    rows = german.copy()
    rows.loc[[4, 9], "age_in_years"] = [144, 123]
    text, found = findings(rows)
    assert "age_in_years" in found and "144" in found and "123" in found
    assert "No problems found" not in text
    # a finding's lines stay lines in the table's cell
    assert "white-space:pre-line" in text


def test_methodology_says_how_a_small_tables_numbers_are_encoded(run_document):
    text = html.unescape(run_document.to_html())
    assert ("Numbers: auto scaling, no piecewise-linear encoding, no one-hot codes for whole numbers, "
            "missing-value indicators on.") in text
    assert ("Each of the 20 columns also enters as its weight of evidence in the scorecard's bins, fitted on the "
            "training rows.") in text


def test_the_document_explains_as_many_rows_as_the_explain_page(bundle, german):
    """The document's global importance is the Explain page's (and the report's): one number of explained rows,
    `DEFAULT_MAX_ROWS` (1,000), so a run's columns rank the same wherever they are read. The document explained a
    300-row sample: German credit's 1,000 rows then ranked differently in the document and on the page."""
    from finmodels.delivery.document import DEFAULT_EXPLAINED_ROWS
    from finmodels.explain.background import DEFAULT_MAX_ROWS
    from finmodels.explain.explanation import explain_bundle

    assert DEFAULT_EXPLAINED_ROWS == DEFAULT_MAX_ROWS == 1000
    document = build_document(bundle, german, data_name="german_credit.csv", created=WHEN)
    page = explain_bundle(bundle, german)  # what the Explain page computes for this bundle and file
    assert len(page.values) == 1000
    assert document.findings["importance"] == pytest.approx(
        {str(k): float(v) for k, v in page.importance().items()}, rel=1e-9)
