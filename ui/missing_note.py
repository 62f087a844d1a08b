"""The Data page's word on missing cells: which columns, how many, their first lines, what they held ('n/a',
blank) and what the model does with them (finmodels.data.tidying.missing_message): a tabular model fills them
(finmodels.models.preprocessing); a price task drops a row without a price (finmodels.data.price_gaps)."""

from __future__ import annotations

import streamlit as st

from finmodels.data.price_gaps import missing_does
from finmodels.data.tasks import FORECAST, TASKS
from finmodels.data.tidying import missing_message


def show(frame, found) -> None:
    """An info box naming the columns with missing cells, when there are any (the target's are a check of their own).
    For a price task (the task chosen on the page, else the profile's), what the price series do with them."""
    task = TASKS.get(st.session_state.get("data_task") or found.task, TASKS[found.task])
    does = None
    if found.target is None and task.kind == FORECAST:
        def does(columns):
            return missing_does(frame, columns, task.label)
    message = missing_message(frame, found.target, does=does)
    if message:
        st.info(message)
