import math

import numpy as np
import pytest

from finmodels.evaluation.backtest import christoffersen_independence, kupiec_pof, traffic_light_zone, var_backtest
from finmodels.errors import DataError


def test_kupiec_matches_the_hand_computed_statistic():
    # 8 exceptions in 250 days at 99%: p = 0.01, x/n = 0.032
    x, n, p = 8, 250, 0.01
    expected = -2 * ((n - x) * math.log(1 - p) + x * math.log(p)) + 2 * ((n - x) * math.log(1 - x / n)
                                                                       + x * math.log(x / n))
    lr, p_value = kupiec_pof(x, n, 0.99)
    assert lr == pytest.approx(expected) and lr == pytest.approx(7.73, abs=0.01)
    assert p_value == pytest.approx(math.erfc(math.sqrt(lr / 2)))  # chi-squared(1) survival function


def test_kupiec_with_no_exceptions_and_with_the_expected_count():
    lr, _ = kupiec_pof(0, 250, 0.99)
    assert lr == pytest.approx(-2 * 250 * math.log(0.99))
    assert kupiec_pof(5, 500, 0.99) == pytest.approx((0.0, 1.0))


@pytest.mark.parametrize("exceptions,zone", [(0, "green"), (4, "green"), (5, "yellow"), (9, "yellow"), (10, "red")])
def test_basel_zones_over_250_days(exceptions, zone):
    assert traffic_light_zone(exceptions, 250, 0.99) == zone


def test_backtest_counts_days_below_minus_var():
    returns = np.array([0.01, -0.03, -0.02, 0.0, -0.05])
    var = np.array([0.02, 0.02, 0.02, 0.02, 0.04])
    bt = var_backtest(returns, var, level=0.99)
    assert bt.exceptions == 2 and bt.exception_days.tolist() == [1, 4]  # -0.02 equals -VaR: not an exception
    assert bt.expected == pytest.approx(0.05) and bt.exception_rate == pytest.approx(0.4)
    assert bt.summary()["zone"] == bt.zone == "red"


@pytest.mark.parametrize("args,message", [
    (([0.1], [0.1, 0.2]), "same non-zero length"),
    (([np.nan], [0.1]), "finite numbers"),
])
def test_bad_backtest_inputs(args, message):
    with pytest.raises(DataError, match=message):
        var_backtest(*args)
    with pytest.raises(DataError, match="between 0.5 and 1"):
        kupiec_pof(1, 10, 99)


def test_the_last_250_days_get_their_own_zone():
    returns = np.zeros(300)
    returns[[10, 20, 30, 40, 60, 100, 120, 140]] = -0.1  # 8 exceptions, 4 of them in the last 250 days (from day 50)
    bt = var_backtest(returns, np.full(300, 0.05), level=0.99)
    assert (bt.exceptions, bt.last_250_exceptions, bt.last_250_zone) == (8, 4, "green")
    assert var_backtest(returns[:100], np.full(100, 0.05)).last_250_zone is None


def test_christoffersen_matches_the_hand_computed_statistic():
    hits = np.array([0, 0, 1, 1, 0, 0, 0, 1, 0, 0], dtype=bool)
    # day pairs (0,0)(0,1)(1,1)(1,0)(0,0)(0,0)(0,1)(1,0)(0,0)
    n00, n01, n10, n11 = 4, 2, 2, 1
    pi, pi01, pi11 = 3 / 9, n01 / (n00 + n01), n11 / (n10 + n11)
    expected = -2 * ((n00 + n10) * math.log(1 - pi) + (n01 + n11) * math.log(pi)) + 2 * (
        n00 * math.log(1 - pi01) + n01 * math.log(pi01) + n10 * math.log(1 - pi11) + n11 * math.log(pi11))
    lr, p_value = christoffersen_independence(hits)
    assert lr == pytest.approx(expected)
    assert p_value == pytest.approx(math.erfc(math.sqrt(lr / 2)))


def test_clustered_exceptions_fail_independence_and_spread_ones_pass():
    spread = np.zeros(500, dtype=bool)
    spread[::50] = True
    clustered = np.zeros(500, dtype=bool)
    clustered[200:210] = True
    assert christoffersen_independence(spread)[1] > 0.3
    assert christoffersen_independence(clustered)[1] < 1e-4
    assert christoffersen_independence(np.zeros(10)) == pytest.approx((0.0, 1.0))
    bt = var_backtest(np.where(clustered, -0.1, 0.0), np.full(500, 0.05))
    assert bt.christoffersen_p_value < 1e-4 and bt.summary()["christoffersen_p_value"] == bt.christoffersen_p_value
