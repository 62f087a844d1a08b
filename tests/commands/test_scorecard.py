"""`python -m finmodels scorecard FILE --target COL`: the scorecard challenger from the terminal."""

import json

import pytest

from finmodels.__main__ import main
from tests.conftest import ROOT, SHARED_DATASETS

GERMAN_CSV = ROOT / "assets" / "samples" / "german_credit.csv"


def test_json_has_auc_iv_and_bins_with_woe_and_points(capsys):
    assert main(["scorecard", str(GERMAN_CSV), "--target", "creditability", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0.74 < out["roc_auc"] < 0.82 and out["event"] == "bad"
    assert out["rows"] == {"train": 800, "test": 200}
    assert max(out["iv"], key=out["iv"].get) == "status_of_existing_checking_account"
    assert len(out["iv"]) == 20 and "creditability" not in out["iv"]
    bins = [b for b in out["bins"] if b["feature"] == "status_of_existing_checking_account"]
    assert {b["bin"] for b in bins} >= {"no checking account", "... < 0 DM", "Missing", "Special"}
    assert all(set(b) == {"feature", "bin", "woe", "points"} for b in out["bins"])
    # no checking account is the safest state: the highest WoE and the most points of the feature
    best = max(bins, key=lambda b: b["woe"])
    assert best["bin"] == "no checking account" and best["points"] == max(b["points"] for b in bins)
    assert out["scaling"]["pdo"] == 20 and out["scaling"]["points"] == 600


def test_scaling_options_change_the_points_not_the_auc(capsys):
    assert main(["scorecard", str(GERMAN_CSV), "--target", "creditability", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert main(["scorecard", str(GERMAN_CSV), "--target", "creditability", "--pdo", "40", "--points", "500",
                 "--json"]) == 0
    scaled = json.loads(capsys.readouterr().out)
    assert scaled["roc_auc"] == pytest.approx(default["roc_auc"])
    low, high = default["scaling"]["range"]
    low2, high2 = scaled["scaling"]["range"]
    assert high2 - low2 == pytest.approx(2 * (high - low), rel=1e-6)  # twice the points per doubling of the odds


def test_text_summary(capsys):
    assert main(["scorecard", str(GERMAN_CSV), "--target", "creditability"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Scorecard on 'creditability' (event 'bad'): ROC AUC 0.7")
    assert "Points: 600 at odds 50:1, 20 more double the odds" in out
    assert "  status_of_existing_checking_account: 0.654 (strong, 4 bins)" in out


def test_a_rating_target_names_the_task_a_scorecard_supports(capsys):
    assert main(["scorecard", str(SHARED_DATASETS / "corporate_rating.csv"), "--target", "Rating"]) == 2
    err = capsys.readouterr().err
    assert ("error: Column 'Rating' has 10 values ('A', 'AA', 'AAA', 'B', 'BB', 'BBB', 'C', 'CC', 'CCC', 'D'); a "
            "scorecard supports only the credit default task, a target with exactly 2 values (good/bad, 0/1). Pick "
            "a binary target, or train the network for this task.") in err


def test_codes_named_categorical_are_binned_by_level(capsys, tmp_path):
    """`scorecard --categorical EDUCATION` bins Taiwan's codes 0 to 6 as levels grouped by event rate, as a run with
    the column set to 'categorical' does; without it they are number intervals."""
    path = tmp_path / "taiwan_3000.csv"
    path.write_text("\n".join((SHARED_DATASETS / "taiwan_default.csv").read_text().splitlines()[:3001]) + "\n")
    common = ["scorecard", str(path), "--target", "default_payment_next_month", "--json", "--features", "EDUCATION",
              "PAY_0", "LIMIT_BAL"]
    assert main([*common, "--categorical", "EDUCATION"]) == 0
    coded = json.loads(capsys.readouterr().out)
    assert main(common) == 0
    plain = json.loads(capsys.readouterr().out)

    def education(out):
        return [b["bin"] for b in out["bins"] if b["feature"] == "EDUCATION" and b["bin"] not in ("Missing", "Special")]

    assert education(coded) and not any(b.startswith(("(", "[")) for b in education(coded))
    assert any(b.startswith(("(", "[")) for b in education(plain))
    assert main([*common, "--categorical", "EDUCATON"]) == 2
    assert "--categorical names 'EDUCATON', not a column of the file" in capsys.readouterr().err
