"""The decision kept with a run (threshold, costs, how the threshold was chosen, when) in a real MLflow workspace:
replaced on each keep, read back as the report's Decision, in the report's HTML, and used by `score` when the run
is the champion. On the real German credit network (one network, no blend)."""

import datetime as dt
import json

import pytest

from finmodels.__main__ import main
from finmodels.data.samples import get_sample
from finmodels.delivery.kept import decision_phrase, decision_record, kept_decision
from finmodels.delivery.report import build_report
from finmodels.errors import ConfigError
from finmodels.evaluation.thresholds import CostMatrix
from finmodels.runtime.records import keep_result, kept_results
from finmodels.runtime.workspace import Workspace, data_fingerprint

AT = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def no_tracking_server(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture(scope="module")
def logged(german, german_net):
    workspace = Workspace(area="kept-decision")
    run_id = workspace.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german))
    return workspace, run_id


def test_the_latest_decision_replaces_the_one_before_and_reads_back(logged):
    workspace, run_id = logged
    assert "decision" not in kept_results(workspace, run_id)
    keep_result(workspace, run_id, "decision", decision_record(0.2, CostMatrix(5, 1), chosen="cost-minimising", at=AT))
    kept = keep_result(workspace, run_id, "decision", decision_record(0.31, CostMatrix(4, 1.5), chosen="set by hand",
                                                                      at=AT))
    assert kept == {"threshold": 0.31, "chosen": "set by hand", "kept_at": "2026-11-30T14:05:00+00:00",
                    "costs": {"false_negative": 4.0, "false_positive": 1.5}}
    back = kept_results(workspace, run_id)
    assert back["decision"] == kept
    decision = kept_decision(back)
    assert (decision.threshold, decision.costs) == (0.31, CostMatrix(4, 1.5))
    assert decision.chosen == "set by hand on the Evaluate page, kept with this run on 2026-11-30 14:05 UTC"
    assert decision.kept is True  # the Report page names it as kept by this flag, not by its wording
    assert kept_decision({}) is None and kept_decision(None) is None


def test_a_decision_is_recorded_only_with_a_known_way_of_choosing():
    with pytest.raises(ConfigError, match="Unknown way of choosing a threshold 'guess'. Known: cost-minimising, "
                                          "set by hand"):
        decision_record(0.3, CostMatrix(), chosen="guess")
    least = decision_record(0.18, CostMatrix(), chosen="cost-minimising", at=AT)
    assert decision_phrase(least) == ("the least-cost threshold at these costs on the Evaluate page, kept with this "
                                      "run on 2026-11-30 14:05 UTC")


def test_the_report_shows_the_kept_decision(german_net):
    record = decision_record(0.31, CostMatrix(4, 1.5), chosen="set by hand", at=AT)
    html = build_report(german_net, data_name="german_credit.csv", decision=kept_decision({"decision": record}))
    assert ("0.31 (set by hand on the Evaluate page, kept with this run on 2026-11-30 14:05 UTC); rows scored at or "
            "above it are flagged") in html
    assert "Confusion matrix at threshold 0.31 (test rows)" in html
    assert "<td>cost of a false alarm (false positive)</td>\n      <td>1.5</td>" in html


def test_score_uses_the_decision_kept_with_the_champion(capsys, tmp_path, logged):
    workspace, run_id = logged
    workspace.promote(run_id)
    keep_result(workspace, run_id, "decision", decision_record(0.31, CostMatrix(4, 1.5), chosen="set by hand", at=AT))
    data = str(get_sample("german_credit").path)
    assert main(["score", data, "--area", "kept-decision", "--out", str(tmp_path / "a.csv"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["threshold"] == 0.31
    assert ("Decisions at threshold 0.31 (set by hand on the Evaluate page, kept with this run on 2026-11-30 14:05 "
            "UTC).") in summary["notes"]
    # --threshold still wins over the kept one
    assert main(["score", data, "--area", "kept-decision", "--threshold", "0.6", "--out", str(tmp_path / "b.csv"),
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["threshold"] == 0.6 and not any("kept with this run" in n for n in summary["notes"])
