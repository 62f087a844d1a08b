"""Charts of SHAP explanations, in the data's original columns; pure functions returning plotly figures.

The explanation arguments are `finmodels.explain.explanation.Explanation` objects (duck-typed: `columns`, `values`,
`data`, `base_value`, `predictions`, `scale`, `output_name`, and for sequences `lag_values`, `lags`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from finmodels.plots.style import EVENT_COLOR, LAYOUT, NEUTRAL_COLOR, NONEVENT_COLOR, wrap_label
from finmodels.explain.reasons import readable_value
from finmodels.explain.units import RETURN, RETURN_SERIES, percent, percent_ticks, value_text

VALUE_COLORSCALE = [[0.0, NONEVENT_COLOR], [0.5, "#d5d8dc"], [1.0, EVENT_COLOR]]


def _unit(explanation) -> str:
    return getattr(explanation, "scale", "probability")


def _number(value: float, explanation, *, sign: bool = False) -> str:
    # probabilities read well with 3 decimals, returns in percent ('0.61%'), scores need significant digits
    if _unit(explanation) == RETURN:
        return percent(value, sign=sign)
    spec = ".3f" if _unit(explanation) == "probability" else ".3g"
    if spec == ".3f" and 0 < abs(value) < 0.0005:  # one significant digit, not '-0.000'
        spec = f".{-math.floor(math.log10(abs(value)))}f"
    return format(value, ("+" if sign else "") + spec)


def _axis(values, unit: str) -> dict:
    """An axis of SHAP values: in percent for a return (plotly wrote '450µ'), else plotly's own."""
    return percent_ticks(values) if unit == RETURN else {}


def left_out_note(ranked, shown: int, *, width: int = 110, names: int = 12) -> str:
    """'The 20 most important of 23 columns; the other 3: SEX, EDUCATION, BILL_AMT4' (most important first, at most
    `names` of them, on lines of about `width` characters), or '' when every column is shown."""
    rest = [str(c) for c in list(ranked)[shown:]]
    if not rest:
        return ""
    listed = ", ".join(rest[:names]) + (f" and {len(rest) - names:,} more" if len(rest) > names else "")
    other = "the other column" if len(rest) == 1 else f"the other {len(rest):,}"
    return wrap_label(f"The {shown} most important of {len(ranked):,} columns; {other}, less important: {listed}.",
                      width=width)


def plot_importance(importance: pd.Series, *, top: int | None = 20, unit: str = "probability") -> go.Figure:
    """Horizontal bars of mean |SHAP| per original column, most important on top: the `top` most important (None:
    all), the subtitle naming the columns left out (a validator wondered whether a column was used at all)."""
    ranked = importance.sort_values(ascending=False)
    shown = ranked.head(top or len(ranked))[::-1]
    fig = go.Figure(go.Bar(x=shown.values, y=[str(c) for c in shown.index], orientation="h",
                           marker_color=NONEVENT_COLOR, name="mean |SHAP|",
                           text=[percent(v) for v in shown.values] if unit == RETURN else None,
                           hovertemplate="%{y}: %{text}<extra></extra>" if unit == RETURN else None))
    note = left_out_note(ranked.index, len(shown))
    fig.update_layout(title=dict(text="Which columns drive the model (mean |SHAP|)", subtitle=dict(text=note)),
                      xaxis_title=f"Mean |SHAP value| ({unit})",
                      xaxis=_axis(shown.values, unit), yaxis_title="", height=max(320, 28 * len(shown) + 120), **LAYOUT)
    if note:  # the subtitle's lines above the plot
        fig.update_layout(margin=dict(LAYOUT["margin"], t=70 + 18 * note.count("<br>")))
    return fig


def _hover(explanation) -> str:
    return ".3~%" if _unit(explanation) == RETURN else ".4f"


