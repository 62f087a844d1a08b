"""Charts of a table before training: target balance, one column's distribution, correlations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, NONEVENT_COLOR
from finmodels.data.targets import label_strings, rating_order

# A heatmap of more columns than this is unreadable; the most variable numeric columns are kept.
MAX_HEATMAP_COLUMNS = 30
MAX_BARS = 20
FLAG_COLOR = "#9a7d0a"  # the amber of the page's warnings, apart from the event's red


def plot_target_balance(balance: dict[str, int], *, target: str, event_label: str | None = None) -> go.Figure:
    """Rows per target label, the risk event in red; ratings in scale order (AAA ... D, as on the Evaluate page),
    other labels as given (most rows first)."""
    labels = rating_order(balance) or list(balance)
    colors = [EVENT_COLOR if label == event_label else NONEVENT_COLOR for label in labels]
    fig = go.Figure(go.Bar(x=labels, y=[balance[k] for k in labels], marker_color=colors, name=target,
                           text=[f"{balance[k]:,}" for k in labels], textposition="auto"))
    fig.update_layout(title=f"Balance of '{target}'", xaxis_title=target, yaxis_title="Rows", **LAYOUT)
    fig.update_xaxes(type="category")
    return fig


def plot_distribution(frame: pd.DataFrame, column: str, *, target: str | None = None,
                      event_label: str | None = None, flagged: tuple[int, ...] = (),
                      categorical: bool = False) -> go.Figure:
    """Histogram of a numeric column, or bars of a text column's most frequent values.

    With a binary target and its event label, the event rows and the other rows are shown side by side. `flagged`
    rows (spreadsheet numbers, as the checks name them) of a numeric column are marked on the axis: a value of 144
    among ages of 20 to 90 is one bar too low to see. A numeric column set to `categorical` (codes without an
    order) has one bar per code, in the codes' order and spelt as the model reads them ('2' for 2 or 2.0).
    """
    series = frame[column]
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    codes = None
    if categorical and numeric:
        from finmodels.models.preprocessing import level_text

        codes = [level_text(v) for v in np.sort(series.dropna().unique())][:MAX_BARS]
        series, numeric = series.map(lambda v: v if pd.isna(v) else level_text(v)), False
    groups = {"all rows": series}
    if target is not None and event_label is not None and target != column:
        is_event = (label_strings(frame[target]) == event_label).to_numpy()
        groups = {f"{target} = {event_label}": series[is_event], "other rows": series[~is_event]}
    colors = [EVENT_COLOR, NONEVENT_COLOR] if len(groups) == 2 else [NEUTRAL_COLOR]
    fig = go.Figure()
    top = codes if codes is not None else series.astype(str).where(series.notna()).value_counts().index[:MAX_BARS]
    for (name, values), color in zip(groups.items(), colors):
        if numeric:
            fig.add_trace(go.Histogram(x=values.dropna(), name=name, marker_color=color, opacity=0.7,
                                       histnorm="percent" if len(groups) == 2 else None))
        else:
            counts = values.astype(str).where(values.notna()).value_counts().reindex(top, fill_value=0)
            fig.add_trace(go.Bar(x=list(counts.index), y=counts.to_numpy(), name=name, marker_color=color))
    if numeric and flagged:
        fig.add_trace(_flagged_marks(series, flagged))
    y_title = "% of rows in group" if numeric and len(groups) == 2 else "Rows"
    title = f"Distribution of '{column}'" + (" (set to 'categorical': one bar per code)" if codes is not None else "")
    fig.update_layout(title=title, xaxis_title=column, yaxis_title=y_title,
                      barmode="overlay" if numeric else "group", **LAYOUT)
    if not numeric:
        fig.update_xaxes(type="category")
    return fig


def _flagged_marks(series: pd.Series, flagged: tuple[int, ...]) -> go.Scatter:
    values = series.iloc[np.asarray(flagged) - 2]
    return go.Scatter(x=values, y=np.zeros(len(values)), mode="markers", name=f"flagged by the checks ({len(values):,} "
                      f"row{'s' if len(values) > 1 else ''})", marker=dict(color=FLAG_COLOR, symbol="x", size=11),
                      customdata=np.asarray(flagged), hovertemplate="line %{customdata}: %{x}<extra></extra>",
                      cliponaxis=False)


def correlation_columns(frame: pd.DataFrame, columns: list[str], *, limit: int = MAX_HEATMAP_COLUMNS) -> list[str]:
    """The numeric columns of `columns` to show, the `limit` most variable (relative to their scale) first."""
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(frame[c].dtype)
               and not pd.api.types.is_bool_dtype(frame[c].dtype) and frame[c].nunique() > 1]
    if len(numeric) <= limit:
        return numeric
    values = frame[numeric].astype("float64")
    spread = (values.std() / (values.abs().mean() + 1e-12)).sort_values(ascending=False)
    return list(spread.index[:limit])


def plot_correlation(frame: pd.DataFrame, columns: list[str], *, limit: int = MAX_HEATMAP_COLUMNS,
                     categorical=()) -> go.Figure:
    """Pearson correlations between numeric columns (at most `limit` of them), -1 blue to +1 red. Numeric columns
    in `categorical` (set to 'categorical' on the Data page: codes without an order, whose correlation means
    nothing) are left out, and the subtitle names them."""
    left_out = [c for c in columns if c in set(categorical) and pd.api.types.is_numeric_dtype(frame[c].dtype)
                and not pd.api.types.is_bool_dtype(frame[c].dtype)]
    columns = [c for c in columns if c not in set(left_out)]
    shown = correlation_columns(frame, columns, limit=limit)
    corr = frame[shown].astype("float64").corr().to_numpy() if shown else np.zeros((0, 0))
    fig = go.Figure(go.Heatmap(z=corr, x=shown, y=shown, zmin=-1, zmax=1, colorscale="RdBu_r",
                               colorbar=dict(title="r"), name="correlation",
                               text=np.round(corr, 2), hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>"))
    title = "Correlation of numeric columns"
    if len(shown) < len([c for c in columns if pd.api.types.is_numeric_dtype(frame[c].dtype)]):
        title += f" (the {len(shown)} most variable)"
    note = (f"Left out, set to 'categorical' (codes without an order): {', '.join(map(str, left_out))}."
            if left_out else "")
    # every column named on both axes (plotly labels every other one past about 15 rows), the rows tall enough to read
    longest = max((len(str(c)) for c in shown), default=0)  # the upright names below take about 7 px a character
    fig.update_layout(title=dict(text=title, subtitle=dict(text=note)),
                      height=max(450, 180 + 22 * len(shown) + 7 * longest), **LAYOUT)
    if note:
        fig.update_layout(margin=dict(LAYOUT["margin"], t=75))
    # the column names upright under their own column: at plotly's slant the long ones ran over their neighbours
    fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=shown, tickangle=-90, automargin=True)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=shown, ticktext=shown)
    return fig
