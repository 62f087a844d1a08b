"""Loss model charts: pure functions from a `finmodels.evaluation.losses.LossEvaluation` to a plotly Figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from finmodels.plots.style import LAYOUT, NEUTRAL_COLOR, TRAIN_COLOR


def plot_loss_calibration(found, *, title: str | None = None) -> go.Figure:
    """Mean realised against mean predicted loss in each bin of predicted loss, with the diagonal a calibrated model
    lies on; each bin's marker is sized by its rows (or exposure), and its hover names the bin's range."""
    t = found.calibration
    weight = t["exposure"] if found.exposure is not None else t["rows"]
    size = 10 + 20 * np.sqrt(weight / weight.max()) if weight.max() > 0 else np.full(len(t), 12.0)
    unit = {"lgd": "share of exposure", "loss": "loss", "pd": "probability of default"}[found.predicts]
    hover = [f"bin {b}: predicted {lo:.3g} to {hi:.3g}<br>{n:,} rows" + (f", exposure {e:,.0f}" if found.exposure
                                                                         else "")
             for b, lo, hi, n, e in zip(t["bin"], t["low"], t["high"], t["rows"], t["exposure"])]
    fig = go.Figure()
    lo = float(min(t["predicted"].min(), t["realised"].min(), 0.0))
    hi = float(max(t["predicted"].max(), t["realised"].max()))
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="calibrated (realised = predicted)",
                             line=dict(color=NEUTRAL_COLOR, dash="dash")))
    weighted = " (exposure-weighted)" if found.exposure is not None else ""
    fig.add_trace(go.Scatter(x=t["predicted"], y=t["realised"], mode="lines+markers", name=f"bins{weighted}",
                             text=hover, hovertemplate="%{text}<br>predicted %{x:.3g}, realised %{y:.3g}<extra></extra>",
                             marker=dict(color=TRAIN_COLOR, size=size), line=dict(color=TRAIN_COLOR, width=1)))
    span = [lo, hi * 1.05 if hi > 0 else 1.0]  # the same range on both axes, so the diagonal is at 45 degrees
    what = "default rate" if found.predicts == "pd" else "loss"
    fig.update_layout(title=title or f"Realised against predicted {what} in {len(t)} bins",
                      xaxis_title=f"Mean predicted ({unit})", yaxis_title=f"Mean realised ({unit})",
                      xaxis_range=span, yaxis_range=span, **LAYOUT)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))  # beside, it squeezed the plot
    return fig
