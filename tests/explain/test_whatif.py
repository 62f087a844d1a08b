"""What-if for one applicant, on the real German credit file: edits in the data's units, scores and decisions
before and after, contributions that add up, counterfactuals that really change the decision, and warnings."""

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError, DataError
from finmodels.explain.counterfactuals import fmt_value
from finmodels.explain.whatif import FeatureRange, pick_row, training_ranges, what_if


@pytest.fixture(scope="module")
def scores(german_net, german):
    return np.asarray(german_net.predict(german), dtype="float64")


def test_an_edit_changes_the_score_and_both_rows_are_explained(german_net, german, scores):
    result = what_if(german_net, german, {"duration_in_month": 12, "credit_amount": "2000"}, row=1)
    assert german.loc[1, "duration_in_month"] == 48 and german.loc[1, "credit_amount"] == 5951
    assert result.changes == {"duration_in_month": (48, 12.0), "credit_amount": (5951, 2000.0)}
    assert result.before["score"] == pytest.approx(scores[1], abs=1e-6)
    edited = german.iloc[[1]].copy()
    edited["duration_in_month"], edited["credit_amount"] = 12, 2000
    assert result.after["score"] == pytest.approx(float(german_net.predict(edited)[0]), abs=1e-6)
    assert result.threshold == 0.5 and result.before["decision"] in ("bad", "not bad")
    e = result.explanation
    for i, state in enumerate((result.before, result.after)):
        assert e.base_value + e.values[i].sum() == pytest.approx(state["score"], abs=1e-5)
    table = result.contributions()
    assert list(table.columns) == ["column", "value before", "value after", "contribution before",
                                   "contribution after", "change"]
    moved = table.set_index("column")
    assert moved.loc["duration_in_month", "value before"] == 48 and moved.loc["duration_in_month", "value after"] == 12
    assert moved.loc["age_in_years", "value before"] == moved.loc["age_in_years", "value after"] == 22
    assert result.warnings == []
    print(f"\nwhat-if seconds (first call in this process): {result.seconds}")


def test_warm_latency_is_printed(german_net, german):
    what_if(german_net, german, {"credit_amount": 3000}, row=2)
    timings = [what_if(german_net, german, {"credit_amount": 3000 + i}, row=2).seconds["total"] for i in range(3)]
    print(f"\nwhat-if seconds, warm (model loaded): {[round(t, 3) for t in timings]}")


def test_counterfactuals_really_change_the_decision_within_the_training_range(german_net, german, scores):
    row = int(np.argmin(np.abs(scores - 0.5)))  # the applicant nearest the threshold
    result = what_if(german_net, german, {}, row=row)
    assert result.notes[0] == "No value was changed: before and after are the same row."
    ranges = training_ranges(german_net)
    # numbers are moved; text columns (13 of German credit's 20) are tried at each other level seen in training
    assert {cf.column for cf in result.counterfactuals} == set(ranges)
    assert {cf.column for cf in result.counterfactuals if cf.level} == {c for c, r in ranges.items() if not r.numeric}
    found = [cf for cf in result.counterfactuals if cf.found]
    assert found, "an applicant this close to the threshold has some input that moves it across"
    flagged = scores[row] >= 0.5
    for cf in found:
        if cf.level:  # another level: no range, no move
            moved = german.iloc[[row]].assign(**{cf.column: cf.value})
            assert (german_net.predict(moved)[0] >= 0.5) != flagged and cf.value in ranges[cf.column].levels
            assert cf.note.startswith(f"Change {cf.column} from '{cf.current}' to '{cf.value}' ")
            continue
        assert ranges[cf.column].low <= cf.value <= ranges[cf.column].high
        moved = german.iloc[[row]].copy()
        moved[cf.column] = cf.value
        assert (german_net.predict(moved)[0] >= 0.5) != flagged
        assert cf.score == pytest.approx(float(german_net.predict(moved)[0]), abs=1e-6)
        if ranges[cf.column].integer:  # one step back towards the row's own value keeps the decision
            assert cf.value == round(cf.value)
            back = german.iloc[[row]].copy()
            back[cf.column] = cf.value - np.sign(cf.change)
            assert (german_net.predict(back)[0] >= 0.5) == flagged
        verb = "Raise" if cf.change > 0 else "Lower"
        assert cf.note.startswith(f"{verb} {cf.column} from ")
    for cf in result.counterfactuals:
        if not cf.found and not cf.level:  # searched within the bulk of the training rows, and the row's value
            low, high = ranges[cf.column].searched(cf.current)
            widened = "" if ranges[cf.column].bulk[0] <= cf.current <= ranges[cf.column].bulk[1] else \
                ", and this row's value"
            assert cf.note == (f"No value of {cf.column} from {fmt_value(low)} to {fmt_value(high)} (the 1st-99th "
                               f"percentile of the training rows{widened}) changes the decision (others held).")
    # nearest first, as a share of each input's range; the inputs no value moves come last
    assert [cf.found for cf in result.counterfactuals] == sorted((cf.found for cf in result.counterfactuals),
                                                                 reverse=True)


