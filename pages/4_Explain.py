"""Explain: SHAP in the data's own columns: what drives the model, and why one row scores as it does."""

import streamlit as st

from finmodels.plots.explanation import (plot_beeswarm, plot_dependence, plot_importance, plot_lag_attribution,
                                         plot_waterfall)
from finmodels.data.tasks import FORECAST
from finmodels.explain.explanation import common_class, explainable_classes
from finmodels.explain.drivers import explanation_record_drivers
from finmodels.explain.labels import explained_row_labels
from ui import caches, whatif_views
from ui.layout import page_header
from ui.messages import require_run_message

page_header("Explain")

result = require_run_message()
classes = explainable_classes(result)
target_class = None
if len(classes) > 1:
    target_class = st.selectbox("Class to explain", classes, key="explain_class",
                                index=classes.index(common_class(result, classes)),
                                help="A rating or multi-class model gives a probability per class; the SHAP values and "
                                     "reason codes explain the probability of this one.")
explanation = caches.explanation(result, target_class=target_class)
if explanation is None:
    st.stop()

st.caption(explanation.summary())
for driver in explanation_record_drivers(explanation, result):  # who rated, an identifier, a date as a driver
    st.warning(driver.message, icon=":material/flag:")
unit = explanation.output_name
views = ["Importance", "Per lag"] if explanation.lag_values is not None else ["Importance", "Beeswarm", "Dependence"]
view = st.segmented_control("All explained rows", views, default="Importance", key="explain_view") or "Importance"
if view == "Importance":
    st.plotly_chart(plot_importance(explanation.importance(), unit=explanation.scale), key="explain_importance")
elif view == "Per lag":
    st.plotly_chart(plot_lag_attribution(explanation), key="explain_lags")
elif view == "Beeswarm":
    st.plotly_chart(plot_beeswarm(explanation), key="explain_beeswarm")
else:
    column = st.selectbox("Column", list(explanation.importance().index), key="explain_dependence_column")
    every_row = st.toggle("Show every row, outliers included", key="explain_dependence_all",
                          help="By default the view spans the 1st to 99th percentile, so one extreme value does not "
                               "squash the others into a line; the chart says how many rows lie outside.")
    st.plotly_chart(plot_dependence(explanation, column, clip=None if every_row else (0.01, 0.99)),
                    key="explain_dependence")

st.subheader("One row")
# rows named by the company (or borrower, loan) and date, windows by ticker and date ('AAPL 2017-11-03')
labels = explained_row_labels(result, explanation)
name = (lambda i: labels[i]) if labels is not None else (lambda i: f"Test row {i + 1}")
what = "window" if result.kind == FORECAST else "row"
row = st.selectbox(
    f"{what.capitalize()} (explained {what}s, highest {unit} first)", explanation.rows_by_prediction(),
    format_func=lambda i: f"{name(i)} · {unit} {explanation.output_text(explanation.predictions[i])}", key="explain_row",
)
left, right = st.columns([3, 2])
left.plotly_chart(plot_waterfall(explanation, int(row)), key="explain_waterfall")
with right:
    st.markdown("**Reason codes**")
    codes = explanation.reason_codes(int(row))
    if codes:
        st.markdown("\n".join(f"{n}. {code}" for n, code in enumerate(codes, 1)))
    else:
        st.caption(f"No column raised this row's {unit}.")
    with st.expander("This row's values and contributions"):
        st.dataframe(explanation.contributions(int(row)).astype({"value": str}), key="explain_contributions")

st.divider()
whatif_views.whatif_section(result)
