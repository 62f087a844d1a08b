"""Tables read with pyarrow: a Parquet file (found by its signature), and a CSV larger than the upload limit.

Both are tidied as `load_csv` tidies a CSV (finmodels.data.tidying); the large CSV's delimiter and encoding are
still found from its head (finmodels.data.sniffing).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from finmodels.data.sniffing import (NA_TOKENS, column_names, header_records, refuse_binary, sniff_delimiter,
                                     text_encoding, utf16_encoding)
from finmodels.data.tidying import tidied
from finmodels.errors import DataError

PARQUET_MAGIC = b"PAR1"


def pa_buffer(raw: bytes):
    import pyarrow as pa

    return pa.BufferReader(raw)


def load_parquet(source) -> pd.DataFrame:
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
    frame.columns = column_names([str(c) for c in frame.columns], notes)
    return tidied(frame, notes, ",", {"format": "parquet"})


def load_large_csv(path: Path, head: bytes) -> pd.DataFrame:
    """A CSV past the upload limit, read with pyarrow's multi-threaded reader; `head` is its first bytes, which
    its encoding, delimiter and header are found from."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    refuse_binary(head)
    encoding = utf16_encoding(head) or text_encoding(head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(text)
    notes: list[str] = []
    names = column_names(header_records(text, delimiter, limit=1)[0], notes)
    try:
        table = pcsv.read_csv(path, read_options=pcsv.ReadOptions(column_names=names, skip_rows=1,
                                                                  encoding=encoding.replace("-sig", "")),
                              parse_options=pcsv.ParseOptions(delimiter=delimiter),
                              convert_options=pcsv.ConvertOptions(null_values=NA_TOKENS, strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise DataError(f"The file could not be read as CSV ({str(exc).strip()[:300]}). Check its delimiter and "
                        "quoting.") from None
    frame = table.to_pandas()
    return tidied(frame, notes, delimiter, {"delimiter": delimiter, "encoding": encoding})
