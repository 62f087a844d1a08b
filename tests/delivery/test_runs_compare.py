"""The Runs page's side-by-side comparison (new user's trial 2, finding 5; 27_runs_recheck.png, 28_runs_german_two.png):
it compared every run by default (Taiwan and German mixed), named a run 'id · network · task' without its file,
compared only metrics, and was cut at F1. Now: the runs of one file by default, each run a column named by its id and
file, the metrics then the settings (network, blend weights, networks, epochs ...) as rows."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from finmodels.delivery.runs import (
    RunRecord,
    column_name,
    comparison_by_run,
    default_compared,
)


@dataclass
class Listed:  # what Workspace.list_runs gives, as far as the default needs it
    run_id: str
    file: str
    started: datetime = datetime(2026, 12, 1)


RUNS = [Listed("g3", "german_credit.csv"), Listed("t2", "taiwan_default.csv"), Listed("g2", "german_credit.csv"),
        Listed("t1", "taiwan_default.csv"), Listed("g1", "german_credit.csv")]  # newest first


def test_the_comparison_starts_with_the_runs_of_the_loaded_file_or_the_newest_run_s_file():
    assert default_compared(RUNS, "taiwan_default.csv") == ["t2", "t1"]
    assert default_compared(RUNS, "german_credit.csv") == ["g3", "g2", "g1"]
    assert default_compared(RUNS, "other.csv") == ["g3", "g2", "g1"]  # no run of the loaded file: the newest's
    assert default_compared(RUNS, None) == ["g3", "g2", "g1"]
    assert default_compared(RUNS, "german_credit.csv", limit=2) == ["g3", "g2"]
    assert default_compared([], None) == []


def test_each_run_is_a_column_named_by_its_file_with_metrics_then_settings_as_rows(german_run, german_net):
    records = [RunRecord(1, "german_credit.csv", german_run), RunRecord(2, "german_credit.csv", german_net)]
    table = comparison_by_run(records, label=str.upper)
    first, second = names = [column_name(r) for r in records]  # by id once a workspace kept the run, else 'Run 1'
    assert list(table.columns) == names and all(n.endswith(" · german_credit.csv") for n in names)
    metrics = list(german_run.metrics)
    rows = list(table.index)
    assert rows[:len(metrics)] == [m.upper() for m in ["roc_auc", *[m for m in metrics if m != "roc_auc"]]]
    assert rows[len(metrics):] == ["DATA", "TASK", "TARGET", "NETWORK", "BLEND WEIGHTS", "NETWORKS", "EPOCHS RUN",
                                   "LAYERS", "DROPOUT", "LEARNING RATE", "BATCH SIZE", "SCHEDULE", "SECONDS IN TOTAL"]
    blend, one = table[first], table[second]
    assert blend["ROC_AUC"] == f"{german_run.metrics['roc_auc']:.4f}" and one["ROC_AUC"] == f"{german_net.metrics['roc_auc']:.4f}"
    # every metric to four decimals, so the runs' columns line up ('0.4990' beside '0.7495', not '0.499')
    assert all(len(v.split(".")[1]) == 4 for v in table.iloc[:len(metrics)].to_numpy().ravel() if v != "–")
    assert (blend["DATA"], blend["TASK"], blend["TARGET"]) == ("german_credit.csv", "Credit default", "creditability")
    assert blend["NETWORK"] == "Blend: dense + deep & cross" and one["NETWORK"] == "Dense network (MLP)"
    assert blend["BLEND WEIGHTS"].endswith(" × Deep & cross network (DCN-V2)") and one["BLEND WEIGHTS"] == "-"
    assert (blend["NETWORKS"], one["NETWORKS"]) == ("10", "1")
    assert blend["EPOCHS RUN"].endswith(" each, 10 networks") and one["EPOCHS RUN"].isdigit()
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())  # one text column per run, '–' where none


def test_a_run_s_column_is_named_by_its_short_id_or_its_number_and_its_file():
    def record(run_id):
        return RunRecord(3, "taiwan_default.csv", SimpleNamespace(run_id=run_id))

    assert column_name(record("6a2fd3cf0123")) == "6a2fd3cf · taiwan_default.csv"
    assert column_name(record("local-3")) == column_name(record(None)) == "Run 3 · taiwan_default.csv"
