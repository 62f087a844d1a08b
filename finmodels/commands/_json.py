"""What the commands print with `--json`: plain JSON values, with no NaN or infinity (JSON has neither)."""

from __future__ import annotations

import math

import numpy as np


def finite(value):
    """`value` with every NaN or infinite number turned into null, tuples into lists and NumPy scalars into
    Python numbers, so `json.dumps` writes standard JSON (undefined metrics, a PSI that could not be computed)."""
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
