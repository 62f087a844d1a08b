"""Reason codes: the columns that raised a row's risk most, as short sentences for adverse-action notices.

A contribution too small to matter is not a reason: `negligible_effect` gives the cut (half a percentage point
of a probability, the smallest effect a sentence shows as more than 0.00; on any other scale 0.5% of the
outputs' spread), so a row whose risk nothing raised noticeably gets no reasons rather than "raised ... by
0.000246".

A reason names its column as the file does ('duration_in_month', 'PAY_0'), as the waterfall beside it, the
importance chart, the row's table, the what-if and the Score page's columns do: the sentences read 'Duration in month
'60'' while everything around them said 'duration_in_month', and the model document repeated that second name.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

DEFAULT_REASONS = 4
NEGLIGIBLE_SHARE = 0.005  # of the output's range: a probability's is 1, so half a percentage point
SEPARATED_FROM = 10_000  # numbers this large read with thousands separators; smaller ones (a year, '1169') as written


def format_value(value) -> str:
    """A cell as an analyst wrote it: whole numbers without '.0', others to at most 6 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "(missing)"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{float(value):.6g}"
    return str(value)


def readable_value(value) -> str:
    """A measured value as a sentence or a chart label quotes it: a fraction to 4 significant digits, with thousands
    separators from 10,000 ('0.1382', '1269', '2,553,000', never '2.55315e+06'); a whole number in full, with
    thousands separators from 10,000 ('1200000' reads '1,200,000'; a year or a 4-digit code such as '2019' or
    '1169' as written); text (a category), booleans and missing values as `format_value` writes them."""
    if _is_number(value) and math.isfinite(value) and float(value).is_integer() and abs(value) >= SEPARATED_FROM:
        return f"{int(value):,}"
    if not isinstance(value, (float, np.floating)) or not math.isfinite(value) or float(value).is_integer():
        return format_value(value)
    value = float(value)
    digits = 3 - math.floor(math.log10(abs(value)))  # decimals that keep 4 significant digits
    rounded = round(value, digits)
    if abs(rounded) >= SEPARATED_FROM:
        return f"{rounded:,.0f}"
    text = f"{rounded:.{max(digits, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def effect_threshold_text(effect: float) -> str:
    """The cut below which a contribution is not a reason, as a sentence states it ('0.005', never '0.01')."""
    return f"{effect:.2g}"


def no_reasons_text(output_name: str, min_effect: float, *, effect_text=effect_threshold_text) -> str:
    """What a row whose contributions are all below `min_effect` (or lower its output) says instead of reason codes:
    not 'No column raised ...' beside a waterfall that shows small rises."""
    return (f"No column raised this row's {output_name} by more than {effect_text(min_effect)}, the smallest effect "
            "a reason code cites; the chart shows the smaller ones.")


def format_effect(effect: float) -> str:
    """An effect size with two decimals, or three significant digits when it would round to 0.00."""
    return f"{effect:.2f}" if abs(effect) >= 0.005 else f"{effect:.3g}"


def reason_codes(contributions: pd.Series, values: pd.Series, *, output_name: str, k: int = DEFAULT_REASONS,
                 min_effect: float = 0.0, window: int | None = None, effect_text=format_effect) -> list[str]:
    """Sentences for the `k` columns with the largest positive contributions, largest first.

    `contributions` and `values` are indexed by column (one explained row); only contributions above
    `min_effect` count, so a row whose risk nothing raised gets no reasons. For a sequence model, `window` is
    the number of days each series' total covers, and `values` hold each series' latest observation (text is
    shown as it is: a return already in percent); `effect_text` writes an effect ('0.61%' for a return).
    """
    raised = contributions[contributions > min_effect].sort_values(ascending=False).head(k)
    if window:
        return [f"{c} over the last {window} days (latest {readable_value(values.get(c))}) raised "
                f"{output_name} by {effect_text(v)}" for c, v in raised.items()]
    return [f"{c} '{readable_value(values.get(c))}' raised {output_name} by {effect_text(v)}"
            for c, v in raised.items()]


def negligible_effect(scale: str, outputs=()) -> float:
    """The largest contribution that is not a reason: NEGLIGIBLE_SHARE of the output's range.

    The range of a probability is 1 (so 0.005: an effect that would print as 0.00); of any other output (log-odds,
    a predicted amount, an anomaly score) the spread of `outputs`, the predictions being explained or scored.
    """
    if scale == "probability":
        return NEGLIGIBLE_SHARE
    values = np.asarray(outputs, dtype="float64").ravel()
    values = values[np.isfinite(values)]
    spread = float(np.ptp(values)) if len(values) else 0.0
    return NEGLIGIBLE_SHARE * (spread if spread > 0 else 1.0)


def reason_codes_of_rows(values: np.ndarray, columns: list[str], data: pd.DataFrame, *, output_name: str,
                         k: int = DEFAULT_REASONS, min_effect: float = 0.0,
                         keep_top: np.ndarray | None = None) -> list[list[str]]:
    """`reason_codes` of many rows at once: `values` are rows x columns contributions, `data` the rows' values.

    The same sentences as `reason_codes` row by row, without building a Series per row (20,000 rows in well
    under a second). Rows marked in `keep_top` (rows a decision went against) keep their largest positive
    contribution even when it is below `min_effect`, so that a declined row always has a reason to give.
    """
    values = np.asarray(values, dtype="float64")
    if not len(values):
        return []
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    cells = data[list(columns)].to_numpy(dtype=object)
    labels = [str(c) for c in columns]
    keep = np.zeros(len(values), dtype=bool) if keep_top is None else np.asarray(keep_top, dtype=bool)
    out = []
    for i, top in enumerate(order):
        chosen = [j for j in top if values[i, j] > min_effect]
        if not chosen and keep[i] and values[i, top[0]] > 0:
            chosen = [top[0]]
        out.append([f"{labels[j]} '{readable_value(cells[i, j])}' raised {output_name} by "
                    f"{format_effect(values[i, j])}" for j in chosen])
    return out
