"""Entry point: the navigation (pages named as an analyst reads them) and the Home page.

Only light modules are imported here, so the first page opens without loading TensorFlow.
"""

import streamlit as st

from finmodels.data.samples import SAMPLES
from ui import state
from ui.loading import load_sample_into_session
from ui.runtime import keep_keras_state

keep_keras_state()  # before any page trains: see ui/runtime.py

st.set_page_config(page_title="Risk model studio", page_icon=":material/monitoring:", layout="wide")

STEPS = [
    ("pages/1_Data.py", "Data", ":material/table:", "Upload a CSV or load a sample; check what was understood; pick the target."),
    ("pages/2_Train.py", "Train", ":material/model_training:", "Pick the task and network; train it with live progress beside two baselines."),
    ("pages/3_Evaluate.py", "Evaluate", ":material/analytics:", "Held-out metrics, ROC, KS, calibration, lift; a threshold with its cost."),
    ("pages/4_Explain.py", "Explain", ":material/psychology:", "SHAP in your own columns: what drives the model, and why one row scores as it does."),
    ("pages/5_Score.py", "Score", ":material/fact_check:", "Score a new file: predictions, decisions, reason codes and drift; download the model."),
    ("pages/6_Runs.py", "Runs", ":material/compare:", "Compare the runs of this session side by side."),
    ("pages/7_Report.py", "Report", ":material/description:", "One self-contained HTML report of a run, to send to anyone."),
]


def home() -> None:
    st.title("Risk model studio")
    st.markdown(
        "Train and explain neural risk models on your own data, with no code. Upload a loan book, card history "
        "or price file, train a Keras network beside plain baselines, and see why it scores each row as it does."
    )

    st.subheader("Start with a sample")
    tabular = [s for s in SAMPLES.values() if s.target]
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    choice = left.selectbox("Sample", [s.key for s in tabular], format_func=lambda k: SAMPLES[k].label,
                            key="home_sample")
    if right.button("Load sample", key="home_load", type="primary", icon=":material/download:"):
        if load_sample_into_session(choice):
            st.switch_page("pages/1_Data.py")
    st.caption(SAMPLES[choice].description)
    current = state.dataset()
    if current is not None:
        st.success(f"Loaded: {current.name} ({len(current.frame):,} rows, {current.frame.shape[1]} columns).")

    st.subheader("The steps")
    for row in (STEPS[:4], STEPS[4:]):
        for col, (path, title, icon, text) in zip(st.columns(4), row):
            with col.container(border=True):
                st.page_link(path, label=title, icon=icon)
                st.caption(text)
    st.caption("Your data stays in this browser session's memory; nothing is saved on the server unless you "
               "download it.")


pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
pages += [st.Page(path, title=title, icon=icon) for path, title, icon, _ in STEPS]
st.navigation(pages).run()
