"""A new user's findings on corporate_rating.csv: the explained rows are named by company and date (not 'Test row
17'), the model's drivers that describe the record (who rated the company, an identifier, a date) are flagged with
what to do, on the Explain page and in the model document, whose wording follows the task (not 'declined
applicants' for ratings)."""

import html
import re

import pandas as pd
import pytest

from finmodels.explain.drivers import ID, RATER, TOP_DRIVERS, WHEN, record_drivers, record_kind
from finmodels.explain.labels import label_columns, row_labels
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def ratings():
    return pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")


@pytest.fixture(scope="module")
def rating_run(ratings):
    from finmodels.models.training import TrainConfig, train

    return train(ratings, TrainConfig(target="Rating", task="credit_rating", members=1, blend=(), epochs=30, seed=0),
                 baselines=False)


@pytest.fixture(scope="module")
def rating_explanation(rating_run):
    from finmodels.explain.explanation import explain_result

    return explain_result(rating_run, rows=200)


def test_rows_are_named_by_company_and_date(ratings):
    assert label_columns(ratings, target="Rating") == ("Name", "Date")  # the profile's entity and date columns
    assert row_labels(ratings, [0, 1, 16, 2028], target="Rating") == [
        "line 2 of the file · Whirlpool Corporation · 2015-11-27",
        "line 3 of the file · Whirlpool Corporation · 2014-02-13",
        "line 18 of the file · Philip Morris International Inc · 2013-07-04",
        "line 2030 of the file · Cresud S.A.C.I.F. y A. · 2014-08-01"]


def test_a_table_without_identifier_or_date_names_rows_by_their_line():
    german = pd.read_csv(SHARED_DATASETS / "german_credit.csv")
    assert label_columns(german, target="creditability") == (None, None)
    assert row_labels(german, [0, 1], target="creditability") == ["line 2 of the file", "line 3 of the file"]
    loans = pd.read_csv(SHARED_DATASETS / "credit_risk_dataset.csv", nrows=200)
    loans.insert(0, "loan_id", [f"L{i:05d}" for i in range(len(loans))])  # an identifier seen once per row
    assert row_labels(loans, [3, 150], target="loan_status") == ["line 5 of the file · L00003",
                                                                 "line 152 of the file · L00150"]


def test_a_numeric_identifier_is_named_with_its_column_beside_the_line():
    """taiwan_default.csv's picker showed '22760' (the ID column's value, on line 22761) while the what-if named the
    same borrower 'line 22761 of the file': a bare number read as a row number. Now both name the line."""
    from finmodels.data.reading import load_csv
    from finmodels.explain.labels import line_labels

    taiwan = load_csv(SHARED_DATASETS / "taiwan_default.csv")
    target = "default_payment_next_month"
    assert label_columns(taiwan, target=target) == ("ID", None)
    assert line_labels(taiwan, [22759, 0], target=target) == ["line 22761 of the file · ID 22760",
                                                              "line 2 of the file · ID 1"]
    assert row_labels(taiwan, [22759], target=target) == ["line 22761 of the file · ID 22760"]


def test_rating_runs_explained_rows_carry_their_company(rating_run, rating_explanation):
    from finmodels.explain.labels import explained_row_labels

    labels = explained_row_labels(rating_run, rating_explanation)
    assert len(labels) == len(rating_explanation.predictions) == 200
    frame = rating_run.frame
    for i in (0, 57, 199):
        row = frame.loc[rating_explanation.row_ids[i]]
        line = frame.index.get_loc(rating_explanation.row_ids[i]) + 2
        assert labels[i] == f"line {line} of the file · {row['Name']} · {pd.Timestamp(row['Date']):%Y-%m-%d}"


