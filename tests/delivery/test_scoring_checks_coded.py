"""A file scored by a model that reads a column of numbers as categories (new user's trial 5: taiwan_default's first
5,000 rows, EDUCATION's role set to 'categorical', rows 5,001-5,200 scored with four hand-edited cells). Before: the
misspelled level 'Univrsity' was said to be an empty cell ("is empty or holds 'Univrsity'") and lost from the
download; '12,5OO' (letters O for zeros) was to be written 12.5; whole numbers came back as 170000.0 and 3.0; the
weight-of-evidence clause was in every message; the PSI bins read '5673 to 1.308e+04'."""

import io

import numpy as np
import pandas as pd
import pytest

from finmodels.delivery.export import to_csv_bytes
from finmodels.delivery.report import drift_section
from finmodels.delivery.scoring import score_file
from finmodels.delivery.scoring_cells import as_number, number_hint, read_for_scoring
from finmodels.plots.monitoring import plot_stability
from tests.conftest import SHARED_DATASETS

TARGET = "default_payment_next_month"
# the trial's edits (score_200_edited.csv): line of the file -> (column, text written in the cell)
EDITS = {5: ("LIMIT_BAL", "fifty thousand"), 9: ("AGE", ""), 13: ("EDUCATION", "Univrsity"),
         17: ("BILL_AMT1", "12,5OO")}


def taiwan_text() -> pd.DataFrame:
    """taiwan_default.csv as the text of its cells."""
    return pd.read_csv(SHARED_DATASETS / "taiwan_default.csv", dtype=str, keep_default_na=False)


def edited(edits=EDITS) -> bytes:
    """Rows 5,001-5,200 without the outcome, with `edits` written in their cells."""
    frame = taiwan_text().iloc[5000:5200].drop(columns=TARGET).reset_index(drop=True)
    for line, (column, text) in edits.items():
        frame.loc[line - 2, column] = text
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def coded_run(taiwan_coded_run):
    return taiwan_coded_run


@pytest.fixture(scope="module")
def scored(coded_run):
    return score_file(coded_run, read_for_scoring(edited()), threshold=0.3)


def download(scored) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(to_csv_bytes(scored.by_line().reset_index())), dtype=str,
                       keep_default_na=False).set_index("line")


def test_a_misspelled_code_is_a_level_never_seen_not_an_empty_cell(coded_run, scored):
    warnings = scored.warnings
    assert warnings[-1] == (
        "Column 'EDUCATION' has a value never seen in training: 'Univrsity' in line 13. The model has no input for "
        "such a value: it scores the row as if 'EDUCATION' held none of its training values. Write it as the "
        "training data does (its values: '1', '2', '3', '4', '5', '6') and score the file again.")
    assert not any("'EDUCATION' is empty" in w or "holds 'Univrsity'" in w for w in warnings)
    assert scored.checks.summary(200).startswith("4 of 200 rows have cells the model cannot read as written (lines "
                                                 "5, 9, 13, 17).")
    row = download(scored).loc["13"]
    assert row["EDUCATION"] == "Univrsity" and row["check"] == "EDUCATION: unseen level 'Univrsity'"
    # scored as the message says: none of EDUCATION's one-hot inputs is on
    preprocessor = coded_run.preprocessor
    inputs = [i for i in preprocessor.groups["EDUCATION"] if preprocessor.output_names[i].startswith("EDUCATION = ")]
    assert len(inputs) == 6
    encoded = preprocessor.transform(scored.table.iloc[[10, 11]])
    assert encoded[1, inputs].tolist() == [0.0] * 6 and encoded[0, inputs].sum() == 1.0  # line 12 holds a code


def test_an_empty_code_beside_a_misspelled_one_is_said_as_empty_alone(coded_run):
    out = score_file(coded_run, read_for_scoring(edited({13: ("EDUCATION", "Univrsity"), 21: ("EDUCATION", "")})),
                     threshold=0.3)
    assert out.warnings[0] == (
        "Column 'EDUCATION' is empty in line 21 of the file: the model saw no missing 'EDUCATION' in training: it "
        "scores the row as if 'EDUCATION' held none of its training values. Fill the cells if you know them.")
    assert out.warnings[1].startswith("Column 'EDUCATION' has a value never seen in training: 'Univrsity' in line 13.")
    lines = download(out)
    assert lines.loc["21", "check"] == "EDUCATION: empty" and lines.loc["21", "EDUCATION"] == ""
    assert lines.loc["13", "EDUCATION"] == "Univrsity"


def test_letters_o_typed_for_zeros_are_read_as_zeros_in_the_advice(scored):
    bill = next(w for w in scored.warnings if w.startswith("Column 'BILL_AMT1'"))
    assert bill.endswith("'12,5OO' has the letter O among its digits: write 12500, and score the file again.")
    assert "12.5" not in bill
    assert download(scored).loc["17", "BILL_AMT1"] == "12,5OO"
    # the HTML report repeats the messages as they are
    report = "".join(drift_section("score_200_edited.csv", scored))
    assert "&#x27;12,5OO&#x27; has the letter O among its digits: write 12500" in report
    assert "&#x27;Univrsity&#x27; in line 13" in report and "is empty or holds" not in report


