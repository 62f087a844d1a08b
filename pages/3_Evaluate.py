"""Evaluate: the network's held-out metrics beside the baselines, and the run's loss curves."""

import streamlit as st

from finmodels.metrics import comparison_table
from finmodels.plots.training import plot_loss_curve
from ui import state
from ui.messages import require_dataset_message

st.set_page_config(page_title="Evaluate · Risk model studio", layout="wide")
st.title("Evaluate")

result = state.run()
if result is None:
    if state.dataset() is None:
        require_dataset_message()
    else:
        st.info("No model trained yet in this session.")
        st.page_link("pages/2_Train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

sizes = result.split.sizes()
st.caption(
    f"Target **{result.config.target}**, event '{result.event_label}' · {result.split.method} split: "
    f"{sizes['train']:,} train, {sizes['valid']:,} validation, {sizes['test']:,} test rows · metrics on the test rows."
)
cols = st.columns(4)
best_base = max(b.metrics["roc_auc"] for b in result.baselines.values()) if result.baselines else None
cols[0].metric("ROC AUC", f"{result.metrics['roc_auc']:.3f}",
               delta=None if best_base is None else f"{result.metrics['roc_auc'] - best_base:+.3f} vs best baseline")
cols[1].metric("Gini", f"{result.metrics['gini']:.3f}")
cols[2].metric("KS", f"{result.metrics['ks']:.3f}")
cols[3].metric("PR AUC", f"{result.metrics['pr_auc']:.3f}")

st.subheader("Network against the baselines (same split, same preprocessing)")
table = comparison_table(result.metrics, {k: b.metrics for k, b in result.baselines.items()})
st.dataframe(table.style.format("{:.3f}"), key="evaluate_table")
st.plotly_chart(plot_loss_curve(result.history), key="evaluate_loss")
