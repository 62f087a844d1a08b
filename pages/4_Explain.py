"""Explain: SHAP importance of the trained network, in the data's own columns."""

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.explain import explain_result
from finmodels.plots.explanation import plot_importance
from ui import state
from ui.messages import require_dataset_message, show_error

st.set_page_config(page_title="Explain · Risk model studio", layout="wide")
st.title("Explain")

result = state.run()
if result is None:
    if state.dataset() is None:
        require_dataset_message()
    else:
        st.info("No model trained yet in this session.")
        st.page_link("pages/2_Train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

explanation = st.session_state.get(state.EXPLANATION)
if explanation is None:
    with st.spinner("Computing SHAP values..."):
        try:
            explanation = explain_result(result)
        except FinModelsError as exc:
            show_error(exc)
            st.stop()
    st.session_state[state.EXPLANATION] = explanation

st.caption(
    f"{explanation.explainer} on {len(explanation.predictions)} test rows against {explanation.background_rows} "
    f"training rows; values are changes in the probability of '{result.event_label}', one-hot levels summed "
    f"back to their column. Computed in {explanation.seconds:.1f} s."
)
st.plotly_chart(plot_importance(explanation.importance()), key="explain_importance")
