"""Rendering the project's own errors as messages, one per problem, never as a traceback; and what reading a
file changed."""

from __future__ import annotations

import streamlit as st

from finmodels.errors import DataError, FinModelsError
from ui import state
from ui.navigation import DATA, TRAIN, link_to

MAX_NOTES = 20  # notes of the reading shown; the rest are counted


def show_error(exc: FinModelsError) -> None:
    problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
    for problem in problems:
        st.error(problem)


def require_dataset_message() -> None:
    st.info("No data loaded yet. Load a sample or upload a CSV on the **Data** page.")
    link_to(DATA)


def no_run_message() -> None:
    """Say what to do when there is no trained run yet: load data first, or train."""
    if state.dataset() is None:
        require_dataset_message()
    else:
        st.info("No model trained yet in this session. Train one on the **Train** page; every run is kept.")
        link_to(TRAIN)


def require_run_message():
    """The session's current run; without one, say what to do next and stop the page."""
    result = state.run()
    if result is None:
        no_run_message()
        st.stop()
    return result


def read_notes_message(frame) -> None:
    """What reading the file changed (numbers written as text, NA tokens ...), in an expander open when short."""
    from finmodels.data.reading import read_notes

    notes = read_notes(frame)
    if not notes:
        return
    label = f"While reading the file: {len(notes)} change{'s' if len(notes) > 1 else ''}"
    with st.expander(label, expanded=len(notes) <= 3):
        for note in notes[:MAX_NOTES]:
            st.info(note)
        if len(notes) > MAX_NOTES:
            st.caption(f"... and {len(notes) - MAX_NOTES} more.")
