"""The Train form's settings kept per file: a file loaded again (re-uploaded, or back after another file) comes
back with the settings last used on it; a file never trained here starts on the form's defaults, not on the
settings of the file before it (a new user's German settings, the dense network alone for 30 epochs, opened on
their next upload).

Files are told apart by their content (finmodels.runtime.workspace.data_fingerprint), not their name."""

from __future__ import annotations

import streamlit as st

from ui import state

_FORMS = "_train_forms"  # {fingerprint: {session key: value}} of the files left, in this session
_FOR = "_train_form_for"  # the fingerprint of the file the form's current values belong to
_FINGERPRINT = "_train_fingerprint"  # (frame, its fingerprint): hashed once per loaded table


def fingerprint(current: state.Dataset) -> str:
    """The loaded table's fingerprint, computed once per table."""
    kept = st.session_state.get(_FINGERPRINT)
    if kept is None or kept[0] is not current.frame:
        from finmodels.runtime.workspace import data_fingerprint

        kept = (current.frame, data_fingerprint(current.frame))
        st.session_state[_FINGERPRINT] = kept
    return kept[1]


def follow_file(current: state.Dataset, keys) -> None:
    """Before the form is drawn: on another file than the form's values are for, keep those values (session `keys`:
    the widgets, their shadow copies and what the form follows) under their file, and give the form the values kept
    for this file, or none (the widgets then start on their defaults)."""
    now = fingerprint(current)
    was = st.session_state.get(_FOR)
    if was == now:
        return
    if was is None:  # the session's first file: the form's values (if any) are its own
        st.session_state[_FOR] = now
        return
    forms = st.session_state.setdefault(_FORMS, {})
    if was is not None:
        forms[was] = {key: st.session_state[key] for key in keys if key in st.session_state}
    for key in keys:
        st.session_state.pop(key, None)
    st.session_state.update(forms.get(now, {}))
    st.session_state[_FOR] = now
