"""The decision threshold of a binary run, the same on every page, and kept with the run.

Evaluate sets it (the slider starts at the least-cost threshold at the default costs, then follows the analyst's
costs or hand); Explain's what-if, Governance's fairness and model document, Score and the report take the one set
for this run, else that same least-cost default, so one row never gets two decisions on two pages. A threshold set
for another run is not used for this one.

A change on Evaluate is kept with the run in the workspace ('decision': threshold, costs, how it was chosen and
when), once per change, so a reload, the Runs page or a colleague opening the run starts from it. A choice made in
this session wins over what the run keeps.
"""

from __future__ import annotations

import streamlit as st

from ui import state

THRESHOLD_RUN = "threshold_run"  # the run (its id, or its object's id) state.THRESHOLD was set for on Evaluate
_DEFAULTS = "threshold_defaults"  # run key -> its least-cost threshold at the default costs


def run_key(result):
    return getattr(result, "run_id", None) or id(result)


def set_threshold(result, value: float) -> None:
    """Evaluate's slider: the threshold the other pages use for `result`."""
    st.session_state[state.THRESHOLD] = value
    st.session_state[THRESHOLD_RUN] = run_key(result)


def chosen_here(result) -> bool:
    """Whether this session set a threshold for `result` on Evaluate (it then wins over what the run keeps)."""
    return st.session_state.get(state.THRESHOLD) is not None and st.session_state.get(THRESHOLD_RUN) == run_key(result)


def default_threshold(result) -> float:
    """The least-cost threshold at the default costs on the slider's grid (what Evaluate starts from and what the
    report uses when none was set), computed once per run in this session."""
    cache = st.session_state.setdefault(_DEFAULTS, {})
    key = run_key(result)
    if key not in cache:
        from finmodels.delivery.report import default_decision

        cache[key] = default_decision(result).threshold
    return cache[key]


def kept_decision(result) -> dict | None:
    """The decision the run keeps in the workspace ({'threshold', 'costs', 'chosen', 'kept_at'}), or None."""
    from ui.kept import kept

    return kept(result).get("decision") or None


def decision_threshold(result, *, page: str = "**Evaluate**") -> tuple[float, str]:
    """(threshold, a phrase saying where it came from) for a binary run: this session's choice, else the one kept
    with the run, else the least-cost default. `page` names the Evaluate page (in bold on a page; plain for a
    document)."""
    if chosen_here(result):
        chosen = float(st.session_state[state.THRESHOLD])
        return chosen, f"{chosen:.2f}, as set on the {page} page"
    record = kept_decision(result)
    if record is not None:
        from finmodels.delivery.kept import decision_phrase

        at = float(record["threshold"])
        return at, f"{at:.2f}, {decision_phrase(record, page=page)}"
    at = default_threshold(result)
    return at, (f"{at:.2f}, the least-cost threshold at the default costs, as the {page} page starts (set "
                "your own there)")


def report_decision(result):
    """The report's Decision: the one set on Evaluate in this session for this run, else the one the run keeps,
    else None (the report then takes the least cost at the default costs)."""
    from finmodels.delivery.kept import kept_decision as as_decision
    from ui.results import DECISION

    here = st.session_state.get(DECISION)
    if here is not None and here[0] is result:
        return here[1]
    return as_decision({"decision": kept_decision(result)})


def same(a: float, b: float) -> bool:
    return round(float(a), 4) == round(float(b), 4)


def keep_decision(result, threshold: float, costs, *, least: float) -> dict | None:
    """Keep Evaluate's threshold and costs with the run when they differ from what it keeps (or, when it keeps
    nothing, from the default the page starts at): one write per change, none on a rerun. `least` is the least-cost
    threshold on the slider's grid at `costs` (the threshold is 'cost-minimising' when it is that one). Returns
    what the run keeps now (None when nothing)."""
    from finmodels.delivery.kept import decision_record
    from finmodels.evaluation.thresholds import DEFAULT_COSTS
    from ui.kept import keep, keepable

    record = kept_decision(result) if keepable(result) else None
    if record is not None:
        before = (record["threshold"], record["costs"]["false_negative"], record["costs"]["false_positive"])
    else:
        before = (default_threshold(result), DEFAULT_COSTS.false_negative, DEFAULT_COSTS.false_positive)
    if all(same(a, b) for a, b in zip(before, (threshold, costs.false_negative, costs.false_positive))):
        return record
    chosen = "cost-minimising" if same(threshold, least) else "set by hand"
    if not keep(result, "decision", decision_record(threshold, costs, chosen=chosen)):
        return None
    return kept_decision(result)
