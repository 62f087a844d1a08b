"""A tile of text that st.metric would cut: st.metric shows its value on one line and ends a long one with '…'
('default_pay…', 'flagged: def…'); this tile keeps the metric's look (a small label above a large value) and wraps
the value instead, so the whole text reads."""

from __future__ import annotations

import html

LABEL_STYLE = "font-size:0.875rem;line-height:1.6;margin-bottom:0.1rem"
VALUE_STYLE = "font-size:1.6rem;line-height:1.25;overflow-wrap:anywhere"  # breaks a long name rather than cut it


def tile_html(label: str, value: str) -> str:
    """The tile as HTML: `label` over `value`, both escaped, in a div of class 'text-tile' named by `label`."""
    # a long column name breaks after its underscores ('default_payment_' over 'next_month'), not mid-word
    label, value = html.escape(str(label)), html.escape(str(value)).replace("_", "_<wbr>")
    return (f'<div class="text-tile" data-label="{label}"><div style="{LABEL_STYLE}">{label}</div>'
            f'<div class="text-tile-value" style="{VALUE_STYLE}">{value}</div></div>')


def text_tile(column, label: str, value: str) -> None:
    """Draw the tile in `column` (a Streamlit container)."""
    column.markdown(tile_html(label, value), unsafe_allow_html=True)
