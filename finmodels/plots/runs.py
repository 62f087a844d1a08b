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
    for i, (name, values) in enumerate(histories.items()):
        fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, name=name, mode="lines",
                                 line=dict(color=colors[i % len(colors)])))
    fig.update_layout(title=title, xaxis_title="Epoch", yaxis_title=yaxis_title, legend_title_text="Run", **LAYOUT)
    return fig
