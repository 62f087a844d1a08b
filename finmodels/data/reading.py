"""Reading a user's CSV into a DataFrame, with messages that say what is wrong and what to do.

`load_csv` refuses what it cannot read (empty, binary, Excel, too large, wrong delimiter) with one clear
`DataError`, and repairs what it can (encodings, delimiters, blanks, numbers stored as text, empty or
duplicate column names, rows with extra fields); every repair is described in `read_notes(frame)`. A Parquet
file (found by its signature) is read with pyarrow. `load_table` reads a path on the command line with no upload
limit: Parquet, or a CSV larger than the upload limit, with pyarrow's multi-threaded reader.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from finmodels.errors import DataError

# Equal to `maxUploadSize` in .streamlit/config.toml, so the browser and the loader refuse the same files.
MAX_UPLOAD_MB = 200
NA_TOKENS = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", "-", "?", "#N/A"]
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Refuse rather than skip when more than this share of rows has extra fields: the delimiter is probably wrong.
MAX_RAGGED_SHARE = 0.05
_HEAD_BYTES = 64 * 1024
_NOTES = "read_notes"

_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive",
     "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)",
     "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file."),
    (b"%PDF", "a PDF document", "Export the table from its source system as CSV."),
    (b"\x1f\x8b", "a gzip archive", "Unzip it and upload the CSV inside."),
)


# A number as spreadsheets and loan tapes write it: 1,234  $5,000  (1,200)  83.70%  -€12.5  1.5e3
_NUMBER = (
    r"^(?P<open>\()?\s*(?P<sign>[-+])?\s*[$€£¥]?\s*(?P<sign2>[-+])?\s*"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<pct>%)?\s*(?(open)\))$"
)
# With ';' as delimiter, ',' is the decimal mark and '.' groups thousands: 1.234,5
_NUMBER_DECIMAL_COMMA = (
    r"^(?P<open>\()?\s*(?P<sign>[-+])?\s*[$€£¥]?\s*(?P<sign2>[-+])?\s*"
    r"(?P<num>\d{1,3}(?:[.\s\u00a0\u202f]\d{3})+(?:,\d*)?|\d+(?:,\d*)?|,\d+)\s*(?P<pct>%)?\s*(?(open)\))$"
)
# Share of a column's values that must look like numbers before the rest are read as missing.
MIN_NUMERIC_SHARE = 0.9


def _as_numbers(text: pd.Series, pattern: str, *, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    parts = text.str.extract(pattern)
    matched = parts["num"].notna()
    if decimal_comma:
        digits = parts["num"].str.replace(r"[.\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
    else:
        digits = parts["num"].str.replace(",", "", regex=False)
    values = pd.to_numeric(digits, errors="coerce").astype("float64")
    negative = parts["open"].notna() | parts["sign"].eq("-") | parts["sign2"].eq("-")
    return values.where(~negative, -values), matched


def numbers_from_text(text: pd.Series, *, decimal_comma: bool = False) -> tuple[pd.Series, str] | None:
    """Read a text column as numbers when (nearly) all its values are numbers written as text.

    Returns (numbers, note naming the series' column; "" when nothing needs saying), or None to keep the text.
    Percent signs are dropped (83.70% -> 83.7), brackets mean negative ((1,200) -> -1200). Row numbers
    count the header as row 1.
    """
    present = text.dropna()
    if present.empty:
        return None
    probe = present.iloc[:500]
    pattern = _NUMBER_DECIMAL_COMMA if decimal_comma else _NUMBER
    if probe.str.match(pattern).mean() < MIN_NUMERIC_SHARE:
        if not decimal_comma:
            return None
        pattern, decimal_comma = _NUMBER, False
        if probe.str.match(pattern).mean() < MIN_NUMERIC_SHARE:
            return None
    values, matched = _as_numbers(present, pattern, decimal_comma=decimal_comma)
    if matched.mean() < MIN_NUMERIC_SHARE:
        return None
    numbers = pd.Series(np.nan, index=text.index, dtype="float64")
    numbers[present.index] = values.where(matched)
    if numbers.notna().all() and bool((numbers % 1 == 0).all()) and numbers.abs().max() < 2**53:
        numbers = numbers.astype("int64")
    good = present[matched]
    if (~matched).any():
        bad = present[~matched]
        rows = [int(i) + 2 for i in bad.index]
        return numbers, (
            f"Column '{text.name}' has text in {rows_phrase(rows)} (e.g. '{bad.iloc[0]}') among numbers "
            f"(e.g. '{good.iloc[0]}'); the text was read as missing. Fix those cells if they hold numbers."
        )
    changed = good[~good.str.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")]
    if changed.empty:
        return numbers, ""
    style = "with decimal commas" if decimal_comma else "as text"
    return numbers, (f"Column '{text.name}' holds numbers written {style} (e.g. '{changed.iloc[0]}'); "
                     f"they were read as numbers (e.g. {values[changed.index[0]]:g}).")


def read_notes(frame: pd.DataFrame) -> list[str]:
    """What `load_csv` changed while reading `frame` (renamed columns, converted text, skipped rows)."""
    return list(frame.attrs.get(_NOTES, []))


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


def _utf16_encoding(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample) / 2 and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample) / 2 and sample[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def _refuse_binary(head: bytes) -> None:
    for magic, what, fix in _SIGNATURES:
        if head.startswith(magic):
            raise DataError(f"This file is {what}, not a CSV text file. {fix}")
    control = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if head.count(0) or control > 0.01 * len(head):
        raise DataError(
            "This file is not text: it contains binary data, so it is not a CSV. "
            "Export the table as CSV (comma, semicolon or tab separated) and upload that file."
        )


def _text_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _records(head_text: str, delimiter: str, limit: int = 30) -> list[list[str]]:
    lines = head_text.splitlines()
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut in the middle
    reader = csv.reader(lines[: limit * 2], delimiter=delimiter)
    records = []
    try:
        for record in reader:
            if record:
                records.append(record)
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records


def _delimiter(head_text: str) -> str:
    """The candidate delimiter that splits the first rows into the same number (>1) of fields, most often."""
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        records = _records(head_text, delimiter)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records) / len(records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _column_names(header: list[str], notes: list[str]) -> list[str]:
    names = [h.strip() for h in header]
    for i, name in enumerate(names):
        if not name:
            names[i] = "row_id" if i == 0 else f"column_{i + 1}"
            where = "The first column" if i == 0 else f"Column {i + 1}"
            notes.append(f"{where} has no name in the header; it was named '{names[i]}'.")
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            seen[name] += 1
            new = f"{name}_{seen[name]}"
            while new in names:
                new += "_"
            notes.append(f"Column name '{name}' appears more than once; column {i + 1} was renamed '{new}'. "
                         "Rename the columns in the file if they mean different things.")
            names[i] = new
        else:
            seen[name] = 1
    return names


def rows_phrase(rows: list[int], limit: int = 10) -> str:
    """'row 4', 'rows 2, 3' or 'rows 2, 3, ... and 40 more': row numbers as a message shows them."""
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit:,} more" if len(rows) > limit else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"


def _parse(buffer, *, encoding: str | None, delimiter: str, names: list[str]) -> tuple[pd.DataFrame, list[int]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = pd.read_csv(
            buffer, sep=delimiter, header=0, names=names, index_col=False, encoding=encoding,
            na_values=NA_TOKENS, keep_default_na=False, skipinitialspace=True, low_memory=False, on_bad_lines="warn",
        )
    ragged = []
    for w in caught:
        text = str(w.message)
        for part in text.split("Skipping line ")[1:]:
            ragged.append(int(part.split(":")[0]))
    return frame, ragged


def _read_frame(raw: bytes, encoding: str, delimiter: str, names: list[str]) -> tuple[pd.DataFrame, list[int], str]:
    try:
        return _decode_and_parse(raw, encoding, delimiter, names)
    except pd.errors.ParserError as exc:
        text = str(exc)
        if "EOF inside string" in text:
            row = text.rsplit("row ", 1)[-1].strip()  # pandas counts the header as row 0
            row = int(row) + 1 if row.isdigit() else row
            raise DataError(
                f"A quote (\") opens a value in row {row} of the file and is never closed, so the rest of the "
                "file would be one value. Close the quote, or write a quote inside a value as two quotes "
                "(\"\"), and upload the file again."
            ) from None
        raise DataError(f"The file could not be read as CSV ({text.strip()}). Check its delimiter and quoting, "
                        "and upload it again.") from None


def _decode_and_parse(
    raw: bytes, encoding: str, delimiter: str, names: list[str]
) -> tuple[pd.DataFrame, list[int], str]:
    if encoding.startswith("utf-16"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"The file looks like UTF-16 text but is damaged at byte {exc.start:,} ({exc.reason}). "
                "Save it again as 'CSV UTF-8' and upload that file."
            ) from None
        return (*_parse(io.StringIO(text), encoding=None, delimiter=delimiter, names=names), encoding)
    try:
        return (*_parse(io.BytesIO(raw), encoding=encoding, delimiter=delimiter, names=names), encoding)
    except UnicodeDecodeError:
        # Valid UTF-8 at the start but not further on: a Latin-1 / Windows export.
        fallback = "cp1252"
        try:
            raw.decode(fallback)
        except UnicodeDecodeError:
            fallback = "latin-1"
        return (*_parse(io.BytesIO(raw), encoding=fallback, delimiter=delimiter, names=names), fallback)


def _tidy_text(frame: pd.DataFrame, delimiter: str, notes: list[str]) -> None:
    """Strip blanks, turn NA tokens into missing, and read numbers stored as text as numbers."""
    na = set(NA_TOKENS)
    for column in list(frame.columns):
        series = frame[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue
        text = series.where(series.isna(), series.astype(str).str.strip())
        text = text.mask(text.isin(na))
        converted = numbers_from_text(text, decimal_comma=delimiter == ";")
        if converted is None:
            frame[column] = text
            continue
        values, note = converted
        frame[column] = values
        if note:
            notes.append(note)


def _infinities(frame: pd.DataFrame, notes: list[str]) -> None:
    for column in frame.select_dtypes("number").columns:
        values = frame[column]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        infinite = np.isinf(values.to_numpy(dtype="float64", na_value=np.nan))
        if infinite.any():
            rows = (np.flatnonzero(infinite) + 2).tolist()
            sample = values[infinite].iloc[0]
            frame[column] = values.mask(infinite)
            notes.append(
                f"Column '{column}' has infinite values in {rows_phrase(rows)} (e.g. '{sample}'); they were read "
                "as missing. Replace them with a number in the file if they mean something."
            )


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
        return _load_parquet(pa_buffer(raw))
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not raw[:_HEAD_BYTES].strip(blank) and not raw.strip(blank):  # strip() copies: only when the head is blank
        raise DataError("The file is empty. Upload a CSV with a header row and at least one data row.")
    head = raw[:_HEAD_BYTES]
    encoding = _utf16_encoding(head)
    if encoding is None:
        _refuse_binary(head)
        encoding = _text_encoding(head)
        whole = len(raw) <= _HEAD_BYTES
        head_text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=whole)
    else:
        head_text = head.decode(encoding, errors="replace")
    head_text = head_text.lstrip("\ufeff")
    if not head_text.strip():
        raise DataError("The file has no readable text. Upload a CSV with a header row and at least one data row.")
    delimiter = _delimiter(head_text)
    records = _records(head_text, delimiter, limit=1) or [head_text.splitlines()[0].split(delimiter)]
    notes: list[str] = []
    names = _column_names(records[0], notes)
    if len(names) < 2:
        raise DataError(
            f"Only one column was found (header '{records[0][0][:60]}'). The file's delimiter is not a comma, "
            "semicolon, tab or |, or the file has a single column. Save it as CSV with one of those delimiters "
            "and at least one feature column besides the target."
        )
    frame, ragged, encoding = _read_frame(raw, encoding, delimiter, names)
    if frame.empty:
        raise DataError(
            f"The file has a header but no data rows (its {len(names)} columns: {', '.join(names[:8])}"
            f"{' ...' if len(names) > 8 else ''}). Upload a file with at least one row under the header."
        )
    if ragged:
        message = (
            f"{len(ragged):,} row{'s have' if len(ragged) > 1 else ' has'} more fields than the header's "
            f"{len(names)} ({rows_phrase(ragged)} of the file). A value probably contains the "
            f"{DELIMITER_NAMES[delimiter]} delimiter without quotes."
        )
        if len(ragged) > MAX_RAGGED_SHARE * (len(frame) + len(ragged)):
            raise DataError(message + " Quote those values (or remove the extra fields) and upload the file again.")
        notes.append(message + " Those rows were skipped; quote the values in the file to keep them.")
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"The file was read as {encoding.upper()} text (it is not UTF-8).")
    _tidy_text(frame, delimiter, notes)
    _infinities(frame, notes)
    frame.attrs[_NOTES] = notes
    frame.attrs["delimiter"] = delimiter
    frame.attrs["encoding"] = encoding
    return frame


PARQUET_MAGIC = b"PAR1"


def pa_buffer(raw: bytes):
    import pyarrow as pa

    return pa.BufferReader(raw)


def _load_parquet(source) -> pd.DataFrame:
    """A Parquet file as a table: its column types kept, and the same tidying as a CSV's (blanks, NA tokens,
    numbers stored as text, infinities)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(source)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"The file starts like a Parquet file but could not be read ({str(exc).strip()[:200]}). "
                        "Write it again (e.g. pandas' to_parquet) or export it as CSV.") from None
    if table.num_rows == 0:
        raise DataError(f"The Parquet file has no rows (its {table.num_columns} columns: "
                        f"{', '.join(table.column_names[:8])}). Write a file with at least one row.")
    frame = table.to_pandas()
    notes: list[str] = []
    frame.columns = _column_names([str(c) for c in frame.columns], notes)
    _tidy_text(frame, ",", notes)
    _infinities(frame, notes)
    frame.attrs[_NOTES] = notes
    frame.attrs["format"] = "parquet"
    return frame


