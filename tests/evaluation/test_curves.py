import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from finmodels.evaluation import curves
from finmodels.errors import DataError

Y = np.array([1, 1, 1, 0, 0, 0])
S = np.array([0.9, 0.8, 0.3, 0.7, 0.4, 0.2])


@pytest.fixture(scope="module")
def noisy():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    s = np.round(np.clip(0.3 * y + rng.uniform(0, 0.7, 400), 0, 1), 2)  # rounded: many tied scores
    return y, s


def test_roc_auc_matches_scikit_learn_with_ties(noisy):
    y, s = noisy
    assert curves.roc_auc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_roc_curve_starts_at_origin_and_ends_at_one():
    roc = curves.roc_curve_data(Y, S)
    assert (roc["fpr"].iloc[0], roc["tpr"].iloc[0]) == (0.0, 0.0)
    assert (roc["fpr"].iloc[-1], roc["tpr"].iloc[-1]) == (1.0, 1.0)


def test_pr_curve_average_precision_matches_scikit_learn(noisy):
    y, s = noisy
    pr = curves.pr_curve_data(y, s)
    ap = float(np.sum(np.diff(pr["recall"]) * pr["precision"].iloc[1:]))
    assert ap == pytest.approx(average_precision_score(y, s))


def test_ks_point_is_hand_computed():
    # at threshold 0.8: 2 of 3 events and 0 of 3 non-events at or above -> KS 2/3 (0.3 gives 1 - 2/3)
    assert curves.ks_point(Y, S) == pytest.approx((2 / 3, 0.8))


def test_calibration_bins_hold_every_row_and_the_observed_rates():
    cal = curves.calibration_data(Y, S, bins=2, strategy="uniform")
    # uniform bins [0, .5) and [.5, 1]: low bin {0.3:1, 0.4:0, 0.2:0}, high bin {0.9:1, 0.8:1, 0.7:0}
    assert cal["rows"].tolist() == [3, 3]
    assert cal["observed"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert cal["predicted"].tolist() == pytest.approx([0.3, 0.8])


def test_gain_and_lift_by_tercile_are_hand_computed():
    t = curves.gain_lift_table(Y, S, groups=3)
    # ranked: 0.9(1) 0.8(1) | 0.7(0) 0.4(0) | 0.3(1) 0.2(0)
    assert t["events"].tolist() == [2, 0, 1]
    assert t["cumulative_gain"].tolist() == pytest.approx([2 / 3, 2 / 3, 1.0])
    assert t["lift"].tolist() == pytest.approx([2.0, 0.0, 1.0])
    assert t["cumulative_lift"].tolist() == pytest.approx([2.0, 1.0, 1.0])


def test_score_distribution_counts_each_class():
    d = curves.score_distribution(Y, S, bins=4, lo=0.0, hi=1.0)
    assert d["events"].tolist() == [0, 1, 0, 2]
    assert d["nonevents"].tolist() == [1, 1, 1, 0]
    assert d["event_share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("y,s,message", [
    ([1, 1], [0.1, 0.2], "All 2 labels are 1"),
    ([0, 1], [0.1], "differ in length"),
    ([0, 2], [0.1, 0.2], "must be 0"),
    ([0, 1], [0.1, np.nan], "1 scores are missing"),
])
def test_unusable_inputs_are_refused_with_a_reason(y, s, message):
    with pytest.raises(DataError, match=message):
        curves.roc_curve_data(y, s)


def test_top_scored_rows_are_the_highest_first_with_their_label():
    import pandas as pd

    frame = pd.DataFrame({"income": [10, 20, 30, 40, 50, 60]})
    top = curves.top_scored_rows(frame, S, n=3, label=Y)
    assert top.index.tolist() == [0, 1, 3] and top["income"].tolist() == [10, 20, 40]
    assert top["anomaly_score"].tolist() == [0.9, 0.8, 0.7] and top["label"].tolist() == [1, 1, 0]
    with pytest.raises(DataError, match="5 scores for 6 rows"):
        curves.top_scored_rows(frame, S[:5])
