"""Reason codes: the columns that raised a row's risk, as sentences for adverse-action notices."""

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.reasons import format_effect, format_value, reason_codes


@pytest.mark.parametrize("column", ["duration_in_month", "status_of_existing_checking_account", "PAY_0", "age",
                                    "Credit amount"])
def test_a_reason_names_its_column_as_the_file_and_the_waterfall_do(column):
    """The model document's reasons read 'Duration in month '60'' while the Explain page's waterfall, tables and
    what-if, and the Score page's columns, say 'duration_in_month': every reason now names the column as written."""
    from finmodels.explain.reasons import reason_codes_of_rows

    codes = reason_codes(pd.Series({column: 0.1}), pd.Series({column: 60}), output_name="default probability")
    assert codes == [f"{column} '60' raised default probability by 0.10"]
    rows = reason_codes_of_rows(np.array([[0.1]]), [column], pd.DataFrame({column: [60]}),
                                output_name="default probability")
    assert rows == [codes]


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
    assert codes == ["status_of_existing_checking_account '... < 0 DM' raised default probability by 0.12",
                     "duration_in_month '48' raised default probability by 0.05"]
    all_codes = reason_codes(contributions, values, output_name="default probability", k=10)
    assert len(all_codes) == 3  # the lowering column and the zero one are not reasons
    assert all_codes[-1] == "purpose 'car (new)' raised default probability by 0.01"


def test_a_row_nothing_raised_has_no_reasons():
    assert reason_codes(pd.Series({"a": -0.1, "b": 0.0}), pd.Series({"a": 1, "b": 2}), output_name="x") == []


def test_sequence_reason_codes_speak_of_the_window():
    codes = reason_codes(pd.Series({"return": 0.0004, "abs_return": -0.0001}), pd.Series({"return": -0.0213,
                         "abs_return": 0.0213}), output_name="predicted next-day return", window=30)
    assert codes == ["return over the last 30 days (latest -0.0213) raised predicted next-day return by 0.0004"]


def test_reason_codes_write_large_whole_numbers_with_thousands_separators():
    """A reason code quotes 'Person income '1,200,000'', not '1200000' (a new user's finding on the Score page), from
    the file's own rows read as the Score page reads them; text values and 4-digit numbers stay as written."""
    from finmodels.data.reading import load_csv
    from finmodels.explain.reasons import reason_codes_of_rows
    from tests.conftest import SHARED_DATASETS

    frame = load_csv(SHARED_DATASETS / "credit_risk_dataset.csv")
    row = frame[frame["person_income"] == 1_200_000].head(1)
    columns = ["person_income", "loan_amnt", "loan_intent", "loan_int_rate", "person_age"]
    assert len(row) == 1 and row["loan_amnt"].iloc[0] == 12_000
    values = np.array([[0.20, 0.10, 0.05, 0.04, 0.03]])
    codes = reason_codes_of_rows(values, columns, row, output_name="default probability", k=5)[0]
    assert codes[:2] == ["person_income '1,200,000' raised default probability by 0.20",
                         "loan_amnt '12,000' raised default probability by 0.10"]
    intent, rate, age = row[["loan_intent", "loan_int_rate", "person_age"]].iloc[0]
    assert codes[2:] == [f"loan_intent '{intent}' raised default probability by 0.05",
                         f"loan_int_rate '{rate:g}' raised default probability by 0.04",
                         f"person_age '{age}' raised default probability by 0.03"]


@pytest.mark.parametrize("value,text", [
    (1_200_000, "1,200,000"), (np.int64(1_200_000), "1,200,000"), (1_200_000.0, "1,200,000"), (-15_000, "-15,000"),
    (10_000, "10,000"), (9_999, "9999"), (2019, "2019"), (1234567.89, "1,235,000"), (12.5, "12.5"),
    ("100000", "100000"), (True, "True"), (np.nan, "(missing)"),
])
def test_readable_value_separates_thousands_of_large_whole_numbers_only(value, text):
    from finmodels.explain.reasons import readable_value

    assert readable_value(value) == text
