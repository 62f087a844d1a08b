"""Charts of a what-if (`finmodels.explain.whatif.WhatIf`): the row's waterfall before and after the edits, the
change of each contribution, and the counterfactuals: how far each numeric input would have to move to change the
decision, and which other code of a coded input, or level of a categorical one, would (drawn among its codes or
levels, not on a range)."""

from __future__ import annotations

import numbers
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from finmodels.explain.reasons import format_value
from finmodels.explain.whatif import searched_range
from finmodels.plots.explanation import PROBABILITY_ORDER, bounded_steps
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
    """The row's waterfall before (left) and after (right) the edits, the same `top` columns (the largest
    contributions of either), the rest as one bar; the threshold as a dashed line. On a probability scale the bars
    are drawn in `bounded_steps` order, so no running total leaves [0, 1]. When both panels draw them in one order
    they share one column of labels, on the left, an edited column with its value before and after, in bold;
    otherwise each panel has its own."""
    e = whatif.explanation
    values = pd.DataFrame(e.values[:2].T, index=e.columns, columns=["before", "after"])
    order = values.abs().max(axis=1).sort_values(ascending=False).index
    shown, rest = list(order[:top]), list(order[top:])
    panels = [_panel_bars(whatif, values, shown, rest, which) for which in ("before", "after")]
    shared = [p[2] for p in panels]
    shared = shared[0] == shared[1] and -1 not in shared[0]  # one order: one column of labels
    fig = make_subplots(rows=1, cols=2, shared_yaxes=False, horizontal_spacing=0.04 if shared else 0.3,
                        subplot_titles=(f"Before: {_title(whatif.before, e.scale)}",
                                        f"After: {_title(whatif.after, e.scale)}"))
    for col, ((labels, steps, _), state) in enumerate(zip(panels, (whatif.before, whatif.after)), start=1):
        fig.add_trace(go.Waterfall(
            orientation="h", measure=["absolute", *["relative"] * len(steps), "total"],
            y=["Base value", *labels, "Score"], x=[e.base_value, *steps, state["score"]],
            increasing=dict(marker_color=EVENT_COLOR), decreasing=dict(marker_color=NONEVENT_COLOR),
            totals=dict(marker_color=NEUTRAL_COLOR), name=("before", "after")[col - 1], cliponaxis=False,
            text=[_score(e.base_value, e.scale), *[_score(s, e.scale, sign=True) for s in steps],
                  _score(state["score"], e.scale)],
        ), row=1, col=col)
        if whatif.threshold is not None:
            fig.add_vline(x=whatif.threshold, line_dash="dash", line_color=VALID_COLOR, row=1, col=col)
        fig.update_yaxes(autorange="reversed", row=1, col=col)
        fig.update_xaxes(title_text=f"{e.output_name} ({e.scale})", matches="x", row=1, col=col)
    if shared:  # the traces keep each panel's own labels (hover); the axis shows one set, each edit's before and after
        named = [_label(whatif, shown[i]) if i < len(shown) else fig.data[0].y[n + 1]
                 for n, i in enumerate(panels[0][2])]
        fig.update_yaxes(tickmode="array", tickvals=list(fig.data[0].y), ticktext=["Base value", *named, "Score"],
                         row=1, col=1)
        fig.update_yaxes(showticklabels=False, row=1, col=2)
    order_note = PROBABILITY_ORDER if e.scale == "probability" else "largest first"
    fig.update_layout(title=dict(text=f"What-if for {whatif.row_label} (* edited; dashed: threshold)",
                                 subtitle=dict(text=f"SHAP contributions, {e.scale} scale: they add up from the base "
                                                    f"value to the score. Bars {order_note}.")),
                      showlegend=False, height=max(400, 30 * (len(shown) + 3) + 170), **LAYOUT)
    fig.update_layout(margin=dict(LAYOUT["margin"], t=100, r=60))  # room for the labels beyond the last bars
    return fig


def _panel_bars(whatif, values: pd.DataFrame, shown: list, rest: list, which: str) -> tuple[list, list, list]:
    """One panel's bar labels and values in drawing order (`bounded_steps`), and that order as positions among
    `shown` and the rest (-1: bars drawn as one)."""
    e, row = whatif.explanation, 0 if which == "before" else 1
    labels = [f"{c} = {format_value(e.data.iloc[row][c])}" + (" *" if c in whatif.changes else "") for c in shown]
    steps = [float(values.loc[c, which]) for c in shown]
    if rest:
        labels.append(f"{len(rest)} other column{'s' if len(rest) > 1 else ''}")
        steps.append(float(values.loc[rest, which].sum()))
    bars = bounded_steps(e.base_value, list(zip(labels, steps)), scale=e.scale)
    place = {label: i for i, label in enumerate(labels)}
    return [b[0] for b in bars], [b[1] for b in bars], [place.get(label, -1) for label, _ in bars]


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


