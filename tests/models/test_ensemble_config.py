"""The ensemble's settings: defaults by table size and network, and the combinations refused with a reason."""

import pytest

from finmodels.errors import ConfigError
from finmodels.models.training import HUGE_TABLE_ROWS, TrainConfig


@pytest.mark.parametrize("kwargs,rows,expected", [
    ({}, 1_000, (5, ("dcn",))),
    # a network chosen by itself is trained alone (it was blended: the cross network with the dense one, the others
    # with the cross one, so choosing the cross network trained the default's blend; a new user's finding)
    ({"arch": "dcn"}, 1_000, (5, ())),
    ({"arch": "cnn"}, 20_000, (5, ())),
    ({"arch": "dcn", "blend": ("mlp",)}, 1_000, (5, ("mlp",))),  # blended when asked
    ({"members": 1}, 1_000, (1, ())),  # one network: nothing to blend
    ({"members": 3, "blend": ()}, 1_000, (3, ())),
    ({"blend": ("cnn", "dcn")}, 1_000, (5, ("cnn", "dcn"))),
    ({}, HUGE_TABLE_ROWS + 1, (1, ())),
    ({"members": 4}, HUGE_TABLE_ROWS + 1, (4, ())),  # asked for: cross-fitted, blend left to the default (none)
])
def test_members_and_blend_resolve_by_rows_and_network(kwargs, rows, expected):
    settings = TrainConfig(target="y", **kwargs).resolved(rows)
    assert (settings.members, settings.blend) == expected


@pytest.mark.parametrize("kwargs,message", [
    ({"members": 1, "blend": ("cnn",)}, "A blend needs cross-fitted networks"),
    ({"blend": ("mlp",)}, "'mlp' is the chosen network itself"),
    ({"blend": ("vae",)}, "'vae' cannot be blended"),
    ({"members": 0}, "whole number from 1 to 20; got 0"),
    ({"members": 21}, "whole number from 1 to 20; got 21"),
])
def test_impossible_ensembles_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(target="y", **kwargs)


def test_a_blend_read_back_from_json_is_a_tuple():
    assert TrainConfig(target="y", blend=["dcn", "dcn"]).blend == ("dcn",)


def test_a_stop_in_the_blended_architecture_keeps_the_chosen_networks_and_their_history_only():
    from finmodels.data.samples import load_sample
    from finmodels.models.training import train

    calls = []
    config = TrainConfig(target="creditability", members=2, epochs=3, patience=3, seed=0)
    result = train(load_sample("german_credit"), config, baselines=False,
                   on_epoch=lambda epoch, logs: calls.append(dict(logs)), should_stop=lambda: len(calls) >= 7)
    # two dense networks ran 3 epochs each; the stop came in the first cross network's first epoch
    assert [sorted(c) for c in calls[:3]] == [["loss", "val_loss"]] * 3
    assert sorted(calls[3]) == ["network_2_loss", "network_2_val_loss"]
    assert sorted(calls[6]) == ["network_3_loss", "network_3_val_loss"]
    assert result.stopped_early and "blend_weights" not in result.details
    assert sorted(result.history) == ["loss", "network_2_loss", "network_2_val_loss", "val_loss"]
    assert result.model.name == "mlp_x2"
    assert any(n.startswith("Training was stopped: the model is 2 Dense network (MLP) network(s) of the 4 planned")
               for n in result.notes)
