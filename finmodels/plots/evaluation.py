"""Evaluation charts: pure functions from labels, scores or predictions to a plotly Figure.

Binary scorers: plot_roc, plot_pr, plot_ks, plot_calibration, plot_cumulative_gain, plot_lift,
plot_score_distribution, plot_confusion_matrix. Ratings: plot_rating_confusion. Regression:
plot_predicted_vs_actual, plot_residuals. Series: plot_forecast, plot_var_backtest. Anomaly:
plot_anomaly_scores. Curves accept several models at once (`{"Neural network": scores, ...}`) so the network
is drawn beside its baselines.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from finmodels.evaluation import curves
from finmodels.plots.style import (EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, NONEVENT_COLOR, TRAIN_COLOR, VALID_COLOR,
                                   wrap_label)

MODEL_COLORS = (TRAIN_COLOR, VALID_COLOR, "#27ae60", "#8e44ad", "#16a085", NEUTRAL_COLOR)


def _scores(scores) -> Mapping[str, np.ndarray]:
    return scores if isinstance(scores, Mapping) else {"Model": scores}


def _diagonal(fig: go.Figure, name: str) -> None:
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=name,
                             line=dict(color=NEUTRAL_COLOR, dash="dash")))


def plot_roc(y_true, scores, *, title: str = "ROC curve") -> go.Figure:
    """True positive rate against false positive rate, one line per model, AUC in the legend."""
    fig = go.Figure()
    for (name, s), color in zip(_scores(scores).items(), MODEL_COLORS):
        roc = curves.roc_curve_data(y_true, s)
        auc = float(np.trapezoid(roc["tpr"], roc["fpr"]))
        fig.add_trace(go.Scatter(x=roc["fpr"], y=roc["tpr"], mode="lines", name=f"{name} (AUC {auc:.3f})",
                                 line=dict(color=color)))
    _diagonal(fig, "Random (AUC 0.5)")
    fig.update_layout(title=title, xaxis_title="False positive rate", yaxis_title="True positive rate", **LAYOUT)
    return fig


def plot_pr(y_true, scores, *, title: str = "Precision-recall curve") -> go.Figure:
    """Precision against recall, one line per model, with the event rate as the no-skill line."""
    fig = go.Figure()
    for (name, s), color in zip(_scores(scores).items(), MODEL_COLORS):
        pr = curves.pr_curve_data(y_true, s)
        fig.add_trace(go.Scatter(x=pr["recall"], y=pr["precision"], mode="lines", name=name, line=dict(color=color)))
    rate = float(np.mean(np.asarray(y_true).astype(int)))
    fig.add_trace(go.Scatter(x=[0, 1], y=[rate, rate], mode="lines", name=f"No skill (event rate {rate:.2f})",
                             line=dict(color=NEUTRAL_COLOR, dash="dash")))
    fig.update_layout(title=title, xaxis_title="Recall", yaxis_title="Precision", yaxis_range=[0, 1.02], **LAYOUT)
    return fig


def plot_ks(y_true, y_score, *, event_label: str = "event", nonevent_label: str = "non-event",
            title: str = "KS: cumulative share flagged by threshold") -> go.Figure:
    """Cumulative share of events and non-events at or above each score, the KS gap marked."""
    ks = curves.ks_curve_data(y_true, y_score).iloc[1:]
    stat, at = curves.ks_point(y_true, y_score)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ks["threshold"], y=ks["events"], mode="lines", name=f"{event_label} (events)",
                             line=dict(color=EVENT_COLOR)))
    fig.add_trace(go.Scatter(x=ks["threshold"], y=ks["nonevents"], mode="lines",
                             name=f"{nonevent_label} (non-events)", line=dict(color=NONEVENT_COLOR)))
    row = ks.loc[ks["threshold"] == at].iloc[0]
    fig.add_trace(go.Scatter(x=[at, at], y=[row["nonevents"], row["events"]], mode="lines+markers",
                             name=f"KS {stat:.3f} at score {at:.3f}", line=dict(color=NEUTRAL_COLOR, dash="dot")))
    fig.update_layout(title=title, xaxis_title="Score threshold", yaxis_title="Cumulative share at or above",
                      xaxis_autorange="reversed", **LAYOUT)
    return fig


def plot_calibration(y_true, scores, *, bins: int = 10, title: str = "Calibration (reliability)") -> go.Figure:
    """Observed event rate against mean predicted probability per score bin, one line per model."""
    fig = go.Figure()
    for (name, s), color in zip(_scores(scores).items(), MODEL_COLORS):
        cal = curves.calibration_data(y_true, s, bins=bins)
        fig.add_trace(go.Scatter(x=cal["predicted"], y=cal["observed"], mode="lines+markers", name=name,
                                 line=dict(color=color), customdata=cal["rows"],
                                 hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<br>%{customdata} rows"))
    _diagonal(fig, "Perfectly calibrated")
    fig.update_layout(title=title, xaxis_title="Mean predicted probability", yaxis_title="Observed event rate",
                      **LAYOUT)
    return fig


def plot_cumulative_gain(y_true, scores, *, groups: int = 10, title: str = "Cumulative gain") -> go.Figure:
    """Share of all events captured against share of rows reviewed, highest scores first."""
    fig = go.Figure()
    for (name, s), color in zip(_scores(scores).items(), MODEL_COLORS):
        t = curves.gain_lift_table(y_true, s, groups=groups)
        fig.add_trace(go.Scatter(x=np.r_[0.0, t["cumulative_share"]], y=np.r_[0.0, t["cumulative_gain"]],
                                 mode="lines+markers", name=name, line=dict(color=color)))
    _diagonal(fig, "Random")
    fig.update_layout(title=title, xaxis_title="Share of rows reviewed (highest scores first)",
                      yaxis_title="Share of events captured", xaxis_tickformat=".0%", yaxis_tickformat=".0%",
                      **LAYOUT)
    return fig


def plot_lift(y_true, scores, *, groups: int = 10, title: str = "Lift by decile") -> go.Figure:
    """Event rate of each score decile divided by the overall event rate, one bar group per model."""
    fig = go.Figure()
    for (name, s), color in zip(_scores(scores).items(), MODEL_COLORS):
        t = curves.gain_lift_table(y_true, s, groups=groups)
        fig.add_trace(go.Bar(x=t["decile"], y=t["lift"], name=name, marker_color=color))
    fig.add_hline(y=1.0, line_dash="dash", line_color=NEUTRAL_COLOR, annotation_text="random")
    fig.update_layout(title=title, xaxis_title="Decile (1 = highest scores)", yaxis_title="Lift", barmode="group",
                      xaxis_dtick=1, **LAYOUT)
    return fig


def plot_score_distribution(y_true, y_score, *, event_label: str = "event", nonevent_label: str = "non-event",
                            threshold: float | None = None, bins: int = 30,
                            title: str = "Score distribution by actual class") -> go.Figure:
    """Overlaid histograms (share within each class) of the scores of events and non-events."""
    d = curves.score_distribution(y_true, y_score, bins=bins)
    mid, width = (d["left"] + d["right"]) / 2, d["right"] - d["left"]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=mid, y=d["nonevent_share"], width=width, name=nonevent_label, marker_color=NONEVENT_COLOR,
                         opacity=0.6))
    fig.add_trace(go.Bar(x=mid, y=d["event_share"], width=width, name=event_label, marker_color=EVENT_COLOR,
                         opacity=0.6))
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dot", line_color=NEUTRAL_COLOR,
                      annotation_text=f"threshold {threshold:.3f}")
    fig.update_layout(title=title, xaxis_title="Score", yaxis_title="Share of the class", barmode="overlay",
                      yaxis_tickformat=".0%", **LAYOUT)
    return fig


def plot_confusion_matrix(matrix, labels: Sequence[str], *, normalize: bool = False,
                          title: str = "Confusion matrix") -> go.Figure:
    """Heat map of counts (or row shares with `normalize`), rows = actual, columns = predicted."""
    m = np.asarray(matrix, dtype="float64")
    shown = m / np.maximum(m.sum(axis=1, keepdims=True), 1) if normalize else m
    text = [[f"{v:.0%}" if normalize else f"{int(v):,}" for v in row] for row in shown]
    labels = [str(v) for v in labels]
    fig = go.Figure(go.Heatmap(z=shown, x=labels, y=labels, text=text, texttemplate="%{text}", colorscale="Blues",
                               showscale=False, hovertemplate="actual %{y}<br>predicted %{x}<br>%{text}"))
    fig.update_layout(title=title, xaxis_title="Predicted", yaxis_title="Actual", yaxis_autorange="reversed",
                      xaxis_type="category", yaxis_type="category", height=max(360, 40 * len(labels) + 160), **LAYOUT)
    # long class names ('not (default_payment_next_month = 1)') wrapped on a few level lines, not rotated
    wrapped = [wrap_label(v) for v in labels]
    fig.update_xaxes(tickangle=0, tickmode="array", tickvals=labels, ticktext=wrapped, automargin=True)
    fig.update_yaxes(tickmode="array", tickvals=labels, ticktext=wrapped, automargin=True)
    return fig


def plot_rating_confusion(y_true, y_pred, order: Sequence[str], *,
                          title: str = "Ratings: actual against predicted (scale order)") -> go.Figure:
    """Confusion matrix with both axes in rating-scale order and the within-one-notch band outlined."""
    order = [str(v) for v in order]
    pos = {v: i for i, v in enumerate(order)}
    m = np.zeros((len(order), len(order)), dtype=int)
    for a, p in zip(map(str, y_true), map(str, y_pred)):
        m[pos[a], pos[p]] += 1
    fig = plot_confusion_matrix(m, order, title=title)
    for i in range(len(order)):
        lo, hi = max(i - 1, 0), min(i + 1, len(order) - 1)
        fig.add_shape(type="rect", x0=lo - 0.5, x1=hi + 0.5, y0=i - 0.5, y1=i + 0.5,
                      line=dict(color=VALID_COLOR, width=1), fillcolor="rgba(0,0,0,0)")
    return fig


def plot_predicted_vs_actual(y_true, y_pred, *, unit: str = "", title: str = "Predicted against actual") -> go.Figure:
    """Scatter of predictions against actual values with the identity line."""
    y, p = np.asarray(y_true, dtype="float64").ravel(), np.asarray(y_pred, dtype="float64").ravel()
    lo, hi = float(min(y.min(), p.min())), float(max(y.max(), p.max()))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=y, y=p, mode="markers", name="test rows", marker=dict(color=TRAIN_COLOR, opacity=0.5,
                                                                                      size=5)))
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="perfect prediction",
                             line=dict(color=NEUTRAL_COLOR, dash="dash")))
    suffix = f" ({unit})" if unit else ""
    fig.update_layout(title=title, xaxis_title=f"Actual{suffix}", yaxis_title=f"Predicted{suffix}", **LAYOUT)
    return fig


def plot_residuals(y_true, y_pred, *, title: str = "Residuals (actual - predicted)") -> go.Figure:
    """Residuals against predictions, with the zero line."""
    y, p = np.asarray(y_true, dtype="float64").ravel(), np.asarray(y_pred, dtype="float64").ravel()
    fig = go.Figure(go.Scatter(x=p, y=y - p, mode="markers", name="residual",
                               marker=dict(color=TRAIN_COLOR, opacity=0.5, size=5)))
    fig.add_hline(y=0.0, line_dash="dash", line_color=NEUTRAL_COLOR)
    fig.update_layout(title=title, xaxis_title="Predicted", yaxis_title="Actual - predicted", **LAYOUT)
    return fig


def plot_forecast(dates, actual, predicted, *, naive=None, band: tuple | None = None, unit: str = "return",
                  title: str = "Forecast against actual (test period)") -> go.Figure:
    """Actual and forecast series over time; optional naive forecast and a (lower, upper) band."""
    fig = go.Figure()
    if band is not None:
        lower, upper = band
        fig.add_trace(go.Scatter(x=list(dates) + list(dates)[::-1], y=list(upper) + list(lower)[::-1], fill="toself",
                                 fillcolor="rgba(31,78,121,0.15)", line=dict(width=0), name="forecast band",
                                 hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=dates, y=actual, mode="lines", name="actual", line=dict(color=NEUTRAL_COLOR, width=1)))
    fig.add_trace(go.Scatter(x=dates, y=predicted, mode="lines", name="forecast", line=dict(color=TRAIN_COLOR)))
    if naive is not None:
        fig.add_trace(go.Scatter(x=dates, y=naive, mode="lines", name="naive forecast",
                                 line=dict(color=VALID_COLOR, dash="dot")))
    fig.update_layout(title=title, xaxis_title="Date", yaxis_title=unit, **LAYOUT)
    if unit == "return":  # in percent, as the portfolio's charts beside it ('-4.0%', not '-0.04')
        fig.update_yaxes(tickformat=".1%", hoverformat=".2%")
    return fig


def plot_var_backtest(dates, returns, var, *, level: float = 0.99,
                      title: str | None = None) -> go.Figure:
    """Realised returns, the VaR line (as a negative return) and the exceptions where the loss exceeded it."""
    r, v = np.asarray(returns, dtype="float64"), np.asarray(var, dtype="float64")
    dates = np.asarray(list(dates))
    hit = r < -v
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=dates, y=r, mode="lines", name="realised return", line=dict(color=NEUTRAL_COLOR,
                                                                                          width=1)))
    fig.add_trace(go.Scatter(x=dates, y=-v, mode="lines", name=f"VaR {level:.0%}", line=dict(color=TRAIN_COLOR)))
    fig.add_trace(go.Scatter(x=dates[hit], y=r[hit], mode="markers", name=f"exceptions ({int(hit.sum())})",
                             marker=dict(color=EVENT_COLOR, size=8, symbol="x")))
    fig.update_layout(title=title or f"VaR backtest: {int(hit.sum())} exceptions in {len(r)} days",
                      xaxis_title="Date", yaxis_title="Return", yaxis_tickformat=".1%", yaxis_hoverformat=".2%",
                      **LAYOUT)
    return fig


def plot_anomaly_scores(scores, *, labels=None, threshold: float | None = None, bins: int = 40,
                        event_label: str = "labelled event", title: str = "Anomaly score distribution") -> go.Figure:
    """Histogram of anomaly scores; split by a held-out label when one is given."""
    s = np.asarray(scores, dtype="float64").ravel()
    edges = np.linspace(float(s.min()), float(np.quantile(s, 0.995)) if len(s) > 10 else float(s.max()), bins + 1)
    fig = go.Figure()
    groups = {"all rows": s} if labels is None else {
        "other rows": s[np.asarray(labels).astype(int) == 0], event_label: s[np.asarray(labels).astype(int) == 1]}
    for (name, values), color in zip(groups.items(), (NONEVENT_COLOR, EVENT_COLOR)):
        fig.add_trace(go.Histogram(x=np.clip(values, edges[0], edges[-1]), xbins=dict(start=edges[0], end=edges[-1],
                                   size=edges[1] - edges[0]), histnorm="probability", name=name, marker_color=color,
                                   opacity=0.6))
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dot", line_color=NEUTRAL_COLOR, annotation_text="flag threshold")
    fig.update_layout(title=title, xaxis_title="Reconstruction error (higher = more unusual)",
                      yaxis_title="Share of rows", barmode="overlay", yaxis_tickformat=".0%", **LAYOUT)
    return fig
