"""The partial dependence chart: each sampled row's own line (ICE, faint), their average (bold), and where the rows'
own values of the column lie (a rug under a numeric axis); a text column as the average per level with the middle
half of the rows' scores. Takes a `finmodels.explain.dependence.PartialDependence`; returns a plotly figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from finmodels.plots.style import LAYOUT, NEUTRAL_COLOR, TRAIN_COLOR

MAX_LINES = 100  # rows whose own line is drawn (all rows are averaged)


def plot_partial_dependence(found, *, lines: int = MAX_LINES) -> go.Figure:
    """`found`'s average score against the column's values, over a faint line per row (at most `lines` drawn)."""
    fig = go.Figure()
    y_axis = {"tickformat": ".0%"} if found.percent else {}
    if found.numeric:
        x = list(found.grid)
        for i, row in enumerate(found.lines[:lines]):
            fig.add_trace(go.Scatter(x=x, y=row, mode="lines", line=dict(color=NEUTRAL_COLOR, width=1), opacity=0.25,
                                     name="one row (ICE)", legendgroup="rows", showlegend=i == 0, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=found.average, mode="lines+markers", line=dict(color=TRAIN_COLOR, width=3),
                                 name=f"average of {len(found.rows)} rows"))
        observed = np.asarray([v for v in found.observed if v is not None], dtype="float64")
        observed = observed[np.isfinite(observed)]
        low = float(np.min(found.lines)) if found.lines.size else 0.0
        fig.add_trace(go.Scatter(x=observed, y=np.full(len(observed), low), mode="markers", name="the rows' own values",
                                 marker=dict(symbol="line-ns-open", size=10, color="#7f8c8d"), hoverinfo="x"))
    else:
        levels = [str(v) for v in found.grid]
        q1, q3 = np.percentile(found.lines, 25, axis=0), np.percentile(found.lines, 75, axis=0)
        fig.add_trace(go.Bar(x=levels, y=found.average, marker_color=TRAIN_COLOR,
                             name=f"average of {len(found.rows)} rows",
                             error_y=dict(type="data", symmetric=False, array=q3 - found.average,
                                          arrayminus=found.average - q1, color=NEUTRAL_COLOR)))
    title = f"How the {found.score_name} moves with {found.column}"
    fig.update_layout(title=title, xaxis_title=f"{found.column} (set on every row)", yaxis_title=found.score_name,
                      yaxis=y_axis, **LAYOUT)
    return fig
