"""Home page: what the tool does, the steps, and one click to load a sample."""

import streamlit as st

from finmodels.samples import SAMPLES
from ui import state
from ui.loading import load_sample_into_session

st.set_page_config(page_title="Risk model studio", page_icon=":material/monitoring:", layout="wide")

st.title("Risk model studio")
st.markdown(
    "Train and explain neural risk models on your own data, with no code. Upload a loan book, card history "
    "or price file, train a Keras network beside plain baselines, and see why it scores each row as it does."
)

st.subheader("The steps")
cols = st.columns(4)
steps = [
    ("1. Data", "Upload a CSV or load a sample; pick the target.", "pages/1_Data.py"),
    ("2. Train", "Choose the network and train it; baselines train beside it.", "pages/2_Train.py"),
    ("3. Evaluate", "ROC AUC, KS, precision and recall on held-out rows.", "pages/3_Evaluate.py"),
    ("4. Explain", "SHAP importance in your own columns.", "pages/4_Explain.py"),
]
for col, (title, text, page) in zip(cols, steps):
    with col:
        st.markdown(f"**{title}**  \n{text}")
        st.page_link(page, label=f"Open {title.split('. ')[1]}")

st.subheader("Try it with a sample")
tabular = [s for s in SAMPLES.values() if s.target]
choice = st.selectbox("Sample", [s.key for s in tabular], format_func=lambda k: SAMPLES[k].label, key="home_sample")
st.caption(SAMPLES[choice].description)
if st.button("Load sample", key="home_load", type="primary"):
    if load_sample_into_session(choice):
        st.switch_page("pages/1_Data.py")

current = state.dataset()
if current is not None:
    st.success(f"Loaded: {current.name} ({len(current.frame):,} rows, {current.frame.shape[1]} columns).")
