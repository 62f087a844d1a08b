"""Tidying a table as read: blanks stripped, NA tokens made missing, numbers written as text read as numbers
(`83.7%`, `$5,000`, `(1,200)`, decimal commas), infinities made missing; every change is a note `read_notes` returns.
`missing_markers` keeps what the cells read as missing held ('n/a', blank), and `missing_message` says where a table's
missing cells are and what the model does with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodels.data.sniffing import NA_TOKENS

NOTES = "read_notes"  # the frame's attrs key for what reading changed
MARKERS = "missing_markers"  # the frame's attrs key for {column: markers its missing cells held, most used first}
MARKER_CELLS = 200  # markers are taken from at most this many missing cells per column (a huge file is not read twice)
MAX_GAP_COLUMNS = 8  # the missing-values message names at most this many columns

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
            f"Column '{text.name}' has text in {rows_phrase(rows)} (e.g. {_examples(bad)}) among numbers "
            f"(e.g. '{good.iloc[0]}'); the text was read as missing. Fix those cells if they hold numbers."
        )
    changed = good[~good.str.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")]
    if changed.empty:
        return numbers, ""
    style = "with decimal commas" if decimal_comma else "as text"
    return numbers, (f"Column '{text.name}' holds numbers written {style} (e.g. '{changed.iloc[0]}'); "
                     f"they were read as numbers (e.g. {values[changed.index[0]]:g}).")


def _examples(values: pd.Series, limit: int = 3) -> str:
    """Up to `limit` distinct values, quoted: "'n/a?', 'twelve hundred', '1.200,50'"."""
    return ", ".join(f"'{v}'" for v in values.drop_duplicates().iloc[:limit])


def rows_phrase(rows: list[int], limit: int = 10) -> str:
    """'line 4 of the file', 'lines 2, 3 of the file' or 'lines 2, 3, ... of the file and 40 more': rows as a message
    names them, by their line in the file (the header is line 1, as a spreadsheet numbers its rows), a number that
    cannot be read as pandas' 0-based row (the Data page's first rows are numbered by line too)."""
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit:,} more" if len(rows) > limit else ""
    return f"{'line' if len(rows) == 1 else 'lines'} {shown} of the file{more}"


def tidy_text(frame: pd.DataFrame, delimiter: str, notes: list[str]) -> None:
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


def mark_infinities(frame: pd.DataFrame, notes: list[str]) -> None:
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


def tidied(frame: pd.DataFrame, notes: list[str], delimiter: str, attrs: dict) -> pd.DataFrame:
    """`frame` tidied (text, numbers, infinities; `delimiter` ';' reads decimal commas), with `notes` and `attrs`
    (e.g. its delimiter and encoding) kept in its attrs."""
    tidy_text(frame, delimiter, notes)
    mark_infinities(frame, notes)
    frame.attrs[NOTES] = notes
    frame.attrs.update(attrs)
    return frame


def missing_markers(frame: pd.DataFrame, cell_text) -> dict[str, tuple[str, ...]]:
    """{column: what its missing cells held ('n/a', '' for blank), most used first}, from the first MARKER_CELLS
    missing cells of each column; `cell_text(columns, rows)` reads the first `rows` rows of `columns` as text."""
    gaps = {c: np.flatnonzero(frame[c].isna().to_numpy()) for c in frame.columns}
    gaps = {c: rows[:MARKER_CELLS] for c, rows in gaps.items() if len(rows)}
    if not gaps:
        return {}
    texts = cell_text(list(gaps), int(max(rows[-1] for rows in gaps.values())) + 1)
    if texts is None or len(texts) < max(rows[-1] for rows in gaps.values()) + 1:
        return {}
    return {str(c): tuple(texts[c].iloc[rows].str.strip().value_counts().index[:4]) for c, rows in gaps.items()}


def _marker_phrase(markers: list[str]) -> str:
    shown = [f"'{m}'" for m in markers if m] + (["blank cells"] if "" in markers else [])
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def missing_message(frame: pd.DataFrame, target: str | None = None, *, does=None) -> str | None:
    """Where `frame`'s missing cells are (each column, how many, its first lines), what they held, and what the model
    does with them (finmodels.models.preprocessing); the target's are said by the target check. None when none.
    `does(columns)` may say instead what the model does with the cells of those columns (a price task's
    `price_gaps.missing_does`), or return None for the tabular model's sentence."""
    counts = frame.drop(columns=[target] if target in frame.columns else []).isna().sum()
    counts = counts[counts > 0]
    if counts.empty:
        return None
    markers = frame.attrs.get(MARKERS, {})
    parts = []
    for column, count in counts.iloc[:MAX_GAP_COLUMNS].items():
        rows = (np.flatnonzero(frame[column].isna().to_numpy()) + 2).tolist()
        parts.append(f"'{column}' in {count:,} row{'s' if count > 1 else ''} "
                     f"({rows_phrase(rows, limit=5).replace(' of the file', '')})")
    more = f" and {len(counts) - MAX_GAP_COLUMNS} more columns" if len(counts) > MAX_GAP_COLUMNS else ""
    held = sorted({m for c in counts.index for m in markers.get(str(c), ())}, key=lambda m: (m == "", m))
    read = f"; read as missing: {_marker_phrase(held)}" if held else ""
    instead = does([str(c) for c in counts.index]) if does is not None else None
    if instead:
        return (f"Missing cells in {len(counts)} column{'s' if len(counts) > 1 else ''}, by line of the file: "
                f"{', '.join(parts)}{more}{read}. {instead}")
    numeric = [c for c in counts.index if pd.api.types.is_numeric_dtype(frame[c]) and not
               pd.api.types.is_bool_dtype(frame[c])]
    does = []  # as preprocessing encodes them: median imputer and missing indicator, '(missing)' one-hot level
    if numeric:
        does.append("fills a missing number with the column's median in the training rows, plus an input that "
                    "flags it,")
    if len(numeric) < len(counts):
        does.append("reads a missing text as a category of its own")
    return (f"Missing cells in {len(counts)} column{'s' if len(counts) > 1 else ''}, by line of the file: "
            f"{', '.join(parts)}{more}{read}. The model {' and '.join(does)}.".replace(",.", "."))
