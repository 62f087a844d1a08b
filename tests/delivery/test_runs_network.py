"""The Runs page names each kept run by its network: a blend by its weights, not by the chosen architecture."""

import pytest

from finmodels.models.architectures import MLPConfig
from finmodels.models.training.blend import weights_text
from finmodels.runtime.workspace import Workspace, data_fingerprint
from tests.pages.test_pages import page

AREA = "runs-network"


@pytest.fixture(scope="module")
def logged(german):
    """A blend of two dense and two cross networks and one dense network, kept in one workspace area."""
    from finmodels.models.training import TrainConfig, train

    small = dict(target="creditability", epochs=2, hyperparameters=MLPConfig(units=(8,)))
    blended = train(german, TrainConfig(members=2, blend=("dcn",), **small), baselines=False)
    one = train(german, TrainConfig(members=1, blend=(), **small), baselines=False)
    space = Workspace(area=AREA)
    ids = [space.log_run(r, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german), source="test")
           for r in (blended, one)]
    return space, dict(zip(ids, (blended, one)))


def test_the_workspace_lists_a_blend_by_its_weights(logged):
    space, runs = logged
    blended_id, one_id = runs
    listed = {r.run_id: r for r in space.list_runs()}
    assert listed[blended_id].network == f"Blend of {weights_text(runs[blended_id].details['blend_weights'])}"
    assert listed[blended_id].arch == "mlp"  # the chosen architecture is still kept as it was
    assert listed[one_id].network == "Dense network (MLP)"


def test_the_runs_page_shows_the_network_column(logged):
    _, runs = logged
    blended_id, one_id = runs
    at = page("pages/6_Runs.py", {"_session_area": AREA})
    assert not at.exception
    table = at.dataframe[0].value.set_index("run")
    assert table.loc[blended_id[:8], "network"].startswith("Blend of ") and \
        table.loc[blended_id[:8], "network"].endswith(" × Deep & cross network (DCN-V2)")
    assert table.loc[one_id[:8], "network"] == "Dense network (MLP)"
    # the runs to compare are named by their network too, not 'mlp' for a blend
    labels = at.multiselect(key="runs_chosen").options
    assert any(o.startswith(f"{blended_id[:8]} · Blend: dense + deep & cross · Credit default · ") for o in labels), labels
    assert any(o.startswith(f"{one_id[:8]} · Dense network (MLP) · ") for o in labels), labels