def value_positions(values: pd.Series) -> np.ndarray:
    """Each value's place between 0 (lowest) and 1 (highest) of its column; NaN for text and missing values."""
    if not is_numeric_dtype(values) or is_bool_dtype(values):
        return np.full(len(values), np.nan)
    return pd.to_numeric(values, errors="coerce").rank(pct=True, method="average").to_numpy(dtype="float64")


def plot_beeswarm(explanation, *, top: int | None = 12, seed: int = 0, categories=()) -> go.Figure:
    """One dot per explained row and column: SHAP value across, coloured by the row's value (low blue, high red);
    the `top` most important columns (None: all), the subtitle naming the others.

    Text columns and the codes in `categories` (read as categories) have no low or high, so their dots are grey;
    hovering shows every dot's original value.
    """
    ranked = explanation.importance()
    importance = ranked.head(top or len(ranked))
    rng = np.random.default_rng(seed)
    fig, grey = go.Figure(), []
    for rank, column in enumerate(importance.index[::-1]):
        i = explanation.columns.index(column)
        raw = explanation.data[column]
        position = value_positions(raw) if column not in set(categories) else np.full(len(raw), np.nan)
        numeric = not np.isnan(position).all()
        grey += [] if numeric else [str(column)]
        fig.add_trace(go.Scatter(
            x=explanation.values[:, i], y=rank + rng.uniform(-0.3, 0.3, size=len(raw)), mode="markers",
            name=str(column), text=[value_text(column, v, _unit(explanation)) for v in raw],
            hovertemplate=f"{column} = %{{text}}<br>SHAP %{{x:{_hover(explanation)}}}<extra></extra>",
            marker=dict(size=5, opacity=0.7, color=np.nan_to_num(position, nan=0.5) if numeric else NEUTRAL_COLOR,
                        colorscale=VALUE_COLORSCALE, cmin=0, cmax=1,
                        showscale=numeric and not any(t.marker.showscale for t in fig.data),
                        colorbar=dict(title="Value", tickvals=[0, 1], ticktext=["low", "high"]) if numeric else None),
            showlegend=False,
        ))
    fig.add_vline(x=0, line_color=NEUTRAL_COLOR, line_width=1)
    grey_note = wrap_label(f"Grey dots: {', '.join(grey[::-1])}, categories with no low or high.", width=110)
    note = "<br>".join(n for n in (left_out_note(ranked.index, len(importance)), grey_note if grey else "") if n)
    fig.update_layout(title=dict(text="How each column moves each row (SHAP values)", subtitle=dict(text=note)),
                      xaxis_title=f"SHAP value ({_unit(explanation)})",
                      xaxis=_axis(explanation.values, _unit(explanation)),
                      yaxis=dict(tickvals=list(range(len(importance))),
                                 ticktext=[str(c) for c in importance.index[::-1]]),
                      height=max(360, 32 * len(importance) + 140), **LAYOUT)
    if note:
        fig.update_layout(margin=dict(LAYOUT["margin"], t=70 + 18 * note.count("<br>")))
    return fig


# The dependence view spans these quantiles of a numeric column, plus VIEW_MARGIN of that span on each side;
# rows beyond it (a value near 3,000 among values under 100) are left out of the view and counted on the chart.
# A long tail (a rating file's cash flow per share: half the rows within 2.4 to 7.3, the 99th percentile 3,852)
# still squashed the rows near 0 into a line: the view stops FENCE interquartile ranges beyond the middle half
# (Tukey's far-out fence), which a column without such a tail never reaches before its 1st or 99th percentile.
DEPENDENCE_CLIP = (0.01, 0.99)
VIEW_MARGIN = 0.1
FENCE = 3.0


def _ordinal(share: float) -> str:
    number = f"{share * 100:g}"
    suffix = "th" if number.endswith(("11", "12", "13")) else {"1": "st", "2": "nd", "3": "rd"}.get(number[-1], "th")
    return number + suffix


