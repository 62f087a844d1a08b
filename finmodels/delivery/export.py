"""CSV exports that are safe to open in a spreadsheet.

A cell that begins with `=`, `+`, `-`, `@`, tab or carriage return is read by Excel, LibreOffice and Google
Sheets as a formula, so a value such as `=HYPERLINK("http://evil", "click")` from an uploaded file would run
when the analyst opens the export (OWASP "CSV injection"). Such text cells are prefixed with a single quote,
which spreadsheets show as text. Numbers are written as numbers: a negative number is not a formula.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """`value` with a leading quote if it is text a spreadsheet would read as a formula; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name escaped; numeric and boolean columns untouched."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            out[column] = series.map(escape_cell).astype(object)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV bytes (no index), escaped against formula injection, for a download button."""
    return escape_frame(frame).to_csv(index=False).encode("utf-8")
