"""The decision threshold of a binary run, the same on every page.

Evaluate sets it (the slider starts at the least-cost threshold at the default costs, then follows the analyst's
costs or hand); Explain's what-if, Governance's fairness and model document, and the report take the one set for
this run, else that same least-cost default, so one row never gets two decisions on two pages. A threshold set
for another run is not used for this one.
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


def default_threshold(result) -> float:
    """The least-cost threshold at the default costs on the slider's grid (what Evaluate starts from and what the
    report uses when none was set), computed once per run in this session."""
    cache = st.session_state.setdefault(_DEFAULTS, {})
    key = run_key(result)
    if key not in cache:
        from finmodels.delivery.report import default_decision

        cache[key] = default_decision(result).threshold
    return cache[key]


def decision_threshold(result) -> tuple[float, str]:
    """(threshold, a phrase saying where it came from) for a binary run."""
    chosen = st.session_state.get(state.THRESHOLD)
    if chosen is not None and st.session_state.get(THRESHOLD_RUN) == run_key(result):
        return float(chosen), f"{float(chosen):.2f}, as set on the **Evaluate** page"
    at = default_threshold(result)
    return at, (f"{at:.2f}, the least-cost threshold at the default costs, as the **Evaluate** page starts (set "
                "your own there)")
