"""Entry point: the navigation (pages named as an analyst reads them) and the Home page.

Only light modules are imported here, so the first page opens without loading TensorFlow.
"""

import streamlit as st

from finmodels.data.samples import SAMPLES
from ui import navigation, state
from ui.layout import APP_NAME, configure_app
from ui.loading import load_sample_into_session
from ui.runtime import keep_keras_state

keep_keras_state()  # before any page trains: see ui/runtime.py

configure_app()


def home() -> None:
    st.title(APP_NAME)
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
            navigation.switch_to(navigation.DATA)
    st.caption(SAMPLES[choice].description)
    current = state.dataset()
    if current is not None:
        st.success(f"Loaded: {current.name} ({len(current.frame):,} rows, {current.frame.shape[1]} columns).")

    st.subheader("The steps")
    steps = navigation.STEPS
    for row in (steps[:4], steps[4:]):
        for col, step in zip(st.columns(4), row):
            with col.container(border=True):
                navigation.link_to(step, label=step.label)
                st.caption(step.blurb)
    st.caption("Your data stays in this browser session's memory; nothing is saved on the server unless you "
               "download it.")


pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
pages += [st.Page(step.path, title=step.label, icon=step.icon) for step in navigation.STEPS]
st.navigation(pages).run()
