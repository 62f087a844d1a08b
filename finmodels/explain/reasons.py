"""Reason codes: the columns that raised a row's risk most, as short sentences for adverse-action notices."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

DEFAULT_REASONS = 4


def column_label(column: str) -> str:
    """A readable label for a column: `duration_in_month` -> `Duration in month`; names with capitals unchanged."""
    name = str(column)
    if re.fullmatch(r"[a-z][a-z0-9_ ]*", name):
        name = name.replace("_", " ")
        return name[0].upper() + name[1:]
    return name


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


def format_effect(effect: float) -> str:
    """An effect size with two decimals, or three significant digits when it would round to 0.00."""
    return f"{effect:.2f}" if abs(effect) >= 0.005 else f"{effect:.3g}"


def reason_codes(contributions: pd.Series, values: pd.Series, *, output_name: str, k: int = DEFAULT_REASONS,
                 min_effect: float = 0.0, window: int | None = None) -> list[str]:
    """Sentences for the `k` columns with the largest positive contributions, largest first.

    `contributions` and `values` are indexed by column (one explained row); only contributions above
    `min_effect` count, so a row whose risk nothing raised gets no reasons. For a sequence model, `window` is
    the number of days each series' total covers, and `values` hold each series' latest observation.
    """
    raised = contributions[contributions > min_effect].sort_values(ascending=False).head(k)
    if window:
        return [f"{column_label(c)} over the last {window} days (latest {format_value(values.get(c))}) raised "
                f"{output_name} by {format_effect(v)}" for c, v in raised.items()]
    return [f"{column_label(c)} '{format_value(values.get(c))}' raised {output_name} by {format_effect(v)}"
            for c, v in raised.items()]
