"""`python -m finmodels fairness BUNDLE FILE --protected COL`: per-group decisions of a saved model, from the
terminal, on German credit."""

import json

import numpy as np
import pytest

from finmodels.__main__ import main
from tests.commands.conftest import GERMAN_CSV


def test_json_has_groups_reference_and_flagged(german_bundle, german_net, german, capsys):
    assert main(["fairness", str(german_bundle), str(GERMAN_CSV), "--protected", "age_in_years", "--threshold", "0.3",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["groups"]) == ["<25", "25–34", "35–44", "45–54", "55+"]
    assert out["threshold"] == 0.3 and out["column"] == "age_in_years"
    assert out["threshold_source"] == "given"
    assert out["threshold_note"] == "Decisions at threshold 0.3 (given with --threshold)."
    scores = german_net.predict(german)
    young = (german["age_in_years"] < 25).to_numpy()
    bad = (german["creditability"] == "bad").to_numpy()
    group = out["groups"]["<25"]
    assert group["rows"] == 149 and group["events"] == int(bad[young].sum())
    assert group["approval_rate"] == pytest.approx(np.mean(scores[young] < 0.3), abs=1e-6)
    assert group["tpr"] == pytest.approx(np.mean(scores[young & bad] >= 0.3), abs=1e-6)
    assert group["fpr"] == pytest.approx(np.mean(scores[young & ~bad] >= 0.3), abs=1e-6)
    assert set(group) >= {"adverse_impact_ratio", "approval_rate", "tpr", "fpr", "auc", "rows"}
    reference = out["reference"]
    assert out["groups"][reference]["adverse_impact_ratio"] == 1.0
    assert max(g["approval_rate"] for g in out["groups"].values()) == out["groups"][reference]["approval_rate"]
    assert out["flagged"] == [g for g, v in out["groups"].items() if v["adverse_impact_ratio"] < 0.8]
    assert "Band 65+ of 'age_in_years' had 23 rows (under 30); merged with 55–64 into 55+." in out["notes"]


def test_several_columns_and_the_text_table(german_bundle, capsys):
    assert main(["fairness", str(german_bundle), str(GERMAN_CSV), "--protected", "personal_status_and_sex",
                 "--protected", "foreign_worker", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["column"] for c in out["columns"]] == ["personal_status_and_sex", "foreign_worker"]
    assert out["columns"][1]["groups"]["no"]["rows"] == 37
    assert main(["fairness", str(german_bundle), str(GERMAN_CSV), "--protected", "foreign_worker"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Protected column 'foreign_worker' at threshold 0.5")
    assert "  yes " in text and "'foreign_worker' is one of the model's inputs." in text
    assert text.endswith(f"\nDecisions at threshold 0.5 (the default).\nGroups counted on all 1,000 rows of {GERMAN_CSV}. "
                         "If the file holds the model's training rows, their AUC and rates are optimistic: the "
                         "Governance page counts the run's held-out test rows only.\n")
    assert out["rows_note"].startswith("Groups counted on all 1,000 rows of ")


def test_small_groups_are_refused_with_their_counts(german_bundle, capsys):
    assert main(["fairness", str(german_bundle), str(GERMAN_CSV), "--protected", "purpose"]) == 2
    err = capsys.readouterr().err
    assert ("error: Protected column 'purpose' has 4 groups under 30 rows: 'repairs' (22 rows), 'domestic "
            "appliances' (12 rows), 'others' (12 rows), 'retraining' (9 rows);") in err


def test_a_column_with_one_group_is_refused(german_bundle, german, capsys, tmp_path):
    file = tmp_path / "one.csv"
    german.assign(branch="Berlin").to_csv(file, index=False)
    assert main(["fairness", str(german_bundle), str(file), "--protected", "branch"]) == 2
    assert ("error: Protected column 'branch' has one group ('Berlin', 1,000 rows); fairness compares groups, so it "
            "needs at least 2.") in capsys.readouterr().err


def test_merge_puts_values_in_one_group_as_the_governance_page_does(german_bundle, german, capsys):
    """`--merge 'COL=VALUE|VALUE[>NAME]'`: the page's merges from the terminal, named or 'a / b' by default."""
    column = "personal_status_and_sex"
    assert main(["fairness", str(german_bundle), str(GERMAN_CSV), "--protected", column, "--json", "--merge",
                 f"{column}=male : married/widowed|male : divorced/separated", "--merge",
                 f"{column}=male : single|female : divorced/separated/married>the rest"]) == 0
    out = json.loads(capsys.readouterr().out)
    pair = "male : married/widowed / male : divorced/separated"
    counts = german[column].value_counts()
    assert out["groups"][pair]["rows"] == counts["male : married/widowed"] + counts["male : divorced/separated"]
    assert out["groups"]["the rest"]["rows"] == 1000 - out["groups"][pair]["rows"]
    assert out["merged"]["male : single"] == "the rest" and out["merged"]["male : divorced/separated"] == pair
    assert any(n.startswith(f"Groups of '{column}' merged by the analyst:") for n in out["notes"])
    assert main(["fairness", str(german_bundle), str(GERMAN_CSV), "--protected", column, "--merge", column]) == 2
    assert f"--merge '{column}' is not COL=VALUE|VALUE[>NAME]" in capsys.readouterr().err
