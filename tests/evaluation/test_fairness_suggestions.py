"""Which columns the Governance page suggests as protected: by name (sex, gender, age, foreign, nationality,
marital, race, ethnic, religion, disability ...) and by a codebook's values ('male : single'), on the shipped
files and on names and values made for the edge cases. German credit suggested only age_in_years."""

import pandas as pd
import pytest

from finmodels.evaluation.fairness import age_like, protected_like, suggest_protected
from tests.conftest import SHARED_DATASETS as DATASETS


@pytest.mark.parametrize(("file", "target", "expected"), [
    ("german_credit.csv", "creditability", ["personal_status_and_sex", "age_in_years", "foreign_worker"]),
    ("taiwan_default.csv", None, ["SEX", "MARRIAGE", "AGE"]),
    ("credit_risk_dataset.csv", "loan_status", ["person_age"]),  # despite its typos 144 and 123
    ("corporate_rating.csv", "Rating", []),
])
def test_the_shipped_files_protected_columns_are_suggested(file, target, expected):
    frame = pd.read_csv(DATASETS / file)
    assert suggest_protected(frame, target=target) == expected


@pytest.mark.parametrize("name", ["sex", "Gender", "applicant_gender", "race", "RACE_CODE", "ethnicity",
                                  "ethnic_group", "religion", "nationality", "national_origin", "citizenship",
                                  "foreign_worker", "is_foreigner", "marital_status", "MaritalStatus", "married",
                                  "disability", "disabled_flag", "pregnancy"])
def test_protected_names(name):
    assert protected_like(name, pd.Series(["a", "b", "a"]))


@pytest.mark.parametrize(("name", "values"), [
    ("status", ["male : single", "female : divorced/separated/married", "male : married/widowed"]),
    ("applicant", ["F", "M", "female", "male"]),
    ("civil_state", ["single", "married", "divorced", "widowed"]),
])
def test_codebook_values_mark_a_column(name, values):
    assert protected_like(name, pd.Series(values * 3))


@pytest.mark.parametrize(("name", "values"), [
    ("purpose", ["car (new)", "radio/television", "education"]),
    ("trace_id", ["x", "y"]),  # 'race' inside a word is not the word
    ("mortgage", [100.0, 250.0]),  # nor 'age'
    ("page_views", [22.0, 40.0, 67.0]),
    ("housing", ["own", "rent", "for free"]),
    ("customer_name", [f"customer {i} male" for i in range(50)]),  # too many values for a codebook's category
])
def test_other_columns_are_not_suggested(name, values):
    assert not protected_like(name, pd.Series(values))


def test_an_age_column_with_a_few_typos_is_still_an_age():
    ages = pd.Series([30.0] * 200 + [144.0, 123.0])
    assert age_like("person_age", ages)
    assert not age_like("person_age", pd.Series([300.0, 900.0, 1500.0]))
