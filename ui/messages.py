"""Rendering the project's own errors as messages, one per problem, never as a traceback; and what reading a
file changed."""

from __future__ import annotations

import streamlit as st

from finmodels.errors import DataError, FinModelsError
from ui import state
from ui.navigation import DATA, RUNS, TRAIN, link_to

MAX_NOTES = 20  # notes of the reading shown; the rest are counted


def show_error(exc: FinModelsError) -> None:
    problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
    for problem in problems:
        st.error(problem)


def require_dataset_message() -> None:
    """Say that this tab has no data; when the area keeps runs, say where they are and why their file is not here."""
    newest = _newest_run()
    if newest is None:
        st.info("No data loaded yet. Load a sample or upload a CSV on the **Data** page.")
    else:
        st.info(f"No data loaded yet in this tab. Your area's runs are kept (the newest, {newest.run_id[:8]}, on "
                f"**{newest.file}**, trained {newest.started:%Y-%m-%d %H:%M} UTC): see them on the **Runs** page. This "
                "server no longer holds their file (an upload is kept in its memory only, never on disk): upload "
                f"{newest.file} again on the **Data** page to go on with it, or load another file.")
        link_to(RUNS)
    link_to(DATA)


def _newest_run():
    """The area's newest run (RunSummary), or None when it has none or the workspace cannot be read."""
    from ui.session import workspace

    try:
        return workspace().latest_run()
    except FinModelsError:
        return None


def opened_note(result) -> None:
    """On a tab opened without ?data= or ?run= (ui.session.area_run), say what it found in the area, while it shows
    that run."""
    from finmodels.delivery.runs import result_name
    from ui.session import OPENED

    left = st.session_state.get(state.LEFT_RUN) or {}
    if left.get("opened") and left["opened"] == result.run_id:  # opened when other data than its run's was loaded
        st.info(f"The run you had open, **{left['name']}**, was trained on *{left['file']}*, not on *{left['data']}*, "
                f"the data now loaded, so this page shows the latest run of *{left['data']}*: "
                f"**{result_name(result)}**.", icon=":material/swap_horiz:")
        link_to(RUNS, label="Choose another run of your area")
        return
    opened = st.session_state.get(OPENED) or {}
    if not opened.get("run") or opened["run"] != result.run_id:  # it shows the run it found, not one set since
        return
    name = opened.get("data") or (result.data_info or {}).get("name", "its data file")
    run = f"**{result_name(result)}**"
    found = f"the data **{name}** and its latest run {run}" if opened.get("data") else \
        f"its newest run {run}, trained on *{name}*"
    rows = "" if result.frame is not None else (f" This server no longer holds {name} (uploads are kept in its "
                                                "memory only), so pages that need its rows ask for it on **Data**.")
    st.info(f"This tab was opened without a data set or run in its address, so it shows what your area holds: "
            f"{found}.{rows}", icon=":material/restore:")
    link_to(RUNS, label="Choose another run of your area")


def opened_data_note(current: state.Dataset, *, where: str = "above") -> None:
    """On a tab opened without ?data= (ui.session.remembered_data), say that its data is the area's last choice on
    this server, which another tab or a colleague working in the same area may have loaded."""
    from ui.session import OPENED

    if (st.session_state.get(OPENED) or {}).get("data") != current.name:
        return
    st.info(f"This tab was opened without a data set in its address, so it shows the one your area last loaded on this "
            f"server: **{current.name}**, loaded in another tab of this area (yours, or a colleague's working in the "
            f"same area). To work on another file, load it {where}.", icon=":material/group:")


def no_run_message() -> None:
    """Say what to do when there is no trained run yet: load data first, or train."""
    data = state.dataset()
    left = st.session_state.get(state.LEFT_RUN) or {}
    if data is None:
        require_dataset_message()
    elif left.get("data") == data.name and not left.get("opened"):  # a run was open, of another file than this one
        st.info(f"The run you had open, **{left['name']}**, was trained on *{left['file']}*, not on *{data.name}*, "
                f"the data now loaded, and your area holds no run of *{data.name}* yet. Train one on the **Train** "
                f"page, or open a run of another file on the **Runs** page (then load its file on **Data**).")
        link_to(TRAIN)
        link_to(RUNS, label="Choose another run of your area")
    else:
        st.info("No model trained yet in this session. Train one on the **Train** page; every run is kept.")
        link_to(TRAIN)


def require_run_message():
    """The session's current run; without one, say what to do next and stop the page."""
    result = state.run()
    if result is None:
        no_run_message()
        st.stop()
    opened_note(result)
    return result


def read_notes_message(frame) -> None:
    """What reading the file changed (numbers written as text, NA tokens ...), in an expander open when short."""
    from finmodels.data.reading import read_notes

    notes = read_notes(frame)
    if not notes:
        return
    label = f"While reading the file: {len(notes)} change{'s' if len(notes) > 1 else ''}"
    with st.expander(label, expanded=len(notes) <= 3):
        for note in notes[:MAX_NOTES]:
            st.info(note)
        if len(notes) > MAX_NOTES:
            st.caption(f"... and {len(notes) - MAX_NOTES} more.")
