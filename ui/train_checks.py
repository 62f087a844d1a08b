"""What the Train page says before the analyst presses Train: the Data page's problems that stop training.

The Data page counts "N to fix before training"; the Train page shows the same problems up front, with a link
back, and keeps its Train button disabled until they are fixed, rather than letting training fail on them.
"""

from __future__ import annotations

import streamlit as st

from finmodels.data.validation import DataCheck, check_data
from ui import data_choices, navigation, state

_CHECK = "_train_check"  # (frame, signature of the choices, DataCheck) when the Data page's own check is not there


def data_check(current: state.Dataset, target: str | None) -> DataCheck:
    """The loaded table checked with the Data page's choices (target, roles, event label): the Data page's own check
    when it is for this table and these choices, else checked here once (a file loaded from the home page)."""
    ours = st.session_state.get(data_choices.FOR) is current
    roles = (st.session_state.get(data_choices.ROLES) or {}) if ours else {}
    signature = data_choices.check_signature(target, roles)
    cached = st.session_state.get(data_choices.CHECK)
    if ours and cached is not None and cached[0] == signature:
        return cached[1]
    kept = st.session_state.get(_CHECK)
    if kept is None or kept[0] is not current.frame or kept[1] != signature:
        kept = (current.frame, signature, check_data(current.frame, target=target, roles=roles,
                                                     event_label=signature[2]))
        st.session_state[_CHECK] = kept
    return kept[2]


def show_blocking(current: state.Dataset, target: str | None) -> bool:
    """Show the problems that stop training (one error each, as the Data page words them) and a link to the Data
    page; True when there are any, so the page disables Train. A price file's gaps in dates (a warning, not
    blocking) are said here too, before training spans them."""
    check = data_check(current, target)
    for problem in check.warnings:  # a price file's gap in dates: said again here, before the run spans it
        if problem.code == "date_gaps":
            st.warning(problem.message)
    errors = check.errors
    if not errors:
        return False
    st.markdown(f"**{len(errors)} problem{'s' if len(errors) != 1 else ''} to fix on the Data page before "
                "training** (Train is disabled until then):")
    for problem in errors:
        st.error(data_choices.problem_message(problem, current.frame, check))
    navigation.link_to(navigation.DATA)
    return True
