"""A file to score is checked against what the model was trained on (new user's trial 4, findings 1, 2, 8, 9, 12):
the trial's hand-edited files, rebuilt here from the real German credit file with the same edits, get one message
per problem with its column, lines, values, what the model does with the cell and what to do; the rows are still
scored and named in the 'check' column, or the file is refused with every problem at once."""

import io

import numpy as np
import pandas as pd
import pytest

from finmodels.delivery.export import to_csv_bytes
from finmodels.delivery.scoring import score_file
from finmodels.delivery.scoring_cells import as_number, read_for_scoring
from finmodels.delivery.scoring_checks import FileRefused, _similar, _similar_level
from finmodels.delivery.scoring_treatment import NumberReading, numeric_reading
from tests.conftest import SHARED_DATASETS

TARGET = "creditability"
# the trial's edits (score_edited_changes.txt): line -> (column, text written in the cell)
EDITS = {2: ("purpose", "radio/televison"), 3: ("credit_amount", "1.200,50"), 4: ("credit_amount", "€2,500"),
         5: ("duration_in_month", ""), 6: ("age_in_years", "212"), 7: ("age_in_years", "-3"),
         8: ("foreign_worker", "Yes"), 9: ("housing", "own "), 10: ("duration_in_month", "12 months")}


def german_text(rows: int = 30, *, target: bool = False) -> pd.DataFrame:
    """The first rows of german_credit.csv as the text of their cells."""
    frame = pd.read_csv(SHARED_DATASETS / "german_credit.csv", dtype=str, keep_default_na=False).head(rows)
    return frame if target else frame.drop(columns=TARGET)


def edited(*, renamed: bool = False) -> bytes:
    """score_edited_v2.csv (or, renamed, score_edited.csv: 'telephone' written 'phone'), with a branch_id column."""
    frame = german_text()
    for line, (column, text) in EDITS.items():
        frame.loc[line - 2, column] = text
    frame["branch_id"] = [f"BR{100 + i}" for i in range(len(frame))]
    if renamed:
        frame = frame.rename(columns={"telephone": "phone"})
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def scored(german_net):
    return score_file(german_net, read_for_scoring(edited()), threshold=0.3)


def test_the_edited_file_is_scored_with_every_bad_cell_named_by_line_value_and_fix(german_net, scored):
    median = float(german_net.frame.iloc[german_net.split.train]["credit_amount"].median())
    assert median == 2309.0 and numeric_reading(german_net.preprocessor, "credit_amount").median == median
    warnings = scored.warnings
    # the weight-of-evidence input's neutral evidence is said once, in the first message (new user's trial 5)
    assert warnings[0] == (
        "Column 'duration_in_month' has text among numbers: '12 months' in line 10 of the file. The text was read as "
        "missing: the model puts the training rows' median (18) in its place, and neutral evidence in its "
        "weight-of-evidence input (as for every missing or unseen cell below). Write the number alone, without "
        "'months' (12 for '12 months'), and score the file again.")
    assert warnings[1] == (
        "Column 'credit_amount' has text among numbers: '1.200,50' in line 3 of the file. The text was read as "
        "missing: the model puts the training rows' median (2,309) in its place. '1.200,50' has a decimal comma: "
        "write 1200.50, or save the file with ';' between columns, where decimal commas are read.")
    assert warnings[2] == ("Column 'duration_in_month' is empty in line 5 of the file: the model puts the training "
                           "rows' median (18) in its place. Fill the cells if you know them.")
    assert warnings[3] == (
        "Column 'age_in_years' has ages outside 16 to 110 years in lines 6, 7 of the file (e.g. '212', '-3'). Correct "
        "them, or leave the cells empty to have them read as missing. As they are, the model extrapolates from the "
        "training values (its scaled input goes beyond any it learned from), so those scores are not reliable.")
    assert warnings[4] == (
        "Column 'purpose' has a value never seen in training: 'radio/televison' in line 2 (did you mean "
        "'radio/television'?). The model has no input for such a value: it scores the row as if 'purpose' held none "
        "of its training values. Write it as the training data does and score the file again.")
    assert sum("weight-of-evidence" in w for w in warnings) == 1
    assert warnings[5].startswith("Column 'foreign_worker' has a value never seen in training: 'Yes' in line 8 "
                                  "(training has 'yes', which differs only in case or spaces).")
    assert len(warnings) == 6  # 'own ' is read as 'own': nothing to say
    assert "Column 'credit_amount' has numbers written as text, read as numbers: '€2,500' in line 4 as 2,500. " \
           "Check that they were read as meant." in scored.notes
    assert "Column 'branch_id' is not used by the model and kept as it is in the download." in scored.notes
    assert scored.checks.summary(30).startswith("7 of 30 rows have cells the model cannot read as written (lines 2, "
                                                "3, 5, 6, 7, 8, 10).")


