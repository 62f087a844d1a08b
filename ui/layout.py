"""What every page shares on screen: the browser tab's title and the page's heading."""

from __future__ import annotations

import streamlit as st

APP_NAME = "Risk model studio"
APP_ICON = ":material/monitoring:"


def configure_app() -> None:
    """The settings every page inherits (wide layout, the app's icon); app.py calls it once per run."""
    st.set_page_config(page_title=APP_NAME, page_icon=APP_ICON, layout="wide")


def page_header(title: str, *, caption: str | None = None) -> None:
    """The tab title `Data · Risk model studio`, the page's heading and, when given, the line under it."""
    st.set_page_config(page_title=f"{title} · {APP_NAME}", layout="wide")
    st.title(title)
    if caption:
        st.caption(caption)
