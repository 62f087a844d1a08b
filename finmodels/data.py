"""Reading a user's CSV into a DataFrame, with messages that say what is wrong and what to do."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from finmodels.errors import DataError

MAX_UPLOAD_MB = 200
NA_TOKENS = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", "-", "?", "#N/A"]


def _read_bytes(source: bytes | str | Path | BinaryIO) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError("The file is not text in UTF-8 or Latin-1. Save it as CSV (UTF-8) and upload it again.")


def _delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def load_csv(source: bytes | str | Path | BinaryIO, *, max_mb: float = MAX_UPLOAD_MB) -> pd.DataFrame:
    """Read a CSV file (bytes, path or file object) and return its table with stripped column names."""
    raw = _read_bytes(source)
    if len(raw) > max_mb * 1024 * 1024:
        raise DataError(
            f"The file is {len(raw) / 1024 / 1024:.0f} MB; the limit is {max_mb:.0f} MB. "
            "Upload a sample of the rows or raise the limit."
        )
    if not raw.strip():
        raise DataError("The file is empty. Upload a CSV with a header row and at least one data row.")
    text = _decode(raw)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=_delimiter(text), na_values=NA_TOKENS, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"The file could not be read as CSV ({exc}). Check the delimiter and quoting.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataError("The file has a header but no data rows. Upload a file with at least one row.")
    return frame
