"""Governance says which run it analyses and opens the champion (new user's trial 4, findings 4, 5 and 6): the run's
name, id and training date at the top of the page; when the area's champion is another run, a warning naming it and
a button that makes it the current run, as 'Open this run' does on the Runs page; the document of the champion
names the run, says it is the champion and gives its bundle's SHA-256; a file scored with the run on Score gives
the document's stability section, and without one the document says that no outside population was compared."""

import hashlib
import html
import re
from types import SimpleNamespace

import pytest

from tests.pages.test_pages import kept, page, train_tiny
from ui.state import Dataset


@pytest.fixture(scope="module")
def two_runs(credit_state):
    """Two runs in one area: the module's first (promoted to champion) and a second, the session's current run."""
    from finmodels.runtime.workspace import Workspace

    at = page("pages/2_Train.py", {**credit_state, "run": None})
    train_tiny(at, units="4", epochs=3)
    state = kept(at)
    first, second = credit_state["run"], state["run"]
    assert first.run_id != second.run_id
    Workspace(area=state["_session_area"]).promote(first.run_id)
    return state, first, second


def _banner(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Analysing "))


def test_the_page_names_its_run_and_opens_the_champion_here(two_runs):
    state, champion, current = two_runs
    at = page("pages/8_Governance.py", state)
    assert not at.exception
    banner = _banner(at)
    assert f"run `{current.run_id[:8]}` · trained " in banner and "UTC" in banner and "champion" not in banner
    assert banner.startswith("Analysing **Dense network (MLP) for 'creditability' (Credit default)**")
    warning = next(w.value for w in at.warning if "not the area's champion" in w.value)
    assert f"{champion.run_id[:8]} · Dense network (MLP) · Credit default" in warning
    at.button(key="governance_open_champion").click().run()
    assert not at.exception
    assert at.session_state["run"].run_id == champion.run_id
    assert at.session_state["run"].frame is not None  # its rows put back: the file loaded is its file
    assert f"run `{champion.run_id[:8]}`" in _banner(at) and "the champion of this area" in _banner(at)
    assert any(f"Opened the champion, run {champion.run_id[:8]}" in s.value for s in at.success)
    assert not [w for w in at.warning if "not the area's champion" in w.value]
    # the champion's document names it as such, with its bundle's hash
    at.button(key="governance_document_build").click().run()
    assert not at.exception
    document = html.unescape(at.session_state["governance_document"][2])
    assert f"Model document: Credit default model · run {champion.run_id[:8]}" in document
    assert "yes: the champion of area" in document
    from finmodels.runtime.workspace import Workspace

    bundle = Workspace(area=state["_session_area"]).bundle_bytes(champion.run_id)
    assert hashlib.sha256(bundle).hexdigest() in document
    assert at.session_state["governance_document"][1] == f"model_document_credit_default_{champion.run_id[:8]}.html"
    stability = re.sub(r"<[^>]+>", " ", document.split("<section id='stability'>")[1].split("</section>")[0])
    assert "No population outside the training data has been compared yet" in stability
    assert any("no file was scored with this run on the **Score** page yet" in c.value for c in at.caption)


def test_the_file_scored_on_score_is_the_documents_stability(two_runs):
    from finmodels.data.samples import load_sample
    from finmodels.evaluation.monitoring import stability_report

    state, _, current = two_runs
    german = load_sample("german_credit")
    recent = german.tail(150).drop(columns="creditability")
    # what the Score page keeps after scoring a file with this run (ui.score_views: the file, the model, the threshold)
    stability = stability_report(german.iloc[current.split.train] if current.frame is not None else german, recent,
                                 columns=list(current.features))
    scored = SimpleNamespace(stability=stability, table=recent)
    at = page("pages/8_Governance.py", {**state, "scored": (("file-1", str(current.run_id), 0.2), "recent.csv",
                                                            scored)})
    assert not at.exception
    assert any("the PSI of *recent.csv* (150 rows)" in c.value for c in at.caption)
    at.button(key="governance_document_build").click().run()
    assert not at.exception
    document = html.unescape(at.session_state["governance_document"][2])
    stability_text = " ".join(re.sub(r"<[^>]+>", " ", document.split("<section id='stability'>")[1]
                                     .split("</section>")[0]).split())
    assert "'recent.csv' (150 rows, the file last scored with this model on the Score page)" in stability_text
    assert "150 of its 150 rows are rows of the model's own data file" in stability_text
    assert "no: the champion of area" in document


def test_an_area_without_a_champion_says_so(credit_state):
    at = page("pages/8_Governance.py", {**credit_state, "_session_area": "governance-no-champion",
                                        "dataset": Dataset("german_credit.csv", credit_state["dataset"].frame)})
    assert not at.exception
    assert any("has no champion yet" in c.value for c in at.caption)
