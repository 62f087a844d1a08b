"""The ensemble's settings: defaults by table size and network, and the combinations refused with a reason."""

import pytest

from finmodels.errors import ConfigError
from finmodels.models.training import HUGE_TABLE_ROWS, TrainConfig


@pytest.mark.parametrize("kwargs,rows,expected", [
    ({}, 1_000, (5, ("dcn",))),
    ({"arch": "dcn"}, 1_000, (5, ("mlp",))),  # the cross network's default partner is the dense one
    ({"arch": "cnn"}, 20_000, (5, ("dcn",))),
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
