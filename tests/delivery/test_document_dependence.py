"""The model document's partial dependence (new user trial 5: the HTML report had 'How the score moves with its top
columns', the validator's document did not): the three most important columns of the explainability section, each
with its chart and the same words the Explain page says, computed as partial_dependence computes them, for a run
(its test rows) and for a bundle (the file's rows)."""

import datetime as dt
import html
import re
import time

import pytest

from finmodels.delivery.document import build_document
from finmodels.explain.dependence import partial_dependence
from finmodels.explain.dependence_notes import notes
from finmodels.explain.whatif import derived_inputs

WHEN = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.timezone.utc)


def _explainability(text: str) -> str:
    return text[text.index("<section id='explainability'>"):text.index("<section id='fairness'>")]


def _timed(source, frame):
    started = time.perf_counter()
    document = build_document(source, frame, data_name="german_credit.csv", explained_rows=60, created=WHEN)
    seconds = time.perf_counter() - started
    print(f"document built in {seconds:.1f} s, its partial dependence {document.findings['dependence']['seconds']} s")
    return document


def test_a_runs_document_shows_how_the_score_moves_with_its_three_top_columns(german_net, german):
    document = _timed(german_net, german)
    top = list(document.findings["importance"])[:3]
    found = document.findings["dependence"]["columns"]
    assert list(found) == top
    part = _explainability(document.to_html())
    assert "<h3>How the score moves with its top columns</h3>" in part
    assert re.findall(r"<h4>(.*?)</h4>", part) == [html.escape(c) for c in top]
    assert "200 of the run&#x27;s held-out test rows" in part
    for column in top:  # the same figures and words as the Explain page's, from the run's own test rows
        own = partial_dependence(german_net, column, derived=derived_inputs(german_net))
        assert found[column]["average"] == [round(float(v), 6) for v in own.average]
        assert html.escape(f"On average, the {own.score_name} {own.shape}.") in part
        for sentence in notes(own):
            assert html.escape(sentence) in part
    # one more chart per column, plotly's JavaScript still once
    text = document.to_html()
    assert text.count("* plotly.js v") == 1 and part.count("plotly-graph-div") >= 4


def test_a_bundles_document_uses_the_files_rows(german_net, german, tmp_path):
    from finmodels.models.bundle import load_bundle, save_bundle

    path = tmp_path / "german.zip"
    save_bundle(german_net, path)
    bundle = load_bundle(path)
    document = _timed(bundle, german)
    top = list(document.findings["importance"])[:3]
    found = document.findings["dependence"]["columns"]
    assert list(found) == top and all(f["rows"] == 200 for f in found.values())
    part = _explainability(document.to_html())
    assert "200 of the rows of the file documented" in part
    own = partial_dependence(bundle, top[0], frame=german.reset_index(drop=True), derived=derived_inputs(bundle))
    assert found[top[0]]["average"] == pytest.approx([round(float(v), 6) for v in own.average], abs=1e-6)
