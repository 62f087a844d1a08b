"""One look for every chart."""

EVENT_COLOR = "#c0392b"
NONEVENT_COLOR = "#2e86c1"
TRAIN_COLOR = "#1f4e79"
VALID_COLOR = "#e67e22"
NEUTRAL_COLOR = "#7f8c8d"
LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), font=dict(size=13))


def wrap_label(text: str, width: int = 18) -> str:
    """An axis label on lines of about `width` characters (plotly's '<br>'), broken at spaces, so a long class name
    reads level instead of rotated and overlapping its neighbours; a word longer than `width` stays whole."""
    import textwrap

    return "<br>".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)
