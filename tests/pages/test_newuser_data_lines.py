"""The Data page names a row one way (a new user's finding on credit_risk_dataset.csv): the checks said
'person_emp_length ... in rows 2, 212' (the file's lines, the header being line 1) while the first-rows table showed
that row as 0. The checks now say 'lines 2, 212 of the file' and the first-rows table is numbered by line too."""

from tests.conftest import SHARED_DATASETS
from tests.pages.test_data_page import upload
from tests.pages.test_pages import page


def test_the_checks_and_the_first_rows_name_a_row_by_its_line_in_the_file():
    at = page("pages/1_Data.py")
    upload(at, "credit_risk_dataset.csv", (SHARED_DATASETS / "credit_risk_dataset.csv").read_bytes())
    warnings = [w.value for w in at.warning]
    employment = next(w for w in warnings if w.startswith("Column 'person_emp_length' has more years"))
    # before: 'in rows 2, 212 (e.g. ...', read as pandas' rows 2 and 212 (they are its rows 0 and 210)
    assert "in lines 2, 212 of the file (e.g. 123 years at age 22, 123 years at age 21)" in employment
    assert any("6,000,000 (line 32299)" in w for w in warnings)
    assert any(c.value.endswith("each names the column, the rows by their line in the file (the header is line 1) "
                                "and what to do.") for c in at.caption)
    preview = next(d.value for d in at.dataframe if "person_emp_length" in d.value.columns and len(d.value) == 100)
    assert preview.index.name == "line" and list(preview.index[:3]) == [2, 3, 4]  # before: 0, 1, 2
    assert (preview.loc[2, "person_emp_length"], preview.loc[2, "person_age"]) == (123, 22)  # the check's line 2
    frame = at.session_state["dataset"].frame
    assert frame.iloc[210]["person_emp_length"] == 123 and frame.iloc[210]["person_age"] == 21  # its line 212