def dependence_view(values, clip: tuple[float, float] | None = DEPENDENCE_CLIP) -> tuple[float, float] | None:
    """The (low, high) range of a numeric column a dependence plot shows: the `clip` quantiles, no further than FENCE
    interquartile ranges beyond the middle half (a long tail), widened by VIEW_MARGIN of their span; None (show
    everything) when `clip` is None or no value lies beyond it."""
    return _view(values, clip)[0]


def _view(values, clip) -> tuple[tuple[float, float] | None, bool]:
    """`dependence_view`, and whether a long tail narrowed it to the FENCE."""
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if clip is None or len(x) == 0:
        return None, False
    lo, hi = (float(v) for v in np.quantile(x, clip))
    if hi <= lo:  # most rows share one value: a quantile view would hide the rest
        return None, False
    q1, q3 = (float(v) for v in np.quantile(x, (0.25, 0.75)))
    fenced = (max(lo, q1 - FENCE * (q3 - q1)), min(hi, q3 + FENCE * (q3 - q1)))
    narrowed = q3 > q1 and fenced != (lo, hi) and (clip[0] > 0 or clip[1] < 1)  # (0, 1) asks for every row
    if narrowed:
        lo, hi = fenced
    margin = VIEW_MARGIN * (hi - lo)
    view = (lo - margin, hi + margin)
    return (view, narrowed) if ((x < view[0]) | (x > view[1])).any() else (None, False)


def plot_dependence(explanation, column: str, *, clip: tuple[float, float] | None = DEPENDENCE_CLIP,
                    categories=()) -> go.Figure:
    """SHAP value of one column against its original value: a scatter for numbers, a box per level for text and for
    the numeric columns in `categories` (those the run reads as categories: codes without an order).

    A numeric column is shown between its `clip` quantiles (1st to 99th percentile by default, with a small
    margin; a long tail is cut at the FENCE), so extreme values do not squash every other point into a line; the
    subtitle says how many rows lie outside and how far. `clip=None` shows every row. Levels are never trimmed.
    """
    if column not in explanation.columns:
        raise KeyError(f"Column '{column}' is not in this explanation. Columns are: {', '.join(explanation.columns)}.")
    i = explanation.columns.index(column)
    raw = explanation.data[column]
    shap_values = explanation.values[:, i]
    title = f"Effect of {column} on the {getattr(explanation, 'output_name', 'output')}"
    xaxis = {}
    if column in set(categories) or not is_numeric_dtype(raw) or is_bool_dtype(raw):
        return _level_boxes(explanation, column, coded=column in set(categories) and is_numeric_dtype(raw))
    x = raw.to_numpy(dtype="float64", na_value=np.nan)
    view, narrowed = _view(x, clip)
    shown = np.ones(len(x), dtype=bool)
    if view is not None:
        outside = np.isfinite(x) & ((x < view[0]) | (x > view[1]))
        shown = ~outside
        far = x[outside]
        beyond = " and ".join(part for part in (
            f"down to {readable_value(float(far.min()))}" if (far < view[0]).any() else "",
            f"up to {readable_value(float(far.max()))}" if (far > view[1]).any() else "") if part)
        rows = int(outside.sum())
        # a long tail's note takes a line of its own: on one line it ran past the chart's width
        span = (f"{column} from {readable_value(view[0])} to {readable_value(view[1])}, where most rows lie (a long "
                f"tail is cut at {FENCE:g} interquartile ranges beyond the middle half).</sup><br><sup>"
                if narrowed else f"the {_ordinal(clip[0])} to {_ordinal(clip[1])} percentile of {column}: ")
        title += (f"<br><sup>Showing {span}{rows:,} of {int(np.isfinite(x).sum()):,} rows lie outside this view "
                  f"({beyond}).</sup>")
        xaxis = dict(range=list(view))
    fig = go.Figure(go.Scatter(x=x[shown], y=shap_values[shown], mode="markers", name=str(column),
                               marker=dict(size=6, opacity=0.7, color=NONEVENT_COLOR)))
    fig.add_hline(y=0, line_color=NEUTRAL_COLOR, line_width=1)
    fig.update_layout(title=title, xaxis_title=str(column), yaxis_title=f"SHAP value ({_unit(explanation)})",
                      yaxis=_axis(shap_values, _unit(explanation)), **LAYOUT)
    if _unit(explanation) == RETURN and str(column) in RETURN_SERIES:
        fig.update_xaxes(**percent_ticks(raw.to_numpy(dtype="float64", na_value=np.nan)))
    if xaxis:  # the subtitle needs a second line above the plot
        fig.update_xaxes(**xaxis)
        fig.update_layout(margin=dict(LAYOUT["margin"], t=105 if narrowed else 85))
    return fig


