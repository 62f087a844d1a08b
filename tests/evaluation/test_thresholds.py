import numpy as np
import pytest
from sklearn.metrics import f1_score

from finmodels.errors import ConfigError
from finmodels.evaluation.thresholds import (GERMAN_CREDIT_COSTS, CostMatrix, best_f1_threshold, choose_threshold,
                                  confusion_at, least_cost_threshold, youden_threshold)

Y = np.array([1, 1, 1, 0, 0, 0])
S = np.array([0.9, 0.8, 0.3, 0.7, 0.4, 0.2])


def test_youden_picks_the_ks_point():
    c = youden_threshold(Y, S)
    assert (c.threshold, c.value) == (0.8, pytest.approx(2 / 3))
    assert (c.tp, c.fp, c.tn, c.fn) == (2, 0, 3, 1)


def test_best_f1_is_the_largest_f1_over_all_thresholds():
    c = best_f1_threshold(Y, S)
    # at 0.8: TP 2, FP 0, FN 1 -> F1 = 4/5, better than 0.3 (TP 3, FP 2: 6/8)
    assert c.threshold == 0.8 and c.value == pytest.approx(4 / 5)
    assert c.value == pytest.approx(max(f1_score(Y, S >= t) for t in S))


def test_least_cost_with_the_german_5_to_1_matrix_flags_more_rows():
    c = least_cost_threshold(Y, S, costs=GERMAN_CREDIT_COSTS)
    # at 0.3: two false positives -> cost 2/6; at 0.8: one false negative -> 5/6
    assert c.threshold == 0.3 and c.value == pytest.approx(2 / 6)
    cheap_misses = least_cost_threshold(Y, S, costs=CostMatrix(false_negative=1, false_positive=5))
    assert cheap_misses.threshold == 0.8 and cheap_misses.value == pytest.approx(1 / 6)


def test_flagging_nothing_is_a_candidate():
    # flag nothing: one missed event, cost 1/2; flag both rows: one false positive, cost 2/2
    c = least_cost_threshold([0, 1], [0.9, 0.1], costs=CostMatrix(false_negative=1, false_positive=2))
    assert c.threshold > 0.9 and (c.tp, c.fp, c.fn) == (0, 0, 1) and c.value == pytest.approx(0.5)


def test_confusion_counts_and_bayes_threshold():
    assert confusion_at(Y, S, 0.5).tolist() == [[2, 1], [1, 2]]
    assert GERMAN_CREDIT_COSTS.bayes_threshold == pytest.approx(1 / 6)
    assert youden_threshold(Y, S).confusion.tolist() == confusion_at(Y, S, 0.8).tolist()


def test_unknown_method_and_negative_costs_are_refused():
    with pytest.raises(ConfigError, match="Unknown threshold method 'median'. Available methods: youden, best_f1"):
        choose_threshold(Y, S, "median")
    with pytest.raises(ConfigError, match="Costs cannot be negative"):
        CostMatrix(false_negative=-1)


def test_decisions_at_a_threshold_match_hand_counts():
    from finmodels.evaluation.thresholds import CostMatrix, decisions_at

    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    s = np.array([0.9, 0.6, 0.2, 0.7, 0.4, 0.3, 0.1, 0.05])
    d = decisions_at(y, s, 0.5, costs=CostMatrix(false_negative=5, false_positive=1))
    # flagged: 0.9, 0.6 (events) and 0.7 (non-event): tp 2, fp 1, fn 1, tn 4
    np.testing.assert_array_equal(d.confusion, [[4, 1], [1, 2]])
    assert d.cost == pytest.approx((5 * 1 + 1 * 1) / 8)
    assert d.flagged == pytest.approx(3 / 8) and d.recall == pytest.approx(2 / 3) and d.precision == pytest.approx(2 / 3)
