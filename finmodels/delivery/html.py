"""HTML pieces the delivery stage's documents share: the page style, escaped paragraphs, lists and tables, a
setting's value as text, and a figure placeholder that a document renders with Plotly's JavaScript once."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222;
padding:0 1em}h1{color:#1f4e79}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left;white-space:pre-line}
th{background:#f4f6f8}.note{color:#666;font-size:.9em}li{margin:.2em 0}
"""
FLAG_STYLE = ".flag{color:#c0392b;font-weight:600}\n"  # a finding that needs a reader's attention


@dataclass
class Figure:
    """A plotly figure among a section's HTML fragments, rendered when the document is assembled."""

    fig: object


def paragraph(text: str, cls: str | None = None) -> str:
    """`text` escaped as a paragraph, with an optional class ('note', 'flag')."""
    return f"<p{f' class={cls!r}' if cls else ''}>{html.escape(str(text))}</p>"


def bullets(items) -> str:
    """Each item escaped as a list entry."""
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>"


def html_table(frame: pd.DataFrame, *, index: bool = False, digits: int = 4) -> str:
    """A table with every cell escaped, missing values as '–' and numbers to `digits` significant digits."""
    return frame.to_html(index=index, escape=True, na_rep="–", float_format=lambda v: f"{v:.{digits}g}")


def plain_value(value) -> str:
    """A setting's value as a reader wants it: '(default)' for None, 6 significant digits, lists and dicts
    joined."""
    if value is None:
        return "(default)"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {plain_value(v)}" for k, v in value.items())
    return str(value)
