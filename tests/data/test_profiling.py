"""Column roles, the auto-picked target and the suggested task, on the real datasets and small tables."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.errors import ConfigError
from finmodels.data.profiling import column_role, pick_target, profile
from tests.conftest import ROOT, SHARED_DATASETS

# file -> (rows, target, balance of the target, suggested task, roles that must hold)
DATASETS = {
    "german_credit.csv": (1000, "creditability", {"good": 700, "bad": 300}, "credit_default",
                          {"purpose": "categorical", "credit_amount": "numeric"}),
    "taiwan_default.csv": (30000, "default_payment_next_month", {"0": 23364, "1": 6636}, "credit_default",
                           {"ID": "identifier", "LIMIT_BAL": "numeric", "PAY_0": "numeric"}),
    "credit_risk_dataset.csv": (32581, "loan_status", {"0": 25473, "1": 7108}, "credit_default",
                                {"loan_grade": "categorical", "loan_int_rate": "numeric"}),
    "corporate_rating.csv": (2029, "Rating", None, "credit_rating",
                             {"Name": "identifier", "Symbol": "identifier", "Date": "date", "Sector": "categorical",
                              "Rating Agency Name": "categorical", "currentRatio": "numeric"}),
    "sp500_index_2001_2018.csv": (4423, None, {}, "market_risk", {"Date": "date", "Close": "numeric"}),
    "sp500_10stocks_2013_2018.csv": (12590, None, {}, "asset_allocation", {"date": "date", "Name": "identifier"}),
}


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request):
    return request.param, profile(load_csv(SHARED_DATASETS / request.param))


def test_every_dataset_profiles_with_the_right_target_roles_and_task(dataset):
    name, found = dataset
    rows, target, balance, task, roles = DATASETS[name]
    assert found.rows == rows and found.target == target and found.task == task
    if balance is not None:
        assert found.target_balance == balance
    for column, role in roles.items():
        assert found.column(column).role == role, column
    assert target is None or found.column(target).role == "target"


@pytest.mark.parametrize("name,tasks,date", [
    ("sp500_index_2001_2018.csv", ("market_risk", "forecast", "anomaly"), "Date"),
    ("sp500_10stocks_2013_2018.csv", ("asset_allocation", "forecast", "market_risk", "anomaly"), "date"),
])
def test_price_files_offer_the_sequence_tasks_and_no_target(name, tasks, date):
    found = profile(load_csv(SHARED_DATASETS / name))
    assert found.target is None and (found.task, *found.other_tasks) == tasks
    assert found.date_column == date and found.target_candidates == ()


def test_rating_balance_and_the_entity_that_repeats():
    found = profile(load_csv(SHARED_DATASETS / "corporate_rating.csv"))
    assert found.target_balance["BBB"] == 671 and found.target_balance["D"] == 1
    assert found.entity_column == "Name" and found.event_label is None
    assert "Name" not in found.features and "Date" not in found.features and len(found.features) == 27


def test_the_event_label_of_text_and_numeric_targets():
    german = profile(load_csv(SHARED_DATASETS / "german_credit.csv"))
    taiwan = profile(load_csv(SHARED_DATASETS / "taiwan_default.csv"))
    assert german.event_label == "bad" and taiwan.event_label == "1"
    assert "ID" not in taiwan.features and len(taiwan.features) == 23


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_profile_command_prints_one_json_object(name):
    out = subprocess.run([sys.executable, "-m", "finmodels", "profile", str(SHARED_DATASETS / name), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    rows, target, _, task, roles = DATASETS[name]
    assert data["rows"] == rows and data["target"] == target and data["task"] == task
    by_name = {c["name"]: c for c in data["columns"]}
    assert all(by_name[c]["role"] == r for c, r in roles.items())
    assert all(set(c) >= {"name", "role", "missing"} for c in data["columns"])


def test_profile_command_text_output_and_a_clear_error():
    out = subprocess.run([sys.executable, "-m", "finmodels", "profile", str(SHARED_DATASETS / "german_credit.csv")],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "1,000 rows, 21 columns" in out and "target: creditability (good: 700, bad: 300); risk event 'bad'" in out
    bad = subprocess.run([sys.executable, "-m", "finmodels", "profile", str(SHARED_DATASETS / "german_credit.csv"),
                          "--target", "nope"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "Target column 'nope' not found" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("values,name,role", [
    ([f"L{i:05d}" for i in range(30)], "loan_ref", "identifier"),
    (list(range(1, 31)), "row", "identifier"),
    ([i % 7 for i in range(30)], "customer_id", "identifier"),
    (pd.date_range("2020-01-01", periods=30).strftime("%d/%m/%Y").tolist(), "opened", "date"),
    ([5] * 30, "flag", "constant"),
    ([np.nan] * 30, "empty", "constant"),
    ([f"Customer called on day {i} about a late payment" for i in range(30)], "comment", "free text"),
    ([f"branch {i % 60}" for i in range(200)], "branch", "high-cardinality categorical"),
    (["A", "B", "C"] * 10, "grade", "categorical"),
    (np.linspace(0, 1, 30).tolist(), "ratio", "numeric"),
    ([3, 1, 2] * 10, "children", "numeric"),
])
def test_column_roles(values, name, role):
    assert column_role(pd.Series(values, name=name))[0] == role


def test_roles_and_target_can_be_changed():
    frame = load_csv(SHARED_DATASETS / "german_credit.csv")
    found = profile(frame, target="foreign_worker", roles={"age_in_years": "identifier"})
    assert found.target == "foreign_worker" and found.column("age_in_years").role == "identifier"
    assert "age_in_years" not in found.features and "creditability" in found.features
    assert profile(frame, target=None).task == "anomaly"
    with pytest.raises(ConfigError, match="Unknown role 'idd' for column 'job'. Roles are: numeric, categorical"):
        profile(frame, roles={"job": "idd"})


def test_data_figures_show_balance_distribution_and_correlations():
    from finmodels.plots.data import plot_correlation, plot_distribution, plot_target_balance

    frame = load_csv(SHARED_DATASETS / "german_credit.csv")
    found = profile(frame)
    balance = plot_target_balance(found.target_balance, target="creditability", event_label="bad")
    assert list(balance.data[0].x) == ["good", "bad"] and list(balance.data[0].y) == [700, 300]
    assert balance.data[0].marker.color[1] == "#c0392b" and balance.layout.title.text == "Balance of 'creditability'"
    numeric = plot_distribution(frame, "credit_amount", target="creditability", event_label="bad")
    assert [t.name for t in numeric.data] == ["creditability = bad", "other rows"]
    assert len(numeric.data[0].x) == 300 and numeric.layout.xaxis.title.text == "credit_amount"
    text = plot_distribution(frame, "housing")
    assert sorted(text.data[0].x) == ["for free", "own", "rent"] and sum(text.data[0].y) == 1000
    corr = plot_correlation(frame, found.features)
    assert list(corr.data[0].x) == ["duration_in_month", "credit_amount", "installment_rate_in_percentage_of_disposable_income",
                                    "present_residence_since", "age_in_years", "number_of_existing_credits_at_this_bank",
                                    "number_of_people_being_liable_to_provide_maintenance_for"]
    assert corr.data[0].z[0][0] == pytest.approx(1.0) and corr.data[0].z[0][1] == pytest.approx(0.6250, abs=1e-3)


def test_the_heatmap_keeps_at_most_30_columns_of_a_wide_table():
    from finmodels.plots.data import plot_correlation

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(1, 1, (50, 200)), columns=[f"x{i}" for i in range(200)])
    fig = plot_correlation(frame, list(frame.columns))
    assert len(fig.data[0].x) == 30 and "(the 30 most variable)" in fig.layout.title.text


def _book(n: int = 400, **columns) -> pd.DataFrame:
    """A loan book without a usual target name: age, income, and the given columns."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"age": rng.integers(20, 70, n), "income": rng.normal(40_000, 9_000, n).round()})
    return frame.assign(**columns)


