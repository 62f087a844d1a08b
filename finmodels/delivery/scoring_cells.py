"""What a file to score held in the cells reading could not take as written: the text of the numeric columns' cells
read as missing ('1.200,50', '12 months') and of the cells read as numbers from text ('€2,500' as 2500), kept in the
frame's attrs by `read_for_scoring` so the checks of `scoring_checks` can name each cell by its line and value, and
the scored file's download can show what was typed. Also how to write such a cell so it reads (`number_hint`), and
the file's whole numbers written back as whole numbers (`as_written`: 170000, not the 170000.0 of a column a gap or a
text cell made float).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from finmodels.data.reading import load_csv, numbers_from_text
from finmodels.data.sniffing import NA_TOKENS, cell_texts, column_names, header_records
from finmodels.data.tables import PARQUET_MAGIC

CELLS = "scoring_cells"  # the frame's attrs key: {column: {row position: the cell's text}}
MAX_ROWS = 200_000  # rows whose cells are read a second time as text (a huge file's later rows are not)
_PLAIN = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_UNIT = re.compile(r"^(?P<num>[-+]?[$€£¥]?\s*\d[\d.,'\s\u00a0]*)\s*(?P<unit>[^\d\s.,'][^\d]*)$")
_DECIMAL_COMMA = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d{1,2})$")
_LEADS = re.compile(r"^[-+]?[$€£¥]?\s*\d")  # a cell that starts as a number does
_LETTER_O = re.compile(r"(?<=[\d.,])[Oo]+(?=[\d.,\s]|$)")  # '12,5OO': the letter O typed for a zero
_DOT_THOUSANDS = re.compile(r"^[-+]?\d{1,3}\.\d{3}$")  # '12.500': 12.5, or 12500 written with a thousands dot


def read_for_scoring(source) -> pd.DataFrame:
    """A file to score read as `load_csv` reads it, with the text of every numeric cell it could not take as
    written kept in `frame.attrs[CELLS]` (the first MAX_ROWS rows)."""
    if isinstance(source, (str, Path)):
        frame = load_csv(source)  # a path that is not a file is said by load_csv
        raw = Path(source).read_bytes()
    else:
        raw = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else source.read()
        frame = load_csv(raw)
    if raw[:4] != PARQUET_MAGIC:
        frame.attrs[CELLS] = _odd_cells(raw, frame)
    return frame


def with_level_text(frame: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """`frame` with the text of the cells reading took as missing in a numeric column the model treats as categories
    (EDUCATION's codes set to 'categorical', with 'Univrsity' in one cell) put back: for the model such a cell is a
    level never seen in training, not a missing value; the frame itself when there is none."""
    kept = frame.attrs.get(CELLS, {})
    columns = [c for c in categorical if c in frame.columns and kept.get(c)]
    if not columns:
        return frame
    out = frame.copy()
    for column in columns:
        values = out[column].astype(object)
        gaps = values.isna().to_numpy()
        cells = {p: t for p, t in kept[column].items() if p < len(values) and gaps[p]}
        values.iloc[list(cells)] = list(cells.values())
        out[column] = values
    out.attrs = dict(frame.attrs)
    return out


def as_written(table: pd.DataFrame, columns) -> pd.DataFrame:
    """`table` with the whole numbers of the file's `columns` written as whole numbers, a text cell kept as it is:
    170000 and 3 as the file has them, not the 170000.0 and 3.0 of a column a gap or a text cell made float (a
    column of floats only when all its numbers are whole, so 2.5 and 3.0 stay so)."""
    for column in columns:
        values = table[column] if column in table.columns else None
        if values is not None and pd.api.types.is_float_dtype(values.dtype):
            finite = values.dropna()
            if len(finite) and np.isfinite(finite).all() and (finite % 1 == 0).all() and finite.abs().max() < 2**53:
                table[column] = values.astype("Int64")
        elif values is not None and values.dtype == object:
            table[column] = values.map(lambda v: int(v) if isinstance(v, (float, np.floating)) and np.isfinite(v)
                                       and float(v).is_integer() and abs(v) < 2**53 else v)
    return table


def _odd_cells(raw: bytes, frame: pd.DataFrame) -> dict[str, dict[int, str]]:
    numeric = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]
    delimiter, encoding = frame.attrs.get("delimiter"), frame.attrs.get("encoding")
    if not numeric or delimiter is None or encoding is None:
        return {}
    head = raw[:64 * 1024].decode(encoding, errors="replace").lstrip("\ufeff")
    records = header_records(head, delimiter, limit=1)
    if not records:
        return {}
    names = column_names(records[0], [])
    if list(map(str, frame.columns)) != [str(n) for n in names]:
        return {}
    ragged = any("more fields than the header" in n for n in frame.attrs.get("read_notes", []))
    texts = cell_texts(raw, encoding, delimiter, names, None if ragged else numeric, min(len(frame), MAX_ROWS))
    if texts is None:
        return {}
    found = {}
    for column in numeric:
        if column not in texts.columns:
            continue
        cells = texts[column].astype(str).str.strip()
        odd = ~cells.str.fullmatch(_PLAIN) & ~cells.isin(NA_TOKENS)
        found[column] = {int(i): str(cells.iloc[i]) for i in np.flatnonzero(odd.to_numpy())}
    return {c: cells for c, cells in found.items() if cells}


def as_number(text: str) -> float | None:
    """The number a cell written as text holds ('1,597.00 DM' 1597, '1.200,50' 1200.5, '12 months' 12, '12,5OO'
    12500: the letter O typed for a zero), or None, also when it may be two numbers ('12.5OO': 12.5 or 12500)."""
    text = _zeros(text.strip())
    unit = _UNIT.match(text)
    core = unit["num"].strip() if unit else text
    if _DOT_THOUSANDS.match(core):  # '12.5OO', '1.500 DM': 12.5, or 12500 written with a thousands dot
        return None
    comma = bool(_DECIMAL_COMMA.match(core))
    found = numbers_from_text(pd.Series([core]), decimal_comma=comma)
    if found is None or pd.isna(found[0].iloc[0]):
        return None
    return float(found[0].iloc[0])


def _zeros(text: str) -> str:
    """'12,5OO' as '12,500': a letter O between or after the digits of a cell that starts as a number is a zero."""
    return _LETTER_O.sub(lambda found: "0" * len(found.group()), text) if _LEADS.match(text) else text


def _digits(value: float) -> str:
    """12500, 1200.5: a number as it is to be typed in a cell (no thousands separator, never 1.25e+04)."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def number_hint(texts: list[str]) -> str:
    """How to write cells like `texts` so they read as numbers, with the first one's number when its reading is
    unambiguous."""
    first = texts[0].strip()
    value = as_number(first)
    if _zeros(first) != first:
        if value is None:
            return (f"'{first}' has the letter O among its digits: write the number in digits, and score the file "
                    "again.")
        return f"'{first}' has the letter O among its digits: write {_digits(value)}, and score the file again."
    shown = "" if value is None else f" ({_digits(value)} for '{first}')"
    unit = _UNIT.match(first)
    if unit:
        return f"Write the number alone, without '{unit['unit'].strip()}'{shown}, and score the file again."
    if _DECIMAL_COMMA.match(first) and value is not None:
        return (f"'{first}' has a decimal comma: write {value:.2f}, or save the file with ';' between columns, "
                "where decimal commas are read.")
    return "Write a number in those cells, or leave them empty to have them read as missing, and score the file again."
