"""Parquet uploads and path-based reading with pyarrow (`load_table`): the same table as the CSV loader gives."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from finmodels.data import reading
from finmodels.data.reading import load_csv, load_table
from finmodels.data.samples import SAMPLES_DIR
from finmodels.errors import DataError

GERMAN = SAMPLES_DIR / "german_credit.csv"


def test_parquet_bytes_read_as_the_csv_reads(tmp_path):
    expected = load_csv(GERMAN)
    buffer = io.BytesIO()
    expected.to_parquet(buffer)
    pd.testing.assert_frame_equal(load_csv(buffer.getvalue()), expected)
    path = tmp_path / "german.parquet"
    path.write_bytes(buffer.getvalue())
    pd.testing.assert_frame_equal(load_table(path), expected)


def test_parquet_text_is_tidied_like_csv_text():
    frame = pd.DataFrame({"amount": ["1,200", " 5 ", "n/a"], "grade": ["A ", "B", "NA"]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    read = load_csv(buffer.getvalue())
    assert read["amount"].tolist()[:2] == [1200, 5] and read["amount"].isna().tolist() == [False, False, True]
    assert read["grade"].tolist()[:2] == ["A", "B"] and pd.isna(read["grade"].iloc[2])


def test_damaged_parquet_says_so():
    with pytest.raises(DataError, match="starts like a Parquet file"):
        load_csv(b"PAR1" + b"\x00" * 100)


def test_a_csv_over_the_upload_limit_is_read_by_pyarrow_as_the_csv_loader_reads(monkeypatch):
    expected = load_csv(GERMAN)
    monkeypatch.setattr(reading, "MAX_UPLOAD_MB", 0.01)
    with pytest.raises(DataError, match="the limit is"):
        load_csv(GERMAN)
    pd.testing.assert_frame_equal(load_table(GERMAN), expected)
