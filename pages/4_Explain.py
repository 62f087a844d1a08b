"""Explain: SHAP in the data's own columns: what drives the model, and why one row scores as it does."""

import streamlit as st

from finmodels.plots.explanation import plot_lag_attribution
from finmodels.explain.explanation import common_class, explainable_classes
from finmodels.explain.drivers import explanation_record_drivers
from ui import caches, dependence_views, explain_views, whatif_views
from ui.kept import explained_class, mark_explained
from ui.layout import page_header
from ui.messages import require_run_message

page_header("Explain")

result = require_run_message()
classes = explainable_classes(result)
target_class = None
if len(classes) > 1:
    last = explained_class(result)  # the class last explained with the run, in any tab, as a new tab's Report shows
    target_class = st.selectbox("Class to explain", classes, key="explain_class",
                                index=classes.index(last if last in classes else common_class(result, classes)),
                                help="A rating or multi-class model gives a probability per class; the SHAP values and "
                                     "reason codes explain the probability of this one.")
explanation = caches.explanation(result, target_class=target_class)
if explanation is None:
    st.stop()
if target_class is not None:
    mark_explained(result, target_class)  # a class seen again is the run's last explained: a new tab starts there

st.caption(explanation.summary())
for driver in explanation_record_drivers(explanation, result):  # who rated, an identifier, a date as a driver
    st.warning(driver.message, icon=":material/flag:")
views = ["Importance", "Per lag"] if explanation.lag_values is not None else \
    ["Importance", "Beeswarm", "Dependence", "Partial dependence"]
view = st.segmented_control("All explained rows", views, default="Importance", key="explain_view") or "Importance"
if view == "Importance":
    explain_views.importance_view(explanation)
elif view == "Per lag":
    st.plotly_chart(plot_lag_attribution(explanation), key="explain_lags")
elif view == "Beeswarm":
    explain_views.beeswarm_view(result, explanation)
elif view == "Partial dependence":
    dependence_views.partial_dependence_view(result, explanation)
else:
    explain_views.dependence_view(result, explanation)

st.subheader("One row")
explain_views.row_explanation(explanation, *explain_views.row_picker(result, explanation))

st.divider()
whatif_views.whatif_section(result)
