"""Rendering the project's own errors as messages, one per problem, never as a traceback."""

from __future__ import annotations

import streamlit as st

from finmodels.errors import DataError, FinModelsError


def show_error(exc: FinModelsError) -> None:
    problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
    for problem in problems:
        st.error(problem)


def require_dataset_message() -> None:
    st.info("No data loaded yet. Load a sample or upload a CSV on the **Data** page.")
    st.page_link("pages/1_Data.py", label="Go to Data", icon=":material/table:")