def test_every_row_is_scored_and_its_problem_named_in_the_download(german_net, scored):
    lines = scored.by_line()
    assert np.isfinite(scored.scores).all() and len(scored.scores) == 30
    check = lines["check"]
    assert check[3] == "credit_amount: text '1.200,50' read as missing"
    assert check[5] == "duration_in_month: empty" and check[10] == "duration_in_month: text '12 months' read as missing"
    assert check[6] == "age_in_years: 212 (ages outside 16 to 110 years)"
    assert check[7] == "age_in_years: -3 (ages outside 16 to 110 years)"
    assert check[8] == "foreign_worker: unseen level 'Yes' (training has 'yes', which differs only in case or spaces)"
    assert check[2] == "purpose: unseen level 'radio/televison' (did you mean 'radio/television'?)"
    assert (check.drop([2, 3, 5, 6, 7, 8, 10]) == "").all()
    # the download shows what the file held where the model read a missing value
    download = pd.read_csv(io.BytesIO(to_csv_bytes(lines.reset_index())), dtype=str, keep_default_na=False)
    row = download.set_index("line")
    assert row.loc["3", "credit_amount"] == "1.200,50" and row.loc["10", "duration_in_month"] == "12 months"
    assert list(download.columns[-3:]) == ["decision", "reason codes", "check"]
    # the model read those cells as missing: line 3 scores as the row with its amount left empty
    frame = read_for_scoring(edited())
    assert scored.scores[1] == pytest.approx(float(german_net.predict(frame.iloc[[1]])[0]), abs=1e-6)


def test_a_missing_number_is_read_as_the_message_says(german_net):
    """The message: the median of the training rows in its place, and no evidence either way in its
    weight-of-evidence input (German credit's training rows have no gaps, so no input flags it)."""
    rows = german_text(5).assign(credit_amount="")
    frame = read_for_scoring(rows.to_csv(index=False).encode())
    filled = read_for_scoring(rows.assign(credit_amount="2309").to_csv(index=False).encode())
    reading = numeric_reading(german_net.preprocessor, "credit_amount")
    assert reading.missing == ("puts the training rows' median (2,309) in its place, and neutral evidence in its "
                               "weight-of-evidence input")
    preprocessor = german_net.preprocessor
    scaled, woe = preprocessor.groups["credit_amount"][0], preprocessor.groups["credit_amount"][-1]
    assert preprocessor.output_names[woe] == "credit_amount (WoE)"
    empty, median = preprocessor.transform(frame), preprocessor.transform(filled)
    assert np.allclose(empty[:, scaled], median[:, scaled])
    standardise = preprocessor.transformer.named_transformers_["woe"][-1]
    zero = (0 - standardise.mean_[1]) / standardise.scale_[1]  # credit_amount is the second column of the block
    assert np.allclose(empty[:, woe], zero) and not np.allclose(median[:, woe], zero)


def test_a_whole_amount_column_written_with_its_currency_is_refused(german_net):
    """Finding 2: '1,597.00 DM' in every row was scored as all-missing without a word."""
    frame = german_text()
    frame["credit_amount"] = [f"{float(v):,.2f} DM" for v in frame["credit_amount"]]
    with pytest.raises(FileRefused) as refused:
        score_file(german_net, read_for_scoring(frame.to_csv(index=False).encode()), threshold=0.3)
    assert refused.value.problems == [
        "Column 'credit_amount' holds text in every row (e.g. '1,169.00 DM', '5,951.00 DM', '2,096.00 DM' and 27 "
        "more) where the model expects numbers: read as missing, every such row would be scored without its "
        "'credit_amount'. The file is not scored. Write the number alone, without 'DM' (1169 for '1,169.00 DM'), "
        "and score the file again."]


def test_a_renamed_column_is_suggested_with_every_other_problem_at_once(german_net):
    """Finding 9: 'telephone' written 'phone' was reported alone, and the rename not spotted."""
    with pytest.raises(FileRefused) as refused:
        score_file(german_net, read_for_scoring(edited(renamed=True)), threshold=0.3)
    problems = refused.value.problems
    assert problems[0] == (
        "The file lacks 1 of the 20 columns the model was trained on: 'telephone' (the file's 'phone' may be it: "
        "rename it 'telephone'). No row can be scored without them: add them (or rename the file's column) and "
        "score the file again; extra columns are fine.")
    assert len(problems) == 9 and "Column 'branch_id' is not used by the model" in problems[7]
    assert [p.split(" has ")[0] for p in problems[1:7]] == [
        "Column 'duration_in_month'", "Column 'credit_amount'", "Column 'duration_in_month' is empty in line 5 of the "
        "file: the model puts the training rows' median (18) in its place. Fill the cells if you know them.",
        "Column 'age_in_years'", "Column 'purpose'",
        "Column 'foreign_worker'"]
    assert refused.value.checks.of("error")[0].column == "telephone"


