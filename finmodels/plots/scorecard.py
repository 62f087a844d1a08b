"""Charts of the scorecard challenger: information value per feature, and one feature's bins (rows, event rate,
WoE and points)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from finmodels.errors import ConfigError
from finmodels.models.scorecard_tables import IV_BANDS
from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, NONEVENT_COLOR, TRAIN_COLOR

TEXT_COLOR = "#2c3e50"
STRENGTH_COLORS = {"not predictive": NEUTRAL_COLOR, "weak": "#a9cce3", "medium": NONEVENT_COLOR,
                   "strong": TRAIN_COLOR}


def plot_iv(iv_table: pd.DataFrame, *, top: int = 25) -> go.Figure:
    """Horizontal bars of information value per feature (ScorecardModel.iv_table), coloured by strength, with
    the 0.02 / 0.1 / 0.3 lines."""
    shown = iv_table.head(top).iloc[::-1]
    fig = go.Figure(go.Bar(x=shown["iv"], y=[str(f) for f in shown["feature"]], orientation="h", name="IV",
                           marker_color=[STRENGTH_COLORS[s] for s in shown["strength"]],
                           text=[f"{v:.3f}" for v in shown["iv"]], textposition="outside", hovertext=shown["strength"],
                           textfont=dict(shadow="auto"),  # a halo of the background: readable over a dotted line
                           hovertemplate="%{y}: IV %{x:.3f} (%{hovertext})<extra></extra>"))
    for limit, _ in IV_BANDS[:-1]:
        fig.add_vline(x=limit, line_dash="dot", line_color="#555", annotation_text=f"{limit:g}",
                      annotation_position="top", layer="below")  # under the bars and their values
    fig.update_layout(title="Information value per feature", xaxis_title="Information value (IV)", yaxis_title="",
                      height=max(320, 26 * len(shown) + 140), **LAYOUT)
    # room right of the longest bar for its value (German's 0.654 read '0.65-', cut at the plot's edge)
    longest = max([float(shown["iv"].max()) if len(shown) else 0.0, IV_BANDS[-2][0]])
    fig.update_xaxes(range=[0, longest * 1.18])
    return fig


def label_room(values, *, above: float = 0.25, below: float = 0.08) -> list[float] | None:
    """An axis range over `values` with room above the highest for its text label: plotly clipped the top point's
    label at the edge of its subplot (the first bin's points on credit_risk_dataset's loan_percent_income)."""
    shown = [v for v in values if v == v]
    if not shown:
        return None
    low, high = min(shown), max(shown)
    span = (high - low) or max(abs(high), 1.0)
    return [low - below * span, high + above * span]


def plot_feature_bins(binning_table: pd.DataFrame, points_table: pd.DataFrame, feature: str, *,
                      empty: bool = False) -> go.Figure:
    """One feature's bins: rows per bin (bars) and event rate (line) above, WoE and points below.

    Bins with no training rows (an unused missing or special bin) are left out unless `empty`.
    """
    bins = binning_table[binning_table["feature"] == feature]
    if bins.empty:
        features = ", ".join(dict.fromkeys(binning_table["feature"]))
        raise ConfigError(f"Unknown feature '{feature}'. The scorecard has: {features}.")
    points = points_table[points_table["feature"] == feature].set_index("bin")["points"]
    if not empty:
        bins = bins[bins["rows"] > 0]
    labels = [str(b) for b in bins["bin"]]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        specs=[[{"secondary_y": True}], [{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=labels, y=bins["rows"], name="Rows", marker_color=NONEVENT_COLOR), row=1, col=1)
    fig.add_trace(go.Scatter(x=labels, y=bins["event_rate"], name="Event rate", mode="lines+markers",
                             marker_color=EVENT_COLOR), row=1, col=1, secondary_y=True)
    # WoE bars light enough that the points' labels, drawn over them, stay readable
    fig.add_trace(go.Bar(x=labels, y=bins["woe"], name="WoE", marker_color=TRAIN_COLOR, opacity=0.45), row=2, col=1)
    values = [float(points.get(b, float("nan"))) for b in bins["bin"]]
    fig.add_trace(go.Scatter(x=labels, y=values, name="Points", mode="lines+markers+text",
                             text=[f"{v:.0f}" for v in values], textposition="top center",
                             textfont=dict(color=TEXT_COLOR), marker_color=NEUTRAL_COLOR), row=2, col=1, secondary_y=True)
    fig.update_yaxes(title_text="Rows", row=1, col=1)
    fig.update_yaxes(title_text="Event rate", tickformat=".0%", showgrid=False, row=1, col=1, secondary_y=True)
    fig.update_yaxes(title_text="WoE", row=2, col=1)
    fig.update_yaxes(title_text="Points", range=label_room(values), tickformat=".0f", showgrid=False, zeroline=False, row=2, col=1, secondary_y=True)
    fig.update_xaxes(title_text=feature, row=2, col=1)
    iv = float(bins["iv"].sum())
    fig.update_layout(title=f"Scorecard bins of '{feature}' (IV {iv:.3f})", height=560, **LAYOUT)
    return fig
