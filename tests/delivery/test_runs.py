"""The session's run history: bounded, newest last, compared in one table and one chart."""

from dataclasses import replace

import pytest

from finmodels.plots.runs import plot_loss_overlay
from finmodels.delivery.runs import (RunHistory, RunRecord, comparison_frame, loss_histories, network_name, run_name,
                                     summary_name)


def test_history_keeps_the_last_runs_and_releases_the_rest(german_run):
    history = RunHistory(limit=3)
    for _ in range(7):
        history.add(german_run, data_name="German credit")
    assert len(history) == 3
    assert [r.number for r in history] == [5, 6, 7]
    assert history.released == 4
    assert history.latest().number == 7
    with pytest.raises(KeyError, match="Run 1 is not kept"):
        history.get(1)


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least one run"):
        RunHistory(limit=0)


def test_comparison_table_has_one_row_per_run_with_settings_and_metrics(german_run):
    history = RunHistory()
    history.add(german_run, data_name="German credit")
    history.add(german_run, data_name="German credit copy")
    table = comparison_frame(history.records, metrics=("roc_auc", "ks"))
    # a run no workspace kept (no id) by its number, its network and its task in words (were 'mlp + dcn', 'credit_default')
    assert list(table.index) == ["Run 1 · Blend: dense + deep & cross · Credit default",
                                 "Run 2 · Blend: dense + deep & cross · Credit default"]
    assert table.loc["Run 1 · Blend: dense + deep & cross · Credit default", "layers"] == "16"
    assert table["roc_auc"].tolist() == [german_run.metrics["roc_auc"]] * 2
    epochs = [len(v) for k, v in german_run.history.items() if k == "loss" or (k.startswith("network_")
                                                                              and k.endswith("_loss") and "val" not in k)]
    spread = str(min(epochs)) if min(epochs) == max(epochs) else f"{min(epochs)}-{max(epochs)}"
    assert len(epochs) == 10 and table["epochs run"].iloc[0] == f"{spread} each, 10 networks"


def test_overlay_has_one_line_per_run(german_run):
    history = RunHistory()
    history.add(german_run, data_name="a")
    history.add(german_run, data_name="b")
    fig = plot_loss_overlay(loss_histories(history.records))
    # the same run twice: the second curve lies on the first, so it is dashed and the legend says so (a new user saw
    # two runs in the legend and one line: a blend's first network is the same network trained alone)
    assert [t.name for t in fig.data] == ["Run 1 · Blend: dense + deep & cross · Credit default",
                                          "Run 2 · Blend: dense + deep & cross · Credit default (the same curve as "
                                          "Run 1 · Blend: dense + deep & cross · Credit default)"]
    assert [t.line.dash for t in fig.data] == ["solid", "dash"]
    assert list(fig.data[0].y) == german_run.history["val_loss"]
    assert fig.layout.xaxis.title.text == "Epoch"


def test_a_kept_run_has_one_name_whatever_its_number_in_the_session(german_run):
    """A new user saw 'Run 1 · mlp + dcn · credit_rating' on the Report's first visit, 'run 6a2fd3cf' on the next, and
    the Runs chart renumbering the runs newest first: a kept run is named by its short id, network and task."""
    kept = replace(german_run, run_id="6a2fd3cf0123456789")
    names = {RunRecord(n, "german_credit.csv", kept).label for n in (1, 2, 3)}
    assert names == {"6a2fd3cf · Blend: dense + deep & cross · Credit default"}
    assert list(loss_histories([RunRecord(3, "a", kept)])) == ["6a2fd3cf · Blend: dense + deep & cross · Credit default"]
    assert run_name("7a111e5c99", arch="lstm", task="market_risk") == \
        "7a111e5c · LSTM recurrent network · Market risk (returns)"
    assert network_name("mlp", ["mlp", "dcn"]) == "Blend: dense + deep & cross" and network_name("dcn") == \
        "Deep & cross network (DCN-V2)"


def test_a_listed_run_is_named_as_the_run_read_back():
    """The Runs page names a run from the workspace's list (its network's title) as the pages name the run itself."""
    from datetime import datetime, timezone

    from finmodels.runtime.workspace import RunSummary

    listed = RunSummary("6a2fd3cf0123", datetime.now(timezone.utc), "corporate_rating.csv", "credit_rating", "mlp",
                        "within_one_notch", 0.9, None, "dashboard",
                        network="Blend of 0.25 × Dense network (MLP) + 0.75 × Deep & cross network (DCN-V2)")
    assert summary_name(listed) == "6a2fd3cf · Blend: dense + deep & cross · Credit rating"
    alone = replace(listed, network="LSTM recurrent network", arch="lstm")
    assert summary_name(alone) == "6a2fd3cf · LSTM recurrent network · Credit rating"


def test_the_comparison_puts_the_tasks_metrics_first(german_run):
    """Two credit default runs side by side showed the run and its network; ROC AUC, KS, Brier ... only by
    scrolling sideways. With metrics_first, the headline metric leads, then the other metrics, then the settings."""
    table = comparison_frame([RunRecord(1, "a", german_run), RunRecord(2, "b", german_run)], metrics_first=True)
    metrics = list(german_run.metrics)
    assert list(table.columns[:len(metrics)]) == ["roc_auc", *[m for m in metrics if m != "roc_auc"]]
    assert list(table.columns[len(metrics):len(metrics) + 2]) == ["network", "data"]
    assert list(comparison_frame([RunRecord(1, "a", german_run)]).columns[:2]) == ["network", "data"]  # by default


@pytest.mark.parametrize("task, metric, percent", [
    ("market_risk", "rmse", True), ("market_risk", "mae", True), ("market_risk", "r2", False),
    ("regression", "rmse", False), ("credit_default", "roc_auc", False), (None, "rmse", False),
])
def test_only_a_forecasts_return_errors_read_in_percent(task, metric, percent):
    from finmodels.delivery.runs import in_percent, shown_metric

    assert in_percent(task, metric) is percent
    assert shown_metric(task, metric, 0.0125) == (("rmse (%)" if metric == "rmse" else "mae (%)", 1.25) if percent
                                                   else (metric, 0.0125))
