"""Data: upload a CSV or load a sample, preview it, choose the target and the event label."""

import streamlit as st

from finmodels.samples import SAMPLES
from finmodels.targets import binary_labels, default_event_label, guess_target
from finmodels.tasks import get_task
from ui import state
from ui.loading import load_sample_into_session, load_upload_into_session

st.set_page_config(page_title="Data · Risk model studio", layout="wide")
st.title("Data")

left, right = st.columns(2)
with left:
    uploaded = st.file_uploader("Upload a CSV", type=["csv", "txt"], key="data_upload")
    if uploaded is not None and st.session_state.get("data_upload_id") != uploaded.file_id:
        st.session_state["data_upload_id"] = uploaded.file_id
        load_upload_into_session(uploaded)
with right:
    choice = st.selectbox("Or a sample", list(SAMPLES), format_func=lambda k: SAMPLES[k].label, key="data_sample")
    if st.button("Load sample", key="data_load_sample"):
        load_sample_into_session(choice)

current = state.dataset()
if current is None:
    st.info("Upload a CSV file, or load a sample, to begin.")
    st.stop()

frame = current.frame
st.subheader(current.name)
st.caption(f"{len(frame):,} rows, {frame.shape[1]} columns")
st.dataframe(frame.head(100), key="data_preview")

columns = list(frame.columns)
guess = guess_target(columns, get_task("credit_default").target_names)
current_target = st.session_state.get(state.TARGET, guess)
target = st.selectbox(
    "Target column (what the model predicts)", columns,
    index=columns.index(current_target) if current_target in columns else len(columns) - 1, key="data_target",
)
if target != st.session_state.get(state.TARGET):
    st.session_state[state.TARGET] = target
    st.session_state.pop(state.EVENT_LABEL, None)

labels = binary_labels(frame[target])
if len(labels) == 2:
    default = st.session_state.get(state.EVENT_LABEL, default_event_label(frame[target]))
    event = st.radio("Which value is the risk event (default)?", labels, index=labels.index(default),
                     horizontal=True, key="data_event")
    st.session_state[state.EVENT_LABEL] = event
    share = (frame[target].astype(str).str.strip() == event).mean()
    st.caption(f"'{event}' in {share:.1%} of rows.")
    st.page_link("pages/2_Train.py", label="Next: train a model", icon=":material/arrow_forward:")
else:
    st.warning(
        f"Column '{target}' has {len(labels)} distinct values; the credit default task needs exactly 2. "
        "Pick a yes/no column as the target."
    )
