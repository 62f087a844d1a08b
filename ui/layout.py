"""What every page shares on screen: the browser tab's title and the page's heading."""

from __future__ import annotations

import functools

import streamlit as st

APP_NAME = "Risk model studio"


@functools.cache
def app_icon():
    """The tab's icon, drawn here: three rising bars on the app's blue. A material icon (":material/...") would be
    fetched from fonts.gstatic.com, which a server without internet access cannot reach (a console error)."""
    from PIL import Image, ImageDraw

    icon = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill=(31, 78, 121, 255))
    for i, height in enumerate((18, 30, 42)):
        left = 12 + i * 15
        draw.rectangle((left, 52 - height, left + 9, 52), fill=(255, 255, 255, 255))
    return icon


def configure_app() -> None:
    """The settings every page inherits (wide layout, the app's icon); app.py calls it once per run."""
    st.set_page_config(page_title=APP_NAME, page_icon=app_icon(), layout="wide")


def page_header(title: str, *, caption: str | None = None) -> None:
    """The tab title `Data · Risk model studio`, the page's heading and, when given, the line under it."""
    from ui.navigation import through_app

    through_app()
    st.set_page_config(page_title=f"{title} · {APP_NAME}", layout="wide")
    from ui.session import bootstrap

    bootstrap()
    st.title(title)
    if caption:
        st.caption(caption)
