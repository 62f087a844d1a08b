"""Entry point: the navigation (pages named as an analyst reads them) and the Home page.

This process never imports TensorFlow: model work runs in the runner's worker processes (ui/runtime.py),
which start here, on the first page an analyst opens, so they are warm by the time Train is pressed.
"""

import streamlit as st

from finmodels.data.samples import SAMPLES
from ui import navigation, session, state
from ui.layout import APP_NAME, configure_app
from ui.loading import load_sample_into_session

configure_app()
session.bootstrap()


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
    st.caption("Every run is kept in this server's workspace, in your own area: the address of this page names it, "
               "so a reload, a bookmark or a restart of the server brings your runs back. Runs keep metrics and "
               "models, not your data; only your current upload is kept in your area, so a reload can read it.")


pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
pages += [st.Page(step.path, title=step.label, icon=step.icon) for step in navigation.STEPS]
st.navigation(pages).run()
