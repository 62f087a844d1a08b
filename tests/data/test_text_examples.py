"""A numeric column with text (a new user's 37_bad_text_in_numeric.png, 45_bad_many_text.png): the note shows up to
three distinct texts, not one, and the columns table shows the column's whole numbers without '.0' (its gaps made
it a float column: '1169.0, 5951.0' before)."""

from finmodels.data.profiling import profile
from finmodels.data.reading import load_csv


def test_text_in_a_numeric_column_is_shown_by_three_distinct_examples_and_whole_numbers_stay_whole(tmp_path):
    lines = ["credit_amount,age_in_years,creditability", "1169,22,bad", "n/a?,49,good", "twelve hundred,,good",
             '"1.200,50",45,bad', "5951,30,good", "n/a?,31,bad"]
    lines += [f"{1000 + i},{20 + i},{'bad' if i % 3 else 'good'}" for i in range(40)]
    path = tmp_path / "bad_text.csv"
    path.write_text("\n".join(lines) + "\n")
    frame = load_csv(path)
    (note,) = [n for n in frame.attrs["read_notes"] if "credit_amount" in n]
    assert note == ("Column 'credit_amount' has text in lines 3, 4, 5, 7 of the file (e.g. 'n/a?', 'twelve hundred', "
                    "'1.200,50') among numbers (e.g. '1169'); the text was read as missing. Fix those cells if they "
                    "hold numbers.")
    table = profile(frame).table().set_index("column")
    assert table.loc["credit_amount", "examples"] == "1169, 5951, 1000"
    assert table.loc["age_in_years", "examples"] == "22, 49, 45"


def test_examples_of_a_column_with_fractions_keep_them(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("rate,default\n" + "".join(f"{i + 0.5},{i % 2}\n" for i in range(30)))
    assert profile(load_csv(path)).table().set_index("column").loc["rate", "examples"] == "0.5, 1.5, 2.5"
