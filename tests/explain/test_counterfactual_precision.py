"""Counterfactual values land on the data's own precision: on credit_risk_dataset, whose interest rates and
income shares are written with two decimals, a move reads '13.11 to 13.10', not '13.11 to 13.1091 (-0.0009045)'
(a new user's finding), and the score at that value is on the other side of the threshold."""

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.counterfactuals import FeatureRange, _range_of
from finmodels.explain.whatif import training_ranges, what_if

TWO_DECIMALS = ("loan_int_rate", "loan_percent_income")


def test_the_precision_is_the_fewest_decimals_that_hold_every_value():
    assert _range_of("rate", pd.Series([13.11, 7.5, 10.0, None]), True).step == pytest.approx(0.01)
    assert _range_of("share", pd.Series([0.125, 0.5]), True).precision == pytest.approx(0.001)
    whole = _range_of("age", pd.Series([22, 30, 144]), True)
    assert (whole.integer, whole.step, whole.precision) == (True, None, 1.0)
    assert _range_of("ratio", pd.Series([np.pi, 1.0]), True).precision is None  # finer than 6 decimals: free
    assert FeatureRange("x", True, 0.0, 1.0).precision is None


@pytest.fixture(scope="module")
def net(credit_risk_net):  # tests/explain/conftest.py: one small network on credit_risk_dataset for the session
    return credit_risk_net


def test_moves_of_two_decimal_inputs_are_on_the_hundredth_and_flip_the_decision(net, credit_risk):
    ranges = training_ranges(net)
    assert all(ranges[c].precision == pytest.approx(0.01) for c in TWO_DECIMALS)
    rows = credit_risk.iloc[:3000]
    scores = np.asarray(net.predict(rows), dtype="float64").ravel()
    checked = on_hundredths = 0
    for row in np.argsort(np.abs(scores - 0.5))[:6]:  # applicants near the threshold: small moves flip them
        result = what_if(net, credit_risk, {}, row=int(row), counterfactual_columns=list(TWO_DECIMALS))
        for cf in (cf for cf in result.counterfactuals if cf.found):
            here = credit_risk.iloc[[int(row)]]
            moved = float(net.predict(here.assign(**{cf.column: cf.value}))[0])
            assert (moved >= 0.5) != (scores[row] >= 0.5) and moved == pytest.approx(cf.score, abs=1e-6)
            on_grid = cf.value * 100 == pytest.approx(round(cf.value * 100), abs=1e-6)
            if not on_grid:  # kept off the hundredths only where the hundredth beyond it does not flip the decision
                beyond = (np.ceil if cf.current is None or cf.value > cf.current else np.floor)(cf.value * 100) / 100
                assert (float(net.predict(here.assign(**{cf.column: beyond}))[0]) >= 0.5) == (scores[row] >= 0.5)
            on_hundredths += on_grid
            if cf.current is None:  # the row's value is missing (loan_int_rate has gaps): no direction, no delta
                assert cf.note.startswith(f"Set {cf.column}, missing in this row, to {cf.value:.4g} to change")
            else:
                delta = f"{cf.value - cf.current:+.4g}"
                assert f"from {cf.current:.4g} to {cf.value:.4g} ({delta})" in cf.note and "e-0" not in cf.note
            checked += 1
    assert checked >= 3 and on_hundredths >= checked // 2  # most land on it (10 of 12 here)
