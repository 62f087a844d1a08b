"""`champion` in place of a bundle for whatif, fairness and document: the champion of a workspace area, decided at
the threshold kept with it on the Evaluate page unless `--threshold` is given, and saying where the threshold came
from. In a real MLflow workspace, on the real German credit network (one network, no blend)."""

import datetime as dt
import json

import numpy as np
import pytest

from finmodels.__main__ import main
from finmodels.delivery.kept import decision_record
from finmodels.evaluation.thresholds import CostMatrix
from finmodels.runtime.records import keep_result
from finmodels.runtime.workspace import Workspace, data_fingerprint
from tests.commands.conftest import GERMAN_CSV

AREA = "champion-commands"
AT = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.timezone.utc)
KEPT = 0.31
KEPT_NOTE = ("Decisions at threshold 0.31 (set by hand on the Evaluate page, kept with this run on 2026-11-30 14:05 "
             "UTC).")
COSTS = {"false_negative": 4.0, "false_positive": 1.5}


def _log_champion(area: str, german, german_net) -> tuple[Workspace, str]:
    space = Workspace(area=area)
    run_id = space.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german))
    space.promote(run_id)
    return space, run_id


@pytest.fixture(scope="module")
def champion(german, german_net):
    """German credit's network promoted in AREA, with the decision 0.31 (costs 4 and 1.5) kept on Evaluate."""
    space, run_id = _log_champion(AREA, german, german_net)
    keep_result(space, run_id, "decision", decision_record(KEPT, CostMatrix(4, 1.5), chosen="set by hand", at=AT))
    return space, run_id


@pytest.fixture(scope="module")
def scores(german, german_net):
    return german_net.predict(german)


