"""CSV exports escape every cell a spreadsheet would run as a formula."""

import io

import pandas as pd
import pytest

from finmodels.delivery.export import escape_cell, escape_frame, to_csv_bytes


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x.example","click")', "+1+cmd|' /C calc'!A0", "-2+3",
                                   "@SUM(A1:A2)", "\tlead", "\r=1"])
def test_formula_starts_are_quoted(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["A11", "good", "", "1=1", "a-b", 12, -3.5, None])
def test_other_values_are_unchanged(value):
    assert escape_cell(value) == value


def test_csv_keeps_numbers_and_escapes_text_and_headers():
    frame = pd.DataFrame({"=name": ["=cmd()", "plain", "@x"], "amount": [-5.0, 10.0, 2.5], "ok": [True, False, True]})
    text = to_csv_bytes(frame).decode("utf-8")
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == ["'=name", "amount", "ok"]
    assert back["'=name"].tolist() == ["'=cmd()", "plain", "'@x"]
    assert back["amount"].tolist() == [-5.0, 10.0, 2.5]
    assert frame.iloc[0, 0] == "=cmd()"  # the caller's frame is not modified


def test_missing_text_stays_missing():
    out = escape_frame(pd.DataFrame({"a": ["-x", None]}))
    assert out["a"].iloc[0] == "'-x" and pd.isna(out["a"].iloc[1])
