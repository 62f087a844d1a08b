"""Widget values that survive page switches.

Streamlit forgets a widget's value when a run of the script does not draw it, which happens whenever the
user opens another page. `remember` seeds each widget key from a shadow copy before the widgets are drawn,
and `store` updates the copy after, so a form comes back as the user left it.
"""

from __future__ import annotations

import streamlit as st

_PREFIX = "_kept_"


def remember(defaults: dict[str, object]) -> None:
    """Give each widget key its last value (or `defaults`) before the widget is drawn without a default."""
    for key, default in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = st.session_state.get(_PREFIX + key, default)


def last_value(key: str, default=None):
    """A widget's value: its own key while its page is drawn, else the shadow copy `store` kept of it (another page
    can read what the user chose there)."""
    value = st.session_state.get(key)
    return value if value is not None else st.session_state.get(_PREFIX + key, default)


def store(keys) -> None:
    """Copy the widgets' current values to their shadow keys."""
    for key in keys:
        if key in st.session_state:
            st.session_state[_PREFIX + key] = st.session_state[key]


_FOLLOWED = "_followed_"


def follow(key: str, value, *, source) -> None:
    """Let widget `key` follow a computed `value` (the least-cost threshold): set it whenever `source` (what the
    value is computed from: the run and the costs) changes; otherwise keep what the user set, across page switches.
    Call `store([key])` after drawing the widget."""
    if st.session_state.get(_FOLLOWED + key) != source:
        st.session_state[_FOLLOWED + key] = source
        st.session_state[key] = st.session_state[_PREFIX + key] = value
    else:
        remember({key: value})
