"""What a file to score held in the cells reading could not take as written: the text of the numeric columns' cells
read as missing ('1.200,50', '12 months') and of the cells read as numbers from text ('€2,500' as 2500), kept in the
frame's attrs by `read_for_scoring` so the checks of `scoring_checks` can name each cell by its line and value, and
the scored file's download can show what was typed. Also how to write such a cell so it reads (`number_hint`).
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
    """The number a cell written as text holds ('1,597.00 DM' 1597, '1.200,50' 1200.5, '12 months' 12), or None."""
    text = text.strip()
    unit = _UNIT.match(text)
    core = unit["num"].strip() if unit else text
    comma = bool(_DECIMAL_COMMA.match(core))
    found = numbers_from_text(pd.Series([core]), decimal_comma=comma)
    if found is None or pd.isna(found[0].iloc[0]):
        return None
    return float(found[0].iloc[0])


def number_hint(texts: list[str]) -> str:
    """How to write cells like `texts` so they read as numbers, with the first one's number."""
    first = texts[0].strip()
    value = as_number(first)
    shown = "" if value is None else f" ({value:g} for '{first}')"
    unit = _UNIT.match(first)
    if unit and value is not None:
        return f"Write the number alone, without '{unit['unit'].strip()}'{shown}, and score the file again."
    if _DECIMAL_COMMA.match(first) and value is not None:
        return (f"'{first}' has a decimal comma: write {value:.2f}, or save the file with ';' between columns, "
                "where decimal commas are read.")
    return "Write a number in those cells, or leave them empty to have them read as missing, and score the file again."
