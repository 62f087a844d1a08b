"""The Runs page's pieces: the table of the area's runs (the champion marked in the first columns, where a wide
network name cannot push it out of view), deleting a run (the champion's deletion says what the area loses), and what
an area without runs says."""

from __future__ import annotations

import streamlit as st

from finmodels.delivery.runs import shown_metric
from finmodels.errors import FinModelsError
from ui import navigation, session, state
from ui.messages import show_error

CHAMPION = "★ champion"  # a star every font has (the trophy emoji drew as a box without an emoji font)


def runs_table(shown: list, champion: str | None, *, task_label, metric_label) -> None:
    """One line per run: its id and role first (champion, or another alias), then when, on what, how well, how."""
    headlines = {r.run_id: shown_metric(r.task, r.metric, r.value) if r.metric else ("", r.value) for r in shown}
    table = [{"run": r.run_id[:8], "role": CHAMPION if r.run_id == champion else (r.alias or ""),
              "trained": r.started.strftime("%Y-%m-%d %H:%M"), "data file": r.file, "rows": r.rows,
              "task": task_label(r.task), "metric": metric_label(headlines[r.run_id][0]),
              "value": headlines[r.run_id][1], "network": r.network, "from": r.source} for r in shown]
    st.dataframe(table, key="runs_list", hide_index=True,
                 column_config={"value": st.column_config.NumberColumn(format="%.3f"),
                                "network": st.column_config.TextColumn(width="large")})  # a blend's weights


def delete_section(column, space, selected: str, *, champion: str | None, current) -> None:
    """The tick and the button that delete the selected run; deleting the champion says the area then has none."""
    is_champion = selected == champion
    confirm = column.checkbox("Yes, delete this run" + (", the champion" if is_champion else ""),
                              key="runs_delete_confirm",
                              help="The area then has no champion: the Score page and `python -m finmodels score` "
                                   "need a run promoted again, or a bundle file." if is_champion else None)
    if is_champion and confirm:
        column.warning("This run is the area's champion. Deleted, the area has no champion until you promote "
                       "another run.", icon=":material/military_tech:")
    if column.button("Delete the run", key="runs_delete", disabled=not confirm, icon=":material/delete:"):
        try:
            space.delete_run(selected)
            st.session_state.get(state.KEPT_RUNS, {}).pop(selected, None)
            if current is not None and current.run_id == selected:
                st.session_state.pop(state.RUN, None)
                session.remember_run(None)
            st.session_state.pop("runs_delete_confirm", None)
            st.rerun()
        except FinModelsError as exc:
            show_error(exc)


def no_runs_message() -> None:
    """An area without runs says so, and where runs come from."""
    st.info(f"Area **{session.area()}** holds no runs yet. Train one on the **Train** page, or from a terminal with "
            f"`python -m finmodels train FILE.csv --area {session.area()}`; every run is kept here.")
    navigation.link_to(navigation.TRAIN)
