"""Charts of a training run."""

from __future__ import annotations

import plotly.graph_objects as go

from finmodels.plots.style import LAYOUT, TRAIN_COLOR, VALID_COLOR


def plot_loss_curve(history: dict[str, list[float]], *, title: str = "Loss per epoch") -> go.Figure:
    """Training and validation loss by epoch, with the best validation epoch marked."""
    fig = go.Figure()
    epochs = list(range(1, len(history.get("loss", [])) + 1))
    fig.add_trace(go.Scatter(x=epochs, y=history.get("loss", []), name="train", mode="lines+markers",
                             line=dict(color=TRAIN_COLOR)))
    val = history.get("val_loss", [])
    if val:
        fig.add_trace(go.Scatter(x=epochs[: len(val)], y=val, name="validation", mode="lines+markers",
                                 line=dict(color=VALID_COLOR)))
        best = min(range(len(val)), key=val.__getitem__)
        fig.add_vline(x=best + 1, line_dash="dot", line_color=VALID_COLOR,
                      annotation_text=f"best epoch {best + 1}", annotation_position="top right")
    fig.update_layout(title=title, xaxis_title="Epoch", yaxis_title="Loss", **LAYOUT)
    return fig