# A level explained on fewer rows than this is named on the chart: its box is thin evidence.
THIN_LEVEL_ROWS = 20
BOX_ROWS = 5  # a level with fewer rows is drawn as its dots alone: quartiles of 2 rows mean nothing
MISSING_LEVEL = "(missing)"


def _level_boxes(explanation, column: str, *, coded: bool) -> go.Figure:
    """One box of SHAP values per level, every explained row a dot, on a category axis whose ticks give each
    level's row count. Codes ('1', '2' for 1 or 2.0, as preprocessing.level_text spells them) in their own order;
    text levels by mean effect, lowest first."""
    from finmodels.models.preprocessing import level_text

    i = explanation.columns.index(column)
    raw, shap_values = explanation.data[column], explanation.values[:, i]
    levels = np.array([MISSING_LEVEL if pd.isna(v) else level_text(v) for v in raw], dtype=object)
    means = pd.Series(shap_values).groupby(levels).mean()
    if coded:
        known = [v for v in means.index if v != MISSING_LEVEL]
        order = sorted(known, key=lambda v: float(v)) + [v for v in means.index if v == MISSING_LEVEL]
    else:
        order = list(means.sort_values().index)
    counts = {level: int((levels == level).sum()) for level in order}
    fig = go.Figure([go.Box(x=[level] * counts[level], y=shap_values[levels == level], name=str(level),
                            boxpoints="all", jitter=0.4, pointpos=0, marker=dict(color=NONEVENT_COLOR, size=5),
                            line=dict(color=NONEVENT_COLOR, width=2 if counts[level] >= BOX_ROWS else 0),
                            fillcolor="rgba(0,0,0,0)", showlegend=False,
                            hovertemplate=f"{column} = {level}<br>SHAP %{{y:{_hover(explanation)}}}<extra></extra>")
                     for level in order])
    thin = [level for level in order if counts[level] < THIN_LEVEL_ROWS]
    how = ("read as categories in this run (its codes have no order)" if coded else "text")
    note = f"{column} is {how}: one box per level, each dot an explained row."
    if thin:
        dots = [level for level in thin if counts[level] < BOX_ROWS]
        note += (f"<br>Under {THIN_LEVEL_ROWS} explained rows: {', '.join(thin)}, thin evidence"
                 + (f" (under {BOX_ROWS}: dots only, no box)." if dots else "."))
    fig.add_hline(y=0, line_color=NEUTRAL_COLOR, line_width=1)
    fig.update_layout(title=dict(text=f"Effect of {column} on the {getattr(explanation, 'output_name', 'output')}",
                                 subtitle=dict(text=note)),
                      xaxis_title=f"{column} (rows explained per level)",
                      yaxis_title=f"SHAP value ({_unit(explanation)})", yaxis=_axis(shap_values, _unit(explanation)),
                      **LAYOUT)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order, tickmode="array", tickvals=order,
                     ticktext=[f"{level}<br>{counts[level]:,} row{'s' if counts[level] != 1 else ''}"
                               for level in order])
    fig.update_layout(margin=dict(LAYOUT["margin"], t=90 if thin else 75))
    return fig


PROBABILITY_ORDER = "largest first, but one that would take the total past 0 or 1 waits until there is room"


