"""The loss given default task end to end, on German credit with an LGD, EAD and PD built at test time (tests/lgd_book.py:
no shared dataset has a loss column): a bounded output, calibration bins and the exposure-weighted expected loss."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.tasks import get_task
from finmodels.errors import DataError
from finmodels.evaluation.losses import LossEvaluation, evaluate_losses, expected_loss_summary, losses_of
from tests.lgd_book import lgd_book


@pytest.fixture(scope="module")
def book(german):
    return lgd_book(german)


@pytest.fixture(scope="module")
def lgd_run(book):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    return train(book, TrainConfig(members=1, blend=(),
                                   target="lgd", task="loss_given_default", hyperparameters=MLPConfig(units=(16,)),
                                   epochs=40, seed=0))


def test_the_lgd_task_is_a_bounded_regression(book):
    from finmodels.data.profiling import pick_target, task_for_target

    task = get_task("loss_given_default")
    assert (task.kind, task.output_activation, task.loss, task.bounds) == ("regression", "sigmoid",
                                                                          "binary_crossentropy", (0.0, 1.0))
    assert pick_target(book) == ("lgd", "loss_given_default")
    assert task_for_target(book["lgd"], "loss_given_default") == "loss_given_default"
    assert get_task("risk_control").bounds is None and "lgd" not in get_task("risk_control").target_names


def test_lgd_predictions_lie_in_0_1_even_far_outside_the_training_range(lgd_run, book):
    assert lgd_run.target_stats == (0.0, 1.0)  # fitted as a share, not standardised
    scores = lgd_run.test_scores
    assert len(scores) == 200 and scores.min() >= 0.0 and scores.max() <= 1.0
    extreme = book.head(50).assign(credit_amount=book["credit_amount"].head(50) * 1000, duration_in_month=500,
                                   ead=1e9)
    predicted = lgd_run.predict(extreme)
    assert predicted.min() >= 0.0 and predicted.max() <= 1.0
    # it learned something: better than the test rows' mean, and the book's loss right in total within 15%
    assert lgd_run.metrics["r2"] > 0.1 and 0.85 < lgd_run.metrics["loss_ratio"] < 1.15
    assert lgd_run.metrics["loss_calibration_error"] < 0.08
    assert {"loss_ratio", "loss_calibration_error"} <= set(lgd_run.baselines["linear_regression"].metrics)


def test_expected_loss_is_predicted_lgd_times_ead_times_pd(lgd_run, book):
    found = losses_of(lgd_run)
    test = book.iloc[lgd_run.split.test]
    assert (found.rate, found.exposure, found.pd, found.rows) == (True, "ead", "pd", 200)
    predicted = lgd_run.test_scores
    assert found.predicted_total == pytest.approx(float(np.sum(test["pd"] * predicted * test["ead"])), rel=1e-9)
    assert found.realised_total == pytest.approx(float(np.sum(test["pd"] * test["lgd"] * test["ead"])), rel=1e-9)
    # the realised expected loss is the file's own PD x LGD x EAD on those rows
    assert found.realised_total == pytest.approx(expected_loss_summary(test)["expected_loss"], rel=1e-9)
    assert found.exposure_total == pytest.approx(test["ead"].sum())
    assert found.loss_ratio == pytest.approx(found.predicted_total / found.realised_total)


def test_expected_loss_by_hand_on_three_rows():
    rows = pd.DataFrame({"lgd": [0.4, 0.0, 1.0], "EAD": [1000.0, 500.0, 200.0], "PD": [0.02, 0.1, 0.5],
                         "age": [30, 40, 50]})
    found = evaluate_losses(rows, rows["lgd"], [0.5, 0.2, 0.8], target="lgd", predicts="lgd", bins=3)
    assert found.predicted_total == pytest.approx(0.02 * 0.5 * 1000 + 0.1 * 0.2 * 500 + 0.5 * 0.8 * 200)  # 100
    assert found.realised_total == pytest.approx(0.02 * 0.4 * 1000 + 0 + 0.5 * 1.0 * 200)  # 108
    assert found.predicted_total == pytest.approx(100.0) and found.realised_total == pytest.approx(108.0)
    # bins are weighted by exposure: one row each here
    assert found.calibration["predicted"].tolist() == pytest.approx([0.2, 0.5, 0.8])
    assert found.calibration["realised"].tolist() == pytest.approx([0.0, 0.4, 1.0])
    # without PD or EAD the totals are the sums of the rates, unweighted
    plain = evaluate_losses(rows[["lgd", "age"]], rows["lgd"], [0.5, 0.2, 0.8], target="lgd", predicts="lgd")
    assert (plain.predicted_total, plain.realised_total, plain.exposure, plain.pd) == pytest.approx(
        (1.5, 1.4, None, None))
    assert plain.calibration["exposure"].isna().all()


def test_a_bad_exposure_column_is_left_out_with_a_note():
    rows = pd.DataFrame({"lgd": [0.4, 0.1], "ead": [1000.0, -5.0]})
    found = evaluate_losses(rows, rows["lgd"], [0.3, 0.3], target="lgd", predicts="lgd")
    assert found.exposure is None and found.predicted_total == pytest.approx(0.6)
    assert found.notes == ("Column 'ead' has 1 values that are missing or not at least 0 (rows 3, e.g. -5); the column "
                           "was left out of the expected loss.",)


def test_calibration_bins_hold_the_exposure_weighted_means(lgd_run, book):
    table = losses_of(lgd_run).calibration
    test = book.iloc[lgd_run.split.test].reset_index(drop=True)
    assert len(table) == 10 and table["rows"].tolist() == [20] * 10
    assert table["predicted"].is_monotonic_increasing
    first = np.argsort(lgd_run.test_scores, kind="stable")[:20]
    weight = test["ead"].to_numpy()[first]
    assert table["predicted"].iloc[0] == pytest.approx(np.sum(lgd_run.test_scores[first] * weight) / weight.sum())
    assert table["realised"].iloc[0] == pytest.approx(np.sum(test["lgd"].to_numpy()[first] * weight) / weight.sum())
    assert table["exposure"].sum() == pytest.approx(test["ead"].sum())


def test_the_loss_evaluation_survives_the_workspace(lgd_run, book, tmp_path):
    from finmodels.runtime.workspace import Workspace, data_fingerprint

    space = Workspace(tmp_path, area="lgd")
    run_id = space.log_run(lgd_run, data_name="lgd_book.csv", data_fingerprint=data_fingerprint(book), source="test")
    back, fresh = losses_of(space.load_result(run_id, preprocessor=False)), losses_of(lgd_run)
    assert isinstance(back, LossEvaluation) and back.to_json() == fresh.to_json()
    pd.testing.assert_frame_equal(back.calibration, fresh.calibration)


def test_a_percent_lgd_is_refused_with_the_division_offered(book):
    from finmodels.models.training import TrainConfig, train

    percent = book.assign(lgd=book["lgd"] * 100)
    outside = np.flatnonzero(percent["lgd"] > 1)  # by hand: 843 rows, the first at file rows 3, 5, 6, 7, 8
    assert len(outside) == 843 and (outside[:5] + 2).tolist() == [3, 5, 6, 7, 8]
    with pytest.raises(DataError) as err:
        train(percent, TrainConfig(target="lgd", task="loss_given_default", epochs=1))
    assert str(err.value) == (
        "Column 'lgd' has 843 values outside [0, 1] (lines 3, 5, 6, 7, 8 of the file and 838 more; e.g. 3.4, 67.07, 30.9); the loss given "
        "default (LGD) task predicts a share between 0 and 1. They look like percentages (every value is between 0 "
        "and 100): divide the column by 100 (e.g. 3.4 -> 0.034), or pick the risk control or regression task for an "
        "amount.")


def test_a_negative_lgd_is_refused_naming_its_row(book):
    from finmodels.models.training import TrainConfig, train

    bad = book.assign(lgd=book["lgd"].where(book.index != 4, -0.25))
    with pytest.raises(DataError) as err:
        train(bad, TrainConfig(target="lgd", task="loss_given_default", epochs=1))
    assert str(err.value) == ("Column 'lgd' has 1 values outside [0, 1] (line 6 of the file; e.g. -0.25); the loss given default "
                              "(LGD) task predicts a share between 0 and 1. Fix or drop those rows, or pick the risk "
                              "control or regression task for an amount.")


def test_train_json_carries_the_losses(book, tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "lgd_book.csv"
    book.to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "finmodels", "train", str(path), "--task", "loss_given_default",
                           "--epochs", "30",
                           "--members", "1", "--blend", "none", "--no-workspace", "--out", str(tmp_path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    losses = out["losses"]
    assert out["target"] == "lgd" and out["task"] == "loss_given_default"
    assert (losses["rate"], losses["exposure_column"], losses["pd_column"], losses["rows"]) == (True, "ead", "pd", 200)
    assert len(losses["calibration"]) == 10 and sum(b["rows"] for b in losses["calibration"]) == 200
    assert 0.8 < losses["loss_ratio"] < 1.2 and losses["loss_ratio"] == pytest.approx(
        losses["predicted_loss"] / losses["realised_loss"])
    assert out["metrics"]["loss_ratio"] == pytest.approx(losses["loss_ratio"])


def test_the_calibration_figure_draws_each_bin_against_the_diagonal(lgd_run):
    from finmodels.plots.losses import plot_loss_calibration

    found = losses_of(lgd_run)
    fig = plot_loss_calibration(found)
    diagonal, bins = fig.data
    assert diagonal.name == "calibrated (realised = predicted)" and bins.name == "bins (exposure-weighted)"
    assert list(bins.x) == pytest.approx(found.calibration["predicted"].tolist())
    assert list(bins.y) == pytest.approx(found.calibration["realised"].tolist())
    assert fig.layout.xaxis.title.text == "Mean predicted (share of exposure)"
    assert fig.layout.title.text == "Realised against predicted loss in 10 bins"
    assert bins.text[0].startswith("bin 1: predicted ") and "20 rows, exposure " in bins.text[0]


def test_the_comparison_table_names_the_loss_metrics(lgd_run):
    from finmodels.evaluation.metrics import comparison_table

    table = comparison_table(lgd_run.metrics, {k: b.metrics for k, b in lgd_run.baselines.items()})
    assert {"Predicted / realised loss", "Loss calibration error"} <= set(table.index)
    assert table.loc["Predicted / realised loss", "Neural network"] == pytest.approx(lgd_run.metrics["loss_ratio"])
    assert table.loc["Loss calibration error", "Linear regression"] == pytest.approx(
        lgd_run.baselines["linear_regression"].metrics["loss_calibration_error"])


@pytest.fixture(scope="module")
def pd_run(german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    book = lgd_book(german, outcome=True)
    return book, train(book, TrainConfig(members=1, blend=(), target="creditability", task="credit_default",
                                         hyperparameters=MLPConfig(units=(16,)), epochs=15, seed=0))


def test_a_credit_default_model_on_a_file_with_lgd_and_ead_gets_its_expected_loss(pd_run):
    book, run = pd_run
    found = losses_of(run)
    test = book.iloc[run.split.test]
    assert (found.predicts, found.exposure, found.lgd, found.pd, found.rows) == ("pd", "ead", "lgd", None, 200)
    defaulted = (test["creditability"] == "bad").to_numpy()
    assert run.y[run.split.test].tolist() == defaulted.astype(int).tolist()
    assert found.predicted_total == pytest.approx(float(np.sum(run.test_scores * test["lgd"] * test["ead"])), rel=1e-9)
    assert found.realised_total == pytest.approx(float(np.sum(defaulted * test["lgd"] * test["ead"])), rel=1e-9)
    # bins of predicted PD against the exposure-weighted default rate
    assert found.calibration["realised"].between(0, 1).all() and found.calibration["rows"].sum() == 200
    assert 0.5 < run.metrics["loss_ratio"] < 1.5 and run.metrics["roc_auc"] > 0.7
    assert "loss_ratio" in run.baselines["logistic_regression"].metrics


def test_a_credit_default_model_without_loss_columns_has_no_loss_evaluation(german_net):
    assert losses_of(german_net) is None and "loss_ratio" not in german_net.metrics


def test_train_prints_the_loss_line(book, lgd_run, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "lgd_book.csv"
    book.to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "finmodels", "train", str(path), "--task", "loss_given_default",
                           "--epochs", "5",
                           "--members", "1", "--blend", "none", "--no-workspace", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("Loss on the "))
    test = book.iloc[lgd_run.split.test]  # the same seeded split as the command's
    realised = float(np.sum(test["pd"] * test["lgd"] * test["ead"]))
    assert line.startswith("Loss on the 200 test rows (EAD 'ead', PD 'pd'): predicted ")
    assert f"realised {realised:,.2f} (ratio " in line and line.endswith(" over 10 bins")


def test_a_default_model_whose_lgd_column_is_in_percent_gets_a_note_not_an_expected_loss(german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    book = lgd_book(german, outcome=True)
    book["lgd"] = book["lgd"] * 100
    run = train(book, TrainConfig(members=1, blend=(),
                                  target="creditability", task="credit_default", hyperparameters=MLPConfig(units=(4,)),
                                  epochs=1, seed=0), baselines=False)
    assert losses_of(run) is None and "loss_ratio" not in run.metrics
    note = next(n for n in run.notes if n.startswith("Column 'lgd' has "))
    assert "values that are missing or not between 0 and 1" in note
    assert note.endswith("the column was left out of the expected loss.")


def test_the_report_carries_the_loss_calibration_with_its_totals_and_chart(lgd_run):
    from finmodels.delivery.report import build_report, loss_section

    found = losses_of(lgd_run)
    section = "\n".join(loss_section(lgd_run))
    assert "<h2>Calibration of losses</h2>" in section and "EAD &#x27;ead&#x27;, PD &#x27;pd&#x27;" in section
    assert f"{found.predicted_total:,.4g}" in section and f"{found.realised_total:,.4g}" in section
    assert f"{found.loss_ratio:.3f}" in section and section.count("<tr") == (1 + 5) + (1 + len(found.calibration))
    assert "Realised against predicted loss in" in section
    page = build_report(lgd_run, data_name="lgd_book.csv")
    assert page.index("<h2>Charts</h2>") < page.index("<h2>Calibration of losses</h2>")
