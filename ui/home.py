"""The Home page: what the tool does, a sample in one click, and the steps, each a link to its page."""

from __future__ import annotations

import streamlit as st

from finmodels.data.samples import SAMPLES
from ui import navigation, state
from ui.layout import APP_NAME
from ui.loading import load_sample_into_session


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