PROTECTED_COLOR = "#8e44ad"  # a protected input's flipping values: a fairness question, not a suggestion
RAIL_COLOR = "#d5d8dc"
ROW_NOTE = dict(showarrow=False, xanchor="left", align="left", font=dict(color=NEUTRAL_COLOR, size=11))
ROLES = {  # a code's role on its input's line: legend name, marker, legend order
    "row": ("this row", dict(color=NEUTRAL_COLOR, size=11), 1),
    "flip": ("changes the decision", dict(color=EVENT_COLOR, size=12, symbol="diamond"), 2),
    "also": ("also changes it", dict(color=EVENT_COLOR, size=10, symbol="diamond", opacity=0.3), 3),
    "protected": ("changes it: protected (fairness question)",
                  dict(color=PROTECTED_COLOR, size=12, symbol="diamond-open", line=dict(width=2)), 4),
}
CODE_TEXT = {"row": "#2c3e50", "flip": EVENT_COLOR, "also": EVENT_COLOR, "protected": PROTECTED_COLOR,
             "keep": NEUTRAL_COLOR}


def plot_counterfactuals(whatif, ranges: dict | None = None) -> go.Figure:
    """How each input could change the decision, one at a time (others held), in the what-if's order (top first).

    Numeric inputs on the range each was searched in (0 to 100 %: the 1st-99th percentile of the training rows,
    widened to the row's own value): the row's value (circle) and the nearest value that changes the decision
    (diamond). Coded and categorical inputs (`Counterfactual.coded`, such as SEX or PAY_0, or EDUCATION read as
    categories) on a panel of their own, where a code has no position in a range: each input's codes or levels
    seen in training (`ranges`, the `training_ranges` of the run; without them, those the counterfactual names),
    evenly spaced in their order (numeric for codes) and labelled, the row's (circle), the most common one that
    changes the decision (diamond) and the others that also do (faint diamonds). A protected input
    (`Counterfactual.protected`) is labelled '(protected)' on a shaded line and its flipping values are open purple
    diamonds: a fairness question, not a change to suggest. An input nothing changes is labelled so."""
    items = list(whatif.counterfactuals)
    panels = [(kind, [cf for cf in items if cf.coded == (kind == "coded")][::-1]) for kind in ("numeric", "coded")]
    panels = [(kind, shown) for kind, shown in panels if shown]
    heights = [(48 if kind == "coded" else 40) * len(shown) + 60 for kind, shown in panels]
    levels = any(getattr(cf, "level", False) for cf in items)
    titles = {"numeric": "Numeric inputs: the value that changes the decision, on the range each was searched in",
              "coded": ("Coded and categorical inputs: the codes or levels that change the decision, among those seen "
                        "in training") if levels else
              "Coded inputs: the codes that change the decision, among the codes seen in training"}
    fig = make_subplots(rows=max(1, len(panels)), cols=1, row_heights=heights or None,
                        vertical_spacing=90 / (sum(heights) + 90) if len(panels) > 1 else 0.1,
                        subplot_titles=[titles[kind] for kind, _ in panels] if len(panels) > 1 else None)
    for row, (kind, shown) in enumerate(panels, start=1):
        if kind == "coded":
            _coded_panel(fig, shown, ranges or {}, row=row)
        else:
            _numeric_panel(fig, shown, row=row)
    named = [trace.name for trace in fig.data]
    for i, trace in enumerate(fig.data):  # one legend entry per marker, whichever panel draws it first
        trace.showlegend = trace.showlegend is not False and trace.name not in named[:i]
    bottom = 130 if len(panels) > 1 else LAYOUT["margin"]["b"]
    height = max(300, sum(heights) + 90 * (len(panels) - 1) + 80 + bottom)
    fig.update_layout(title="Moves that change the decision, one input at a time (others held)", height=height,
                      **LAYOUT)
    fig.update_layout(margin=dict(LAYOUT["margin"], r=230, b=bottom))
    if len(panels) > 1:  # the legend across, below the lower panel's axis title (room for two lines on a narrow page)
        fig.update_layout(legend=dict(orientation="h", y=-80 / (height - LAYOUT["margin"]["t"] - bottom),
                                      yanchor="top"))
    return fig


