"""The Score page (a new user's findings): moving the threshold decides the scored file again without scoring it
again, the last scored file comes back after a page switch or a reload and stays in the Report, the decisions are
named as on the other pages, and a file without drift says no column shifted."""

import numpy as np
import pandas as pd

from tests.pages.test_pages import new_file_bytes, page
from ui.score_views import EXPLAINING, stability_text


def scored_page(credit_state, german):
    at = page("pages/5_Score.py", credit_state)
    at.slider(key="score_threshold").set_value(0.3).run()
    at.get("file_uploader")[-1].set_value(("new_loans.csv", new_file_bytes(german), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def explain_until_done(at) -> None:
    """Run the page as its fragment polls, each time the chunk in a worker has ended, until none is left."""
    work = at.session_state[EXPLAINING]
    while work.running:
        if work.job is not None:
            work.job.wait()
        at.run()
        assert not at.exception, at.exception


def test_moving_the_threshold_decides_again_without_scoring_again(credit_state, german):
    at = scored_page(credit_state, german)
    first = at.session_state["scored"][2]
    at.slider(key="score_threshold").set_value(0.5).run()
    assert not at.exception
    moved = at.session_state["scored"][2]
    assert moved.threshold == 0.5 and moved.scores is first.scores  # the same scores, not a new worker's
    assert ((moved.scores >= 0.5) == (moved.table["decision"] == "bad")).all()
    assert (moved.table["reason codes"][moved.table["decision"] == "not bad"] == "").all()
    assert moved.table["reason codes"][moved.table["decision"] == "bad"].str.contains("raised").all()
    # the tiles and the table name the decisions as the other pages do, not 'Decision: bad' / 'Decision: not bad'
    tiles = {m.label: m.value for m in at.metric}
    flagged = int((moved.scores >= 0.5).sum())
    assert tiles["Flagged: 'bad'"] == f"{flagged:,}" and tiles["Not flagged"] == f"{120 - flagged:,}"
    shown = next(d.value for d in at.dataframe if "reason codes" in d.value)
    assert set(shown["decision"]) == {"flagged: 'bad'", "not flagged"}


def test_the_last_scored_file_comes_back_after_a_page_switch_and_a_reload(credit_state, german):
    scored_page(credit_state, german)
    again = page("pages/5_Score.py", credit_state)  # a new page run without the upload: the Runs page and back
    assert not again.exception
    assert [h.value for h in again.subheader][0] == "new_loans.csv: 120 rows scored, 1 with cells to check"
    assert any(c.value.startswith("The last file scored with this model in your area") for c in again.caption)
    assert len(again.get("plotly_chart")) == 2
    report = page("pages/7_Report.py", {k: v for k, v in credit_state.items() if k != "scored"})
    assert any("the scored file *new_loans.csv* with its flags and drift" in m.value for m in report.markdown)


def test_a_file_without_drift_says_no_column_shifted():
    table = pd.DataFrame({"name": ["score", "person_emp_length", "loan_int_rate"], "psi": [0.0, 0.0004, 0.0]})
    text = stability_text(table, 0.1, 0.25)
    assert text.endswith("No column shifted: every PSI rounds to 0.00.") and "Largest shifts" not in text
    shifted = pd.DataFrame({"name": ["score", "age", "income"], "psi": [0.02, 0.31, 0.0]})
    assert stability_text(shifted, 0.1, 0.25).endswith("Largest shifts: 'age' 0.31.")


def test_the_other_flagged_rows_are_explained_on_request(credit_state, german, monkeypatch):
    from ui import score_views

    monkeypatch.setattr(score_views, "EXPLAIN_UPFRONT", 5)  # a 120-row file flags fewer rows than the page's 500
    at = scored_page(credit_state, german)
    scored = at.session_state["scored"][2]
    flagged = scored.table["decision"] == "bad"
    assert scored.explained_rows == 5 and flagged.sum() > 5
    assert (scored.table["reason codes"][flagged] != "").sum() == 5
    assert any(n.startswith(f"Reason codes for the 5 highest-scored of the {flagged.sum()} flagged rows")
               for n in (c.value for c in at.caption))
    at.button(key="score_explain_rest").click().run()
    assert not at.exception, at.exception
    explain_until_done(at)
    done = at.session_state["scored"][2]
    assert done.table["reason codes"][flagged].str.contains("raised").all()
    assert f"Reason codes for the {flagged.sum()} flagged rows; rows not flagged need none." in done.notes


def test_the_scored_rows_are_named_by_their_line_in_the_file_as_on_the_data_page(credit_state, german):
    """The table numbered rows from 0 while the Data page and every message name rows by their line in the file."""
    at = scored_page(credit_state, german)
    scored = at.session_state["scored"][2]
    shown = next(d.value for d in at.dataframe if "reason codes" in d.value)
    assert shown.index.name == "line" and sorted(shown.index) == list(range(2, 122))
    new = german.drop(columns="creditability").head(120)
    for line in shown.index[:3]:  # the table's line L is the file's line L: the (L - 2)th row under the header
        assert shown.loc[line, "duration_in_month"] == new["duration_in_month"].iloc[line - 2]
        assert shown.loc[line, "reason codes"] == scored.table["reason codes"].iloc[line - 2]
    assert any(c.value.startswith("Rows") and "each named by its line in the file (the header is line 1)" in c.value
               for c in at.caption)


def test_results_scored_with_an_uploaded_bundle_come_back_after_a_reload(credit_state, german):
    """A reload asked for the bundle again (the page stopped at its uploader) although the area's last scored file
    was kept: the bundle is kept with it, in the server's memory."""
    at = page("pages/5_Score.py", credit_state)
    at.button(key="score_prepare_bundle").click().run()
    saved = at.session_state["bundle_bytes"][1]
    at.radio(key="score_source").set_value("bundle").run()
    at.get("file_uploader")[0].set_value(("german_model.zip", saved, "application/zip")).run()
    at.slider(key="score_threshold").set_value(0.3).run()
    at.get("file_uploader")[-1].set_value(("new_loans.csv", new_file_bytes(german), "text/csv")).run()
    assert not at.exception, at.exception
    first = at.session_state["scored"][2]
    # the reload: a new session in the same area, with neither upload nor anything else of the old session
    again = page("pages/5_Score.py", {"_session_area": credit_state["_session_area"]})
    assert not again.exception, again.exception
    assert again.radio(key="score_source").value == "bundle"
    assert next(h.value for h in again.subheader) == "new_loans.csv: 120 rows scored, 1 with cells to check"
    assert any(c.value.startswith("Bundle **german_model.zip** (") and "kept with its results in the server's memory"
               in c.value for c in again.caption)
    assert any(c.value.startswith("The last file scored with this model in your area") for c in again.caption)
    kept = again.session_state["scored"][2]
    assert kept.scores is first.scores and kept.threshold == 0.3  # the kept results, not scored again
    assert again.slider(key="score_threshold").value == 0.3
    tiles = {m.label: m.value for m in again.metric}
    assert tiles["Flagged: 'bad'"] == f"{int((first.scores >= 0.3).sum()):,}"
    # the same bundle uploaded again is the same model: its kept file still shows
    again.get("file_uploader")[0].set_value(("german_model.zip", saved, "application/zip")).run()
    assert not again.exception and again.session_state["scored"][2].scores is first.scores


def test_explaining_the_other_flagged_rows_can_be_cancelled(credit_state, german, monkeypatch):
    """'Explain the rest' had no way to stop: Cancel stops the jobs left, keeps the reason codes written and says how
    many flagged rows are explained and how many are not."""
    from ui import score_views

    monkeypatch.setattr(score_views, "EXPLAIN_UPFRONT", 5)
    monkeypatch.setattr(score_views, "EXPLAIN_CHUNK", 4)  # rows per worker job
    at = scored_page(credit_state, german)
    flagged = int((at.session_state["scored"][2].table["decision"] == "bad").sum())
    assert flagged > 5 + 2 * 4
    at.button(key="score_explain_rest").click().run()
    assert not at.exception, at.exception
    work = at.session_state[EXPLAINING]
    assert work.running and len(work.sent) == 4 and len(work.pending) == flagged - 5 - 4
    assert at.button(key="score_explain_cancel").label == "Cancel"
    assert not [b for b in at.button if b.key == "score_explain_rest"]  # Cancel in its place, not beside it
    assert at.get("progress")[0].proto.text.startswith(
        f"Reason codes for 5 of the {flagged} flagged rows so far (highest score first); the next 4 ")
    work.job.wait()  # the first 4 rows' job ends: the next page run writes their codes and sends the next 4
    at.button(key="score_explain_cancel").click().run()
    assert not at.exception, at.exception
    assert not work.running and work.job is None and work.done == 4  # the second job was dropped, none sent after
    scored = at.session_state["scored"][2]
    codes = scored.table["reason codes"][scored.table["decision"] == "bad"]
    assert (codes != "").sum() == 9 and len(scored.unexplained_flagged()) == flagged - 9
    stopped = (f"Explaining stopped: 9 of the {flagged} flagged rows have their reason codes (the highest-scored); "
               f"the other {flagged - 9} have none yet. Explain them with the button below.")
    assert [i.value for i in at.info] == [stopped]
    assert not [b for b in at.button if b.key == "score_explain_cancel"]
    assert at.button(key="score_explain_rest").label.startswith(f"Explain the other {flagged - 9} flagged rows")
    # asked again, it explains only the rows left, and the message goes
    at.button(key="score_explain_rest").click().run()
    explain_until_done(at)
    done = at.session_state["scored"][2]
    assert done.table["reason codes"][done.table["decision"] == "bad"].str.contains("raised").all()
    assert not at.info


def test_explaining_the_rest_pauses_on_another_page_and_goes_on_when_back(credit_state, german, monkeypatch):
    """The button's help says leaving the page pauses the work: the chunk in a worker is written when the page is
    shown again, and the rest follows."""
    from ui import score_views

    monkeypatch.setattr(score_views, "EXPLAIN_UPFRONT", 5)
    monkeypatch.setattr(score_views, "EXPLAIN_CHUNK", 20)
    at = scored_page(credit_state, german)
    flagged = int((at.session_state["scored"][2].table["decision"] == "bad").sum())
    assert flagged > 5 + 20
    at.button(key="score_explain_rest").click().run()
    work = at.session_state[EXPLAINING]
    at.switch_page("pages/6_Runs.py").run()
    work.job.wait()
    assert work.done == 0 and len(at.session_state["scored"][2].unexplained_flagged()) == flagged - 5
    at.switch_page("pages/5_Score.py").run()
    assert not at.exception, at.exception
    assert work.done == 20 and work.running  # the chunk that ended meanwhile is written, the next one sent
    explain_until_done(at)
    done = at.session_state["scored"][2]  # decided again at the run's threshold, which the page starts from
    explained = done.explained_positions
    assert work.done == flagged - 5 and len(explained) == flagged
    assert set(np.flatnonzero(done.scores >= 0.3)) == set(explained)  # every row flagged when it was asked
