"""The Explain page's partial dependence view: pick a column, see how the score moves when it moves on 200 test rows
(each row's own line and their average), and read in words whether it rises, falls or turns, and how many rows
disagree. The scoring runs in a worker (`finmodels.explain.dependence.partial_dependence` through
`finmodels.runtime.worker.call_with`, the run's network kept warm there)."""

from __future__ import annotations

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.explain.dependence import DEFAULT_POINTS, DEFAULT_ROWS, DEPENDENCE_KINDS
from finmodels.explain.dependence_notes import notes, thin_note
from finmodels.plots.dependence import plot_partial_dependence
from finmodels.runtime import worker
from ui import runtime
from ui.messages import show_error
from ui.whatif_views import derived_columns, ranges_of

FOUND = "explain_pdp"  # {(run, class, column): PartialDependence} computed in this session
KEPT = 12  # columns kept per session
REPORT_COLUMNS = 3  # the report's partial dependence: the most important columns


def partial_dependence_view(result, explanation) -> None:
    """The column box, the chart and what it shows, for the run's explained class."""
    if result.kind not in DEPENDENCE_KINDS or result.frame is None:
        st.info("Partial dependence scores table rows again with one column moved; this run has no such rows here.")
        return
    column = st.selectbox("Column", list(explanation.importance().index), key="explain_pdp_column",
                          help="Most important first. Every sampled row is scored again with this column set to each "
                               "value across the bulk of its training values (1st to 99th percentile), or to each of "
                               "its codes or levels, the others as they are.")
    found = _computed(result, column, explanation.target_class)
    if found is None:
        return
    st.plotly_chart(plot_partial_dependence(found), key="explain_pdp_chart")
    st.markdown(f"**On average, the {found.score_name} {found.shape}.**")
    thin = thin_note(found)
    if thin:  # thin levels or codes: a warning, not a caption a validator may skip
        st.warning(thin, icon=":material/warning:")
    said = [s for s in notes(found) if s != thin]
    took = "under 0.1 s" if found.seconds < 0.1 else f"{found.seconds:.1f} s"  # not 'scored in 0.0 s'
    st.caption(" ".join(said + [f"{len(found.rows)} test rows, {len(found.grid)} values each, scored in {took}."]))


def _computed(result, column: str, target_class: str | None):
    kept = st.session_state.setdefault(FOUND, {})
    key = (result.run_id or id(result), target_class, column)
    if key not in kept:
        try:
            kept[key] = runtime.run_job(
                worker.call_with, result, "finmodels.explain.dependence:partial_dependence", column=column,
                target_class=target_class, derived=derived_columns(result, ranges_of(result)), rows=DEFAULT_ROWS,
                points=DEFAULT_POINTS, workspace=runtime.workspace_ref(), label="the partial dependence",
                spinner=f"Scoring {DEFAULT_ROWS} test rows at each value of {column}...")
        except FinModelsError as exc:
            show_error(exc)
            return None
        while len(kept) > KEPT:
            kept.pop(next(iter(kept)))
    return kept[key]


def for_report(result, explanation) -> list:
    """The partial dependence of the run's REPORT_COLUMNS most important columns, for the report (the ones Explain
    computed are reused); [] where it does not apply or cannot be computed."""
    if explanation is None or explanation.lag_values is not None or result.kind not in DEPENDENCE_KINDS \
            or result.frame is None:
        return []
    found = [_computed(result, column, explanation.target_class)
             for column in list(explanation.importance().index)[:REPORT_COLUMNS]]
    return [f for f in found if f is not None]
