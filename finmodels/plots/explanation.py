"""Charts of SHAP explanations, in the data's original columns."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from finmodels.plots.style import LAYOUT, NONEVENT_COLOR


def plot_importance(importance: pd.Series, *, top: int = 20, unit: str = "probability") -> go.Figure:
    """Horizontal bars of mean |SHAP| per original column, most important on top."""
    shown = importance.sort_values(ascending=False).head(top)[::-1]
    fig = go.Figure(go.Bar(x=shown.values, y=[str(c) for c in shown.index], orientation="h",
                           marker_color=NONEVENT_COLOR, name="mean |SHAP|"))
    fig.update_layout(title="Which columns drive the model (mean |SHAP|)", xaxis_title=f"Mean |SHAP value| ({unit})",
                      yaxis_title="", height=max(320, 28 * len(shown) + 120), **LAYOUT)
    return fig
