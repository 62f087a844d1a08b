"""Runs: every run trained in this session (the last few), side by side."""

import streamlit as st

from finmodels.plots.runs import plot_loss_overlay
from finmodels.delivery.runs import comparison_frame, loss_histories
from ui import state
from ui.layout import page_header
from ui.messages import no_run_message
from ui.results import label

page_header("Runs")

history = state.runs()
if not len(history):
    no_run_message()
    st.stop()

st.caption(f"The last {history.limit} runs of this session are kept"
           + (f"; {history.released} older run(s) were released to free memory." if history.released else ".")
           + " Metrics are on each run's held-out test rows.")
records = history.records
options = {r.number: r for r in records}
chosen = st.multiselect("Runs to compare", list(options), default=list(options), key="runs_chosen",
                        format_func=lambda n: f"{options[n].label} · {options[n].data_name}")
picked = [options[n] for n in chosen]
if not picked:
    st.info("Pick at least one run to compare.")
    st.stop()
table = comparison_frame(picked)
st.dataframe(table.rename(columns=label), key="runs_table")
st.plotly_chart(plot_loss_overlay(loss_histories(picked)), key="runs_loss_overlay")

current = state.run()
current_number = next((r.number for r in records if r.result is current), None)
left, right = st.columns([3, 1], vertical_alignment="bottom")
selected = left.selectbox("Make a run the current one (Evaluate, Explain, Score and Report show it)",
                          list(options), index=list(options).index(current_number) if current_number in options else 0,
                          format_func=lambda n: options[n].label, key="runs_current")
if right.button("Use this run", key="runs_use", disabled=selected == current_number):
    state.set_run(options[selected].result)
    st.rerun()