def test_values_outside_the_training_range_are_kept_with_an_extrapolation_warning(german_net, german):
    result = what_if(german_net, german, {"age_in_years": 120, "purpose": "spaceship"}, row=0)
    rng = training_ranges(german_net)["age_in_years"]
    assert result.warnings == [
        f"age_in_years = 120 is outside the training range ({rng.describe()}): the score there is an extrapolation.",
        "purpose = 'spaceship' was never seen in training (levels: 'business', 'car (new)', 'car (used)', "
        "'domestic appliances', 'education', 'furniture/equipment', 'others', 'radio/television', 'repairs', "
        "'retraining'): the score there is an extrapolation.",
    ]
    assert result.explanation.data.iloc[1]["age_in_years"] == 120


def test_training_range_is_the_training_rows_own(german_net, german):
    train = german.iloc[german_net.split.train]
    rng = training_ranges(german_net)["credit_amount"]
    # the bulk, where counterfactuals search: the values the rows hold at their 1st and 99th percentile
    bulk = (float(np.quantile(train.credit_amount, 0.01, method="lower")),
            float(np.quantile(train.credit_amount, 0.99, method="higher")))
    assert rng == FeatureRange("credit_amount", True, float(train.credit_amount.min()),
                               float(train.credit_amount.max()), True, bulk=bulk)


def test_a_bundle_reads_its_range_from_all_training_rows(german_net, german, tmp_path):
    from finmodels.models.bundle import load_bundle, save_bundle

    save_bundle(german_net, tmp_path / "b.zip")
    bundle = load_bundle(tmp_path / "b.zip")
    assert training_ranges(bundle)["credit_amount"] == training_ranges(german_net)["credit_amount"]
    result = what_if(bundle, german, {"credit_amount": 2000}, row=1)
    direct = what_if(german_net, german, {"credit_amount": 2000}, row=1)
    assert result.after["score"] == pytest.approx(direct.after["score"], abs=1e-6)


def test_rows_by_identifier(german):
    frame = german.assign(applicant=[f"A-{i:04d}" for i in range(len(german))])
    assert pick_row(frame, id_column="applicant", id_value="A-0017") == (17, "applicant = 'A-0017'", [])
    doubled = frame.assign(applicant=["A"] * 2 + ["B"] * (len(frame) - 2))
    assert pick_row(doubled, id_column="applicant", id_value="B")[2] == [
        "998 rows have applicant = 'B'; the first (line 4 of the file) is used."]
    # by position the row is named by its line in the file, as the Data page's checks name rows
    assert pick_row(frame, row=3) == (3, "line 5 of the file", [])


@pytest.mark.parametrize("kwargs, message", [
    (dict(row=1000), "Row 1000 is outside the file: it has 1,000 rows, numbered 0 to 999. Pick a row in that range."),
    (dict(row=-1), "Row -1 is outside the file: it has 1,000 rows, numbered 0 to 999. Pick a row in that range."),
    (dict(id_column="applicant", id_value="x"), "Identifier column 'applicant' not found. Columns are: "),
    (dict(id_column="purpose", id_value="boat"), "No row has purpose = 'boat' (e.g. 'radio/television', 'education', "
                                                 "'furniture/equipment'). Check the value"),
])
def test_row_messages(german, kwargs, message):
    with pytest.raises(DataError) as info:
        pick_row(german, **kwargs)
    assert str(info.value).startswith(message)


def test_bad_edits_are_all_named_at_once(german_net, german):
    with pytest.raises(DataError) as info:
        what_if(german_net, german, {"credit_amount": "lots", "creditability": "good", "age_in_years": 30}, row=0)
    rng = training_ranges(german_net)["credit_amount"]
    assert info.value.problems[0] == (f"Value 'lots' for 'credit_amount' is not a number; 'credit_amount' is "
                                      f"numeric (training range {rng.describe()}).")
    assert info.value.problems[1].startswith("Column 'creditability' is not an input of this model, so changing it "
                                             "cannot change the score. Inputs are: ")
    assert len(info.value.problems) == 2


def test_a_probability_threshold_outside_0_and_1_is_refused(german_net, german):
    with pytest.raises(ConfigError, match=r"The threshold is a probability between 0 and 1; got 1.5."):
        what_if(german_net, german, {}, row=0, threshold=1.5)


def test_a_lower_threshold_changes_the_decision(german_net, german, scores):
    result = what_if(german_net, german, {}, row=1, threshold=float(scores[1]) - 1e-3)
    assert result.before["decision"] == "bad"
    result = what_if(german_net, german, {}, row=1, threshold=float(scores[1]) + 1e-3)
    assert result.before["decision"] == "not bad"


