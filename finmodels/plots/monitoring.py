"""Charts of population stability: PSI per column with the usual 0.1 / 0.25 bands, and one column's bins."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from finmodels.evaluation.monitoring import MAJOR, MODERATE, band, noise_psi, rows_needed
from finmodels.plots.style import LAYOUT, NONEVENT_COLOR, VALID_COLOR

CAP = 1.0  # PSI shown in full up to here; anything larger is far past the 0.25 band anyway


def plot_stability(report: pd.DataFrame, *, top: int = 25) -> go.Figure:
    """Horizontal PSI bars (score and columns), coloured by band, with the 0.1 and 0.25 lines."""
    shown = report.head(top).iloc[::-1]
    colors = [band(v).color for v in shown["psi"]]
    # Bars stop at CAP so one extreme column does not squeeze the 0.1 / 0.25 bands; the label shows the value.
    fig = go.Figure(go.Bar(x=shown["psi"].clip(upper=CAP), y=[str(n) for n in shown["name"]], orientation="h",
                           marker_color=colors, name="PSI", text=[f"{v:.3f}" for v in shown["psi"]],
                           textposition="outside", customdata=shown["psi"], hovertext=shown["band"],
                           hovertemplate="%{y}: PSI %{customdata:.3f} (%{hovertext})<extra></extra>"))
    for value, label, anchor in ((MODERATE, "moderate", "right"), (MAJOR, "major", "left")):
        fig.add_vline(x=value, line_dash="dot", line_color="#555")
        # above the plot, so the band's name never sits on the top bar's label
        fig.add_annotation(x=value, y=1, yref="paper", yanchor="bottom", xanchor=anchor, showarrow=False,
                           text=f"{value} {label}", font={"size": 11, "color": "#555"})
    largest = float(shown["psi"].max()) if len(shown) else 0.0
    upper = max(MAJOR * 1.4, min(largest, CAP) * 1.25)
    notes = [f"bars cut at {CAP:g}; the labels give each value"] if largest > CAP else []
    rows = report.attrs.get("rows")
    if rows is not None and rows < rows_needed():
        notes.append(f"only {rows:,} new rows: chance alone gives a PSI of {noise_psi(rows):.2f} or more; read the "
                     f"bands on at least {rows_needed():,} rows")
    title = "Population stability against the training data (PSI)" + "".join(f"<br><sup>{n}</sup>" for n in notes)
    fig.update_layout(title=title, xaxis_title="PSI", xaxis_range=[0, upper], yaxis_title="",
                      height=max(320, 26 * len(shown) + 140 + 18 * len(notes)),
                      **{**LAYOUT, "margin": {**LAYOUT.get("margin", {}), "t": 70 + 22 * len(notes)}})
    return fig


def plot_bins(table: pd.DataFrame, *, column: str) -> go.Figure:
    """Training share against new share in each bin of one column (a psi_table)."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=table["bin"].astype(str), y=table["training share"], name="training",
                         marker_color=NONEVENT_COLOR))
    fig.add_trace(go.Bar(x=table["bin"].astype(str), y=table["new share"], name="new file", marker_color=VALID_COLOR))
    fig.update_layout(title=f"'{column}': share of rows per bin", xaxis_title=column, yaxis_title="Share of rows",
                      yaxis_tickformat=".0%", barmode="group", **LAYOUT)
    return fig
