"""Charts of fairness by a protected attribute: each group's decision and error rates, and its adverse impact
ratio against the four-fifths line."""

from __future__ import annotations

import plotly.graph_objects as go

from finmodels.evaluation.fairness import FOUR_FIFTHS
from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, NONEVENT_COLOR, TRAIN_COLOR, VALID_COLOR

LINE_COLOR = "#555"
RATES = (("approval_rate", "Approval rate", NONEVENT_COLOR), ("tpr", "True-positive rate", TRAIN_COLOR),
         ("fpr", "False-positive rate", VALID_COLOR), ("auc", "AUC", NEUTRAL_COLOR))


def top_legend(rows: int) -> dict:
    """The layout with the legend in `rows` rows between the title (kept at the top) and the plot: beside the
    chart, it took a third of a half-page column."""
    return {**LAYOUT, "margin": dict(LAYOUT["margin"], t=60 + 28 * rows), "title_y": 0.98, "title_yanchor": "top",
            "legend": dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0)}


def plot_group_rates(report) -> go.Figure:
    """Grouped bars per group of a FairnessReport: approval rate, true- and false-positive rates and AUC (the
    last three only when the rows had outcomes), each labelled upright above its bar (labels across narrow bars were
    shrunk to their width, unreadable)."""
    table = report.table
    groups = [str(g) for g in table.index]
    fig = go.Figure()
    for key, label, color in RATES:
        if key != "approval_rate" and not report.has_outcomes:
            continue
        values = table[key].astype(float)
        fig.add_trace(go.Bar(x=groups, y=values, name=label, marker_color=color,
                             text=[f"{v:.0%}" if key != "auc" else f"{v:.2f}" for v in values], textposition="outside",
                             textangle=-90, textfont_size=11, constraintext="none", cliponaxis=False,
                             customdata=table["rows"], hovertemplate="%{x}: %{y:.3f} (%{customdata:,} rows)"
                             "<extra>" + label + "</extra>"))
    fig.update_layout(title=f"Decisions and errors by '{report.column}' at threshold {report.threshold:.3g}",
                      xaxis_title=report.column, yaxis_title="Rate", yaxis_range=[0, 1.2], yaxis_tickformat=".0%",
                      yaxis_tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0], barmode="group", **top_legend(2 if len(fig.data) > 2 else 1))
    return fig


def plot_adverse_impact(report) -> go.Figure:
    """One bar per group: its approval rate over the most favoured group's, red under the four-fifths line."""
    table = report.table
    groups = [str(g) for g in table.index]
    ratios = table["adverse_impact_ratio"].astype(float)
    colors = [EVENT_COLOR if flagged else NONEVENT_COLOR for flagged in table["flagged"]]
    fig = go.Figure(go.Bar(x=groups, y=ratios, marker_color=colors, name="Adverse impact ratio", showlegend=False,
                           text=[f"{v:.2f}" for v in ratios], textposition="outside",
                           hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    # the line is named in the legend above the chart: written on the line, its name lay across the bars under it
    fig.add_hline(y=FOUR_FIFTHS, line_dash="dot", line_color=LINE_COLOR)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"four-fifths rule ({FOUR_FIFTHS:g})",
                             line=dict(dash="dot", color=LINE_COLOR), hoverinfo="skip"))
    fig.update_layout(title=f"Adverse impact ratio by '{report.column}' (against '{report.reference}')",
                      xaxis_title=report.column, yaxis_title="Approval rate ÷ most favoured group's",
                      yaxis_range=[0, 1.15], **top_legend(1))
    return fig
