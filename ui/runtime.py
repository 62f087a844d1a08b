"""Process-wide settings of the Streamlit runtime that training in a background thread depends on.

After every script run (and every fragment run), Streamlit 1.67 calls `keras.backend.clear_session()` when
Keras is loaded (`streamlit.runtime.scriptrunner.script_runner._clean_problem_modules`). That call replaces
Keras' per-thread state for every thread and clears TensorFlow's kernel cache. With a model training in a
session's background thread, and several users on one server, it races with `fit()`: measured here, the
training thread and the script thread deadlocked at the first epoch. The models this app trains live in
`st.session_state` and are released by dropping them (finmodels.delivery.runs), so the clear is not needed; we keep
Streamlit's other cleanup (closing matplotlib figures) and skip the Keras one.
"""

from __future__ import annotations

import sys

_PATCHED = "_finmodels_keeps_keras_state"


def _clean_problem_modules_except_keras() -> None:
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:  # same tolerance as Streamlit's own cleanup: never crash the app over it
            pass


def keep_keras_state() -> bool:
    """Stop Streamlit from clearing the Keras session after each script run; True once in effect."""
    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner, _PATCHED, False):
        return True
    if not hasattr(script_runner, "_clean_problem_modules"):
        return False  # a Streamlit release without the clear: nothing to do
    script_runner._clean_problem_modules = _clean_problem_modules_except_keras
    setattr(script_runner, _PATCHED, True)
    return True