def bounded_steps(base: float, steps: list[tuple[str, float]], *, scale: str) -> list[tuple[str, float]]:
    """A waterfall's bars (label, value), given largest first, in the order they are drawn.

    On a probability scale every running total from `base` stays within [0, 1] (a total of 1.12 midway reads as
    a bug): the first bar, in the given order, that keeps it there is drawn next. When none does (a large rise and
    a large fall that only cancel together), the largest rise and the largest fall become one bar, labelled with
    both ('a (+0.900) with b (-0.900)'). The values are untouched, so the bars still add from the base to the
    end, whose own value lies in [0, 1]. Any other scale (log-odds, a loss) is unbounded: the order is kept."""
    if scale != "probability":
        return list(steps)
    queue, drawn, total = list(steps), [], float(base)
    while queue:
        fits = [i for i, (_, v) in enumerate(queue) if -1e-9 <= total + v <= 1 + 1e-9]
        rises = [i for i, (_, v) in enumerate(queue) if v > 0]
        falls = [i for i, (_, v) in enumerate(queue) if v < 0]
        if fits or not rises or not falls:  # both left when none fits: their sum ends within [0, 1]
            label, value = queue.pop(fits[0] if fits else 0)
            drawn.append((label, value))
            total += value
            continue
        up, down = max(rises, key=lambda i: queue[i][1]), min(falls, key=lambda i: queue[i][1])
        (a, va), (b, vb) = queue[up], queue[down]
        queue = [(f"{a} ({va:+.3f}) with {b} ({vb:+.3f})", va + vb)] + [
            q for i, q in enumerate(queue) if i not in (up, down)]
    return drawn


def plot_waterfall(explanation, row: int, *, top: int = 10, name: str = "this row") -> go.Figure:
    """One row from the base value to its prediction: the `top` largest contributions, the rest as one bar, in
    `bounded_steps` order (a probability's running total never leaves [0, 1]); the chart names its scale and the
    row (`name`, 'line 22761 of the file · ID 22760' as the Explain page's picker names it)."""
    values = pd.Series(explanation.values[row], index=explanation.columns)
    order = values.abs().sort_values(ascending=False).index
    shown, rest = list(order[:top]), list(order[top:])
    # the column's own name, as the other charts and the data table show it ('age', not 'Age')
    bars = [(f"{c} = {value_text(c, explanation.data.iloc[row][c], _unit(explanation))}", float(values[c]))
            for c in shown]
    if rest:
        bars.append((f"{len(rest)} other column{'s' if len(rest) > 1 else ''}", float(values[rest].sum())))
    bars = bounded_steps(explanation.base_value, bars, scale=_unit(explanation))
    labels, steps = [b[0] for b in bars], [b[1] for b in bars]
    prediction = float(explanation.predictions[row])
    fig = go.Figure(go.Waterfall(
        orientation="h", measure=["absolute", *["relative"] * len(steps), "total"],
        y=["Base value", *labels, "Prediction"], x=[explanation.base_value, *steps, prediction],
        increasing=dict(marker_color=EVENT_COLOR), decreasing=dict(marker_color=NONEVENT_COLOR),
        totals=dict(marker_color=NEUTRAL_COLOR), name="contribution", cliponaxis=False,
        text=[_number(explanation.base_value, explanation), *[_number(s, explanation, sign=True) for s in steps],
              _number(prediction, explanation)],
    ))
    # room beyond the running total for the labels drawn outside the bars (they were clipped at the axis end)
    path = np.concatenate([[explanation.base_value], explanation.base_value + np.cumsum(steps), [prediction]])
    low, high = float(min(path.min(), 0.0)), float(path.max())
    pad = 0.25 * ((high - low) or 1.0)
    # a falling bar's label is drawn left of it: near the axis' low end it ran into the column names ('Sector =
    # Fin0.001'), so there is room on the left too, with ticks only from the low end of the path (no probability
    # below 0)
    ends = [total for total, step in zip(path[1:-1], steps) if step < 0]  # each falling bar's left end
    room = 0.5 * ((high - low) or 1.0)  # about a label's width on the page's half-width chart
    left = max(room - (min(ends) - low), pad if low < 0 else 0.0) if ends else (pad if low < 0 else 0.0)
    unit = _unit(explanation)
    order_note = PROBABILITY_ORDER if unit == "probability" else "largest first"
    fig.update_layout(title=dict(text=f"Why {name} scores {_number(prediction, explanation)} ({unit})",
                                 subtitle=dict(text=f"SHAP contributions, {unit} scale: they add up from the base value "
                                                    f"to the prediction.<br>Bars {order_note}.")),
                      xaxis_title=f"{getattr(explanation, 'output_name', 'output')} ({unit})",
                      xaxis=dict(range=[low - left, high + pad], **_axis(path, unit), **_ticks_from(low, high, unit)),
                      yaxis=dict(autorange="reversed"), height=max(360, 30 * (len(steps) + 2) + 160), **LAYOUT)
    fig.update_layout(margin=dict(LAYOUT["margin"], r=60, t=90))
    return fig


