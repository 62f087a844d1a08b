"""The Data page's choices, kept per table: the target and its event label, column roles, the task and the
features. A new table forgets the old table's choices; a new target forgets the old target's event label.

The Train page reads the outcome from ui/state.py (TARGET, EVENT_LABEL, TASK, FEATURES).
"""

from __future__ import annotations

import streamlit as st

from finmodels.data.profiling import pick_target
from finmodels.data.targets import default_event_label
from finmodels.data.validation import DataCheck, check_data
from ui import state

FOR = "data_for"  # the Dataset the choices below belong to
ROLES = "data_roles"  # {column: role} the analyst changed
CHECK = "data_check"  # (signature of the choices, DataCheck)
TASK_FOR = "data_task_for"  # the signature the task and feature widgets were last set from
UPLOAD_ID = "data_upload_id"  # the file id of the last upload read, so a rerun does not read it again


def is_new_upload(uploaded) -> bool:
    """True once per uploaded file: a rerun of the page with the same file in the uploader is not a new upload."""
    if uploaded is None or st.session_state.get(UPLOAD_ID) == uploaded.file_id:
        return False
    st.session_state[UPLOAD_ID] = uploaded.file_id
    return True


def follow_dataset(current: state.Dataset) -> None:
    """On a new table, forget the previous table's choices and pick its target afresh."""
    if st.session_state.get(FOR) is current:
        return
    st.session_state[FOR] = current
    st.session_state[ROLES] = {}
    for key in (CHECK, TASK_FOR, state.FEATURES, state.TASK):
        st.session_state.pop(key, None)
    if st.session_state.get(state.TARGET) not in current.frame.columns:
        st.session_state[state.TARGET] = pick_target(current.frame)[0]


def choose_target(target: str | None) -> None:
    """Keep the analyst's target; a different one forgets the old target's event label."""
    if target != st.session_state.get(state.TARGET):
        st.session_state[state.TARGET] = target
        st.session_state.pop(state.EVENT_LABEL, None)


def event_label_default(labels: list[str], column) -> str:
    """The event label chosen before for this target, else the one the data suggests."""
    chosen = st.session_state.get(state.EVENT_LABEL)
    return chosen if chosen in labels else default_event_label(column)


def checked(frame, target: str | None) -> DataCheck:
    """The table checked with the chosen target, roles and event label, rechecked only when one changes.

    After a new check the task and feature widgets (keys `data_task`, `data_features`) follow the data until the
    analyst changes them.
    """
    roles = st.session_state[ROLES]
    signature = (target, tuple(sorted(roles.items())), st.session_state.get(state.EVENT_LABEL))
    cached = st.session_state.get(CHECK)
    if cached is None or cached[0] != signature:
        cached = (signature, check_data(frame, target=target, roles=roles, event_label=signature[2]))
        st.session_state[CHECK] = cached
    check = cached[1]
    if st.session_state.get(TASK_FOR) != signature:
        st.session_state[TASK_FOR] = signature
        st.session_state["data_task"] = check.profile.task
        st.session_state["data_features"] = list(check.features)
    return check


def keep_task_and_features(task: str, features: list[str]) -> None:
    """Publish the chosen task and features for the Train page."""
    st.session_state[state.TASK] = task
    st.session_state[state.FEATURES] = list(features)


def apply_role() -> None:
    """The role editor's Apply button: one column's role, from widgets `data_role_column` and `data_role_value`."""
    name, role = st.session_state["data_role_column"], st.session_state["data_role_value"]
    st.session_state[ROLES] = {**st.session_state[ROLES], name: role}
