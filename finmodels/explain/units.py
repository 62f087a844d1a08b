"""How an explanation's numbers read. A forecast explains a next-day return, and its inputs (return, absolute return,
log high/low range) are returns too: they read in percent with sensible digits ('0.61%', '-0.033%'), never as
'613µ' or '0.066470176'. Probabilities and other outputs keep their own formats.
"""

from __future__ import annotations

import math

import numpy as np

from finmodels.explain.reasons import format_value, readable_value

RETURN = "return"  # the scale of a forecast's explanation (finmodels.explain.outputs)
RETURN_SERIES = ("return", "abs_return", "log_range")  # a price file's daily channels, all (log) returns


def percent(value, *, sign: bool = False) -> str:
    """A return in percent: two decimals from 0.1% ('0.61%', '-3.78%'), two significant digits below ('0.032%',
    '0.0042%'), so a basis point still shows."""
    p = float(value) * 100
    if not math.isfinite(p):
        return format_value(value)
    if p == 0:
        return "0%"
    spec = ".2f" if abs(p) >= 0.1 else "#.2g"
    return format(p, ("+" if sign else "") + spec) + "%"


def value_text(column: str, value, scale: str) -> str:
    """An input's value as the analyst reads it: a return series of a forecast in percent, anything else as
    written in the file, a fraction to 4 significant digits (`readable_value`: '0.1382', '2,553,000')."""
    if scale == RETURN and str(column) in RETURN_SERIES and isinstance(value, (int, float, np.integer, np.floating)):
        return percent(value)
    return readable_value(value)


def percent_ticks(values) -> dict:
    """Plotly axis settings that label returns in percent with just enough decimals for ticks about a tenth of the
    range apart ('0.005%' steps on importances near 0.04%, '0.2%' on a waterfall spanning 0.8%)."""
    x = np.asarray(values, dtype="float64").ravel()
    x = x[np.isfinite(x)]
    span = float(np.ptp(np.append(x, 0.0))) * 100 if len(x) else 0.0
    decimals = max(0, math.ceil(-math.log10(span / 10))) if span > 0 else 2
    return dict(tickformat=f".{decimals}~%")
