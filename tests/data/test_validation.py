"""One test per validation message, each on a small hand-made CSV read through load_csv."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.errors import DataError
from finmodels.data.profiling import profile
from finmodels.data.validation import ERROR, WARNING, check_data, raise_for_errors, validate
from tests.conftest import SHARED_DATASETS


def loans(n: int = 40, **columns) -> bytes:
    """A CSV of `n` loans (age, income, default yes/no) plus or instead of the given columns."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"age": rng.integers(20, 70, n), "income": rng.normal(40_000, 9_000, n).round(),
                          "default": ["yes" if i % 4 == 0 else "no" for i in range(n)]})
    for name, values in columns.items():
        if values is None:
            frame = frame.drop(columns=name)
        else:
            frame[name] = values
    return frame.to_csv(index=False).encode()


DEFAULT = ["yes" if i % 4 == 0 else "no" for i in range(40)]

CASES = [
    ("missing_target", loans(), "loan_status", ERROR, "loan_status",
     "Target column 'loan_status' not found. Columns are: age, income, default. Choose the target on the Data page."),
    ("no_target", loans(default=None), "auto", WARNING, None,
     "No column has a usual target name (default, creditability, loan_status, rating, dlq ...), so the suggested "
     "task is anomaly detection, which needs no label. If a column is the outcome to predict, make it the target."),
    ("empty_target", loans(default=[""] * 40), "auto", ERROR, "default",
     "Target column 'default' is empty in all 40 rows. Fill it in, or choose another target column"),
    ("rows_without_target", loans(default=[None if i in (2, 9) else v for i, v in enumerate(DEFAULT)]), "auto",
     WARNING, "default",
     "Target column 'default' is missing in 2 rows (lines 4, 11 of the file); those rows are dropped before training (38 rows "
     "remain)."),
    ("single_class", loans(default=["no"] * 40), "auto", ERROR, "default",
     "Target column 'default' has one value ('no') in all 40 rows with a target; a model needs at least two classes."),
    ("too_few_per_class", loans(default=["yes"] * 3 + ["no"] * 37), "auto", ERROR, "default",
     "Target column 'default' has too few rows in 1 class ('yes' 3 rows); at least 5 per class are needed"),
    ("too_few_rows", loans(8, default=["yes", "no"] * 4), "auto", ERROR, None,
     "The table has only 8 rows; at least 20 (and 5 per class) are needed"),
    ("target_copy", loans(status=["BAD" if v == "yes" else "GOOD" for v in DEFAULT]), "auto", WARNING, "status",
     "Column 'status' is a copy of the target 'default' ('BAD' always goes with 'yes', 'GOOD' always goes with "
     "'no'): it is probably recorded after the outcome (leakage)"),
    ("perfect_predictor", loans(days_late=[90 + i if v == "yes" else i % 30 for i, v in enumerate(DEFAULT)]), "auto",
     WARNING, "days_late",
     "Column 'days_late' separates the classes of the target 'default' perfectly ('no' rows are all <= 29, 'yes' "
     "rows all >= 90)"),
    ("empty_column", loans(notes=[""] * 40), "auto", WARNING, "notes",
     "Column 'notes' is empty in all 40 rows; it is left out of the features."),
    ("constant_column", loans(currency=["EUR"] * 40), "auto", WARNING, "currency",
     "Column 'currency' has the same value ('EUR') in every row, so it cannot help a model"),
    ("unparsed_dates", loans(opened=[f"2023-02-{1 + i % 28:02d}" if i != 6 else "soon" for i in range(40)]),
     "auto", WARNING, "opened",
     "Column 'opened' has values that are not dates in line 8 of the file (e.g. 'soon'); those rows have no date."),
    ("mixed_date_formats", loans(opened=[f"2023-02-{1 + i % 28:02d}" if i != 5 else "03/04/2023" for i in range(40)]),
     "auto", WARNING, "opened",
     "Column 'opened' mixes date formats: line 7 of the file (e.g. '03/04/2023') are not in the format of the first row"),
]


@pytest.mark.parametrize("code,raw,target,severity,column,message", CASES, ids=[c[0] for c in CASES])
def test_each_problem_has_its_message(code, raw, target, severity, column, message):
    problems = [p for p in validate(load_csv(raw), target=target) if p.code == code]
    assert len(problems) == 1, [p.code for p in validate(load_csv(raw), target=target)]
    assert problems[0].severity == severity and problems[0].column == column
    assert message in problems[0].message


def test_infinite_values_in_a_table_not_read_by_load_csv():
    frame = pd.read_csv(pd.io.common.StringIO(loans().decode())).assign(ratio=[np.inf] + [1.0] * 38 + [-np.inf])
    problem = next(p for p in validate(frame) if p.code == "infinite_values")
    assert problem.severity == ERROR and problem.rows == (2, 41)
    assert problem.message.startswith("Column 'ratio' has infinite values in lines 2, 41 of the file (e.g. 'inf'). Replace them")


