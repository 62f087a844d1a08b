"""Evaluate: held-out metrics beside the baselines, the charts that fit the task, and a threshold with its cost."""

import streamlit as st

from finmodels.delivery.report import metrics_comparison, top_anomalies
from finmodels.data.tasks import ANOMALY
from ui import evaluate_views
from ui.caches import evaluation_figures
from ui.layout import page_header
from ui.messages import require_run_message
from ui.results import event_phrase, metric_tiles

page_header("Evaluate")

result = require_run_message()
kind = result.kind
sizes = result.split.sizes()
event = f", event {event_phrase(result.config.target, result.event_label)}" if result.event_label else ""
target = (f"Target **{result.config.target}**{event}" if result.config.target
          else "No target column (learns from the rows)")
st.caption(
    f"{target} · {result.split.method} split: {sizes['train']:,} train, "
    f"{sizes['valid']:,} validation, {sizes['test']:,} test · every number below is on the test rows."
)
for note in result.notes:
    st.caption(note)
metric_tiles(result)

st.subheader("Network against the baselines (same split)")
table, gaps = metrics_comparison(result)
# an empty cell is said in a note below the table (Streamlit would print 'None' in it)
st.dataframe(evaluate_views.metrics_styler(result, table), key="evaluate_table", placeholder="" if gaps else "–")
for note in [evaluate_views.baselines_caption(result), *gaps]:
    if note:
        st.caption(note)

figures = {k: f for k, f in evaluation_figures(result).items() if k not in evaluate_views.SECTION_CHARTS}
# One chart at a time: a browser draws hidden tabs too, and eight plotly charts made the page slow to open.
chart = list(figures)[0]
if len(figures) > 1:
    chart = st.segmented_control("Chart", list(figures), default=chart, key="evaluate_chart") or chart
st.plotly_chart(figures[chart], key="evaluate_figure")

evaluate_views.var_tiles(result)  # the portfolio's, beside its baselines and any one asset's, for several tickers
evaluate_views.allocation_section(result)
evaluate_views.loss_section(result)

if kind == ANOMALY:
    st.subheader("Most unusual test rows")
    st.dataframe(top_anomalies(result), key="evaluate_top_anomalies")

evaluate_views.decision_section(result)  # a binary run's threshold, its costs, kept with the run
evaluate_views.scorecard_section(result)
