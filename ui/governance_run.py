"""Which run the Governance page analyses, said at its top, and what the model document is told about it.

The page works on the session's current run (the last trained, or the one opened on the Runs page), which need
not be the area's champion, the model Score uses by default. `run_banner` names the run (its name, id and when it
was trained) and, when the area's champion is another run, says so with a button that opens the champion here, as
the Runs page's 'Open this run' does. `document_inputs` gathers what the document states about the run: its
identity in the workspace (`ModelIdentity`: champion or not, its bundle's SHA-256), the decision's costs, and the
file last scored with it on Score (its PSI is the document's stability section).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from finmodels.delivery.population import ScoredPopulation, rows_among
from finmodels.delivery.provenance import ModelIdentity
from finmodels.errors import FinModelsError
from ui import caches, score_views, session, state
from ui.results import describe_result

CHAMPION_NOTE = "governance_champion_note"  # set when the champion was opened here: said once above the page


def _kept(run_id: str | None) -> bool:
    return bool(run_id) and not str(run_id).startswith("local-")


def area_runs() -> tuple[dict, str | None] | None:
    """({run id: RunSummary} of the area's runs, the champion's run id or None); None when the workspace cannot be
    read (nothing is then said about a champion)."""
    try:
        space = session.workspace()
        return {r.run_id: r for r in space.list_runs()}, space.champion()
    except FinModelsError:
        return None


def _when(summary) -> str:
    return f"trained {summary.started:%Y-%m-%d %H:%M} UTC" if summary is not None else "trained in this session"


def run_banner(result) -> None:
    """The run analysed, named at the top of the page; the champion, when it is another run, with a button to open
    it here."""
    found = area_runs()
    runs, champion = found or ({}, None)
    run_id = getattr(result, "run_id", None)
    summary = runs.get(run_id)
    kept = _kept(run_id)
    where = f"run `{run_id[:8]}` · {_when(summary)}" if kept else "not kept in the workspace (a run of this session)"
    role = (" · :material/military_tech: **the champion of this area**" if kept and run_id == champion else "")
    st.markdown(f"Analysing **{describe_result(result)}** · {where}{role}")
    opened = st.session_state.pop(CHAMPION_NOTE, None)
    if opened:
        st.success(f"Opened the champion, run {opened[:8]}: the fairness and the document below are the champion's.",
                   icon=":material/military_tech:")
    if found is None:
        return
    if champion is None:
        st.caption(f"Workspace area **{session.area()}** has no champion yet: promote the run the Score page should "
                   "use on the **Runs** page.")
        return
    if champion == run_id:
        return
    other = runs.get(champion)
    from finmodels.delivery.runs import summary_name

    named = f"**{summary_name(other)}**, {_when(other)}" if other is not None else f"run {champion[:8]}"
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.warning(f"This is not the area's champion (the model Score uses by default): the champion is {named}. "
                 "A document written here describes the run named above.", icon=":material/warning:")
    if right.button("Open the champion here", key="governance_open_champion", icon=":material/military_tech:",
                    help="Make the champion the current run, as **Open this run** on the Runs page does: Evaluate, "
                         "Explain, Score and Report then show it too."):
        champion_run = caches.kept_run(champion)
        if champion_run is not None:
            state.set_run(champion_run)
            st.session_state[CHAMPION_NOTE] = champion
            st.rerun()


def identity(result) -> ModelIdentity:
    """The run as the document names it: id, name, area, champion, when trained, its bundle's SHA-256 (when the
    workspace keeps the bundle) and its training data's name and fingerprint."""
    run_id = getattr(result, "run_id", None)
    info = result.data_info or {}
    found = area_runs() if _kept(run_id) else None
    runs, champion = found or ({}, None)
    digest = None
    if _kept(run_id):
        try:
            digest = hashlib.sha256(session.workspace().bundle_bytes(run_id)).hexdigest()
        except FinModelsError:
            digest = None
    summary = runs.get(run_id)
    return ModelIdentity(run_id=run_id, name=describe_result(result), area=session.area(),
                         champion=None if found is None else (champion or ""),
                         trained=summary.started if summary is not None else None, bundle_sha256=digest,
                         data_name=info.get("name"), data_fingerprint=info.get("fingerprint"))


def decision(result, at: float):
    """(the costs the threshold was chosen with, where the threshold came from as a clause) of a binary run: this
    session's choice on Evaluate, else the one kept with the run, else the least cost at the default costs (the
    threshold `at` is `ui.decisions.decision_threshold`'s, which follows the same order)."""
    from finmodels.delivery.report import default_decision
    from finmodels.evaluation.thresholds import DEFAULT_COSTS
    from ui.decisions import chosen_here, report_decision

    chosen = report_decision(result)
    if chosen_here(result):
        return (chosen.costs if chosen is not None else DEFAULT_COSTS), f"the threshold is {at:.2f}, set on the Evaluate page"
    chosen = chosen or default_decision(result)
    return chosen.costs, f"the threshold is {at:.2f}, {chosen.chosen}"


def scored_population(result) -> ScoredPopulation | None:
    """The file last scored with this run on the Score page (in this session, else kept for the area), with how many
    of its rows are rows of the run's own data file; None when none was."""
    key = score_views.model_key(result)
    here = st.session_state.get(state.SCORED)
    if here is not None and here[0][1] == key:
        name, scored = here[1], here[2]
    else:
        found = score_views.area_scored()  # the area's last scored file, kept in the server's memory (a reload)
        if found is None or found.get("model") != key:
            return None
        name, scored = found["name"], found["scored"]
    frame = result.frame
    rows = int(scored.stability.attrs.get("rows") or len(scored.table))
    try:
        features = list(result.features)
    except AttributeError:  # no preprocessing read back with the run
        features = list(result.config.features or [])
    inside = rows_among(scored.table, frame, features) if frame is not None else None
    return ScoredPopulation(name, scored.stability, rows, inside, len(frame) if frame is not None else None)


def scored_caption(scored: ScoredPopulation | None) -> str:
    """What the document's stability section will compare, for the caption above the button."""
    if scored is None:
        return ("Stability: no file was scored with this run on the **Score** page yet, so the document will say that "
                "no population outside the training data has been compared. Score a recent file there first.")
    if scored.is_training_file:
        return (f"Stability: the file last scored with this run, *{scored.name}*, is the training file itself; the "
                "document will say that no population outside the training data has been compared.")
    return f"Stability: the PSI of *{scored.name}* ({scored.rows:,} rows), the file last scored with this run on **Score**."