@pytest.mark.parametrize("text, value, hint", [
    ("12,5OO", 12500, "'12,5OO' has the letter O among its digits: write 12500, and score the file again."),
    ("1O,OOO", 10000, "'1O,OOO' has the letter O among its digits: write 10000, and score the file again."),
    ("12.5OO", None, "'12.5OO' has the letter O among its digits: write the number in digits, and score the file "
                     "again."),  # 12.5, or 12500 with a thousands dot: no number suggested
    ("12,5000", None, "Write a number in those cells, or leave them empty to have them read as missing, and score "
                      "the file again."),
    ("1.500 DM", None, "Write the number alone, without 'DM', and score the file again."),
    ("1,234,567 EUR", 1234567, "Write the number alone, without 'EUR' (1234567 for '1,234,567 EUR'), and score the "
                               "file again."),
    ("10 months", 10, "Write the number alone, without 'months' (10 for '10 months'), and score the file again."),
])
def test_a_number_is_suggested_only_when_its_reading_is_unambiguous(text, value, hint):
    assert as_number(text) == value and number_hint([text]) == hint


def test_whole_numbers_are_written_as_the_file_wrote_them(coded_run, scored):
    lines = download(scored)
    assert lines.loc["2", ["LIMIT_BAL", "EDUCATION", "AGE", "BILL_AMT1"]].tolist() == ["170000", "3", "61", "0"]
    assert lines.loc["5", "LIMIT_BAL"] == "fifty thousand" and lines.loc["9", "AGE"] == ""
    assert lines.loc["9", "check"] == "AGE: empty"
    assert str(scored.table["AGE"].dtype) == "Int64"
    assert lines.loc["3", "LIMIT_BAL"] == "500000"  # written '5.00E+05' in taiwan_default.csv
    # the trial's file wrote its amounts as 170000.0: whole numbers all the same; a column with a fraction stays float
    frame = pd.read_csv(io.BytesIO(edited()), dtype=str, keep_default_na=False)
    frame["LIMIT_BAL"] = [v if v == "fifty thousand" else f"{float(v):.1f}" for v in frame["LIMIT_BAL"]]
    frame.loc[0, "BILL_AMT2"] = "0.5"
    out = score_file(coded_run, read_for_scoring(frame.to_csv(index=False).encode()), threshold=0.3)
    lines = download(out)
    assert lines.loc["2", ["LIMIT_BAL", "AGE", "BILL_AMT2"]].tolist() == ["170000", "61", "0.5"]
    assert lines.loc["3", "BILL_AMT2"] == "6583.0" and lines.loc["5", "LIMIT_BAL"] == "fifty thousand"


def test_the_weight_of_evidence_clause_is_said_once(scored):
    warnings = scored.warnings
    assert sum("weight-of-evidence" in w for w in warnings) == 1
    assert warnings[0] == (
        "Column 'LIMIT_BAL' has text among numbers: 'fifty thousand' in line 5 of the file. The text was read as "
        "missing: the model puts the training rows' median (140,000) in its place, and neutral evidence in its "
        "weight-of-evidence input (as for every missing or unseen cell below). Write a number in those cells, or "
        "leave them empty to have them read as missing, and score the file again.")


def test_the_stability_bins_and_the_chart_read_plainly(scored):
    from finmodels.data.reading import load_csv
    from finmodels.evaluation.monitoring import reference_distribution

    taiwan = load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)
    assert reference_distribution(taiwan, columns=["BILL_AMT1"]).columns["BILL_AMT1"].bins == [
        "< 190.9", "190.9 to 1,647", "1,647 to 5,754", "5,754 to 13,121", "13,121 to 21,321", "21,321 to 34,870",
        "34,870 to 50,258", "50,258 to 80,235", "80,235 to 139,121", ">= 139,121", "(missing)"]  # was 1.312e+04
    assert not any("e+" in b for b in scored.bins("BILL_AMT1")["bin"])
    title = plot_stability(scored.stability).layout.title.text
    assert title.endswith("read the bands on at least 360 rows</sup>")
    assert np.isfinite(scored.scores).all()


def test_a_column_set_to_categorical_is_binned_by_its_codes_in_stability_and_its_bundle(coded_run, scored):
    """Before, EDUCATION's stability bins were number ranges ('1 to 2', '2 to 3') though the model reads its codes
    as categories; now one bin per code, in the run, in the bundle it is saved to, and on the Score page."""
    from finmodels.evaluation.monitoring import CATEGORICAL, NUMERIC
    from finmodels.models.bundle import bundle_bytes, load_bundle

    bins = list(scored.bins("EDUCATION")["bin"])
    assert {"1", "2", "3"} <= set(bins) and not any(" to " in b for b in bins)
    reference = load_bundle(bundle_bytes(coded_run), model=False).reference
    assert reference.columns["EDUCATION"].kind == CATEGORICAL
    assert set(reference.columns["EDUCATION"].levels) >= {"1", "2", "3", "4", "5", "6"}
    assert reference.columns["PAY_0"].kind == NUMERIC  # the columns left to numbers stay numbers
