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
    others = sorted({k.split("_")[1] for k in history if k.startswith("network_") and k.endswith("_val_loss")},
                    key=int)
    for i, k in enumerate(others):  # a cross-fitted run's other networks (training.members)
        values = history[f"network_{k}_val_loss"]
        fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values,
                                 name="validation, networks 2-" + str(len(others) + 1), legendgroup="others",
                                 showlegend=i == 0, mode="lines", opacity=0.35, line=dict(color=VALID_COLOR, width=1)))
    if others:
        title = f"{title} (network 1 of {len(others) + 1})"
    fig.update_layout(title=title, xaxis_title="Epoch", yaxis_title="Loss", **LAYOUT)
    return fig
