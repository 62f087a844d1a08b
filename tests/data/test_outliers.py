"""Implausible values: domain rules on the columns they recognise, and values far outside a column's bulk, measured
on the shared datasets (few flags, each a value no real record holds)."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.outliers import FAR, RULES, find_outliers, outlier_problem, plausibility_problems
from finmodels.data.problems import WARNING
from finmodels.data.profiling import NUMERIC, profile
from finmodels.data.reading import load_csv
from finmodels.data.validation import check_data
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def credit_risk() -> pd.DataFrame:
    return load_csv(SHARED_DATASETS / "credit_risk_dataset.csv")


def numeric(frame: pd.DataFrame) -> list[str]:
    return profile(frame).names(NUMERIC)


def test_credit_risk_ages_employment_and_income_no_borrower_has_are_named_with_rows_and_values(credit_risk):
    problems = {p.code: p for p in check_data(credit_risk).problems}
    assert set(problems) == {"duplicate_rows", "implausible_age", "employment_beyond_age", "outliers"}
    assert all(p.severity == WARNING for p in problems.values())
    ages = problems["implausible_age"]
    assert ages.column == "person_age" and ages.rows == (83, 185, 577, 749, 32299)
    assert credit_risk.loc[[r - 2 for r in ages.rows], "person_age"].tolist() == [144, 144, 123, 123, 144]
    work = problems["employment_beyond_age"]
    assert work.column == "person_emp_length" and work.rows == (2, 212) and work.values == ("123", "123")
    assert credit_risk.loc[[0, 210], ["person_emp_length", "person_age"]].to_numpy().tolist() == [[123, 22],
                                                                                                  [123, 21]]
    assert work.message == (
        "Column 'person_emp_length' has more years of employment than the age in 'person_age' allows (work from age "
        "14 on) in lines 2, 212 of the file (e.g. 123 years at age 22, 123 years at age 21). Check them against the source (a "
        "length in months, or a typing error): correct them, or leave the cells empty to have them read as missing.")
    income = problems["outliers"]
    assert income.column == "person_income" and income.rows == (32299,) and income.values == ("6,000,000",)
    assert income.message == (
        "Column 'person_income' has 1 value far outside the bulk of its values (98% of them lie between 14,400 and "
        "225,200): 6,000,000 (line 32299). Check it against the source: correct an error, or leave the cell empty "
        "to have it read as missing; if it is real, cap it at the edge of the bulk, or drop the row.")


def test_the_bulk_check_keeps_long_real_tails_and_leaves_ages_and_employment_to_the_rules(credit_risk):
    """On its own the bulk check names only the income of 6 million (the row of an applicant aged 144): incomes of
    1.8 to 2 million lie 1.1 to 1.2 bulk widths beyond the bulk on the log scale, ages of 80 and 94 and 41 years of
    employment inside the tails too; the ages of 123 and 144 and the employment of 123 years are the rules' to
    name (the log scale is lenient with them)."""
    found = find_outliers(credit_risk, numeric(credit_risk))
    assert [(o.column, o.rows, o.values) for o in found] == [("person_income", (32299,), (6_000_000.0,))]
    assert found[0].bulk == pytest.approx((14_400, 225_200))
    assert credit_risk.loc[32297, "person_age"] == 144
    assert sorted(credit_risk["person_income"])[-2] == 2_039_784  # the next income is not flagged


# Outlier flags (columns, rows) per shared file, with the domain rules' rows left out, as measured.
SHARED_FLAGS = {
    "credit_risk_dataset.csv": (["person_income"], 1),
    "german_credit.csv": ([], 0),
    "taiwan_default.csv": ([], 0),
    "corporate_rating.csv": (["currentRatio", "quickRatio", "grossProfitMargin", "returnOnAssets",
                              "returnOnCapitalEmployed", "assetTurnover", "fixedAssetTurnover", "payablesTurnover"], 13),
    "sp500_index_2001_2018.csv": ([], 0),
    "sp500_10stocks_2013_2018.csv": ([], 0),
}


@pytest.mark.parametrize("name", list(SHARED_FLAGS))
def test_the_shared_files_get_few_flags(name):
    frame = load_csv(SHARED_DATASETS / name)
    check = check_data(frame)
    flagged = [p for p in check.problems if p.code == "outliers"]
    columns, rows = SHARED_FLAGS[name]
    assert len(flagged) == (1 if columns else 0)
    found = find_outliers(frame, check.profile.names(NUMERIC),
                          known={p.column: set(p.rows) for p in check.problems if p.code in ("implausible_age",
                                                                                            "employment_beyond_age")})
    assert [o.column for o in found] == columns
    assert (len(flagged[0].rows) if flagged else 0) == rows


def test_corporate_ratios_no_company_has_are_listed_one_line_per_column():
    """YRC Worldwide's rows 893-895 hold a return on assets of -40,213 and asset turnovers of 2.5 million; one
    warning lists the 8 columns with such values, not 8 warnings."""
    frame = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    problem = next(p for p in check_data(frame).problems if p.code == "outliers")
    assert problem.column is None and problem.severity == WARNING
    assert problem.rows == (367, 893, 894, 895, 1009, 1162, 1165, 1249, 1413, 1414, 1415, 1659, 1733)
    assert set(frame.loc[[891, 892, 893], "Name"]) == {"YRC Worldwide, Inc."}
    lines = problem.message.split("\n")
    assert lines[0] == ("8 columns have values far outside the bulk of their values (the range where 98% of them "
                        "lie):")
    assert lines[4] == ("- 'returnOnAssets' (bulk -0.36 to 0.225): -33,753 (line 893), -40,213 (line 894), -2,112 "
                        "(line 895)")
    assert lines[6] == ("- 'assetTurnover' (bulk 0.00381 to 3.53): 2,553,149 (line 893), 2,357,074 (line 894), "
                        "2,551,214 (line 895) and 1 more row")
    assert lines[-1] == ("Check them against the source: correct errors, or leave the cells empty to have them read "
                         "as missing; cap real values at the edge of the bulk, or drop their rows.")


def test_a_typing_error_in_a_long_tailed_amount_is_named_and_the_tail_is_not():
    rng = np.random.default_rng(5)
    income = np.exp(rng.normal(np.log(50_000), 0.7, 5_000)).round()
    income[[17, 4000]] = [48_000_000, 52_000_000]  # two incomes typed with extra zeros
    term = rng.choice([12, 24, 36, 48, 60], 5_000).astype(float) + rng.integers(0, 3, 5_000)
    term[99] = 3600  # months typed with two zeros too many
    frame = pd.DataFrame({"income": income, "term_months": term, "default": rng.integers(0, 2, 5_000)})
    found = {o.column: o for o in find_outliers(frame, ["income", "term_months"])}
    assert found["income"].rows == (19, 4002) and found["income"].values == (48e6, 52e6)
    assert found["term_months"].rows == (101,)
    problem = outlier_problem(list(found.values()))
    assert problem.message.startswith("2 columns have values far outside the bulk of their values")
    assert "- 'term_months' (bulk 12 to 62): 3,600 (line 101)" in problem.message.split("\n")


@pytest.mark.parametrize("values", [
    list(range(8)) * 20,  # a code with 8 levels: no bulk to measure
    [1.0] * 45 + [2.0, 3.0, 4.0, 5.0, 900.0],  # too few values
])
def test_columns_without_a_bulk_are_not_checked(values):
    assert find_outliers(pd.DataFrame({"x": values}), ["x"]) == []


def test_far_means_more_than_far_bulk_widths_beyond_the_bulk_as_it_is_and_on_the_log_scale():
    bulk = np.linspace(1000.0, 1100.0, 1_000)  # 1st to 99th percentile: 1,001 to 1,099, 98 wide
    beyond = {k: np.append(bulk, 1099 + k * 98) for k in (FAR - 0.05, FAR + 0.05, FAR + 0.15)}
    assert find_outliers(pd.DataFrame({"x": beyond[FAR - 0.05]}), ["x"]) == []
    assert find_outliers(pd.DataFrame({"x": beyond[FAR + 0.05]}), ["x"]) == []  # 1.46 widths on the log scale
    assert find_outliers(pd.DataFrame({"x": beyond[FAR + 0.15]}), ["x"])[0].rows == (1002,)  # 1.55 on the log scale


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_each_domain_rule_names_its_column_rows_and_values_and_ignores_other_units(rule):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"age": rng.integers(20, 70, 200).astype(float),
                          "emp_length": rng.integers(0, 6, 200).astype(float)})
    frame.loc[7, "age"] = 144
    frame.loc[[3, 50], "emp_length"] = [61, 58]
    frame.loc[3, "age"] = 30
    problem = next(p for p in plausibility_problems(frame, profile(frame, target=None)) if p.code == rule.code)
    column = rule.kinds[0].columns(frame)[0]
    assert problem.column == column and problem.severity == WARNING
    assert problem.rows == ((9,) if rule.code == "implausible_age" else (5, 52))
    assert problem.message.startswith(f"Column '{column}' has ")
    months = frame.assign(age=frame["age"] * 12)  # ages in months: a median of 500, not an age in years
    assert not [p for p in plausibility_problems(months, profile(months, target=None)) if p.code == rule.code]


def test_employment_needs_an_age_column_and_rows_a_rule_named_are_not_named_again():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"person_emp_length": np.append(rng.integers(0, 20, 300), 123.0)})
    codes = [p.code for p in plausibility_problems(frame, profile(frame, target=None))]
    assert codes == []  # 123 years beside 0 to 19: lenient on the log scale, and no age to compare with
    frame["person_age"] = np.append(rng.integers(30, 60, 300), 22.0)
    problems = plausibility_problems(frame, profile(frame, target=None))
    assert [(p.code, p.rows) for p in problems] == [("employment_beyond_age", (302,))]


def test_the_distribution_chart_marks_the_rows_the_checks_flag(credit_risk):
    from finmodels.plots.data import plot_distribution

    check = check_data(credit_risk)
    assert check.flagged(credit_risk, "person_age") == (83, 185, 577, 749, 32299)
    assert check.flagged(credit_risk, "person_emp_length") == (2, 212)
    assert check.flagged(credit_risk, "person_income") == (32299,)
    assert check.flagged(credit_risk, "loan_amnt") == () and check.flagged(credit_risk, "loan_intent") == ()
    fig = plot_distribution(credit_risk, "person_age", target="loan_status", event_label="1",
                            flagged=check.flagged(credit_risk, "person_age"))
    marks = fig.data[-1]
    assert [t.name for t in fig.data] == ["loan_status = 1", "other rows", "flagged by the checks (5 rows)"]
    assert list(marks.x) == [144, 144, 123, 123, 144] and list(marks.customdata) == [83, 185, 577, 749, 32299]
    corporate = load_csv(SHARED_DATASETS / "corporate_rating.csv")  # one warning for 8 columns: rows per column
    assert check_data(corporate).flagged(corporate, "assetTurnover") == (893, 894, 895, 1733)


def test_infinities_are_left_to_their_own_error():
    frame = pd.DataFrame({"x": np.append(np.linspace(1.0, 2.0, 200), [np.inf, -np.inf])})
    assert find_outliers(frame, ["x"]) == []
    codes = [p.code for p in check_data(frame, target=None).problems]
    assert "infinite_values" in codes and "outliers" not in codes


def test_the_data_page_shows_the_findings_with_the_other_checks_and_marks_them_on_the_chart():
    from tests.pages.test_pages import page

    at = page("pages/1_Data.py")
    raw = (SHARED_DATASETS / "credit_risk_dataset.csv").read_bytes()
    at.get("file_uploader")[0].set_value(("credit_risk_dataset.csv", raw, "text/csv")).run()
    assert not at.exception and not at.error
    assert any(h.value == "Checks" for h in at.subheader)
    assert "0 to fix before training, 4 to know about" in " ".join(c.value for c in at.caption)
    warnings = [w.value for w in at.warning]
    assert [w.split(" ")[:2] for w in warnings] == [["165", "rows"], ["Column", "'person_age'"],
                                                    ["Column", "'person_emp_length'"], ["Column", "'person_income'"]]
    assert "in lines 2, 212 of the file (e.g. 123 years at age 22, 123 years at age 21)" in warnings[2]
    assert "6,000,000 (line 32299)" in warnings[3]
    assert at.selectbox(key="data_dist_column").value == "person_age"
    chart = at.get("plotly_chart")[1].proto.spec
    assert "flagged by the checks (5 rows)" in chart and "line %{customdata}: %{x}" in chart  # rows: plotly's binary