def amount(value) -> str:
    """A numeric input's value on the chart: thousands separated from 10,000 on ('1,227,082', as the page's table
    shows it), else as the analyst wrote it ('0.35', '-2')."""
    whole = (isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer()
             and abs(value) >= 10_000)
    return f"{value:,.0f}" if whole else format_value(value)


def _row_label(cf) -> str:
    return f"<b>{cf.column}</b> (protected)" if cf.protected else cf.column


def _mark_rows(fig, shown, labels, *, row: int, x: tuple[float, float], none: str) -> None:
    """The panel's line order (top first), a shaded band and a note on each protected line, a note on each line
    nothing changes."""
    fig.update_yaxes(categoryorder="array", categoryarray=labels, range=[-0.6, len(labels) - 0.4], row=row, col=1)
    for i, (cf, label) in enumerate(zip(shown, labels)):
        notes = [] if cf.found else [none]
        if cf.protected:  # nothing to suggest when nothing changes it: the band and the label say it is protected
            notes.append("protected: a fairness question,<br>not a change to suggest" if cf.found else "(protected)")
            fig.add_shape(type="rect", x0=x[0], x1=x[1], y0=i - 0.45, y1=i + 0.45, fillcolor=PROTECTED_COLOR,
                          opacity=0.08, line_width=0, layer="below", row=row, col=1)
        if notes:
            fig.add_annotation(x=x[1], y=label, text="<br>".join(notes), row=row, col=1, **ROW_NOTE)


def _numeric_panel(fig, shown, *, row: int) -> None:
    labels = [_row_label(cf) for cf in shown]

    def share(value, cf):
        width = (cf.high - cf.low) or 1.0
        return None if value is None else 100 * (value - cf.low) / width

    fig.add_trace(go.Scatter(x=[share(cf.current, cf) for cf in shown], y=labels, mode="markers", name="this row",
                             marker=ROLES["row"][1], legendrank=ROLES["row"][2],
                             text=[amount(cf.current) for cf in shown],
                             hovertemplate="%{y}: %{text}<extra>this row</extra>"), row=row, col=1)
    for role in ("flip", "protected"):
        found = [(cf, label) for cf, label in zip(shown, labels) if cf.found and cf.protected == (role == "protected")]
        if role == "protected" and not found:
            continue
        name, marker, rank = ROLES[role]
        fig.add_trace(go.Scatter(
            x=[share(cf.value, cf) for cf, _ in found], y=[label for _, label in found], mode="markers+text",
            name=name, marker=marker, legendrank=rank, text=[amount(cf.value) for cf, _ in found],
            textposition="top center", textfont=dict(color=PROTECTED_COLOR if role == "protected" else None),
            hovertext=[cf.note for cf, _ in found], hoverinfo="text"), row=row, col=1)
    for label in labels:
        fig.add_shape(type="line", x0=0, x1=100, y0=label, y1=label, line=dict(color=RAIL_COLOR, width=6),
                      layer="below", row=row, col=1)
    _mark_rows(fig, shown, labels, row=row, x=(-5, 105), none="no value in range changes it")
    fig.update_xaxes(title_text=f"Position in the range searched (%): {searched_range(shown)}", range=[-5, 105],
                     row=row, col=1)


class _Code(NamedTuple):
    slot: int  # its place among its input's codes, in numeric order
    line: str  # its input's line label
    code: float | str  # a code, or a categorical input's level
    role: str  # a key of ROLES, or 'keep'
    hover: str


def _codes(cf, ranges: dict) -> tuple[list, bool]:
    """The codes on the input's line, in numeric order (a categorical input: its levels, in the order of its range),
    and whether they are all those seen in training (`ranges`); without them, the codes the counterfactual names.
    The row's own code is added when it is not one of them."""
    rng = ranges.get(cf.column)
    if getattr(cf, "level", False):
        seen = list(getattr(rng, "levels", None) or ())
        named = [v for v in [cf.current, cf.value, *cf.alternatives] if v is not None and v not in seen]
        return [*seen, *dict.fromkeys(named)], bool(seen)
    seen = getattr(rng, "codes", None)
    known = seen or [cf.low, cf.high, cf.value, *cf.alternatives]
    return sorted({float(c) for c in [*known, cf.current] if c is not None}), bool(seen)


