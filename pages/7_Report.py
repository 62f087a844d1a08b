"""Report: one self-contained HTML file of the current run, to send to someone who does not run the tool."""

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.delivery.report import build_report
from ui import state
from ui.layout import page_header
from ui.messages import require_run_message, show_error

page_header("Report")

result = require_run_message()
record = next((r for r in state.runs() if r.result is result), None)
data_name = record.data_name if record else (state.dataset().name if state.dataset() else "uploaded data")
explanation = st.session_state.get(state.EXPLANATION)
st.markdown(
    f"A single HTML file of **{record.label if record else 'the current run'}** on *{data_name}*: data summary, "
    "configuration, test metrics beside the baselines, every evaluation chart (interactive, works offline)"
    + (", and what drives the model with reason codes." if explanation is not None else
       ". Open the **Explain** page first to include what drives the model and reason codes.")
)
if st.button("Build the report", key="report_build", type="primary", icon=":material/description:"):
    with st.spinner("Building the report..."):
        try:
            st.session_state[state.REPORT] = build_report(result, data_name=data_name, explanation=explanation)
        except FinModelsError as exc:
            show_error(exc)
built = st.session_state.get(state.REPORT)
if built is not None:
    size = len(built.encode("utf-8")) / 1e6
    st.download_button(f"Download the report (HTML, {size:.1f} MB)", built.encode("utf-8"),
                       file_name=f"report_{result.config.task}_{result.config.arch}.html", mime="text/html",
                       key="report_download", icon=":material/download:")
