"""One look for every chart."""

EVENT_COLOR = "#c0392b"
NONEVENT_COLOR = "#2e86c1"
TRAIN_COLOR = "#1f4e79"
VALID_COLOR = "#e67e22"
NEUTRAL_COLOR = "#7f8c8d"
LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), font=dict(size=13))
