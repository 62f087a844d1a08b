"""A problem found in a table: what `validation` and `outliers` report, with the column, rows and values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: a stable `code`, the message shown to the user, and where it is."""

    code: str
    message: str
    severity: str = ERROR
    column: str | None = None
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "column": self.column, "rows": list(self.rows[:20]),
                "values": list(self.values), "message": self.message}


def row_numbers(mask: np.ndarray | pd.Series) -> list[int]:
    """Spreadsheet row numbers (header = row 1) of the True positions."""
    return (np.flatnonzero(np.asarray(mask)) + 2).tolist()
