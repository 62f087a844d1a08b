import numpy as np
import pytest

from finmodels.plots import evaluation as ev

Y = np.array([1, 1, 1, 0, 0, 0, 1, 0])
S = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.6, 0.25])


def test_roc_draws_each_model_with_its_auc_and_the_diagonal():
    fig = ev.plot_roc(Y, {"Neural network": S, "Logistic regression": 1 - S})
    names = [t.name for t in fig.data]
    assert names == ["Neural network (AUC 0.875)", "Logistic regression (AUC 0.125)", "Random (AUC 0.5)"]
    assert fig.layout.xaxis.title.text == "False positive rate"


def test_pr_has_the_event_rate_as_no_skill_line():
    fig = ev.plot_pr(Y, S)
    assert fig.data[-1].name == "No skill (event rate 0.50)" and list(fig.data[-1].y) == [0.5, 0.5]


def test_ks_marks_the_gap():
    # at 0.3 all 4 events and 1 of 4 non-events (0.7) are at or above: KS 0.75
    fig = ev.plot_ks(Y, S, event_label="bad", nonevent_label="good")
    assert fig.data[2].name == "KS 0.750 at score 0.300"
    assert [t.name for t in fig.data[:2]] == ["bad (events)", "good (non-events)"]


@pytest.mark.parametrize("fn,title", [
    (ev.plot_calibration, "Calibration (reliability)"), (ev.plot_cumulative_gain, "Cumulative gain"),
    (ev.plot_lift, "Lift by decile"),
])
def test_curve_charts_have_one_trace_per_model(fn, title):
    fig = fn(Y, {"a": S, "b": S[::-1]}, groups=4) if fn is not ev.plot_calibration else fn(Y, {"a": S, "b": S[::-1]},
                                                                                          bins=4)
    assert fig.layout.title.text == title
    assert [t.name for t in fig.data][:2] == ["a", "b"]


def test_lift_bars_are_the_table_values():
    fig = ev.plot_lift(Y, S, groups=4)
    assert list(fig.data[0].y) == pytest.approx([2.0, 1.0, 1.0, 0.0])


def test_score_distribution_shares_and_threshold():
    fig = ev.plot_score_distribution(Y, S, event_label="bad", nonevent_label="good", threshold=0.5, bins=5)
    assert [t.name for t in fig.data] == ["good", "bad"]
    assert sum(fig.data[1].y) == pytest.approx(1.0)
    assert fig.layout.shapes[0].x0 == 0.5


def test_confusion_matrix_counts_and_rating_order():
    fig = ev.plot_confusion_matrix([[5, 1], [2, 3]], ["good", "bad"])
    assert fig.data[0].z.tolist() == [[5, 1], [2, 3]] and list(fig.data[0].x) == ["good", "bad"]
    fig = ev.plot_rating_confusion(["AAA", "BB", "A", "BB"], ["AA", "BB", "BBB", "B"], ["AAA", "AA", "A", "BBB", "BB", "B"])
    z = np.array(fig.data[0].z)
    assert z[0, 1] == 1 and z[4, 4] == 1 and z[2, 3] == 1 and z[4, 5] == 1 and z.sum() == 4
    assert len(fig.layout.shapes) == 6  # one within-one-notch outline per actual rating


def test_regression_charts():
    y, p = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])
    fig = ev.plot_predicted_vs_actual(y, p, unit="EUR")
    assert fig.layout.xaxis.title.text == "Actual (EUR)" and list(fig.data[1].x) == [1.0, 3.0]
    assert list(ev.plot_residuals(y, p).data[0].y) == [-0.5, 0.0, 1.0]


def test_forecast_and_var_backtest_charts():
    dates = ["2018-01-02", "2018-01-03", "2018-01-04"]
    fig = ev.plot_forecast(dates, [0.01, -0.02, 0.0], [0.0, 0.0, 0.01], naive=[0.0, 0.01, -0.02],
                           band=([-0.03] * 3, [0.03] * 3))
    assert [t.name for t in fig.data] == ["forecast band", "actual", "forecast", "naive forecast"]
    fig = ev.plot_var_backtest(dates, [0.01, -0.05, -0.01], [0.02, 0.02, 0.02], level=0.99)
    assert fig.data[2].name == "exceptions (1)" and list(fig.data[2].y) == [-0.05]
    assert fig.layout.title.text == "VaR backtest: 1 exceptions in 3 days"


def test_anomaly_scores_split_by_label():
    fig = ev.plot_anomaly_scores(S, labels=Y, event_label="default", threshold=0.5)
    assert [t.name for t in fig.data] == ["other rows", "default"]
    assert len(fig.data[1].x) == 4
