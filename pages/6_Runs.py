"""Runs: every run kept in this session's workspace area: filter, compare, open, promote, delete."""

import streamlit as st

from finmodels.data.tasks import TASKS
from finmodels.delivery.runs import (
    PERCENT,
    RunRecord,
    comparison_by_run,
    default_compared,
    loss_histories,
    summary_name,
)
from finmodels.errors import FinModelsError
from finmodels.delivery.runs_backtest import loss_title
from finmodels.plots.runs import plot_loss_overlay
from ui import caches, runs_views, session, state
from ui.layout import page_header
from ui.messages import show_error
from ui.results import label

page_header("Runs", caption="Every run trained in this workspace area, from the dashboard or the command line, kept "
            "across reloads and restarts. Metrics are on each run's held-out test rows.")

try:
    space = session.workspace()
    runs = space.list_runs()
    champion = space.champion()
except FinModelsError as exc:
    show_error(exc)
    st.stop()
st.caption(f"Workspace area **{session.area()}** · {space.where} · bookmark this page's address to come back to "
           "these runs; share it to show them to a colleague.")
if not runs:
    runs_views.no_runs_message()
    st.stop()

def task_label(key: str) -> str:
    return TASKS[key].label if key in TASKS else key  # 'Credit default', not its key 'credit_default'


left, right = st.columns(2)
files = sorted({r.file for r in runs if r.file})
tasks = sorted({r.task for r in runs if r.task})
file = left.selectbox("Data file", ["All files", *files], key="runs_file")
task = right.selectbox("Task", ["All tasks", *tasks], key="runs_task", format_func=task_label)
shown = [r for r in runs if file in ("All files", r.file) and task in ("All tasks", r.task)]


def metric_label(name: str) -> str:
    """A metric's label, its unit kept: 'RMSE (%)' for a forecast's 'rmse (%)'."""
    return label(name.removesuffix(PERCENT)) + PERCENT if name.endswith(PERCENT) else label(name)


runs_views.runs_table(shown, champion, task_label=task_label, metric_label=metric_label)

by_id = {r.run_id: r for r in shown}


def describe(run_id: str) -> str:
    """The run's name (the same on every page: id, network, task), its file and when it was trained."""
    r = by_id[run_id]
    return f"{summary_name(r)} · {r.file} · {r.started:%Y-%m-%d %H:%M}"


loaded = state.dataset()  # the comparison starts with the runs of the data loaded (or of the newest run's file)
chosen = st.multiselect("Runs to compare side by side", list(by_id), key="runs_chosen", format_func=describe,
                        default=default_compared(shown, loaded.name if loaded is not None else None))
records = []
for number, run_id in enumerate(chosen, 1):
    result = caches.kept_run(run_id)
    if result is not None:
        records.append(RunRecord(number, by_id[run_id].file, result))
if records:  # one column per run, its file named; the metrics, then the settings, as rows: no sideways scrolling
    compared = comparison_by_run(records, label=metric_label)
    st.dataframe(compared, key="runs_table", height=35 * len(compared) + 38)  # every row, no empty ones below
    st.plotly_chart(plot_loss_overlay(loss_histories(records), title=loss_title(records)), key="runs_loss_overlay")

st.subheader("One run")
current = state.run(from_area=False)  # this page is where a run is chosen: a new tab opens none by itself
ids = list(by_id)
index = ids.index(current.run_id) if current is not None and current.run_id in by_id else 0
selected = st.selectbox("Run", ids, index=index, format_func=describe, key="runs_current")
if selected == champion:  # the Promote button is then greyed out: say why
    st.caption("This run is the champion of this area: the Score page and `python -m finmodels score` use it by "
               "default. Promote another run to replace it.")
open_col, promote_col, delete_col = st.columns(3)
if open_col.button("Open this run", key="runs_use", help="Evaluate, Explain, Score and Report then show it.",
                   disabled=current is not None and current.run_id == selected, icon=":material/open_in_new:"):
    opened = caches.kept_run(selected)
    if opened is not None:
        state.set_run(opened)
        st.rerun()
if promote_col.button("Promote to champion", key="runs_promote", disabled=selected == champion,
                      icon=":material/military_tech:",
                      help="The Score page and `python -m finmodels score` use the champion by default."):
    try:
        space.promote(selected)
        st.rerun()
    except FinModelsError as exc:
        show_error(exc)
runs_views.delete_section(delete_col, space, selected, champion=champion, current=current)
