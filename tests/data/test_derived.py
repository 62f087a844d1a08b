"""Derived columns (finmodels.data.derived): a column that is the ratio or product of two others on nearly every
row, found from a sample of the rows with no column name written in the code, and recomputed in a what-if."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.derived import DerivedColumn, find_derived, recomputed
from finmodels.data.reading import load_csv
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def credit_risk():
    return load_csv(SHARED_DATASETS / "credit_risk_dataset.csv")


def test_loan_percent_income_is_found_as_loan_over_income_rounded_to_2_decimals(credit_risk):
    found = find_derived(credit_risk)
    assert [(d.column, d.formula, d.operator, d.decimals) for d in found] == [
        ("loan_percent_income", "loan_amnt / person_income", "/", 2)]
    # by hand on the whole file: 98.7% of rows hold it within the rounding (the sample of 2,000 says 98.85%)
    ratio = credit_risk["loan_amnt"] / credit_risk["person_income"]
    whole = float(np.mean(np.abs(ratio - credit_risk["loan_percent_income"]) <= 0.005 + 1e-9))
    assert whole == pytest.approx(0.9868, abs=1e-4)
    assert found[0].share == pytest.approx(0.9885, abs=1e-4)


def test_a_file_without_such_a_column_has_none(german):
    assert find_derived(german) == []


def test_a_product_an_unrounded_ratio_and_the_columns_searched():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"price": rng.uniform(1, 100, 500).round(2), "units": rng.integers(1, 50, 500),
                          "noise": rng.normal(size=500)})
    frame["value"] = frame["price"] * frame["units"]
    frame["per_noise"] = frame["noise"] / frame["price"]  # not rounded: compared to 6 significant digits
    rules = {d.column: (d.formula, d.decimals) for d in find_derived(frame)}
    assert rules == {"value": ("price * units", 2), "per_noise": ("noise / price", None)}
    assert find_derived(frame, columns=["price", "units", "noise"]) == []  # only the columns asked about


def test_a_rule_that_holds_on_too_few_rows_or_only_on_a_flag_is_not_kept():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(1, 10, 1000), rng.uniform(1, 10, 1000)
    ratio = np.round(a / b, 2)
    ratio[:30] += 1  # 97% of rows: under MIN_SHARE
    assert find_derived(pd.DataFrame({"a": a, "b": b, "r": ratio})) == []
    flag = (a > 100).astype(int)  # always 0, as round(a / b / 1000) is: a flag is not searched
    assert find_derived(pd.DataFrame({"a": a, "b": b * 1000, "flag": flag})) == []


def test_recomputing_follows_the_edits_and_keeps_a_value_the_analyst_gave(credit_risk):
    rule = DerivedColumn("loan_percent_income", "loan_amnt", "person_income", "/", 2, 0.9885)
    row = credit_risk.iloc[0]  # 35,000 on an income of 59,000: 0.59
    changes, notes = recomputed([rule], row, {"loan_amnt": 10000})
    assert changes == {"loan_amnt": 10000, "loan_percent_income": 0.17}
    assert notes == ["loan_percent_income recomputed as loan_amnt / person_income: 0.59 → 0.17."]
    assert recomputed([rule], row, {"loan_amnt": 10000, "loan_percent_income": 0.5})[0]["loan_percent_income"] == 0.5
    assert recomputed([rule], row, {"person_age": 30}) == ({"person_age": 30}, [])
    changes, notes = recomputed([rule], row, {"person_income": 0})
    assert "loan_percent_income" not in changes
    assert notes == ["loan_percent_income was not recomputed as loan_amnt / person_income: division by zero."]


def test_whole_columns_follow_the_same_rule_as_one_row(credit_risk):
    """`DerivedColumn.values` is the rule on whole columns (the partial dependence moves loan_amnt on every row);
    `value` (the what-if's one row) reads it, so both round and refuse alike."""
    rule = find_derived(credit_risk)[0]
    rows = credit_risk.head(500)
    whole = rule.values(rows["loan_amnt"], rows["person_income"])
    expected = np.round(rows["loan_amnt"].to_numpy("float64") / rows["person_income"].to_numpy("float64"), 2)
    np.testing.assert_array_equal(whole, expected)
    # the file's own column on 470 of these 500 rows (the rule holds on 98.7% of the whole file)
    assert int(np.sum(whole == rows["loan_percent_income"].to_numpy())) == 470
    assert [rule.value(a, b) for a, b in zip(rows["loan_amnt"][:20], rows["person_income"][:20])] == list(whole[:20])
    # a missing input, a division by zero, text: NaN on whole columns, None for one row
    odd = rule.values(pd.Series([10000, None, 5000, 7000]), np.array([50000, 40000, 0, "n/a"], dtype=object))
    np.testing.assert_array_equal(odd, [0.2, np.nan, np.nan, np.nan])
    assert rule.value(5000, 0) is None and rule.value(float("nan"), 1) is None and rule.value(1000, 3000) == 0.33
    product = DerivedColumn("value", "price", "units", "*", None, 1.0)
    np.testing.assert_allclose(product.values([2.5, 3.0], [4, 2]), [10.0, 6.0])
