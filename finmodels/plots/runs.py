"""Charts comparing the runs of a session."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go

from finmodels.plots.style import LAYOUT


def plot_loss_overlay(histories: dict[str, list[float]], *, title: str = "Validation loss per epoch, by run",
                      yaxis_title: str = "Validation loss") -> go.Figure:
    """One line per run, so runs with different settings can be compared epoch by epoch."""
    fig = go.Figure()
    colors = px.colors.qualitative.D3
    seen: dict[tuple, str] = {}
    for i, (name, values) in enumerate(histories.items()):
        same = seen.setdefault(tuple(round(float(v), 10) for v in values), name)
        # a run whose curve is another's (a blend's first network and the same network trained alone, same seed)
        # would hide under it: drawn dashed on top, and the legend says so
        label = name if same == name else f"{name} (the same curve as {same})"
        fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, name=label, mode="lines",
                                 line=dict(color=colors[i % len(colors)], dash="solid" if same == name else "dash",
                                           width=2 if same == name else 3)))
    fig.update_layout(title=title, xaxis_title="Epoch", yaxis_title=yaxis_title, legend_title_text="Run", **LAYOUT)
    return fig
