"""The Score page's word on the scored file's cells, said before its scores: the checks of the file against the
training data (`finmodels.delivery.scoring_checks`), one message per problem, with the rows to check; and a file
refused with every problem it has, errors first."""

from __future__ import annotations

import streamlit as st

from finmodels.delivery.scoring_checks import ERROR, NOTE, WARNING

ICONS = {ERROR: ":material/block:", WARNING: ":material/warning:", NOTE: ":material/info:"}


def show_refused(refused) -> None:
    """A file the checks refuse: why (the errors), then what else to fix before uploading it again."""
    problems = refused.checks.problems if refused.checks is not None else []
    if not problems:
        for message in refused.problems:
            st.error(message, icon=ICONS[ERROR])
        return
    st.error("The file was not scored: fix what is said below and upload it again. Every problem found in it is "
             "listed, so one upload should be enough.", icon=ICONS[ERROR])
    for problem in problems:
        _show(problem.severity, problem.message)


def show_file_messages(result) -> None:
    """The checks (how many rows to check, then each problem), then the scoring's own notes and warnings."""
    checks = result.checks
    summary = checks.summary(len(result.table))
    said = {p.message for p in checks.problems}
    if summary or checks.of(WARNING):
        st.markdown("**Cells to check against the training data**")
    if summary:
        st.warning(summary, icon=":material/fact_check:")
    for problem in checks.of(WARNING):
        _show(WARNING, problem.message)
    for problem in checks.of(NOTE):
        _show(NOTE, problem.message)
    for note in result.notes:
        if note not in said:
            st.caption(note)
    for warning in result.warnings:
        if warning not in said:
            st.warning(warning, icon=ICONS[WARNING])


def _show(severity: str, message: str) -> None:
    {ERROR: st.error, WARNING: st.warning, NOTE: st.info}[severity](message, icon=ICONS[severity])


def rows_phrase(result) -> str:
    """', 7 with cells to check' for the page's heading, '' when no row has any."""
    count = len(result.checks.marks)
    return f", {count:,} with cells to check" if count else ""