def _flag(n: int = 400, every: int = 10) -> list[int]:
    return [1 if i % every == 0 else 0 for i in range(n)]


@pytest.mark.parametrize("name,task", [
    ("dlq", "delinquency"), ("dlq_90", "delinquency"), ("SeriousDlqin2yrs", "delinquency"),
    ("delinq_flag", "delinquency"), ("chargeoff", "credit_default"), ("is_chargedOff", "credit_default"),
    ("bad_flag", "credit_default"), ("def", "credit_default"), ("DEF_12M", "credit_default"),
    ("dflt", "credit_default"), ("target", "credit_default"), ("label", "binary"), ("flag", "binary"),
])
def test_a_01_column_named_with_a_risk_abbreviation_is_the_target(name, task):
    found = profile(_book(**{name: _flag()}))
    assert found.target == name and found.task == task and found.event_label == "1"
    assert found.target_candidates[0].column == name and found.target_candidates[0].task == task
    assert pick_target(_book(**{name: _flag()})) == (name, task)


@pytest.mark.parametrize("name", ["deferred_income", "flagged", "undefined", "labelled_by"])
def test_words_that_only_contain_an_abbreviation_do_not_name_a_target(name):
    found = profile(_book(**{name: _flag()}))
    assert found.target is None and found.task == "anomaly"
    # still offered, as a 0/1 column with 10% ones
    assert [(c.column, c.task, c.reason) for c in found.target_candidates] == [
        (name, "binary", "holds 0/1 (1 in 10.0% of rows)")]


