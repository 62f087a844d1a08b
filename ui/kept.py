"""Results kept with the current run in the workspace, seen from the pages: fairness, what-ifs, the search, the
decision set on Evaluate (`ui.decisions`), and the explanations computed on Explain (`keep_explanation`), so the
Report in a new tab, after a reload or a restart, includes the explanation the analyst saw.

A run trained in this session (or opened from the Runs page) lives in the session's workspace area; what the
analyst keeps with it (`finmodels.runtime.records.keep_result`) is read back once per run and session, and the
Report page's HTML shows it. A run that was not kept in a workspace (id 'local-...') keeps nothing.
"""

from __future__ import annotations

import json

import streamlit as st

from finmodels.data.tasks import BINARY
from finmodels.errors import FinModelsError
from ui.messages import show_error

KEPT = "kept_results"  # {run id: {kind: content}} read from the workspace in this session
EXPLAINED = "kept_explanations"  # {run id: {class explained or "": record}}, the last kept last, in this session
EXPLANATIONS = "explanations.json"  # the run's artifact that holds them
FAIRNESS_KEPT = "kept_fairness_signature"  # (run id, columns and threshold) of the fairness last kept


def _workspace(result):
    from finmodels.runtime.workspace import Workspace
    from ui.session import workspace

    area = (result.data_info or {}).get("area")
    here = workspace()
    return here if not area or area == here.area else Workspace(area=area)  # a colleague's run, in their area


def keepable(result) -> bool:
    """Whether the run is kept in a workspace, so results can be kept with it."""
    run_id = getattr(result, "run_id", None)
    return bool(run_id) and not run_id.startswith("local-")


def kept(result) -> dict:
    """What the run keeps ({'fairness', 'whatif', 'search', 'decision'}, each only when kept), read once per
    session."""
    if not keepable(result):
        return {}
    cache = st.session_state.setdefault(KEPT, {})
    if result.run_id not in cache:
        from finmodels.runtime.records import kept_results

        try:
            cache[result.run_id] = kept_results(_workspace(result), result.run_id)
        except FinModelsError:  # the run left the workspace: nothing to show
            cache[result.run_id] = {}
    return cache[result.run_id]


def keep(result, kind: str, payload) -> bool:
    """Keep `payload` with the run under `kind`; False after a message when it cannot be."""
    if not keepable(result):
        st.info("This run was not kept in a workspace, so nothing can be kept with it. Train it again here.")
        return False
    from finmodels.runtime.records import keep_result

    try:
        value = keep_result(_workspace(result), result.run_id, kind, payload)
    except FinModelsError as exc:
        show_error(exc)
        return False
    st.session_state.setdefault(KEPT, {}).setdefault(result.run_id, {})[kind] = value
    return True


def keep_fairness(result) -> None:
    """Keep the fairness reports the Governance page drew for the run (its chosen protected columns at the current
    threshold) with the run, once per set of columns and threshold, and say so."""
    from ui import governance

    # fairness, and so its threshold, is only drawn for a binary run on its file (a rating or forecast run has none)
    if not keepable(result) or getattr(result, "kind", BINARY) != BINARY or result.frame is None:
        return
    at = governance.threshold(result)[0]
    chosen = st.session_state.get("governance_protected") or []
    drawn = {column: report for (run, column, threshold), report in st.session_state.get(governance.FAIRNESS, {}).items()
             if run == result.run_id and threshold == at and column in chosen
             and not isinstance(report, FinModelsError)}
    if not drawn:
        return
    signature = (result.run_id, tuple(sorted(drawn)), at)
    if st.session_state.get(FAIRNESS_KEPT) != signature:
        if not keep(result, "fairness", {c: r.to_dict() for c, r in drawn.items()}):
            return
        st.session_state[FAIRNESS_KEPT] = signature
    st.caption(f"Kept with run {result.run_id[:8]} in the workspace ({', '.join(sorted(drawn))}); the **Report** "
               "page's HTML includes them.")


def _explanation_records(result) -> dict:
    """{class explained or '': finmodels.explain.stored record} kept with the run, read once per session when there
    are some (none yet is asked again: another tab may explain the run meanwhile)."""
    if not keepable(result):
        return {}
    cache = st.session_state.setdefault(EXPLAINED, {})
    if result.run_id not in cache:
        try:
            cache[result.run_id] = json.loads(_workspace(result).read_artifact(result.run_id, EXPLANATIONS))
        except (FinModelsError, ValueError):  # not explained yet, or the run left the workspace
            return {}
    return cache[result.run_id]


def kept_explanation(result, target_class: str | None = None):
    """The explanation kept with the run: of `target_class` when given, else the last one kept; its rows from the
    run's data when the workspace keeps none (a `KeptExplanation`, holding only its top rows' reason codes, when
    the data is not at hand either). None when none was kept."""
    from finmodels.explain.stored import explanation_from_record

    records = _explanation_records(result)
    key = str(target_class) if target_class is not None else next(reversed(records), None)
    if records.get(key) is None:
        return None
    try:
        return explanation_from_record(records[key], result.frame)
    except FinModelsError:  # written by another version: computed again when asked
        return None


def keep_explanation(result, explanation) -> bool:
    """Keep `explanation` with the run (replacing the one of its class), the explained rows only where the workspace
    keeps data; False after a message when it cannot be."""
    if not keepable(result):
        return False
    from finmodels.explain.stored import explanation_record

    space = _workspace(result)
    records = st.session_state.setdefault(EXPLAINED, {}).setdefault(result.run_id, _explanation_records(result))
    key = str(explanation.target_class or "")
    records.pop(key, None)
    records[key] = explanation_record(explanation, rows=space.keep_data)
    try:
        space.add_artifact(result.run_id, EXPLANATIONS, json.dumps(records))
    except FinModelsError as exc:
        show_error(exc)
        return False
    return True


def explained_class(result) -> str | None:
    """The class of the explanation last explained with the run (in any tab), for a new tab's Explain page to start
    from, as the Report of that tab does; None when none is kept (or the run explains no class)."""
    return next(reversed(_explanation_records(result)), None) or None


def mark_explained(result, target_class: str | None) -> None:
    """Make `target_class` the run's last explained class when its explanation is kept but another was kept after it
    (the analyst went back to it), so a new tab's Explain and Report show the class this tab shows."""
    records, key = _explanation_records(result), str(target_class or "")
    if key not in records or next(reversed(records)) == key:
        return
    records[key] = records.pop(key)
    try:
        _workspace(result).add_artifact(result.run_id, EXPLANATIONS, json.dumps(records))
    except FinModelsError as exc:
        show_error(exc)