def _code_role(cf, code: float) -> str:
    if code == cf.current:
        return "row"
    if code != cf.value and code not in cf.alternatives:
        return "keep"
    return "protected" if cf.protected else "flip" if code == cf.value else "also"


def _code_hover(cf, code, role: str, rng) -> str:
    noun = "level" if getattr(cf, "level", False) else "code"
    what = {"row": f"this row's {noun}", "flip": f"changes the decision (the most common {noun} that does)",
            "also": "also changes the decision", "protected": "changes the decision (protected: a fairness question)",
            "keep": "keeps the decision"}[role]
    choices = getattr(rng, "choices", None) or getattr(rng, "codes", None) or ()
    if choices:
        share = rng.share(code) if code in choices else 0.0
        seen = ("never seen in training" if code not in choices else "share of training rows not known"
                if share != share else f"{share:.1%} of training rows")
        what += f"; {seen}"
    return f"{cf.column} = {format_value(code)}: {what}"


LEVEL_CHARS = 12  # a level's label on the chart is cut to this many characters (its hover has it whole)


def _code_texts(points: list) -> tuple[list[str], list[str]]:
    """Each point's label and its place. A code is labelled, the row's and the flipping ones in bold. A level of a
    text column can be long ('skilled employee / official'): only the row's and the flipping ones are labelled, cut to
    LEVEL_CHARS, above and below the line in turn, so that neighbours do not print over each other (German credit's
    'purpose' and 'job' did); the others are dots, named on hover."""
    texts, places, turn = [], [], {}
    for p in points:
        text = format_value(p.code)
        if isinstance(p.code, str):
            if p.role == "keep":
                texts.append("")
                places.append("top center")
                continue
            text = text if len(text) <= LEVEL_CHARS else text[:LEVEL_CHARS - 1] + "…"
            turn[p.line] = turn.get(p.line, -1) + 1
            places.append("bottom center" if turn[p.line] % 2 else "top center")
        else:
            places.append("top center")
        texts.append(text if p.role == "keep" else f"<b>{text}</b>")
    return texts, places


def _coded_panel(fig, shown, ranges: dict, *, row: int) -> None:
    labels = [_row_label(cf) for cf in shown]
    points, complete = [], True  # every code on every line
    levels = any(getattr(cf, "level", False) for cf in shown)
    for cf, label in zip(shown, labels):
        codes, seen = _codes(cf, ranges)
        complete &= seen
        for slot, code in enumerate(codes):
            role = _code_role(cf, code)
            points.append(_Code(slot, label, code, role, _code_hover(cf, code, role, ranges.get(cf.column))))
    texts, places = _code_texts(points)
    fig.add_trace(go.Scatter(  # every code, labelled; the row's and the flipping ones in bold
        x=[p.slot for p in points], y=[p.line for p in points], mode="markers+text", name="codes seen in training",
        marker=dict(color=RAIL_COLOR, size=9), textposition=places, showlegend=False, text=texts,
        textfont=dict(color=[CODE_TEXT[p.role] for p in points], size=12),
        hovertext=[p.hover for p in points], hoverinfo="text"), row=row, col=1)
    for role, (name, marker, rank) in ROLES.items():
        chosen = [p for p in points if p.role == role]
        if chosen or role in ("row", "flip"):
            fig.add_trace(go.Scatter(x=[p.slot for p in chosen], y=[p.line for p in chosen], mode="markers", name=name,
                                     marker=marker, legendrank=rank, hovertext=[p.hover for p in chosen],
                                     hoverinfo="text"), row=row, col=1)
    width = max(p.slot for p in points) + 1
    start = -1.5 if levels else -0.6  # room for the first level's label, centred on its dot
    _mark_rows(fig, shown, labels, row=row, x=(start, width - 0.4),
               none="no other code or level changes it" if levels else "no other code changes it")
    title = ("Codes seen in training, in numeric order (evenly spaced: a code has no distance)" if complete else
             "Codes in numeric order: the row's, those that change the decision, the lowest and highest seen")
    if levels:
        title = ("Codes and levels seen in training, evenly spaced: a category has no distance (hover a dot for its "
                 "level)" if complete else
                 "Codes and levels: the row's, those that change the decision (and, for codes, the lowest and "
                 "highest seen)")
    fig.update_xaxes(title_text=title, range=[start, width - 0.4], showticklabels=False, showgrid=False,
                     zeroline=False, row=row, col=1)


__all__ = ["plot_contribution_changes", "plot_counterfactuals", "plot_whatif_waterfalls"]
