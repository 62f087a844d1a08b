"""What a session computes once and keeps until its inputs change: evaluation figures, the explanation, a
bundle loaded on the Score page and the file scored there.

Each cache lives in `st.session_state` (one user's, never shared) under a key named in ui/state.py. Slow
work shows a spinner; the project's own errors become messages and the function returns None.
"""

from __future__ import annotations

import streamlit as st

from finmodels.data.reading import load_csv
from finmodels.delivery.report import run_figures
from finmodels.delivery.scoring import score_file
from finmodels.errors import FinModelsError
from finmodels.explain.explanation import explain_result
from finmodels.models.bundle import load_bundle
from ui import state
from ui.messages import show_error


def evaluation_figures(result) -> dict:
    """The Evaluate page's figures of `result`, built on the first visit and reused until the run changes."""
    cached = st.session_state.get(state.FIGURES)
    if cached is None or cached[0] is not result:
        cached = (result, run_figures(result))
        st.session_state[state.FIGURES] = cached
    return cached[1]


def explanation(result):
    """The SHAP explanation of the current run, computed once; None (after a message) when it cannot be."""
    explained = st.session_state.get(state.EXPLANATION)
    if explained is None:
        with st.spinner("Computing SHAP values on the test rows (a few seconds for a dense network, up to a minute "
                        "for a recurrent one)..."):
            try:
                explained = explain_result(result)
            except FinModelsError as exc:
                show_error(exc)
                return None
        st.session_state[state.EXPLANATION] = explained
    return explained


def loaded_bundle(upload):
    """The model bundle in an uploaded zip, checked and loaded once per file; None when it does not load."""
    kept = st.session_state.get(state.LOADED_BUNDLE)
    if kept is None or kept[0] != upload.file_id:
        with st.spinner("Checking and loading the bundle (no code from the file is run)..."):
            try:
                st.session_state[state.LOADED_BUNDLE] = (upload.file_id, load_bundle(upload.getvalue()))
            except FinModelsError as exc:
                st.session_state.pop(state.LOADED_BUNDLE, None)
                show_error(exc)
    kept = st.session_state.get(state.LOADED_BUNDLE)
    return None if kept is None else kept[1]


def scored_file(upload, model, *, threshold: float | None):
    """`(file name, ScoredFile)` of an uploaded file scored by `model`, rescored only when the file, the model or
    the threshold changes; None when it cannot be scored."""
    key = (upload.file_id, id(model), threshold)
    scored = st.session_state.get(state.SCORED)
    if scored is None or scored[0] != key:
        with st.spinner("Scoring, explaining each row and checking stability..."):
            try:
                frame = load_csv(upload.getvalue())
                scored = (key, upload.name, score_file(model, frame, threshold=threshold))
            except FinModelsError as exc:
                show_error(exc)
                return None
        st.session_state[state.SCORED] = scored
    return scored[1], scored[2]
