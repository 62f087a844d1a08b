"""Missing cells are said (a new user's file with 'n/a' and blank cells, 8 in each of three columns, got no word on
the Data page): each column, how many, its first lines, what the cells held and what the model does with them."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.data.tidying import MARKERS, missing_message
from tests.conftest import SHARED_DATASETS


def gappy_german() -> bytes:
    """German credit with 8 missing cells in each of three columns: 5 'n/a' and 3 blank."""
    frame = pd.read_csv(SHARED_DATASETS / "german_credit.csv")
    rng = np.random.default_rng(5)
    for column in ("credit_amount", "age_in_years", "purpose"):
        frame[column] = frame[column].astype(object)
        rows = rng.choice(len(frame), 8, replace=False)
        frame.loc[rows[:5], column] = "n/a"
        frame.loc[rows[5:], column] = ""
    return frame.to_csv(index=False).encode()


def test_each_column_with_missing_cells_is_named_with_its_lines_markers_and_what_the_model_does():
    frame = load_csv(gappy_german())
    assert frame.attrs[MARKERS] == {"purpose": ("n/a", ""), "credit_amount": ("n/a", ""),
                                    "age_in_years": ("n/a", "")}
    assert missing_message(frame, "creditability") == (
        "Missing cells in 3 columns, by line of the file: 'purpose' in 8 rows (lines 117, 392, 494, 628, 667 and 3 "
        "more), 'credit_amount' in 8 rows (lines 24, 287, 469, 516, 631 and 3 more), 'age_in_years' in 8 rows (lines "
        "3, 46, 50, 150, 192 and 3 more); read as missing: 'n/a' and blank cells. The model fills a missing number "
        "with the column's median in the training rows, plus an input that flags it, and reads a missing text as a "
        "category of its own.")
    # the lines are the file's: line 3 is the second data row
    assert pd.isna(frame.loc[1, "age_in_years"]) and frame["age_in_years"].isna().sum() == 8


@pytest.mark.parametrize("marker", ["NA", "-", "?", "n/a", "NULL", ""])
def test_every_missing_marker_is_named_as_the_file_wrote_it(marker):
    lines = ["amount,grade"] + [f"{100 + i},{'AB'[i % 2]}" for i in range(30)]
    lines[4] = f"{marker},B"
    frame = load_csv("\n".join(lines).encode())
    assert frame["amount"].dtype.kind in "fi" and frame["amount"].isna().sum() == 1
    said = "blank cells" if marker == "" else f"'{marker}'"
    assert missing_message(frame) == (
        f"Missing cells in 1 column, by line of the file: 'amount' in 1 row (line 5); read as missing: {said}. The "
        "model fills a missing number with the column's median in the training rows, plus an input that flags it.")


def test_a_text_column_and_a_target():
    lines = ["grade,income,default"] + [f"{'AB'[i % 2]},{1000 + i},{i % 3 == 0}" for i in range(40)]
    lines[3] = "?,1002,"  # a missing target is the target check's to say
    lines[9] = "n/a,1008,True"
    frame = load_csv("\n".join(lines).encode())
    assert frame.attrs[MARKERS] == {"grade": ("?", "n/a"), "default": ("",)}
    assert missing_message(frame, "default") == (
        "Missing cells in 1 column, by line of the file: 'grade' in 2 rows (lines 4, 10); read as missing: '?' and "
        "'n/a'. The model reads a missing text as a category of its own.")


def test_markers_after_a_row_skipped_while_reading_are_the_cells_own():
    lines = ["grade,income,default"] + [f"{'AB'[i % 2]},{1000 + i},{i % 3 == 0}" for i in range(40)]
    lines[3] = "?,1002,"
    lines[7] = "A,1006,False,extra"  # a row with an extra field is skipped; reading the cells again skips it too
    lines[9] = "n/a,1008,True"
    frame = load_csv("\n".join(lines).encode())
    assert len(frame) == 39 and frame.attrs[MARKERS] == {"grade": ("?", "n/a"), "default": ("",)}


def test_a_utf16_file_and_a_semicolon_file_keep_their_markers():
    text = "amount;grade\n" + "\n".join(f"{'n/a' if i == 3 else f'{i},5'};{'AB'[i % 2]}" for i in range(30))
    for raw in (text.encode("utf-16"), text.encode("cp1252")):
        frame = load_csv(raw)
        assert frame.loc[4, "amount"] == 4.5 and frame.attrs[MARKERS] == {"amount": ("n/a",)}


def test_a_file_without_missing_cells_has_no_message():
    frame = load_csv(SHARED_DATASETS / "german_credit.csv")
    assert frame.attrs[MARKERS] == {} and missing_message(frame, "creditability") is None