@pytest.mark.parametrize("column,role,expected", [
    ("Rating Agency Name", None, RATER), ("RatedBy", None, RATER), ("data_source", None, RATER),
    ("source", None, RATER), ("income_source", None, None), ("loan_id", None, ID), ("account_no", None, ID),
    ("Symbol", None, ID), ("segment", "identifier", ID), ("fiscal_year", None, WHEN), ("issue_date", None, WHEN),
    ("duration_in_month", None, None), ("default_payment_next_month", None, None), ("as_of", "date", WHEN),
    ("debtRatio", None, None), ("person_age", None, None), ("Sector", None, None),
])
def test_record_columns_by_name_and_role(column, role, expected):
    assert record_kind(column, role) == expected


def test_a_record_column_is_flagged_when_it_carries_weight():
    importance = pd.Series({"debtRatio": 0.30, "Sector": 0.25, "currentRatio": 0.20, "quickRatio": 0.11,
                            "Rating Agency Name": 0.06, "cashRatio": 0.045, "Date": 0.035})  # shares of a total of 1
    found = record_drivers(importance)
    assert [(d.column, d.rank, round(d.share, 3), d.what) for d in found] == [("Rating Agency Name", 5, 0.06, RATER)]
    assert TOP_DRIVERS == 5  # 'Date' is 7th with 3.5%, under an average column's 14%: not flagged
    assert found[0].message.startswith("'Rating Agency Name' is the model's 5th largest driver (6% of the total mean "
                                       "|SHAP|; an average column has 14%), and it describes the record, not the "
                                       "borrower: it is named or read as a rater or source")
    assert "Drop it from the features (Data page's Features box; --features on the command line) and retrain, or " \
           "justify it in the model document (e.g. that the agencies rate on different scales" in found[0].message
    # further down, flagged from an average column's share: 'loan_id' 7th of 20 with 6% (average 5%)
    wide = pd.Series([0.2, 0.15, 0.12, 0.1, 0.08, 0.07, 0.06] + [0.22 / 13] * 13,
                     index=[f"x{i}" for i in range(6)] + ["loan_id"] + [f"y{i}" for i in range(13)])
    assert [(d.column, d.rank, d.what) for d in record_drivers(wide)] == [("loan_id", 7, ID)]
    assert record_drivers(wide.rename({"loan_id": "x6"}).rename({"y12": "issue_date"})) == []  # last, 1.7%
    assert record_drivers(pd.Series({"debtRatio": 0.0})) == []


def test_the_rating_runs_agency_is_flagged(rating_run, rating_explanation):
    from finmodels.explain.drivers import explanation_record_drivers

    importance = rating_explanation.importance()
    found = explanation_record_drivers(rating_explanation, rating_run)
    agency = [d for d in found if d.column == "Rating Agency Name"]
    assert len(agency) == 1 and agency[0].what == RATER
    assert agency[0].share == pytest.approx(importance["Rating Agency Name"] / importance.sum())
    assert agency[0].rank == list(importance.index).index("Rating Agency Name") + 1
    assert agency[0].rank <= TOP_DRIVERS or agency[0].share > 1 / len(importance)
    assert {d.column for d in found} <= {"Rating Agency Name", "Name", "Symbol", "Date"}  # no ratio is flagged


def test_the_rating_document_names_the_agency_and_rated_companies(rating_run, ratings):
    from finmodels.delivery.document import build_document

    document = build_document(rating_run, ratings, data_name="corporate_rating.csv", explained_rows=100)
    text = document.to_html()
    flagged = document.findings["record_drivers"]
    assert "Rating Agency Name" in [d["column"] for d in flagged]
    assert "declined applicant" not in text and "lending policy" not in text
    assert "Each rated company or borrower is given the columns that raised the" in text
    assert "with the reason codes below given with each rating" in text
    assert "rating practice of its training data: the agencies, sectors and years it covers" in text
    assert "&#x27;Rating Agency Name&#x27; is the model&#x27;s" in text  # in the limitations, escaped
    # the reason codes' rows are named by line, company and date ('A held-out row' before), as on the Explain page
    named = re.findall(r"<p>Line \d+ of the file · ([^<]+?) · (\d{4}-\d{2}-\d{2}) \(probability of", text)
    assert len(named) == 3 and all(html.unescape(name) in set(ratings["Name"]) for name, _ in named)
