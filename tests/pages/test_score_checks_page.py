"""The Score page says what is wrong in the scored file's cells before its scores (new user's trial 4, findings 1, 2,
8, 9, 12): the trial's edited file is scored with one message per problem and the rows to check in the table; a
file whose amounts are all text, or that lacks a renamed column, is refused with every problem at once."""

from tests.delivery.test_scoring_checks import edited, german_text
from tests.pages.test_pages import page


def upload(credit_state, name: str, raw: bytes):
    at = page("pages/5_Score.py", credit_state)
    at.slider(key="score_threshold").set_value(0.3).run()
    at.get("file_uploader")[-1].set_value((name, raw, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_the_edited_file_is_scored_with_its_bad_cells_said_first(credit_state):
    at = upload(credit_state, "score_edited_v2.csv", edited())
    assert [h.value for h in at.subheader][0] == "score_edited_v2.csv: 30 rows scored, 7 with cells to check"
    warnings = [w.value for w in at.warning]
    assert warnings[0].startswith("7 of 30 rows have cells the model cannot read as written (lines 2, 3, 5, 6, 7, 8, "
                                  "10). They are scored")
    assert warnings[1].startswith("Column 'duration_in_month' has text among numbers: '12 months' in line 10 of the "
                                  "file. The text was read as missing")
    assert any(w.startswith("Column 'credit_amount' has text among numbers: '1.200,50' in line 3") for w in warnings)
    assert any(w.startswith("Column 'age_in_years' has ages outside 16 to 110 years in lines 6, 7") for w in warnings)
    assert any("'radio/televison' in line 2 (did you mean 'radio/television'?)" in w for w in warnings)
    assert any("'Yes' in line 8 (training has 'yes', which differs only in case or spaces)" in w for w in warnings)
    infos = [i.value for i in at.info]
    assert "Column 'credit_amount' has numbers written as text, read as numbers: '€2,500' in line 4 as 2,500. Check " \
           "that they were read as meant." in infos
    table = next(d.value for d in at.dataframe if "reason codes" in d.value)
    assert list(table.columns[:3]) == ["probability of 'bad'", "decision", "check"]
    assert table.loc[3, "check"] == "credit_amount: text '1.200,50' read as missing"
    assert table.loc[3, "credit_amount"] == "1.200,50"  # what the file held, not an empty cell
    assert table.loc[4, "check"] == ""


def test_a_file_with_its_outcomes_says_they_are_ignored_and_back_tests_them(credit_state):
    at = upload(credit_state, "score_with_target_200.csv",
                german_text(200, target=True).to_csv(index=False).encode())
    assert [h.value for h in at.subheader][0] == "score_with_target_200.csv: 200 rows scored"
    infos = [i.value for i in at.info]
    assert infos[0] == ("Column 'creditability', the outcome the model predicts, is in the file: it is ignored for "
                        "scoring (the scores use only the model's input columns).")
    assert infos[1].startswith("Back-test on the file's own outcomes (column 'creditability'): AUC 0.")
    table = next(d.value for d in at.dataframe if "reason codes" in d.value)
    assert "check" not in table.columns  # no row to check: the column stays in the download only


def test_an_amount_column_of_text_is_refused_with_what_to_write(credit_state):
    frame = german_text()
    frame["credit_amount"] = [f"{float(v):,.2f} DM" for v in frame["credit_amount"]]
    at = upload(credit_state, "score_amount_text.csv", frame.to_csv(index=False).encode())
    errors = [e.value for e in at.error]
    assert errors[0].startswith("The file was not scored: fix what is said below and upload it again.")
    assert errors[1].startswith("Column 'credit_amount' holds text in every row (e.g. '1,169.00 DM'")
    assert errors[1].endswith("Write the number alone, without 'DM' (1169 for '1,169.00 DM'), and score the file "
                              "again.")
    assert len(errors) == 2 and not at.subheader  # no scores: neither this file's nor the area's last one


def test_a_renamed_column_is_named_with_every_other_problem_at_once(credit_state):
    at = upload(credit_state, "score_edited.csv", edited(renamed=True))
    errors = [e.value for e in at.error]
    assert errors[1].startswith("The file lacks 1 of the 20 columns the model was trained on: 'telephone' (the "
                                "file's 'phone' may be it: rename it 'telephone').")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 6 and warnings[0].startswith("Column 'duration_in_month' has text among numbers")
    assert [i.value for i in at.info] == [
        "Column 'branch_id' is not used by the model and kept as it is in the download.",
        "Column 'credit_amount' has numbers written as text, read as numbers: '€2,500' in line 4 as 2,500. Check that "
        "they were read as meant."]
    assert not at.subheader
