"""Charts of a hyperparameter search (`finmodels.models.search`): each trial's validation loss with the best so far,
and one setting against the validation loss. They take Trial records or their dicts, so a page can draw the
search live from the trials reported so far."""

from __future__ import annotations

import plotly.graph_objects as go

from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, TRAIN_COLOR

STATE_COLORS = {"complete": TRAIN_COLOR, "stopped": NEUTRAL_COLOR, "failed": EVENT_COLOR}


def _records(trials) -> list[dict]:
    return [t if isinstance(t, dict) else t.to_dict() for t in trials]


def plot_search_history(trials) -> go.Figure:
    """Validation loss of every finished trial (by state) and the best so far, by trial; the best trial ringed."""
    rows = [r for r in _records(trials) if r["value"] is not None and r["state"] != "running"]
    fig = go.Figure()
    for state, color in STATE_COLORS.items():
        shown = [r for r in rows if r["state"] == state]
        if shown:
            fig.add_trace(go.Scatter(x=[r["number"] + 1 for r in shown], y=[r["value"] for r in shown],
                                     mode="markers", name=f"{state} trial", marker=dict(color=color, size=9),
                                     text=[", ".join(f"{k}={_short(v)}" for k, v in r["params"].items())
                                           for r in shown], hovertemplate="trial %{x}: %{y:.4f}<br>%{text}"))
    complete = sorted((r for r in rows if r["state"] == "complete"), key=lambda r: r["number"])
    if complete:
        best, xs, ys = float("inf"), [], []
        for r in complete:
            best = min(best, r["value"])
            xs.append(r["number"] + 1)
            ys.append(best)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line_shape="hv", name="best so far",
                                 line=dict(color=EVENT_COLOR)))
        top = min(complete, key=lambda r: (r["value"], r["number"]))
        fig.add_trace(go.Scatter(x=[top["number"] + 1], y=[top["value"]], mode="markers", name="best trial",
                                 marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color=EVENT_COLOR, width=2))))
    numbers = [r["number"] + 1 for r in rows]
    whole = dict(tickmode="linear", tick0=1, dtick=1) if numbers and max(numbers) <= 20 else {}
    fig.update_layout(title="Search: validation loss by trial (test rows never used)",
                      xaxis=dict(title="Trial", **whole), yaxis_title="Validation loss (lower is better)", height=380,
                      **LAYOUT)
    return fig


def plot_search_parameter(trials, name: str) -> go.Figure:
    """One setting (e.g. 'learning_rate') against the validation loss of the complete trials; a log axis for
    rates and penalties spread over decades."""
    rows = [r for r in _records(trials) if r["state"] == "complete" and r["value"] is not None]
    known = sorted({k for r in _records(trials) for k in r["params"]})
    if known and name not in known:
        raise ValueError(f"Unknown setting '{name}'. The trials have: {', '.join(known)}.")
    x = [r["params"][name] for r in rows]
    numbers = [v for v in x if isinstance(v, (int, float))]
    log = bool(numbers) and min(numbers) > 0 and max(numbers) / min(numbers) >= 100
    fig = go.Figure(go.Scatter(x=x, y=[r["value"] for r in rows], mode="markers", name="complete trial",
                               marker=dict(color=TRAIN_COLOR, size=9),
                               text=[f"trial {r['number'] + 1}" for r in rows]))
    fig.update_layout(title=f"Validation loss by {name}", xaxis_title=name, yaxis_title="Validation loss",
                      xaxis_type="log" if log else None, **LAYOUT)
    return fig


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


__all__ = ["plot_search_history", "plot_search_parameter"]
