"""Numbers that are codes (finmodels/data/codes.py): Taiwan default's SEX, EDUCATION and MARRIAGE codes read as
numbers, EDUCATION's rare codes 0, 4, 5, 6 and MARRIAGE's 0, and PAY_x's -2 and -1 beside 0 to 8 months late; each
message names the column, the codes, their line counts and what to do. No column name is known to the checks."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.data.validation import WARNING, check_data
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def taiwan():
    frame = load_csv(SHARED_DATASETS / "taiwan_default.csv")
    return frame, check_data(frame).problems


def test_code_like_columns_are_named_with_their_values_and_what_the_tool_does(taiwan):
    _, problems = taiwan
    (codes,) = [p for p in problems if p.code == "code_columns"]
    assert codes.severity == WARNING and codes.values == ("SEX", "EDUCATION", "MARRIAGE")
    # what it may mean and what to do, in about 45 words: a new user did not read the 133 words it had
    first, second = codes.message.split("1). ")
    assert first + "1)." == (
        "Columns 'SEX' (1, 2), 'EDUCATION' (0 to 6: 7 values) and 'MARRIAGE' (0 to 3: 4 values) may be category "
        "codes read as numbers (3 counts as more than 2): if they have no order, set their role to 'categorical' on "
        "the Data page (training then reads each code as a category) or write them as text in the file (e.g. "
        "'married' for 1).")
    assert len((first + "1).").split()) < 70 and len(second.split()) == 12  # before: one paragraph of 133 words
    assert second == "Two codes (such as 'SEX') or ordered ones (grades, counts) need nothing."


def test_rare_codes_are_named_with_their_line_counts(taiwan):
    frame, problems = taiwan
    rare = {p.column: p for p in problems if p.code == "rare_codes"}
    assert sorted(rare) == ["EDUCATION", "MARRIAGE"]
    education = rare["EDUCATION"]
    assert education.values == ("0", "4", "5", "6")
    assert len(education.rows) == 14 + 123 + 280 + 51
    assert set(frame.loc[[r - 2 for r in education.rows], "EDUCATION"]) == {0, 4, 5, 6}
    assert education.message.startswith(
        "Column 'EDUCATION' has codes used by fewer than 1% of its rows: 0 in 14 lines, 4 in 123 lines, 5 in 280 "
        "lines and 6 in 51 lines (lines 49, 71, 360, ")
    assert education.message.endswith("of the file and 458 more), too few to learn from and often 'unknown' or "
                                      "'other'. If the file's codebook does not define them, merge them into one "
                                      "code (such as its 'other') or leave those cells empty (read as missing).")
    assert rare["MARRIAGE"].values == ("0",) and "0 in 54 lines" in rare["MARRIAGE"].message
    assert rare["MARRIAGE"].message.endswith("If the file's codebook does not define it, merge it into another (such "
                                             "as its 'other') or leave those cells empty (read as missing).")


def test_negative_codes_in_a_column_otherwise_0_or_more_are_special_codes(taiwan):
    frame, problems = taiwan
    pay = next(p for p in problems if p.code == "special_codes" and p.column == "PAY_0")
    assert pay.severity == WARNING and pay.values == ("-2", "-1")
    assert len(pay.rows) == 2_759 + 5_686
    assert set(frame.loc[[r - 2 for r in pay.rows], "PAY_0"]) == {-2, -1}
    assert pay.message.startswith(
        "Column 'PAY_0' is 0 or more in 72% of its rows but has -2 in 2,759 lines and -1 in 5,686 lines (lines 3, 6, ")
    assert pay.message.endswith("of the file and 8,435 more): they look like special codes ('no use', 'paid in full'), "
                                "read as amounts (-2 below 0). If the file's codebook says so, move them to a column "
                                "of their own and leave these cells empty (read as missing).")
    # PAY_2 to PAY_6 hold the same codes: each keeps its own lines (the chart marks them) and points to PAY_0's advice
    later = [p for p in problems if p.code == "special_codes" and p.column in {f"PAY_{i}" for i in range(2, 7)}]
    assert len(later) == 5 and all(p.values == ("-2", "-1") for p in later)
    assert all(p.message.endswith(": the same negative codes as 'PAY_0' (see there).") for p in later)
    assert later[0].message.startswith("Column 'PAY_2' is 0 or more in 67% of its rows but has -2 in 3,782 lines")
    assert all("codebook" not in p.message for p in later)
    # balances below zero are amounts (many distinct values), not codes
    assert not [p for p in problems if p.column and p.column.startswith("BILL_AMT")]


@pytest.mark.parametrize("column,values", [
    ("flag", [i % 2 for i in range(300)]),  # 0/1 is a flag, not a code
    ("months", [i % 40 for i in range(300)]),  # too many values
    ("amount", [100 + i % 5 for i in range(300)]),  # not small codes
    ("rate", [0.5 + i % 4 for i in range(300)]),  # not whole numbers
    ("balance", [-(i % 37) * 13 if i % 5 == 0 else i for i in range(300)]),  # negatives of many values: amounts
])
def test_ordinary_numbers_are_not_called_codes(column, values):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"default": [i % 4 == 0 for i in range(300)], "income": rng.normal(5e4, 1e4, 300),
                          column: values})
    assert not [p for p in check_data(frame).problems if p.code in ("code_columns", "rare_codes", "special_codes")]


def test_a_single_negative_value_is_all_but_one_row_not_a_rounded_100_percent():
    """A new user's edited German file: "Column 'age_in_years' is 19 or more in 100% of its rows but has -3 in 1
    line" (999 of 1,000 rows rounds to 100%)."""
    frame = load_csv(SHARED_DATASETS / "german_credit.csv")
    frame.loc[5, "age_in_years"] = -3
    found = [p.message for p in check_data(frame, target="creditability").problems
             if p.message.startswith("Column 'age_in_years' is ")]
    assert found and found[0].startswith("Column 'age_in_years' is 19 or more in all but 1 of its rows but has -3 in "
                                          "1 line (line 7 of the file)")