def _json(capsys, *argv) -> dict:
    assert main([*map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_whatif_decides_at_the_kept_threshold_unless_one_is_given(champion, scores, capsys):
    # a row the kept threshold flags and the default 0.5 does not: its decision changes with the threshold
    row = int(np.flatnonzero((scores >= KEPT) & (scores < 0.5))[0])
    out = _json(capsys, "whatif", "champion", GERMAN_CSV, "--area", AREA, "--row", row, "--set", "credit_amount=2000")
    assert out["threshold"] == KEPT and out["threshold_source"] == "kept" and out["threshold_note"] == KEPT_NOTE
    assert out["costs"] == COSTS and out["model"] == f"the champion of area '{AREA}'"
    assert out["before"]["score"] == pytest.approx(float(scores[row]), abs=1e-5)
    assert out["before"]["decision"] == "bad"
    given = _json(capsys, "whatif", "champion", GERMAN_CSV, "--area", AREA, "--row", row, "--set",
                  "credit_amount=2000", "--threshold", 0.5)
    assert given["threshold"] == 0.5 and given["threshold_source"] == "given" and "costs" not in given
    assert given["threshold_note"] == "Decisions at threshold 0.5 (given with --threshold)."
    assert given["before"]["decision"] == "not bad"
    assert main(["whatif", "champion", str(GERMAN_CSV), "--area", AREA, "--row", str(row)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == KEPT_NOTE


def test_fairness_decides_at_the_kept_threshold_unless_one_is_given(champion, german, scores, capsys):
    young = (german["age_in_years"] < 25).to_numpy()
    out = _json(capsys, "fairness", "champion", GERMAN_CSV, "--area", AREA, "--protected", "age_in_years")
    assert out["threshold"] == KEPT and out["threshold_source"] == "kept" and out["threshold_note"] == KEPT_NOTE
    assert out["costs"] == COSTS
    assert out["groups"]["<25"]["approval_rate"] == pytest.approx(np.mean(scores[young] < KEPT), abs=1e-6)
    assert out["flagged"] == [g for g, v in out["groups"].items() if v["adverse_impact_ratio"] < 0.8]
    given = _json(capsys, "fairness", "champion", GERMAN_CSV, "--area", AREA, "--protected", "age_in_years",
                  "--threshold", 0.5)
    assert given["threshold"] == 0.5 and given["threshold_source"] == "given" and "costs" not in given
    assert given["groups"]["<25"]["approval_rate"] == pytest.approx(np.mean(scores[young] < 0.5), abs=1e-6)
    assert given["groups"]["<25"]["approval_rate"] > out["groups"]["<25"]["approval_rate"]
    both = _json(capsys, "fairness", "champion", GERMAN_CSV, "--area", AREA, "--protected", "age_in_years",
                 "--protected", "foreign_worker")
    assert [c["threshold"] for c in both["columns"]] == [KEPT, KEPT] and both["threshold_note"] == KEPT_NOTE
    assert main(["fairness", "champion", str(GERMAN_CSV), "--area", AREA, "--protected", "foreign_worker"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Protected column 'foreign_worker' at threshold 0.31 ") and text.splitlines()[-2] == KEPT_NOTE \
        and text.splitlines()[-1].startswith("Groups counted on all 1,000 rows of ")


def test_document_states_the_kept_decision_and_its_costs(champion, capsys, tmp_path):
    out = tmp_path / "doc.html"
    summary = _json(capsys, "document", "champion", GERMAN_CSV, "--area", AREA, "--out", out, "--rows", 20,
                    "--protected", "age_in_years")
    assert summary["threshold"] == KEPT and summary["threshold_source"] == "kept" and summary["costs"] == COSTS
    assert summary["findings"]["fairness"]["age_in_years"]["threshold"] == KEPT
    text = out.read_text(encoding="utf-8")
    assert ("Decision: rows scored at or above 0.31 are declined (flagged); the threshold was set by hand on the "
            "Evaluate page, kept with this run on 2026-11-30 14:05 UTC; a missed &#x27;bad&#x27; (false negative) "
            "costs 4, a false alarm (false positive: a declined applicant who would not be &#x27;bad&#x27;) costs "
            "1.5.") in text
    assert summary["findings"] is not None and "run " in text.split("</title>")[0]  # the document names its run
    assert "Decisions at threshold 0.31 by group" in text
    given = tmp_path / "given.html"
    assert main(["document", "champion", str(GERMAN_CSV), "--area", AREA, "--out", str(given), "--rows", "20",
                 "--threshold", "0.45"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Decisions at threshold 0.45 (given with --threshold)."
    text = given.read_text(encoding="utf-8")
    assert ("rows scored at or above 0.45 are declined (flagged); the threshold was given on the command line "
            "(--threshold).") in text and "costs of a missed" not in text


def test_a_champion_without_a_kept_decision_decides_at_the_default(german, german_net, capsys):
    _log_champion("champion-commands-undecided", german, german_net)
    out = _json(capsys, "whatif", "champion", GERMAN_CSV, "--area", "champion-commands-undecided", "--row", 0)
    assert out["threshold"] == 0.5 and out["threshold_source"] == "default" and "costs" not in out
    assert out["threshold_note"] == ("Decisions at threshold 0.5 (the default: no decision was kept with the champion "
                                     "on the Evaluate page).")


@pytest.mark.parametrize("argv", [["score", "champion", GERMAN_CSV], ["whatif", "champion", GERMAN_CSV],
                                  ["fairness", "champion", GERMAN_CSV, "--protected", "age_in_years"],
                                  ["document", "champion", GERMAN_CSV]])
def test_no_champion_is_the_same_message_for_every_command(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*map(str, argv), "--area", "champion-commands-none"]) == 2
    assert capsys.readouterr().err == (
        "error: Workspace area 'champion-commands-none' has no champion. Promote a run on the Runs page (or "
        "`python -m finmodels runs` to see the runs), or give a bundle file before the data file.\n")
    assert list(tmp_path.iterdir()) == []


def test_one_champion_helper_for_every_command():
    from finmodels.commands import _champion, document, fairness, score, whatif

    for module in (document, fairness, score, whatif):
        assert module.load_model is _champion.load_model and module.choose_threshold is _champion.choose_threshold
        assert not hasattr(module, "_champion_bundle")
