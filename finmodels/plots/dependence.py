"""The partial dependence chart: each sampled row's own line (ICE, faint), their average (bold), and where the rows'
own values of the column lie (a rug under a numeric axis), with the edges of the scorecard's bins where the network
also reads the column's weight of evidence (dotted); a coded column (PAY_0's -2 to 8, MARRIAGE 0 to 3) per code on
an axis of its codes: each row as a dot, their middle half as a box, the average as a marker, no line joining codes;
a text column as the average per level with the middle half of the rows' scores. Under each code or level, its
training rows; a thin one (too few to rely on) is drawn in orange. Takes a
`finmodels.explain.dependence.PartialDependence`; returns a plotly figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from finmodels.explain.counterfactuals import fmt_value
from finmodels.plots.style import LAYOUT, NEUTRAL_COLOR, TRAIN_COLOR, VALID_COLOR

MAX_LINES = 100  # rows whose own line is drawn (all rows are averaged)
THIN_COLOR = VALID_COLOR


def plot_partial_dependence(found, *, lines: int = MAX_LINES) -> go.Figure:
    """`found`'s average score against the column's values, over a faint line per row (at most `lines` drawn)."""
    fig = go.Figure()
    y_axis = {"tickformat": ".0%"} if found.percent else {}
    if found.coded:
        _per_code(fig, found)
    elif found.numeric:
        _along(fig, found, lines)
    else:
        _per_level(fig, found)
    if found.by_level:
        labels = _labels(found)
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickvals=labels,
                         ticktext=_ticks(found, labels))
    title = f"How the {found.score_name} moves with {found.column}"
    fig.update_layout(title=title, xaxis_title=f"{found.column} (set on every row)", yaxis_title=found.score_name,
                      yaxis=y_axis, **LAYOUT)
    return fig


def _along(fig: go.Figure, found, lines: int) -> None:
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
    inside = [e for e in found.woe_edges or () if min(x) < e < max(x)]
    for i, edge in enumerate(inside):
        label = dict(annotation_text="last scorecard bin edge (WoE input)", annotation_position="top right",
                     annotation_font_size=11) if i == len(inside) - 1 else {}
        fig.add_vline(x=edge, line=dict(color=NEUTRAL_COLOR, width=1, dash="dot"), **label)
    # the values tried, not the rug's far rows (PAY_AMT2's 302,961 squeezed the grid's 0 to 79,365 into a third);
    # the caption counts the rows beyond
    margin = 0.03 * (max(x) - min(x))
    fig.update_xaxes(range=[min(x) - margin, max(x) + margin])


def _per_code(fig: go.Figure, found) -> None:
    labels = _labels(found)
    fig.add_trace(go.Box(x=np.repeat(np.asarray(labels, dtype=object)[None, :], len(found.lines), axis=0).ravel(),
                         y=found.lines.ravel(), boxpoints="all", jitter=0.5, pointpos=0, name="one row (ICE)",
                         marker=dict(color=NEUTRAL_COLOR, size=3, opacity=0.35),
                         line=dict(color=NEUTRAL_COLOR, width=1),
                         fillcolor="rgba(0,0,0,0)", whiskerwidth=0, hoverinfo="skip"))
    thin = {_label(found, v) for v in found.thin}
    for few in (False, True):  # a thin code's average in its own trace, so each legend entry has its own colour
        at = [i for i, label in enumerate(labels) if (label in thin) == few]
        if at:
            fig.add_trace(go.Scatter(
                x=[labels[i] for i in at], y=found.average[at], mode="markers",
                name="average, too few training rows: not reliable" if few else f"average of {len(found.rows)} rows",
                marker=dict(color=THIN_COLOR if few else TRAIN_COLOR, size=14, symbol="diamond",
                            line=dict(color="white", width=1))))


def _per_level(fig: go.Figure, found) -> None:
    levels = _labels(found)
    thin = {_label(found, v) for v in found.thin}
    q1, q3 = np.percentile(found.lines, 25, axis=0), np.percentile(found.lines, 75, axis=0)
    fig.add_trace(go.Bar(x=levels, y=found.average, marker_color=[THIN_COLOR if v in thin else TRAIN_COLOR
                                                                  for v in levels],
                         name=f"average of {len(found.rows)} rows",
                         error_y=dict(type="data", symmetric=False, array=q3 - found.average,
                                      arrayminus=found.average - q1, color=NEUTRAL_COLOR)))
    _thin_legend(fig, thin, "square")


def _thin_legend(fig: go.Figure, thin: set, symbol: str) -> None:
    if thin:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="too few training rows: not reliable",
                                 marker=dict(color=THIN_COLOR, size=12, symbol=symbol)))


def _label(found, value) -> str:
    return fmt_value(value) if found.numeric else str(value)


def _labels(found) -> list[str]:
    return [_label(found, v) for v in found.grid]


def _ticks(found, labels: list[str]) -> list[str]:
    """Each code or level with its training rows under it, a thin one in orange."""
    if not found.counts:
        return labels
    thin = {_label(found, v) for v in found.thin}
    return [f"{label}<br><span style='font-size:11px;color:{THIN_COLOR if label in thin else NEUTRAL_COLOR}'>"
            f"{'≈' if getattr(found, 'estimated', False) else ''}{n:,} row{'s' if n != 1 else ''}</span>"
            for label, n in zip(labels, found.counts)]