def test_repeated_dates_in_a_price_history():
    days = [1, 2, 3, 3, *range(4, 25)]
    prices = "date,close\n" + "".join(f"2024-01-{d:02d},{100 + d}\n" for d in days)
    problem = next(p for p in validate(load_csv(prices.encode()), target=None) if p.code == "repeated_dates")
    assert problem.message.startswith("Column 'date' repeats dates: lines 4, 5 of the file share a date (e.g. '2024-01-03')")
    assert "A price history needs one row per date" in problem.message


def test_dates_may_repeat_across_tickers_but_not_within_one():
    found = profile(load_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv"))
    frame = load_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    assert not [p for p in validate(frame, found) if p.code == "repeated_dates"]
    doubled = pd.concat([frame, frame.iloc[:2]], ignore_index=True)
    problem = next(p for p in validate(doubled, profile(doubled)) if p.code == "repeated_dates")
    assert "repeats dates per 'Name': lines 2, 3, 12592, 12593 of the file" in problem.message


def test_identifier_kept_as_a_feature():
    frame = load_csv(loans(loan_id=[f"L{i:04d}" for i in range(40)]))
    problem = next(p for p in validate(frame, features=["age", "loan_id"]) if p.code == "identifier_feature")
    assert problem.message.startswith("Column 'loan_id' looks like an identifier (40 distinct values) but is used as "
                                      "a feature")


def test_all_problems_are_collected_errors_first():
    raw = loans(default=["no"] * 40, currency=["EUR"] * 40, notes=[""] * 40)
    codes = [(p.severity, p.code) for p in validate(load_csv(raw))]
    assert codes == [(ERROR, "single_class"), (WARNING, "constant_column"), (WARNING, "empty_column")]
    with pytest.raises(DataError) as caught:
        raise_for_errors(validate(load_csv(raw)))
    assert len(caught.value.problems) == 1


def test_leaking_columns_leave_the_features_and_clean_files_have_no_problems():
    check = check_data(load_csv(loans(status=["BAD" if v == "yes" else "GOOD" for v in DEFAULT])))
    assert check.features == ("age", "income")
    for name in ("german_credit.csv", "taiwan_default.csv"):  # only their codes are named (tests/data/test_codes.py)
        problems = check_data(load_csv(SHARED_DATASETS / name)).problems
        assert {p.code for p in problems} <= {"code_columns", "rare_codes", "special_codes"}
        assert all(p.severity == WARNING for p in problems)


def test_duplicate_rows_and_impossible_ages_are_warned_about():
    """credit_risk_dataset has 165 rows that copy an earlier one and applicants aged 123 and 144: warnings (they do
    not stop training) that name the rows, as a validator would ask."""
    frame = load_csv(SHARED_DATASETS / "credit_risk_dataset.csv")
    problems = {p.code: p for p in check_data(frame).problems}
    # the employment of 123 years and the income of 6 million: tests/data/test_outliers.py
    assert set(problems) == {"duplicate_rows", "implausible_age", "employment_beyond_age", "outliers"}
    copies, ages = problems["duplicate_rows"], problems["implausible_age"]
    assert (copies.severity, ages.severity) == (WARNING, WARNING)
    assert len(copies.rows) == 165 == int(frame.duplicated().sum())
    assert copies.message.startswith("165 rows repeat an earlier row exactly (lines 15977, 15991")
    assert ages.column == "person_age" and ages.rows == (83, 185, 577, 749, 32299)
    assert sorted(frame.loc[[r - 2 for r in ages.rows], "person_age"]) == [123, 123, 144, 144, 144]
    assert "outside 16 to 110 years" in ages.message and "'144'" in ages.message


def test_a_date_chosen_as_a_feature_is_named():
    frame = load_csv(loans(opened=[f"2023-02-{1 + i % 28:02d}" for i in range(40)]))
    problem = next(p for p in validate(frame, features=["age", "opened"]) if p.code == "date_feature")
    assert problem.message.startswith("Column 'opened' holds dates but is used as a feature")


def test_no_target_offers_the_01_columns_and_does_not_send_the_analyst_to_the_page_they_are_on():
    frame = load_csv(loans(default=None, owns_car=[1 if i % 3 == 0 else 0 for i in range(40)]))
    problem = next(p for p in validate(frame) if p.code == "no_target")
    assert problem.message == (
        "No column has a usual target name (default, creditability, loan_status, rating, dlq ...), so the suggested "
        "task is anomaly detection, which needs no label. Column 'owns_car' holds 0/1 values and could be the "
        "outcome: make it the target to train a risk model.")
    assert problem.values == ("owns_car",) and "Data page" not in problem.message


def credit_file(n: int = 300) -> pd.DataFrame:
    """A small file shaped like 'Give me some credit': past-due counts with 96/98 codes, a utilisation far above 1."""
    rng = np.random.default_rng(11)
    late = rng.poisson(0.3, n)
    late[[4, 70, 71]] = [98, 96, 98]
    util = rng.uniform(0, 1.05, n).round(4)
    util[[9, 150]] = [5710.0, 2340.0]
    return pd.DataFrame({
        "SeriousDlqin2yrs": [1 if i % 14 == 0 else 0 for i in range(n)],
        "RevolvingUtilizationOfUnsecuredLines": util, "age": rng.integers(21, 99, n),
        "NumberOfTime30-59DaysPastDueNotWorse": late, "MonthlyIncome": rng.normal(5_000, 1_500, n).round(),
        "NumberOfDependents": rng.integers(0, 5, n),
    })


def test_sentinel_codes_in_a_count_and_a_utilisation_far_above_1_are_named_with_rows_and_what_to_do():
    check = check_data(credit_file())
    assert check.profile.target == "SeriousDlqin2yrs" and check.profile.task == "delinquency"
    codes = {p.column: p for p in check.problems if p.code == "special_codes"}
    assert sorted(codes) == ["NumberOfTime30-59DaysPastDueNotWorse", "RevolvingUtilizationOfUnsecuredLines"]
    late = codes["NumberOfTime30-59DaysPastDueNotWorse"]
    assert late.severity == WARNING and late.rows == (6, 72, 73) and late.values == ("96", "98")
    assert late.message == (
        "Column 'NumberOfTime30-59DaysPastDueNotWorse' has 96 and 98 in 3 rows (lines 6, 72, 73 of the file), far above its other "
        "values (at most 3): they look like special codes (such as 'unknown' or 'refused'), not real values. Replace "
        "them with empty cells, so they are read as missing, or recode them; left as they are, the model takes 96 at "
        "face value.")
    util = codes["RevolvingUtilizationOfUnsecuredLines"]
    assert util.rows == (11, 152) and util.values == ("5710", "2340")
    assert util.message.startswith(
        "Column 'RevolvingUtilizationOfUnsecuredLines' is a ratio (99% of its values are at most 1.04) but is above 10 "
        "in 2 rows (lines 11, 152 of the file; e.g. 5710, 2340): far above 1, they look like special codes or errors, not ratios. "
        "Replace them with empty cells, so they are read as missing, or cap them (e.g. at 1)")


@pytest.mark.parametrize("column,values", [
    ("age", [20 + i % 79 for i in range(300)]),  # 99 is an age here: no gap below it
    ("months_since_default", [i % 40 for i in range(299)] + [97]),  # 97 is under 3 x 39: maybe a real value
    ("balance", [1000.5 + i for i in range(299)] + [99.0]),  # not whole numbers
    ("debtRatio", [0.2 + (i % 50) / 10 for i in range(299)] + [400.0]),  # ratios above 1.5 are common here
    ("currentRatio", np.linspace(0.5, 2.0, 300).tolist()),
])
def test_ordinary_numbers_are_not_called_special_codes(column, values):
    frame = credit_file().assign(**{column: values})
    flagged = [p.column for p in validate(frame) if p.code == "special_codes"]
    assert column not in flagged
    assert set(flagged) == {"NumberOfTime30-59DaysPastDueNotWorse", "RevolvingUtilizationOfUnsecuredLines"}


def test_the_shared_datasets_have_special_codes_only_in_taiwans_payment_status():
    for name in ("german_credit.csv", "credit_risk_dataset.csv", "corporate_rating.csv"):
        assert not [p for p in check_data(load_csv(SHARED_DATASETS / name)).problems if p.code == "special_codes"]
    taiwan = check_data(load_csv(SHARED_DATASETS / "taiwan_default.csv")).problems
    assert [p.column for p in taiwan if p.code == "special_codes"] == ["PAY_0", *(f"PAY_{i}" for i in range(2, 7))]


def test_a_company_rated_several_times_is_named_with_the_split_that_keeps_its_rows_together():
    frame = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    problems = [p for p in check_data(frame).problems if p.code == "repeated_entity"]
    assert len(problems) == 1
    (entity,) = problems
    counts = frame["Name"].value_counts()
    assert (entity.severity, entity.column) == (WARNING, "Name")
    assert entity.message.startswith(
        f"Column 'Name' names 593 entities, and {int((counts > 1).sum())} of them have several rows "
        f"({int(counts[counts > 1].sum()):,} rows; e.g. '{counts.index[0]}' {int(counts.iloc[0])}).")
    assert "Choose the split 'by entity' on the Train page (--split entity on the command line)" in entity.message
    # a price file's tickers repeat by design and a table without an identifier has none
    for name in ("sp500_10stocks_2013_2018.csv", "credit_risk_dataset.csv"):
        assert not [p for p in check_data(load_csv(SHARED_DATASETS / name)).problems if p.code == "repeated_entity"]