def test_a_german_excel_file_scores_as_the_clean_file(german_net):
    clean = german_text()
    excel = clean.copy()
    excel["credit_amount"] = [f"{int(v):,}".replace(",", ".") + ",00" for v in clean["credit_amount"]]
    out = score_file(german_net, read_for_scoring(excel.to_csv(index=False, sep=";").encode()), threshold=0.3)
    plain = score_file(german_net, read_for_scoring(clean.to_csv(index=False).encode()), threshold=0.3)
    assert np.allclose(out.scores, plain.scores) and out.warnings == [] == plain.warnings
    assert (out.table["check"] == "").all() and not out.checks.marks
    assert out.notes[0].startswith("Column 'credit_amount' has numbers written as text in every row, read as numbers: "
                                   "'1.169,00' as 1,169, '5.951,00' as 5,951")


def test_the_target_column_is_ignored_and_its_outcomes_give_a_labelled_back_test(german_net):
    """Finding 12: a file with its outcomes said nothing about them."""
    from sklearn.metrics import roc_auc_score

    rows = german_text(200, target=True)
    out = score_file(german_net, read_for_scoring(rows.to_csv(index=False).encode()), threshold=0.3)
    auc = roc_auc_score(rows[TARGET] == "bad", out.scores)
    assert out.notes[:2] == [
        "Column 'creditability', the outcome the model predicts, is in the file: it is ignored for scoring (the scores "
        "use only the model's input columns).",
        f"Back-test on the file's own outcomes (column 'creditability'): AUC {auc:.3f} on 200 rows, "
        f"{(rows[TARGET] == 'bad').sum()} of them 'bad'. A fair test only if none of these rows were among the "
        "training rows; a small file gives a rough figure."]
    assert out.warnings == [] and (out.table["check"] == "").all()


def test_values_outside_the_training_range_are_named(german_net):
    rows = german_text(10)
    rows.loc[3, "credit_amount"] = "250000"
    out = score_file(german_net, read_for_scoring(rows.to_csv(index=False).encode()), threshold=0.3)
    high = german_net.frame.iloc[german_net.split.train]["credit_amount"].max()
    assert out.warnings == [
        f"Column 'credit_amount' has 1 value outside the range of the training rows (250 to {high:,.0f}): 250,000 "
        "(line 5). The model never saw such values; the model extrapolates from the training values (its scaled "
        "input goes beyond any it learned from), so those scores are not reliable. Check them against the source."]
    assert out.by_line()["check"][5] == f"credit_amount: 250,000 outside the training range (250 to {high:,.0f})"


@pytest.mark.parametrize("value, seen, said", [
    ("Yes", ["no", "yes"], "training has 'yes', which differs only in case or spaces"),
    ("radio/televison", ["car (new)", "radio/television"], "did you mean 'radio/television'?"),
    ("spaceship", ["car (new)", "radio/television"], None),
])
def test_a_value_never_seen_gets_the_training_value_it_probably_is(value, seen, said):
    assert _similar_level(value, seen) == said


@pytest.mark.parametrize("missing, extra, found", [
    ("telephone", ["phone", "branch_id"], "phone"), ("credit_amount", ["Credit Amount"], "Credit Amount"),
    ("age_in_years", ["age_years", "branch_id"], "age_years"), ("telephone", ["branch_id"], None),
])
def test_a_renamed_column_is_found(missing, extra, found):
    assert _similar(missing, extra) == found


def test_how_a_cell_would_read_and_the_edge_of_a_clipping_scaler():
    assert as_number("1,597.00 DM") == 1597 and as_number("1.200,50") == 1200.5 and as_number("12 months") == 12
    assert as_number("twelve") is None
    reading = NumberReading("age_in_years", 36.0, False, 19.0, 75.0)
    assert reading.edge_phrase([212, -3]) == " the model reads 212 as 75 and -3 as 19, the edges of the training range."
    assert reading.missing == "puts the training rows' median (36) in its place"


def test_rows_explained_later_from_the_scored_table_read_its_kept_text_as_missing(german_net, scored):
    """The Score page explains the other flagged rows from the scored table, which keeps '1.200,50' to show it: the
    explanation reads the cell as the model did (missing), never as the text."""
    from finmodels.delivery.scoring import explain_rows

    later = explain_rows(german_net, scored.table, np.array([1]))[0]
    first = explain_rows(german_net, read_for_scoring(edited()), np.array([1]))[0]
    assert np.allclose(later.values, first.values) and pd.isna(later.data["credit_amount"].iloc[0])
