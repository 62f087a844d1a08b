"""Partial dependence and ICE lines on credit_risk_dataset's small network (tests/explain/conftest.py): each point is
the network's own score of the sampled rows with the column set, the shape is said in words, a derived column follows
its inputs, a bundle gives the same figures as its run."""

import numpy as np
import pytest

from finmodels.errors import ConfigError, DataError
from finmodels.explain.counterfactuals import FeatureRange
from finmodels.explain.dependence import describe_shape, partial_dependence, value_grid
from finmodels.explain.whatif import derived_inputs


def test_each_point_is_the_average_score_of_the_rows_with_the_column_set(credit_risk_net):
    found = partial_dependence(credit_risk_net, "loan_amnt", rows=60, points=9, derived=derived_inputs(credit_risk_net))
    test = set(map(int, credit_risk_net.split.test))
    assert len(found.rows) == 60 and set(found.rows) <= test  # held-out rows only
    assert found.lines.shape == (60, 9) and found.numeric and found.percent
    rows = credit_risk_net.frame.iloc[list(found.rows)][list(credit_risk_net.preprocessor.columns)].copy()
    value = found.grid[4]
    rows["loan_amnt"] = value
    rows["loan_percent_income"] = (rows["loan_amnt"] / rows["person_income"]).round(2)  # the rule, recomputed
    own = np.asarray(credit_risk_net.predict(rows), dtype="float64").ravel()
    np.testing.assert_allclose(found.lines[:, 4], own, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(found.average, found.lines.mean(axis=0))
    assert found.recomputed == ("loan_percent_income = loan_amnt / person_income",)
    # the bulk of the training rows, on the data's whole numbers
    train = credit_risk_net.frame.iloc[credit_risk_net.split.train]["loan_amnt"]
    assert found.grid[0] == pytest.approx(train.quantile(0.01), abs=1) and found.grid[-1] <= train.max()
    assert found.score_name == "default probability"
    assert found.shape.startswith(("rises from ", "falls from ", "is not monotone: it ", "is flat: "))


def test_a_text_column_is_scored_at_each_training_level_in_name_order(credit_risk_net):
    found = partial_dependence(credit_risk_net, "loan_grade", rows=40)
    assert found.grid == ("A", "B", "C", "D", "E", "F", "G") and not found.numeric
    assert found.lines.shape == (40, 7)
    top = found.grid[int(np.argmax(found.average))]
    assert found.shape.startswith(f"is highest at '{top}' (")


def test_the_shape_in_words():
    grid = [0.0, 1.0, 2.0, 3.0, 4.0]
    rising = np.array([[0.1, 0.2, 0.3, 0.4, 0.5], [0.2, 0.25, 0.3, 0.35, 0.4], [0.5, 0.4, 0.3, 0.2, 0.1]])
    shape, against = describe_shape(grid, rising.mean(axis=0), rising, percent=True)
    assert shape == "rises from 26.7% at 0 to 33.3% at 4" and against == pytest.approx(1 / 3)
    peak = np.array([[0.1, 0.3, 0.6, 0.3, 0.2]])
    assert describe_shape(grid, peak[0], peak)[0] == (
        "is not monotone: it rises from 0.1 at 0 to 0.6 at 2, then falls to 0.2 at 4")
    flat = np.array([[0.1, 0.1001, 0.1002, 0.1001, 0.1], [0.9, 0.9, 0.9001, 0.9, 0.9]])
    assert describe_shape(grid, flat.mean(axis=0), flat)[0].startswith("is flat: it moves by ")


def test_the_grid_of_each_kind_of_column():
    assert value_grid(FeatureRange("age", True, 20, 144, integer=True, bulk=(21.0, 40.0)), None, points=25) == \
        [float(v) for v in range(21, 41)]
    coded = FeatureRange("PAY_0", True, -2, 8, integer=True, codes=(-2.0, -1.0, 0.0, 1.0, 2.0))
    assert value_grid(coded, None) == [-2.0, -1.0, 0.0, 1.0, 2.0]
    wide = value_grid(FeatureRange("income", True, 4000, 6e6, step=1.0, bulk=(14000.0, 225000.0)), None, points=5)
    assert wide == [14000.0, 66750.0, 119500.0, 172250.0, 225000.0]


def test_bad_requests_say_what_to_do(credit_risk_net):
    with pytest.raises(DataError, match="Column 'salary' is not one of the model's inputs: person_age"):
        partial_dependence(credit_risk_net, "salary")
    with pytest.raises(ConfigError, match="Class 'Z' is not one of the model's classes"):
        from finmodels.explain.dependence import _class_index

        _class_index(credit_risk_net, "Z")


def test_letter_grades_are_checked_in_their_order():
    """credit_risk's network scored grade D above E, F and G: a validator reads that against the grades' order."""
    from finmodels.explain.dependence import _levels_shape

    grades = ["A", "B", "C", "D", "E"]
    assert _levels_shape(grades, np.array([0.15, 0.16, 0.18, 0.44, 0.41]), percent=True) == (
        "is highest at 'D' (44.0%) and lowest at 'A' (15.0%), and is not monotone in the order 'A' to 'E'")
    assert _levels_shape(grades, np.array([0.1, 0.2, 0.3, 0.4, 0.5]), percent=True).endswith(
        ", and rises steadily from 'A' to 'E'")
    assert _levels_shape(["rent", "own", "mortgage"], np.array([0.3, 0.1, 0.2]), percent=True) == (
        "is highest at 'rent' (30.0%) and lowest at 'own' (10.0%)")  # no order to check
