"""Reading a user's CSV into a DataFrame, with messages that say what is wrong and what to do.

`load_csv` refuses what it cannot read (empty, binary, Excel, too large, wrong delimiter) with one clear
`DataError`, and repairs what it can (encodings, delimiters, blanks, numbers stored as text, empty or
duplicate column names, rows with extra fields); every repair is described in `read_notes(frame)`, and what the cells
read as missing held ('n/a', blank) is kept for `tidying.missing_message`. A Parquet
file (found by its signature) is read with pyarrow. `load_table` reads a path on the command line with no upload
limit: Parquet, or a CSV larger than the upload limit, with pyarrow's multi-threaded reader.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from finmodels.data.sniffing import (DELIMITER_NAMES, DELIMITERS, HEAD_BYTES, NA_TOKENS, cell_texts, column_names,
                                     header_records, read_frame, refuse_binary, sniff_delimiter, text_encoding,
                                     utf16_encoding)
from finmodels.data.tables import PARQUET_MAGIC, load_large_csv, load_parquet, pa_buffer
from finmodels.data.tidying import (MARKERS, MIN_NUMERIC_SHARE, NOTES, missing_markers, numbers_from_text, rows_phrase,
                                    tidied)
from finmodels.errors import DataError

__all__ = ["DELIMITERS", "DELIMITER_NAMES", "MAX_RAGGED_SHARE", "MAX_UPLOAD_MB", "MIN_NUMERIC_SHARE", "NA_TOKENS",
           "PARQUET_MAGIC", "load_csv", "load_table", "numbers_from_text", "pa_buffer", "read_notes", "rows_phrase"]

# Equal to `maxUploadSize` in .streamlit/config.toml, so the browser and the loader refuse the same files.
MAX_UPLOAD_MB = 200
# Refuse rather than skip when more than this share of rows has extra fields: the delimiter is probably wrong.
MAX_RAGGED_SHARE = 0.05


def read_notes(frame: pd.DataFrame) -> list[str]:
    """What `load_csv` changed while reading `frame` (renamed columns, converted text, skipped rows)."""
    return list(frame.attrs.get(NOTES, []))


def _size_mb(source) -> float | None:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source) / 1024 / 1024
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"There is no file at '{path}'. Check the path and the file name; a folder is not a "
                            "CSV file.")
        return path.stat().st_size / 1024 / 1024
    size = getattr(source, "size", None)
    return None if size is None else size / 1024 / 1024


def _check_size(source, max_mb: float) -> None:
    size = _size_mb(source)
    if size is not None and size > max_mb:
        raise DataError(
            f"The file is {size:,.0f} MB; the limit is {max_mb:,.0f} MB. "
            "Upload a sample of the rows (or only the columns you need), or ask the administrator to raise the limit."
        )


def _read_bytes(source: bytes | str | Path | BinaryIO) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def load_csv(source: bytes | str | Path | BinaryIO, *, max_mb: float | None = None) -> pd.DataFrame:
    """Read a CSV file (bytes, path or file object) into a table; `read_notes(table)` says what was repaired.

    Detects the delimiter (comma, semicolon, tab, pipe) and the encoding (UTF-8 with or without BOM,
    Windows-1252/Latin-1, UTF-16). Row numbers in messages count the header as row 1, as a spreadsheet does.
    Raises `DataError` with one message saying what is wrong and what to do when the file cannot be used.
    """
    limit = MAX_UPLOAD_MB if max_mb is None else max_mb
    _check_size(source, limit)
    raw = _read_bytes(source)
    _check_size(raw, limit)
    if raw[:4] == PARQUET_MAGIC:
        return load_parquet(pa_buffer(raw))
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not raw[:HEAD_BYTES].strip(blank) and not raw.strip(blank):  # strip() copies: only when the head is blank
        raise DataError("The file is empty. Upload a CSV with a header row and at least one data row.")
    head = raw[:HEAD_BYTES]
    encoding = utf16_encoding(head)
    if encoding is None:
        refuse_binary(head)
        encoding = text_encoding(head)
        whole = len(raw) <= HEAD_BYTES
        head_text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=whole)
    else:
        head_text = head.decode(encoding, errors="replace")
    head_text = head_text.lstrip("\ufeff")
    if not head_text.strip():
        raise DataError("The file has no readable text. Upload a CSV with a header row and at least one data row.")
    delimiter = sniff_delimiter(head_text)
    records = header_records(head_text, delimiter, limit=1) or [head_text.splitlines()[0].split(delimiter)]
    notes: list[str] = []
    names = column_names(records[0], notes)
    if len(names) < 2:
        raise DataError(
            f"Only one column was found (header '{records[0][0][:60]}'). The file's delimiter is not a comma, "
            "semicolon, tab or |, or the file has a single column. Save it as CSV with one of those delimiters "
            "and at least one feature column besides the target."
        )
    frame, ragged, encoding = read_frame(raw, encoding, delimiter, names)
    if frame.empty:
        raise DataError(
            f"The file has a header but no data rows (its {len(names)} columns: {', '.join(names[:8])}"
            f"{' ...' if len(names) > 8 else ''}). Upload a file with at least one row under the header."
        )
    if ragged:
        message = (
            f"{len(ragged):,} row{'s have' if len(ragged) > 1 else ' has'} more fields than the header's "
            f"{len(names)} ({rows_phrase(ragged)}). A value probably contains the "
            f"{DELIMITER_NAMES[delimiter]} delimiter without quotes."
        )
        if len(ragged) > MAX_RAGGED_SHARE * (len(frame) + len(ragged)):
            raise DataError(message + " Quote those values (or remove the extra fields) and upload the file again.")
        notes.append(message + " Those rows were skipped; quote the values in the file to keep them.")
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"The file was read as {encoding.upper()} text (it is not UTF-8).")
    frame = tidied(frame, notes, delimiter, {"delimiter": delimiter, "encoding": encoding})
    # the cells' text, read again: only the columns and rows needed, unless rows were skipped (`usecols` keeps them)
    frame.attrs[MARKERS] = missing_markers(frame, lambda columns, rows: cell_texts(
        raw, encoding, delimiter, names, None if ragged else columns, None if ragged else rows))
    return frame


def load_table(path: str | Path) -> pd.DataFrame:
    """Read a data file named by its path, with no upload limit (the command line): Parquet (by its signature)
    with pyarrow; a CSV up to the upload limit as `load_csv` reads it, a larger one with pyarrow's CSV reader
    (the delimiter and encoding still detected from its head)."""
    path = Path(path)
    size = _size_mb(path)
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head[:4] == PARQUET_MAGIC:
        return load_parquet(str(path))
    if size <= MAX_UPLOAD_MB:
        return load_csv(path)
    return load_large_csv(path, head)
