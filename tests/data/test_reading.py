"""load_csv on awkward but valid files: delimiters, encodings, numbers stored as text, header repairs."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv, numbers_from_text, read_notes
from tests.corpus import bom_file, european_export


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(delimiter):
    rows = ["name,amount,grade", "Ann,12.5,A", "Bob,7,B", "Cy,3,A"]
    frame = load_csv("\n".join(r.replace(",", delimiter) for r in rows).encode())
    assert list(frame.columns) == ["name", "amount", "grade"]
    assert frame["amount"].tolist() == [12.5, 7.0, 3.0]
    assert frame.attrs["delimiter"] == delimiter


def test_a_comma_inside_a_semicolon_file_does_not_fool_the_detection():
    frame = load_csv(b"city;comment;n\nParis;good, fast;1\nLyon;slow, late;2\nNice;ok, ok;3\n")
    assert list(frame.columns) == ["city", "comment", "n"] and frame["comment"][0] == "good, fast"


@pytest.mark.parametrize("encoding,expected_note", [
    ("utf-8", None), ("utf-8-sig", None), ("cp1252", "read as CP1252"), ("utf-16", "read as UTF-16"),
])
def test_encodings(encoding, expected_note):
    frame = load_csv("client,ville,montant\nJosé,Zürich,12\nZoë,Genève,7\n".encode(encoding))
    assert list(frame.columns) == ["client", "ville", "montant"]
    assert frame["client"].tolist() == ["José", "Zoë"] and frame["ville"].tolist() == ["Zürich", "Genève"]
    notes = read_notes(frame)
    assert (expected_note is None and not notes) or any(expected_note in n for n in notes)


def test_latin1_bytes_after_a_long_ascii_start_are_still_read():
    head = "id,name\n" + "".join(f"{i},plain\n" for i in range(20_000))  # > 64 KB before the first accent
    frame = load_csv((head + "20000,Müller\n").encode("cp1252"))
    assert frame["name"].iloc[-1] == "Müller" and frame.attrs["encoding"] == "cp1252"


@pytest.mark.parametrize("text,value", [
    ("83.70%", 83.7), ("1,234", 1234), ("$5,000", 5000), ("(1,200)", -1200), ("-$5,000.50", -5000.5),
    ("€12.5", 12.5), ("  42 ", 42), ("1.5e3", 1500), ("+7", 7),
])
def test_numbers_stored_as_text_are_read_as_numbers(text, value):
    frame = load_csv(f'amount,other\n"{text}",1\n"{text}",2\n'.encode())
    assert frame["amount"].tolist() == [value, value]
    assert pd.api.types.is_numeric_dtype(frame["amount"].dtype)


def test_numbers_from_text_names_the_rows_of_text_among_numbers():
    text = pd.Series(["1,000"] * 20, name="income")
    text[[2, 14]] = "n/k"
    values, note = numbers_from_text(text)
    assert values.isna().sum() == 2 and values.iloc[0] == 1000
    assert note.startswith("Column 'income' has text in lines 4, 16 of the file (e.g. 'n/k')")


def test_a_column_that_is_mostly_text_stays_text():
    assert numbers_from_text(pd.Series(["A", "B", "1", "C"])) is None


def test_decimal_commas_in_a_semicolon_file():
    frame = load_csv("rate;amount;label\n12,5%;1.234,50;x\n3,25%;10,00;y\n".encode())
    assert frame["rate"].tolist() == [12.5, 3.25] and frame["amount"].tolist() == [1234.5, 10.0]


def test_na_tokens_and_blanks():
    frame = load_csv(b"a,b,c\n  x  , NA ,1\n y ,#N/A,\n z,null, 3 \n")
    assert frame["a"].tolist() == ["x", "y", "z"]
    assert frame["b"].isna().all() and frame["c"].tolist()[0] == 1 and np.isnan(frame["c"].tolist()[1])


def test_empty_header_names_and_duplicates_are_repaired_and_reported():
    frame = load_csv(b",amount,amount,,amount\n0,1,2,3,4\n1,5,6,7,8\n")
    assert list(frame.columns) == ["row_id", "amount", "amount_2", "column_4", "amount_3"]
    notes = read_notes(frame)
    assert "The first column has no name in the header; it was named 'row_id'." in notes
    assert any("column 3 was renamed 'amount_2'" in n for n in notes)
    assert any("Column 4 has no name in the header; it was named 'column_4'." == n for n in notes)


def test_a_trailing_delimiter_on_every_line_does_not_shift_the_columns():
    frame = load_csv(b"a,b,\n1,2,\n3,4,\n")
    assert frame["a"].tolist() == [1, 3] and frame["b"].tolist() == [2, 4]


def test_formula_cells_are_kept_as_text():
    frame = load_csv(b'name,link\nx,"=HYPERLINK(""http://e.example"",""go"")"\ny,=SUM(A1:A3)\n')
    assert frame["link"].tolist() == ['=HYPERLINK("http://e.example","go")', "=SUM(A1:A3)"]


def test_thousands_of_columns():
    header = ",".join(f"c{i}" for i in range(3000))
    frame = load_csv((header + "\n" + ",".join("1" for _ in range(3000)) + "\n").encode())
    assert frame.shape == (1, 3000)


def test_european_export_semicolon_latin1_unnamed_first_column_percent_and_text_target():
    frame = load_csv(european_export())
    assert list(frame.columns) == ["row_id", "région", "taux", "montant", "default"]
    assert frame["région"].iloc[:3].tolist() == ["Zürich", "Genève", "Bâle"]
    assert frame["row_id"].tolist() == list(range(60))
    assert frame["taux"].dtype == "float64" and frame["montant"].dtype == "float64"
    assert set(frame["default"]) == {"oui", "non"}


def test_bom_file_with_percent_strings():
    frame = load_csv(bom_file())
    assert frame.columns[0] == "age"
    assert frame["rate"].iloc[0] == pytest.approx(frame["income"].iloc[0] / 1000, abs=0.005)