def _ticks_from(low: float, high: float, unit: str) -> dict:
    """Tick values from `low` up (about five, at 1, 2 or 5 times a power of ten), so the room left of a waterfall
    shows no tick below it; plotly's own ticks for a return (in percent) and for an empty span."""
    if unit == RETURN or high <= low:
        return {}
    raw = (high - low) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return dict(tickvals=[round(v, 12) for v in np.arange(first, high + step / 2, step)])


def plot_lag_attribution(explanation, *, row: int | None = None) -> go.Figure:
    """Sequence models: a heatmap of SHAP per lag (across) and input series (down).

    With `row`, that window's signed values; without, the mean |SHAP| over the explained windows.
    """
    if getattr(explanation, "lag_values", None) is None:
        raise ValueError("This explanation has no per-lag values; it is not of a sequence model.")
    grid = explanation.lag_values[row] if row is not None else np.abs(explanation.lag_values).mean(axis=0)
    signed = row is not None
    fig = go.Figure(go.Heatmap(
        z=grid.T, x=[f"t-{lag}" for lag in explanation.lags], y=[str(s) for s in explanation.columns],
        colorscale=[[0, NONEVENT_COLOR], [0.5, "#ffffff"], [1, EVENT_COLOR]] if signed else "Blues",
        zmid=0 if signed else None, name="attribution",
        colorbar=dict(title="SHAP" if signed else "mean |SHAP|", **_axis(grid, _unit(explanation))),
        hovertemplate=f"%{{y}} at %{{x}}: %{{z:{_hover(explanation)}}}<extra></extra>",
    ))
    what = f"window {row}" if signed else "all explained windows"
    fig.update_layout(title=f"Attribution per lag and series ({what})", xaxis_title="Lag (steps before the forecast)",
                      yaxis_title="Series", height=max(260, 40 * len(explanation.columns) + 160), **LAYOUT)
    return fig


def plot_series_totals(explanation, *, row: int | None = None) -> go.Figure:
    """Sequence models: one bar per input series, its attribution summed over the window's lags.

    With `row`, that window's signed totals; without, the mean |total| over the explained windows.
    """
    totals = explanation.values[row] if row is not None else np.abs(explanation.values).mean(axis=0)
    colors = [EVENT_COLOR if v > 0 else NONEVENT_COLOR for v in totals] if row is not None else NONEVENT_COLOR
    fig = go.Figure(go.Bar(x=[str(c) for c in explanation.columns], y=totals, marker_color=colors,
                           name="series total"))
    fig.update_layout(title="Attribution per input series, summed over lags",
                      yaxis_title=f"{'SHAP' if row is not None else 'Mean |SHAP|'} ({_unit(explanation)})",
                      yaxis=_axis(totals, _unit(explanation)),
                      xaxis_title="Series", **LAYOUT)
    return fig