def test_a_named_column_that_is_not_01_is_not_picked():
    found = profile(_book(dlq_days=[i % 40 for i in range(400)]))
    assert found.target is None and found.target_candidates == ()


def test_01_columns_are_offered_after_named_ones_when_their_minority_is_1_to_50_percent():
    frame = _book(owns_car=_flag(every=3), rare=_flag(every=200), dlq=_flag(), half=[i % 2 for i in range(400)],
                  dust=[1 if i == 5 else 0 for i in range(400)], split=[True, False, False, False] * 100)
    found = profile(frame)
    assert found.target == "dlq" and found.task == "delinquency"
    assert [(c.column, c.task) for c in found.target_candidates] == [
        ("dlq", "delinquency"), ("owns_car", "binary"), ("half", "binary"), ("split", "binary")]
    # 'rare' (0.5% ones) and 'dust' (1 row) are below 1%, so not offered
    assert found.target_candidates[0].reason == "holds 0/1 (1 in 10.0% of rows) and is named like an outcome ('dlq')"
    assert found.target_candidates[1].reason == "holds 0/1 (1 in 33.5% of rows)"
    assert found.to_dict()["target_candidates"][1] == {"column": "owns_car", "task": "binary",
                                                       "reason": "holds 0/1 (1 in 33.5% of rows)"}
    # a target the analyst chose does not change what is offered
    chosen = profile(frame, target="owns_car")
    assert chosen.target == "owns_car" and chosen.target_candidates == found.target_candidates


def test_a_usual_target_name_comes_before_an_abbreviation():
    found = profile(_book(dlq=_flag(), default=["yes" if i % 5 == 0 else "no" for i in range(400)]))
    assert found.target == "default" and found.task == "credit_default"
    assert [c.column for c in found.target_candidates] == ["default", "dlq"]
    assert found.target_candidates[0].reason == "has a usual target name of the credit default task"


def test_choosing_an_abbreviated_target_suggests_its_task():
    assert profile(_book(dlq=_flag(), owns_car=_flag(every=3)), target="dlq").task == "delinquency"
    assert profile(_book(dlq=_flag(), owns_car=_flag(every=3)), target="owns_car").task == "binary"


def test_a_two_valued_column_with_a_regression_name_is_offered_as_a_yes_no_target():
    """A new user's 'Outcome' (good/bad) was offered as 'has a usual target name of the regression task': 'outcome' is
    a regression name, but two values are a yes/no outcome, and the task picked for it was already binary."""
    frame = load_csv(SHARED_DATASETS / "german_credit.csv").rename(columns={"creditability": "Outcome"})
    (candidate,) = profile(frame).target_candidates
    assert candidate.column == "Outcome" and candidate.task == "binary"
    assert candidate.reason == "has a usual target name ('outcome') and two values, bad/good"
    assert pick_target(frame) == ("Outcome", "binary")
    found = profile(frame)
    assert found.target == "Outcome" and found.task == "binary" and found.event_label == "bad"


@pytest.mark.parametrize("name,values,task,reason", [
    ("outcome", np.linspace(0, 5, 400), "regression", "has a usual target name of the regression task"),
    ("y", np.linspace(0, 5, 400), "regression", "has a usual target name ('y') and 400 different numbers"),
    ("loan_grade", list("ABCDEFG") * 57 + ["A"], "multiclass",
     "has a usual target name ('loan_grade') and 7 values (A, B, C ...)"),
    ("default", ["yes", "no"] * 200, "credit_default", "has a usual target name of the credit default task"),
])
def test_a_named_candidates_task_and_reason_follow_its_values(name, values, task, reason):
    (candidate,) = [c for c in profile(_book(**{name: values})).target_candidates if c.column == name]
    assert (candidate.task, candidate.reason) == (task, reason)
    assert profile(_book(**{name: values})).task == task