def load_table(path: str | Path) -> pd.DataFrame:
    """Read a data file named by its path, with no upload limit (the command line): Parquet (by its signature)
    with pyarrow; a CSV up to the upload limit as `load_csv` reads it, a larger one with pyarrow's CSV reader
    (the delimiter and encoding still detected from its head)."""
    path = Path(path)
    size = _size_mb(path)
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head[:4] == PARQUET_MAGIC:
        return _load_parquet(str(path))
    if size <= MAX_UPLOAD_MB:
        return load_csv(path)
    return _load_large_csv(path, head)


def _load_large_csv(path: Path, head: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    _refuse_binary(head)
    encoding = _utf16_encoding(head) or _text_encoding(head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    delimiter = _delimiter(text)
    notes: list[str] = []
    names = _column_names(_records(text, delimiter, limit=1)[0], notes)
    try:
        table = pcsv.read_csv(path, read_options=pcsv.ReadOptions(column_names=names, skip_rows=1,
                                                                  encoding=encoding.replace("-sig", "")),
                              parse_options=pcsv.ParseOptions(delimiter=delimiter),
                              convert_options=pcsv.ConvertOptions(null_values=NA_TOKENS, strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise DataError(f"The file could not be read as CSV ({str(exc).strip()[:300]}). Check its delimiter and "
                        "quoting.") from None
    frame = table.to_pandas()
    _tidy_text(frame, delimiter, notes)
    _infinities(frame, notes)
    frame.attrs[_NOTES] = notes
    frame.attrs["delimiter"] = delimiter
    frame.attrs["encoding"] = encoding
    return frame