def test_to_dict_is_json_ready(german_net, german):
    import json

    out = json.loads(json.dumps(what_if(german_net, german, {"credit_amount": 2000}, row=1).to_dict()))
    assert set(out) >= {"before", "after", "contributions", "counterfactuals", "warnings", "threshold"}
    assert out["changes"] == {"credit_amount": {"before": 5951, "after": 2000.0}}
    # the contributions' changes add up to the change of the score (SHAP's additivity, on both rows)
    total = sum(c["change"] for c in out["contributions"])
    assert total == pytest.approx(out["after"]["score"] - out["before"]["score"], abs=1e-5)
    amount = next(c for c in out["contributions"] if c["column"] == "credit_amount")
    assert amount["before"] == 5951 and amount["after"] == 2000.0 and amount["change"] != 0
    assert isinstance(pd.DataFrame(out["contributions"]), pd.DataFrame)


def test_whatif_figures(german_net, german, scores):
    from finmodels.plots.whatif import plot_contribution_changes, plot_counterfactuals, plot_whatif_waterfalls

    row = int(np.argmin(np.abs(scores - 0.5)))
    result = what_if(german_net, german, {"credit_amount": 2000}, row=row)
    fig = plot_whatif_waterfalls(result, top=30)
    assert [t.name for t in fig.data] == ["before", "after"]
    assert fig.layout.annotations[0].text.startswith("Before: ") and fig.layout.annotations[1].text.startswith("After:")
    assert fig.data[1].y[0] == "Base value" and fig.data[1].y[-1] == "Score"
    assert "credit_amount = 2000 *" in fig.data[1].y and len(fig.data[1].y) == 20 + 2  # every input, no 'others'
    assert plot_whatif_waterfalls(result, top=5).data[0].y[-2] == "15 other columns"
    assert fig.data[1].x[-1] == pytest.approx(result.after["score"])
    bars = plot_contribution_changes(result)
    assert [t.name for t in bars.data] == ["before", "after"] and bars.data[0].y[-1] == "credit_amount"
    cf = plot_counterfactuals(result)
    # the numeric panel (this row, the flipping values), then the text columns' levels on a panel of their own
    assert [t.name for t in cf.data][:2] == ["this row", "changes the decision"]
    assert "codes seen in training" in [t.name for t in cf.data][2:]
    assert cf.layout.xaxis.title.text == (
        "Position in the range searched (%): the 1st-99th percentile of the training rows (and the row's own value "
        "when outside it)")
    assert len(cf.data[1].y) == sum(c.found and not c.coded for c in result.counterfactuals)


def test_a_coded_event_is_named_by_its_column_in_the_decision():
    """'The decision changes from 1 to not 1' said nothing: a 0/1 target's decision names the column."""
    from types import SimpleNamespace

    from finmodels.explain.whatif import _decision_names

    coded = SimpleNamespace(kind="binary", event_label="1", config=SimpleNamespace(target="default_payment_next_month"))
    assert _decision_names(coded) == ("flagged: default_payment_next_month = 1", "not flagged")
    worded = SimpleNamespace(kind="binary", event_label="bad", config=SimpleNamespace(target="creditability"))
    assert _decision_names(worded) == ("bad", "not bad")
    bundle = SimpleNamespace(kind="binary", event_label="True", target="SeriousDlqin2yrs")  # a bundle names its target
    assert _decision_names(bundle) == ("flagged: SeriousDlqin2yrs = True", "not flagged")


def test_a_derived_input_is_recomputed_when_its_inputs_change(credit_risk_net, credit_risk):
    """credit_risk_dataset.csv's loan_percent_income is loan_amnt / person_income (2 decimals): a what-if of a new
    loan amount scored 0.59 beside a loan of 10,000 on 59,000, a row no applicant has. With the run's derived
    columns (found on its training rows) the edited row holds 0.17 and the what-if says so; without, as typed."""
    from finmodels.data.derived import find_derived

    derived = find_derived(credit_risk_net.frame.iloc[credit_risk_net.split.train],
                           columns=list(credit_risk_net.preprocessor.columns))
    assert [(d.column, d.formula) for d in derived] == [("loan_percent_income", "loan_amnt / person_income")]
    result = what_if(credit_risk_net, credit_risk, {"loan_amnt": 10000}, row=0, derived=derived)
    assert result.changes == {"loan_amnt": (35000, 10000.0), "loan_percent_income": (0.59, 0.17)}
    assert result.explanation.data.iloc[1]["loan_percent_income"] == 0.17
    assert result.recomputed == ["loan_percent_income recomputed as loan_amnt / person_income: 0.59 → 0.17."]
    assert result.to_dict()["recomputed"] == result.recomputed
    plain = what_if(credit_risk_net, credit_risk, {"loan_amnt": 10000}, row=0)
    assert plain.changes == {"loan_amnt": (35000, 10000.0)} and plain.recomputed == []
    assert plain.after["score"] != result.after["score"]
