"""The analyst's merges of a protected column's values (finmodels.evaluation.protected.merge_mapping, applied by
protected_groups before the analysis) on German credit: counts, names, notes, what a report keeps, refusals."""

import numpy as np
import pytest

from finmodels.errors import ConfigError, DataError
from finmodels.evaluation.fairness import (
    fairness_by_column,
    fairness_report,
    result_fairness,
)
from finmodels.evaluation.protected import group_counts, merge_mapping, protected_groups

SEX = "personal_status_and_sex"
MALE = ["male : single", "male : married/widowed", "male : divorced/separated"]


def test_merge_mapping_names_a_group_by_the_analyst_or_by_its_values():
    assert merge_mapping([(MALE, "male")]) == dict.fromkeys(MALE, "male")
    assert merge_mapping([(MALE[1:], None), (["a", "b"], "  ")]) == {
        "male : married/widowed": "male : married/widowed / male : divorced/separated",
        "male : divorced/separated": "male : married/widowed / male : divorced/separated", "a": "a / b", "b": "a / b"}
    assert merge_mapping([]) == {}


@pytest.mark.parametrize(("groups", "message"), [
    ([(["a"], None)], "A merged group combines 2 values or more; got 'a'. Choose another value to combine with it."),
    ([(["a", "b"], None), (["b", "c"], None)], ("'b' is already in the merged group 'a / b'; a value can be in "
                                                "one group only.")),
])
def test_merge_mapping_refusals(groups, message):
    with pytest.raises(ConfigError, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
        merge_mapping(groups)


def test_merged_values_form_one_group_and_the_notes_say_so(german):
    before = group_counts(german[SEX])
    groups, notes = protected_groups(german[SEX], merge=merge_mapping([(MALE, "male")]))
    assert list(groups.cat.categories) == ["male", "female : divorced/separated/married"]
    assert groups.value_counts().tolist() == [before[MALE].sum(), before["female : divorced/separated/married"]]
    assert notes == [(f"Groups of '{SEX}' merged by the analyst: 'male : single', 'male : married/widowed', "
                      f"'male : divorced/separated' into 'male' ({before[MALE].sum()} rows).")]
    assert group_counts(german["age_in_years"]) is None  # banded: nothing to merge by hand


def test_a_report_of_merged_groups_matches_a_direct_count_and_keeps_the_merge(german):
    scores = np.linspace(0.05, 0.95, len(german))
    merge = merge_mapping([(MALE, "male")])
    report = fairness_report(german, scores, protected=SEX, threshold=0.5, merges={SEX: merge})
    male = german[SEX].isin(MALE).to_numpy()
    assert report.table.loc["male", "rows"] == male.sum()
    assert report.table.loc["male", "approval_rate"] == pytest.approx(np.mean(scores[male] < 0.5))
    assert report.to_dict()["merged"] == merge and report.merged == merge


@pytest.mark.parametrize(("column", "merge", "message"), [
    ("age_in_years", {"<25": "young", "25–34": "young"}, "'age_in_years' has 53 values and is analysed in bands"),
    (SEX, {"male : single": "m", "male : widower": "m"}, ("Merged values of 'personal_status_and_sex' not found in "
                                                          "its rows: 'male : widower'. Its values are: 'male : single'")),
])
def test_a_merge_that_cannot_apply_is_refused_for_its_column_only(german, column, merge, message):
    scores = np.full(len(german), 0.3)
    found = fairness_by_column(german, scores, protected=[column, "housing"], merges={column: merge})
    assert isinstance(found[column], ConfigError) and str(found[column]).startswith(message)
    assert not isinstance(found["housing"], Exception)


def test_a_runs_held_out_rows_merged_pass_where_unmerged_they_are_refused(german_net):
    with pytest.raises(DataError, match="under 30 rows"):
        result_fairness(german_net, protected=[SEX])
    report = result_fairness(german_net, protected=[SEX], merges={SEX: merge_mapping([(MALE, "male")])})[0]
    assert report.table["rows"].sum() == 200 and report.table.index[0] == "male"
