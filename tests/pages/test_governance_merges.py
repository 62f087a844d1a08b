"""Merging a protected column's small groups on the Governance page (a new user's German credit run: the page
refused 'personal_status_and_sex', two groups under 30 held-out rows, and said 'merge small groups' with no way to
merge). The merges are the analyst's, applied before the analysis, and said in the results and the document."""

import html

from finmodels.evaluation.fairness import run_fairness
from tests.pages.test_pages import page

MALE = ["male : single", "male : married/widowed", "male : divorced/separated"]
SEX = "personal_status_and_sex"


def governance(credit_state):
    return page("pages/8_Governance.py", {**credit_state, "threshold": 0.5,
                                          "threshold_run": credit_state["run"].run_id})


def groups_tables(at) -> list:
    """The per-group tables shown, each as its list of groups."""
    return [list(d.value["group"]) for d in at.dataframe if "group" in d.value.columns]


def table_with(at, group: str):
    return next(d.value for d in at.dataframe if "group" in d.value.columns and group in list(d.value["group"]))


def test_merging_small_groups_analyses_the_column(credit_state):
    at = governance(credit_state)
    assert not at.exception
    assert any(f"'{SEX}'" in e.value and "merge small groups" in e.value for e in at.error)
    # the column's groups offered with their held-out rows; age (in bands) and foreign_worker (2 groups) have none
    picker = at.multiselect(key=f"governance_merge_{SEX}_0")
    assert set(picker.options) == {f"{v} ({n} rows)" for v, n in
                                   credit_state["run"].frame.iloc[credit_state["run"].split.test][SEX]
                                   .value_counts().items()}
    keys = {w.key for w in at.multiselect}
    assert not any(k.startswith(("governance_merge_age", "governance_merge_foreign")) for k in keys)
    picker.set_value(MALE).run()
    at.text_input(key=f"governance_merge_name_{SEX}_0").input("male").run()
    assert not at.exception
    assert not any(f"'{SEX}'" in e.value for e in at.error)
    expected = run_fairness(credit_state["run"], protected=[SEX], threshold=0.5,
                            merges={SEX: dict.fromkeys(MALE, "male")})[SEX]
    table = table_with(at, "male")
    assert list(table["group"]) == ["male", "female : divorced/separated/married"] == list(expected.table.index)
    assert table["rows"].tolist() == expected.table["rows"].tolist() and table["rows"].sum() == 200
    note = next(c.value for c in at.caption if "merged by the analyst" in c.value)
    assert f"Groups of '{SEX}' merged by the analyst: 'male : single', 'male : married/widowed', " \
           f"'male : divorced/separated' into 'male' ({expected.table.loc['male', 'rows']} rows)." in note
    # the model document analyses the same merged groups, and says so
    at.button(key="governance_document_build").click().run()
    assert not at.exception
    text = html.unescape(at.session_state["governance_document"][2])
    assert f"Groups of '{SEX}' merged by the analyst" in text and f"'{SEX}' could not be analysed" not in text
    assert "<td>male</td>" in text


def test_a_merged_group_is_named_by_its_values_by_default_and_two_groups_cannot_merge(credit_state):
    at = governance(credit_state)
    at.multiselect(key="governance_protected").set_value([SEX, "foreign_worker"]).run()
    at.multiselect(key=f"governance_merge_{SEX}_0").set_value(MALE[1:])
    at.text_input(key=f"governance_merge_name_{SEX}_0").set_value("").run()  # a name kept by an earlier test
    assert not at.exception
    merged = "male : married/widowed / male : divorced/separated"
    # 15 + 11 rows: still under 30, so still refused, now with the merged group's count
    assert any(f"'{SEX}' has 1 group under 30 rows: '{merged}' (26 rows)" in e.value for e in at.error)
    assert not any(merged in groups for groups in groups_tables(at))
    # foreign_worker's 2 groups: a merge would leave one, so the message does not ask for one
    message = next(e.value for e in at.error if "'foreign_worker'" in e.value)
    assert "with 2 groups a merge leaves one, so score more rows with this column" in message
    assert "merge small groups" not in message


def test_after_a_reload_the_merges_kept_with_the_run_come_back(credit_state):
    first = governance(credit_state)
    first.multiselect(key="governance_protected").set_value([SEX]).run()
    first.multiselect(key=f"governance_merge_{SEX}_0").set_value(MALE).run()
    first.text_input(key=f"governance_merge_name_{SEX}_0").input("male").run()
    assert not first.exception and any("Kept with run" in c.value for c in first.caption)
    fresh = {k: v for k, v in credit_state.items() if not k.startswith(("governance_", "_kept_"))}
    again = page("pages/8_Governance.py", {**fresh, "threshold": 0.5, "kept_results": {},
                                            "threshold_run": credit_state["run"].run_id})
    assert not again.exception
    assert again.multiselect(key=f"governance_merge_{SEX}_0").value == MALE
    assert again.text_input(key=f"governance_merge_name_{SEX}_0").value == "male"
    assert list(table_with(again, "male")["group"]) == ["male", "female : divorced/separated/married"]
