import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from finmodels.evaluation.metrics import binary_metrics, comparison_table, ks_statistic


def test_ks_matches_a_hand_computed_value():
    # events score 0.9, 0.8, 0.3; non-events 0.7, 0.2, 0.1: at threshold 0.8 TPR=2/3, FPR=0 -> KS = 2/3
    y = np.array([1, 1, 1, 0, 0, 0])
    s = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1])
    assert ks_statistic(y, s) == pytest.approx(2 / 3)


def test_binary_metrics_agree_with_definitions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    s = np.clip(0.3 * y + rng.uniform(0, 0.7, 500), 0, 1)
    m = binary_metrics(y, s, threshold=0.5)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    assert m["gini"] == pytest.approx(2 * m["roc_auc"] - 1)
    pred = s >= 0.5
    tp = np.sum(pred & (y == 1))
    assert m["precision"] == pytest.approx(tp / pred.sum())
    assert m["recall"] == pytest.approx(tp / (y == 1).sum())
    assert m["accuracy"] == pytest.approx(np.mean(pred == y))
    assert m["brier"] == pytest.approx(np.mean((s - y) ** 2), abs=1e-6)


def test_comparison_table_puts_the_network_first():
    table = comparison_table({"roc_auc": 0.8}, {"logistic_regression": {"roc_auc": 0.7}})
    assert list(table.columns) == ["Neural network", "Logistic regression"]
    assert table.loc["ROC AUC", "Logistic regression"] == 0.7


def test_regression_metrics_against_scikit_learn():
    from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2_score

    from finmodels.evaluation.metrics import regression_metrics

    y, p = np.array([1.0, 2.0, 4.0, 8.0]), np.array([1.5, 2.0, 3.0, 9.0])
    m = regression_metrics(y, p)
    assert m["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, p)))
    assert m["mae"] == pytest.approx(mean_absolute_error(y, p))
    assert m["r2"] == pytest.approx(r2_score(y, p))
    assert m["mape"] == pytest.approx(mean_absolute_percentage_error(y, p))
    assert "mape" not in regression_metrics(np.array([0.0, 1.0]), np.array([0.1, 1.0]))


def test_directional_accuracy_is_hand_computed():
    from finmodels.evaluation.metrics import directional_accuracy, forecast_metrics

    # signs agree on days 1 and 3; day 4 had no move and is left out -> 2 of 3
    assert directional_accuracy([0.01, -0.02, 0.03, 0.0], [0.02, 0.01, 0.001, -0.01]) == pytest.approx(2 / 3)
    assert "mape" not in forecast_metrics([0.01, -0.02], [0.0, 0.0])


def test_ratings_follow_the_agency_scale_and_within_one_notch_is_hand_computed():
    from finmodels.evaluation.metrics import classification_metrics, within_one_notch
    from finmodels.data.targets import rating_order

    assert rating_order(["BB", "AAA", "D", "A", "CCC"]) == ["AAA", "A", "BB", "CCC", "D"]
    assert rating_order(["A", "excellent"]) is None
    # positions: actual 0,1,2,3 predicted 1,1,0,3 -> distances 1,0,2,0 -> 3 of 4 within one notch
    assert within_one_notch([0, 1, 2, 3], [1, 1, 0, 3]) == 0.75
    proba = np.eye(4)[[1, 1, 0, 3]] * 0.9 + 0.025
    m = classification_metrics([0, 1, 2, 3], proba, ordinal=True)
    assert m["accuracy"] == 0.5 and m["within_one_notch"] == 0.75 and m["mean_notch_error"] == 0.75
    from sklearn.metrics import f1_score
    assert m["macro_f1"] == pytest.approx(f1_score([0, 1, 2, 3], [1, 1, 0, 3], average="macro"))


def test_confusion_matrix_rows_are_actual():
    from finmodels.evaluation.metrics import confusion_matrix

    assert confusion_matrix([0, 0, 1, 2], [0, 1, 1, 0], 3).tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_anomaly_metrics_with_and_without_a_label():
    from finmodels.evaluation.metrics import anomaly_metrics

    s = np.array([0.1, 0.4, 0.35, 0.8])
    assert set(anomaly_metrics(s)) == {"score_median", "score_p99"}
    assert anomaly_metrics(s, [0, 0, 1, 1])["roc_auc"] == pytest.approx(roc_auc_score([0, 0, 1, 1], s))


def test_a_test_that_could_not_be_run_is_a_missing_value_not_none():
    """A Kupiec p-value of None (too few exceptions) was shown as 'None' in the metrics table; it is a dash."""
    import math

    from finmodels.evaluation.metrics import comparison_table

    table = comparison_table({"rmse": 0.1, "kupiec_p_value": None, "var_exceptions": 3.0},
                             {"linear_regression": {"rmse": 0.2, "kupiec_p_value": None}})
    assert all(dtype.kind == "f" for dtype in table.dtypes)
    assert math.isnan(table.loc["Kupiec p-value", "Neural network"]) and table.loc["VaR exceptions", "Neural network"] == 3
    assert math.isnan(table.loc["VaR exceptions", "Linear regression"])
