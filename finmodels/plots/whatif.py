"""Charts of a what-if (`finmodels.explain.whatif.WhatIf`): the row's waterfall before and after the edits, the
change of each contribution, and how far each numeric input would have to move to change the decision."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from finmodels.explain.reasons import format_value
from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, NONEVENT_COLOR, VALID_COLOR


def _score(value: float, scale: str, *, sign: bool = False) -> str:
    return format(value, ("+" if sign else "") + (".3f" if scale == "probability" else ".3g"))


def _title(state: dict, scale: str) -> str:
    decision = f" ({state['decision']})" if "decision" in state else ""
    return f"{_score(state['score'], scale)}{decision}"


def _label(whatif, column: str) -> str:
    """A column's label on the shared axis: an edited one with its value before and after, in bold."""
    e = whatif.explanation
    if column in whatif.changes:
        return f"<b>{column}: {format_value(e.data.iloc[0][column])} → {format_value(e.data.iloc[1][column])} *</b>"
    return f"{column} = {format_value(e.data.iloc[0][column])}"


def plot_whatif_waterfalls(whatif, *, top: int = 10) -> go.Figure:
    """The row's waterfall before (left) and after (right) the edits, the same `top` columns in the same order
    (the largest contributions of either), the rest as one bar; the threshold as a dashed line. The panels share
    one column of labels, on the left: an edited column shows its value before and after, in bold."""
    e = whatif.explanation
    values = pd.DataFrame(e.values[:2].T, index=e.columns, columns=["before", "after"])
    order = values.abs().max(axis=1).sort_values(ascending=False).index
    shown, rest = list(order[:top]), list(order[top:])
    fig = make_subplots(rows=1, cols=2, shared_yaxes=False, horizontal_spacing=0.04,
                        subplot_titles=(f"Before: {_title(whatif.before, e.scale)}",
                                        f"After: {_title(whatif.after, e.scale)}"))
    for col, (which, state) in enumerate((("before", whatif.before), ("after", whatif.after)), start=1):
        row = 0 if which == "before" else 1
        labels = [f"{c} = {format_value(e.data.iloc[row][c])}" + (" *" if c in whatif.changes else "")
                  for c in shown]
        steps = [float(values.loc[c, which]) for c in shown]
        if rest:
            labels.append(f"{len(rest)} other column{'s' if len(rest) > 1 else ''}")
            steps.append(float(values.loc[rest, which].sum()))
        fig.add_trace(go.Waterfall(
            orientation="h", measure=["absolute", *["relative"] * len(steps), "total"],
            y=["Base value", *labels, "Score"], x=[e.base_value, *steps, state["score"]],
            increasing=dict(marker_color=EVENT_COLOR), decreasing=dict(marker_color=NONEVENT_COLOR),
            totals=dict(marker_color=NEUTRAL_COLOR), name=which, cliponaxis=False,
            text=[_score(e.base_value, e.scale), *[_score(s, e.scale, sign=True) for s in steps],
                  _score(state["score"], e.scale)],
        ), row=1, col=col)
        if whatif.threshold is not None:
            fig.add_vline(x=whatif.threshold, line_dash="dash", line_color=VALID_COLOR, row=1, col=col)
        fig.update_yaxes(autorange="reversed", row=1, col=col)
        fig.update_xaxes(title_text=f"{e.output_name} ({e.scale})", matches="x", row=1, col=col)
    # the traces keep each panel's own labels (hover); the axis shows one set, each edit's value before and after
    shown_labels = [_label(whatif, c) for c in shown] + list(fig.data[0].y[len(shown) + 1:-1])
    fig.update_yaxes(tickmode="array", tickvals=list(fig.data[0].y),
                     ticktext=["Base value", *shown_labels, "Score"], row=1, col=1)
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    fig.update_layout(title=f"What-if for {whatif.row_label} (* edited; dashed: threshold)", showlegend=False,
                      height=max(380, 30 * (len(shown) + 3) + 140), **LAYOUT)
    return fig


def plot_contribution_changes(whatif, *, top: int = 12) -> go.Figure:
    """Per column, its contribution before and after the edits, the columns whose contribution moved most first."""
    table = whatif.contributions().head(top)[::-1]
    e = whatif.explanation
    fig = go.Figure([
        go.Bar(y=table["column"].astype(str), x=table["contribution before"], orientation="h", name="before",
               marker_color=NEUTRAL_COLOR),
        go.Bar(y=table["column"].astype(str), x=table["contribution after"], orientation="h", name="after",
               marker_color=EVENT_COLOR),
    ])
    fig.update_layout(title="Contributions before and after the edits", barmode="group",
                      xaxis_title=f"SHAP contribution to the {e.output_name} ({e.scale})", yaxis_title="",
                      height=max(340, 36 * len(table) + 140), **LAYOUT)
    return fig


def plot_counterfactuals(whatif) -> go.Figure:
    """Each numeric input's training range (0 to 100 %), the edited row's value (circle) and the nearest value
    that changes the decision (diamond), nearest first; an input no value in range can move is labelled so."""
    items = list(whatif.counterfactuals)[::-1]
    names = [cf.column for cf in items]

    def share(value, cf):
        width = (cf.high - cf.low) or 1.0
        return None if value is None else 100 * (value - cf.low) / width

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[share(cf.current, cf) for cf in items], y=names, mode="markers", name="this row",
                             marker=dict(color=NEUTRAL_COLOR, size=11),
                             text=[format_value(cf.current) for cf in items],
                             hovertemplate="%{y}: %{text}<extra>this row</extra>"))
    found = [cf for cf in items if cf.found]
    fig.add_trace(go.Scatter(x=[share(cf.value, cf) for cf in found], y=[cf.column for cf in found],
                             mode="markers+text", name="changes the decision",
                             marker=dict(color=EVENT_COLOR, size=12, symbol="diamond"),
                             text=[format_value(cf.value) for cf in found], textposition="top center",
                             hovertext=[cf.note for cf in found], hoverinfo="text"))
    for cf in items:
        fig.add_shape(type="line", x0=0, x1=100, y0=cf.column, y1=cf.column, line=dict(color="#d5d8dc", width=6),
                      layer="below")
        if not cf.found:
            fig.add_annotation(x=100, y=cf.column, text="no value in range changes it", showarrow=False,
                               xanchor="left", font=dict(color=NEUTRAL_COLOR, size=11))
    fig.update_layout(title="Moves that change the decision, one input at a time (others held)",
                      xaxis=dict(title="Position in the training range (%)", range=[-5, 105]), yaxis_title="",
                      height=max(300, 40 * len(items) + 140), **LAYOUT)
    fig.update_layout(margin=dict(LAYOUT["margin"], r=200))
    return fig


__all__ = ["plot_contribution_changes", "plot_counterfactuals", "plot_whatif_waterfalls"]
