"""`python -m finmodels whatif BUNDLE FILE.csv --row N --set COL=VALUE`: one applicant before and after edits."""

import json

import pytest

from finmodels.__main__ import main
from tests.commands.conftest import GERMAN_CSV




def test_json_has_before_after_and_contributions(german_bundle, german_net, german, capsys):
    assert main(["whatif", str(german_bundle), str(GERMAN_CSV), "--row", "1", "--set", "duration_in_month=12",
                 "--set", "credit_amount=2000", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["row"] == 1 and out["file_row"] == 3 and out["row_label"] == "line 3 of the file"
    assert out["changes"] == {"duration_in_month": {"before": 48, "after": 12.0},
                              "credit_amount": {"before": 5951, "after": 2000.0}}
    assert out["before"]["score"] == pytest.approx(float(german_net.predict(german.iloc[[1]])[0]), abs=1e-6)
    edited = german.iloc[[1]].assign(duration_in_month=12, credit_amount=2000)
    assert out["after"]["score"] == pytest.approx(float(german_net.predict(edited)[0]), abs=1e-6)
    assert out["threshold"] == 0.5 and out["after"]["decision"] in ("bad", "not bad")
    assert out["threshold_source"] == "default" and out["threshold_note"] == "Decisions at threshold 0.5 (the default)."
    assert out["model"] == str(german_bundle) and "costs" not in out
    assert out["output"] == "default probability" and out["scale"] == "probability"
    assert len(out["contributions"]) == 20
    for side in ("before", "after"):
        total = out["base_value"] + sum(c[f"contribution_{side}"] for c in out["contributions"])
        assert total == pytest.approx(out[side]["score"], abs=1e-5)
    assert {c["column"] for c in out["counterfactuals"] if not c["level"]} == {
        "duration_in_month", "credit_amount", "installment_rate_in_percentage_of_disposable_income",
        "present_residence_since", "age_in_years", "number_of_existing_credits_at_this_bank",
        "number_of_people_being_liable_to_provide_maintenance_for"}
    # the 13 text columns are tried at each other level seen in training
    assert sum(c["level"] for c in out["counterfactuals"]) == 13 == len(out["counterfactuals"]) - 7
    assert out["warnings"] == []


def test_a_value_outside_the_training_range_warns(german_bundle, capsys):
    assert main(["whatif", str(german_bundle), str(GERMAN_CSV), "--row", "0", "--set", "age_in_years=120",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["warnings"]) == 1
    assert out["warnings"][0].startswith("age_in_years = 120 is outside the training range (")
    assert out["warnings"][0].endswith("): the score there is an extrapolation.")


def test_text_output(german_bundle, capsys):
    assert main(["whatif", str(german_bundle), str(GERMAN_CSV), "--set", "credit_amount=2000"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("line 2 of the file: default probability ")
    assert captured.out.splitlines()[1:3] == ["  credit_amount: 1169 -> 2000.0",
                                              "Decisions at threshold 0.5 (the default)."]
    assert "Contributions (probability), largest change first:" in captured.out
    assert ("To change the decision (one input at a time, searched within the 1st-99th percentile of the training rows "
            "(and the row's own value when outside it)):") in captured.out


@pytest.mark.parametrize("argv, message", [
    (["--set", "credit_amount"], "error: --set takes COLUMN=VALUE; got 'credit_amount'. For example --set "
                                 "credit_amount=5000."),
    (["--row", "5000"], "error: Row 5000 is outside the file: it has 1,000 rows, numbered 0 to 999."),
    (["--row", "1", "--id", "purpose=education"], "error: Give --row or --id, not both."),
    (["--id", "purpose=boat"], "error: No row has purpose = 'boat'"),
    (["--set", "credit_amount=lots"], "error: Value 'lots' for 'credit_amount' is not a number"),
])
def test_messages(german_bundle, capsys, argv, message):
    assert main(["whatif", str(german_bundle), str(GERMAN_CSV), *argv]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_a_row_by_identifier(german_bundle, capsys):
    assert main(["whatif", str(german_bundle), str(GERMAN_CSV), "--id", "purpose=education", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["row"] == 2 and out["row_label"] == "purpose = 'education'"  # the first such row
    assert out["warnings"] == ["50 rows have purpose = 'education'; the first (line 4 of the file) is used."]
