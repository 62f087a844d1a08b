"""The session's run history: bounded, newest last, compared in one table and one chart."""

import pytest

from finmodels.plots.runs import plot_loss_overlay
from finmodels.delivery.runs import RunHistory, comparison_frame, loss_histories


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
    assert list(table.index) == ["Run 1 · mlp + dcn · credit_default", "Run 2 · mlp + dcn · credit_default"]
    assert table.loc["Run 1 · mlp + dcn · credit_default", "layers"] == "16"
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
    assert [t.name for t in fig.data] == ["Run 1 · mlp + dcn · credit_default", "Run 2 · mlp + dcn · credit_default"]
    assert list(fig.data[0].y) == german_run.history["val_loss"]
    assert fig.layout.xaxis.title.text == "Epoch"
