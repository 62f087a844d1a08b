"""`python -m finmodels score` checks the file against the training data as the Score page does (new user's trial 4,
findings 1, 2, 8, 9, 12): every bad cell named by line and value before the decisions' figures are trusted, each
row's problem in the CSV's 'check' column, and a file that cannot be scored refused with every problem."""

import json

import pandas as pd

from finmodels.__main__ import main
from tests.delivery.test_scoring_checks import edited, german_text


def test_the_edited_file_is_scored_with_its_checks_in_json_and_in_the_csv(german_bundle, capsys, tmp_path):
    file, out = tmp_path / "score_edited_v2.csv", tmp_path / "scored.csv"
    file.write_bytes(edited())
    assert main(["score", str(german_bundle), str(file), "--threshold", "0.3", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 30 and summary["rows_to_check"] == 7
    found = {(c["code"], c["column"]): c["lines"] for c in summary["checks"]}
    assert found == {("text_in_numbers", "duration_in_month"): [10], ("text_in_numbers", "credit_amount"): [3],
                     ("empty_cells", "duration_in_month"): [5], ("implausible_age", "age_in_years"): [6, 7],
                     ("unseen_values", "purpose"): [2], ("unseen_values", "foreign_worker"): [8],
                     ("extra_columns", None): [], ("read_as_numbers", "credit_amount"): [4]}
    assert summary["warnings"][0].startswith("Column 'duration_in_month' has text among numbers: '12 months' in line "
                                             "10 of the file.")
    scored = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("line")
    assert scored.loc["3", "credit_amount"] == "1.200,50"
    assert scored.loc["3", "check"] == "credit_amount: text '1.200,50' read as missing"
    assert scored.loc["2", "check"] == "purpose: unseen level 'radio/televison' (did you mean 'radio/television'?)"
    # credit_amount, written as whole numbers, stays so ('€2,500' read as 2500, not 2500.0; new user's trial 5)
    assert scored.loc["4", "check"] == "" and scored.loc["4", "credit_amount"] == "2500"
    assert scored.loc["5", "duration_in_month"] == "" and scored.loc["6", "duration_in_month"] == "24"


def test_the_text_summary_says_the_rows_to_check_before_the_stability(german_bundle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edited.csv").write_bytes(edited())
    assert main(["score", str(german_bundle), "edited.csv", "--threshold", "0.3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    check = next(i for i, line in enumerate(lines) if line.startswith("check: "))
    assert lines[check] == (
        "check: 7 of 30 rows have cells the model cannot read as written (lines 2, 3, 5, 6, 7, 8, 10). They are "
        "scored, but their scores rest on those cells as the model reads them: fix the cells and score the file "
        "again before using them. The download names each row's problem in its 'check' column.")
    assert lines[check + 1].startswith("warning: Column 'duration_in_month' has text among numbers")
    assert check < next(i for i, line in enumerate(lines) if line.startswith("Stability against"))


def test_an_amount_column_written_with_its_currency_is_refused_with_exit_2(german_bundle, capsys, tmp_path):
    frame = german_text()
    frame["credit_amount"] = [f"{float(v):,.2f} DM" for v in frame["credit_amount"]]
    file = tmp_path / "score_amount_text.csv"
    frame.to_csv(file, index=False)
    assert main(["score", str(german_bundle), str(file), "--out", str(tmp_path / "out.csv"), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-1].startswith(
        "error: Column 'credit_amount' holds text in every row (e.g. '1,169.00 DM', '5,951.00 DM', '2,096.00 DM' and "
        "27 more) where the model expects numbers")
    refused = json.loads(captured.out)
    assert refused["refused"] is True and [c["code"] for c in refused["checks"]] == ["text_column"]
    assert not (tmp_path / "out.csv").exists()


def test_a_renamed_column_is_refused_with_the_rename_and_every_other_problem(german_bundle, capsys, tmp_path):
    file = tmp_path / "score_edited.csv"
    file.write_bytes(edited(renamed=True))
    assert main(["score", str(german_bundle), str(file)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-9] == (
        "error: The file lacks 1 of the 20 columns the model was trained on: 'telephone' (the file's 'phone' may be "
        "it: rename it 'telephone'). No row can be scored without them: add them (or rename the file's column) and "
        "score the file again; extra columns are fine.")
    assert [line.split(":")[0] for line in err[-8:]] == ["warning"] * 6 + ["note"] * 2
