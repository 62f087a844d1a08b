"""The Data page's word on missing cells: which columns, how many, their first lines, what they held ('n/a',
blank) and what the model does with them (finmodels.data.tidying.missing_message)."""

from __future__ import annotations

import streamlit as st

from finmodels.data.tidying import missing_message


def show(frame, target: str | None) -> None:
    """An info box naming the columns with missing cells, when there are any (the target's are a check of their own)."""
    message = missing_message(frame, target)
    if message:
        st.info(message)
