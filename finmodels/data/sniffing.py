"""What a CSV file's bytes are: its encoding, its delimiter and header, refused when it is not text, then parsed.

`load_csv` (finmodels.data.reading) reads a file in this order: the head's encoding (UTF-16, UTF-8 with or
without BOM, Windows-1252 or Latin-1) and a refusal of binary files (Excel, PDF, gzip) with what to do; the
delimiter that splits the first rows evenly; the header's names (empty or repeated ones renamed, with a note);
then the parse, with rows that have extra fields counted and a Latin-1 fallback when UTF-8 breaks further on.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings

import pandas as pd

from finmodels.errors import DataError

NA_TOKENS = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", "-", "?", "#N/A"]
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
HEAD_BYTES = 64 * 1024  # how much of a file the encoding and the delimiter are guessed from

_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive",
     "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)",
     "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file."),
    (b"%PDF", "a PDF document", "Export the table from its source system as CSV."),
    (b"\x1f\x8b", "a gzip archive", "Unzip it and upload the CSV inside."),
)


def utf16_encoding(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample) / 2 and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample) / 2 and sample[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def refuse_binary(head: bytes) -> None:
    for magic, what, fix in _SIGNATURES:
        if head.startswith(magic):
            raise DataError(f"This file is {what}, not a CSV text file. {fix}")
    control = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if head.count(0) or control > 0.01 * len(head):
        raise DataError(
            "This file is not text: it contains binary data, so it is not a CSV. "
            "Export the table as CSV (comma, semicolon or tab separated) and upload that file."
        )


def text_encoding(head: bytes) -> str:
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


def header_records(head_text: str, delimiter: str, limit: int = 30) -> list[list[str]]:
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


def sniff_delimiter(head_text: str) -> str:
    """The candidate delimiter that splits the first rows into the same number (>1) of fields, most often."""
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        records = header_records(head_text, delimiter)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records) / len(records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def column_names(header: list[str], notes: list[str]) -> list[str]:
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


def read_frame(raw: bytes, encoding: str, delimiter: str, names: list[str]) -> tuple[pd.DataFrame, list[int], str]:
    try:
        return _decode_and_parse(raw, encoding, delimiter, names)
    except pd.errors.ParserError as exc:
        text = str(exc)
        if "EOF inside string" in text:
            row = text.rsplit("row ", 1)[-1].strip()  # pandas counts the header as row 0
            row = int(row) + 1 if row.isdigit() else row
            raise DataError(
                f"A quote (\") opens a value in line {row} of the file and is never closed, so the rest of the "
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


def cell_texts(raw: bytes, encoding: str, delimiter: str, names: list[str], columns: list[str] | None = None,
               rows: int | None = None) -> pd.DataFrame | None:
    """`columns` (or all) of the file's first `rows` rows (or all) as the text of their cells, nothing read as
    missing: what a cell held before it was read as missing. With `columns`, pandas keeps a row with extra fields
    that `read_frame` skips: without them, the rows are `read_frame`'s. None when the file cannot be parsed so."""
    utf16 = encoding.startswith("utf-16")
    try:
        return pd.read_csv(
            io.StringIO(raw.decode(encoding)) if utf16 else io.BytesIO(raw), sep=delimiter, header=0, names=names,
            usecols=columns, index_col=False, encoding=None if utf16 else encoding, dtype=str, na_filter=False,
            skipinitialspace=True, low_memory=False, on_bad_lines="skip", nrows=rows,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None
