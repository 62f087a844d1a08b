"""The Runs page as a new user's fourth trial found it: the champion marked where it stays in view (the second column,
not the last, behind a wide network name), its deletion said for what it is, and an empty area saying it has no runs
rather than 'No data loaded yet'."""

import secrets

from finmodels.runtime.workspace import Workspace, data_fingerprint
from tests.pages.test_pages import page


def _area_with_two_runs(german_net, german) -> tuple[str, list[str]]:
    area = "runs-" + secrets.token_hex(4)
    space = Workspace(area=area)
    ids = [space.log_run(german_net, data_name=name, data_fingerprint=data_fingerprint(german))
           for name in ("german_credit.csv", "german_copy.csv")]
    space.promote(ids[0])
    return area, ids


def test_the_champion_is_the_second_column_and_its_deletion_is_said(german_net, german):
    area, (champion, other) = _area_with_two_runs(german_net, german)
    at = page("pages/6_Runs.py", {"_session_area": area})
    assert not at.exception
    listed = at.dataframe[0].value
    assert list(listed.columns[:3]) == ["run", "role", "trained"]
    assert dict(zip(listed["run"], listed["role"])) == {champion[:8]: "★ champion", other[:8]: ""}
    at.selectbox(key="runs_current").set_value(champion).run()
    assert at.checkbox(key="runs_delete_confirm").label == "Yes, delete this run, the champion"
    at.checkbox(key="runs_delete_confirm").check().run()
    assert [w.value for w in at.warning] == ["This run is the area's champion. Deleted, the area has no champion until "
                                             "you promote another run."]
    at.selectbox(key="runs_current").set_value(other).run()  # another run: the usual tick, no warning
    assert at.checkbox(key="runs_delete_confirm").label == "Yes, delete this run" and not at.warning


def test_an_area_without_runs_says_so_and_how_to_train_one():
    area = "empty-" + secrets.token_hex(4)
    at = page("pages/6_Runs.py", {"_session_area": area})
    assert not at.exception
    (said,) = [i.value for i in at.info]
    assert said == (f"Area **{area}** holds no runs yet. Train one on the **Train** page, or from a terminal with "
                    f"`python -m finmodels train FILE.csv --area {area}`; every run is kept here.")
