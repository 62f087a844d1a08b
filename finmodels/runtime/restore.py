"""Putting a kept run's rows back: a run read from the workspace holds no data (privacy is the default), so
when the analyst's current data is the file it was trained on, its rows and targets are derived again.

Deriving is deterministic: the same file, target and task give the same rows (those with a target, in file
order) and the same encoded targets; the split is the one stored with the run.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from finmodels.data.tasks import FORECAST


def same_data(result, frame: pd.DataFrame) -> bool:
    """True when `frame` is the file `result` was trained on (by its fingerprint)."""
    from finmodels.runtime.workspace import data_fingerprint

    expected = (result.data_info or {}).get("fingerprint")
    return bool(expected) and data_fingerprint(frame) == expected


def with_rows(result, frame: pd.DataFrame):
    """`result` with `frame` and its targets put back when `frame` is its data; else `result` unchanged."""
    if result.frame is not None or not same_data(result, frame):
        return result
    if result.kind == FORECAST:
        return dataclasses.replace(result, frame=frame)
    from finmodels.models.training.tabular import table_target

    target = table_target(frame, result.config, result.kind)
    if not np.array_equal(target.split.test, result.split.test):  # not the rows it was trained on after all
        return result
    return dataclasses.replace(result, frame=target.rows, y=target.y)
