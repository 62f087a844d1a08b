"""Reason codes: the columns that raised a row's risk, as sentences for adverse-action notices."""

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.reasons import column_label, format_effect, format_value, reason_codes


@pytest.mark.parametrize("column,label", [
    ("duration_in_month", "Duration in month"),
    ("status_of_existing_checking_account", "Status of existing checking account"),
    ("PAY_0", "PAY_0"),
    ("LIMIT_BAL", "LIMIT_BAL"),
    ("age", "Age"),
    ("Credit amount", "Credit amount"),
])
def test_column_label(column, label):
    assert column_label(column) == label


@pytest.mark.parametrize("value,text", [
    (48, "48"), (np.int64(7), "7"), (1169.0, "1169"), (0.123456789, "0.123457"), (np.nan, "(missing)"),
    (None, "(missing)"), ("... < 0 DM", "... < 0 DM"), (True, "True"),
])
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_effect_keeps_small_effects_visible():
    assert format_effect(0.1249) == "0.12" and format_effect(0.004) == "0.004" and format_effect(0.00123) == "0.00123"


def test_reason_codes_take_the_largest_risk_raising_columns_first():
    contributions = pd.Series({"status_of_existing_checking_account": 0.12, "duration_in_month": 0.05,
                               "age_in_years": -0.08, "purpose": 0.01, "savings": 0.0})
    values = pd.Series({"status_of_existing_checking_account": "... < 0 DM", "duration_in_month": 48,
                        "age_in_years": 22, "purpose": "car (new)", "savings": "unknown"})
    codes = reason_codes(contributions, values, output_name="default probability", k=2)
    assert codes == ["Status of existing checking account '... < 0 DM' raised default probability by 0.12",
                     "Duration in month '48' raised default probability by 0.05"]
    all_codes = reason_codes(contributions, values, output_name="default probability", k=10)
    assert len(all_codes) == 3  # the lowering column and the zero one are not reasons
    assert all_codes[-1] == "Purpose 'car (new)' raised default probability by 0.01"


def test_a_row_nothing_raised_has_no_reasons():
    assert reason_codes(pd.Series({"a": -0.1, "b": 0.0}), pd.Series({"a": 1, "b": 2}), output_name="x") == []


def test_sequence_reason_codes_speak_of_the_window():
    codes = reason_codes(pd.Series({"return": 0.0004, "abs_return": -0.0001}), pd.Series({"return": -0.0213,
                         "abs_return": 0.0213}), output_name="predicted next-day return", window=30)
    assert codes == ["Return over the last 30 days (latest -0.0213) raised predicted next-day return by 0.0004"]
