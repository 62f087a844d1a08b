"""A new user's trial of the Data page: a good/bad 'Outcome' column was offered as a regression target, and a file
with 'n/a' and blank cells (8 in each of three columns) got no word about missing values."""

from tests.conftest import SHARED_DATASETS
from tests.data.test_missing_cells import gappy_german
from tests.pages.test_data_page import upload
from tests.pages.test_pages import page


def test_a_good_bad_outcome_is_offered_by_its_values_not_as_a_regression_target():
    text = (SHARED_DATASETS / "german_credit.csv").read_text()
    at = upload(page("pages/1_Data.py"), "outcomes.csv", text.replace("creditability", "Outcome", 1).encode())
    box = at.selectbox(key="data_target")
    assert box.value == "Outcome"
    # before: 'Outcome · has a usual target name of the regression task'
    assert box.options[1] == "Outcome · has a usual target name ('outcome') and two values, bad/good"
    assert at.selectbox(key="data_task").value == "binary" and at.radio[0].value == "bad"


def test_missing_cells_are_named_with_their_lines_markers_and_what_the_model_does():
    at = upload(page("pages/1_Data.py"), "gaps.csv", gappy_german())
    (note,) = [i.value for i in at.info if i.value.startswith("Missing cells")]
    assert note.startswith("Missing cells in 3 columns, by line of the file: 'purpose' in 8 rows (lines 117, 392, 494, "
                           "628, 667 and 3 more)")
    assert "read as missing: 'n/a' and blank cells. The model fills a missing number with the column's median" in note
    table = next(d.value for d in at.dataframe if "missing" in d.value.columns).set_index("column")
    assert table.loc[["purpose", "credit_amount", "age_in_years"], "missing"].tolist() == [8, 8, 8]
    assert table["missing"].sum() == 24


def test_a_file_without_missing_cells_says_nothing_about_them():
    at = upload(page("pages/1_Data.py"), "german_credit.csv", (SHARED_DATASETS / "german_credit.csv").read_bytes())
    assert not [i.value for i in at.info if "Missing" in i.value]
