"""Evaluate: held-out metrics beside the baselines, the charts that fit the task, and a threshold with its cost."""

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.plots.evaluation import plot_confusion_matrix
from finmodels.delivery.report import Decision, held_out_labels, metrics_table, top_anomalies
from finmodels.data.tasks import ANOMALY, BINARY
from finmodels.evaluation.thresholds import (DEFAULT_COSTS, CostMatrix, choose_threshold, decisions_at,
                                             least_cost_on_grid)
from ui import decisions, evaluate_views
from ui.caches import evaluation_figures
from ui.layout import page_header
from ui.messages import require_run_message, show_error
from ui.results import DECISION, event_phrase, metric_tiles, styled_metrics
from ui.widgets import follow, remember, store

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

st.subheader("Network against the baselines (same split, same preprocessing)")
st.dataframe(styled_metrics(metrics_table(result)), key="evaluate_table")

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

if kind == BINARY:
    event = event_phrase(result.config.target, result.event_label)
    st.subheader("Decision threshold")
    st.caption(f"Rows scored at or above the threshold are flagged as {event}. Put in what each mistake costs in "
               f"your portfolio (any unit): it starts at {DEFAULT_COSTS.false_negative:g} for a missed {event} and "
               f"{DEFAULT_COSTS.false_positive:g} for a false alarm, a common credit-risk default, not this file's. "
               "The threshold moves to the least-cost one whenever the costs change; then set your own.")
    remember({"evaluate_fn_cost": DEFAULT_COSTS.false_negative, "evaluate_fp_cost": DEFAULT_COSTS.false_positive})
    y = held_out_labels(result)
    scores = result.test_scores
    c1, c2, c3 = st.columns(3)
    fn_cost = c1.number_input(f"Cost of a missed {event} (false negative)", 0.0, 1e6, key="evaluate_fn_cost")
    fp_cost = c2.number_input("Cost of a false alarm (false positive)", 0.0, 1e6, key="evaluate_fp_cost")
    store(["evaluate_fn_cost", "evaluate_fp_cost"])
    try:
        costs = CostMatrix(false_negative=fn_cost, false_positive=fp_cost)
        best = choose_threshold(y, scores, "least_cost", costs=costs)
    except FinModelsError as exc:
        show_error(exc)
        st.stop()
    c3.metric("Least-cost threshold", f"{best.threshold:.3f}", help=f"Expected cost {best.value:.3f} per row")
    # the slider moves in steps of 0.01: it goes to the step that costs least, not to a rounding of 0.1803
    follow("evaluate_threshold", least_cost_on_grid(y, scores, costs=costs), source=(id(result), fn_cost, fp_cost))
    threshold = st.slider("Threshold", 0.0, 1.0, step=0.01, key="evaluate_threshold")
    store(["evaluate_threshold"])
    decisions.set_threshold(result, threshold)
    st.session_state[DECISION] = (result, Decision(threshold, costs))
    decisions = decisions_at(y, scores, threshold, costs=costs)
    left, right = st.columns([3, 2])
    negative = f"not {event}" if event.startswith("'") else f"not ({event})"
    left.plotly_chart(plot_confusion_matrix(decisions.confusion, [negative, event],
                                            title=f"Confusion matrix at threshold {threshold:.2f}"),
                      key="evaluate_confusion")
    right.metric("Expected cost per row", f"{decisions.cost:.3f}",
                 delta=f"{decisions.cost - best.value:+.3f} vs least cost", delta_color="inverse")
    right.metric("Flagged", f"{decisions.flagged:.1%} of rows")
    right.metric(f"{event} caught (recall)", f"{decisions.recall:.1%}")
    right.metric("Precision of flags", f"{decisions.precision:.1%}")

evaluate_views.scorecard_section(result)
