"""Which networks a run trains: the default network is blended with the cross network, a network chosen by itself
is trained alone (a new user's finding: choosing the cross network trained the same blend as the default)."""

import pytest

from finmodels.models.training import TrainConfig, fit_defaults
from finmodels.models.training.config import DEFAULT_ARCH, auto_blend


@pytest.mark.parametrize("rows", [600, 20_000])
def test_the_default_run_is_still_the_dense_and_cross_blend(rows):
    # the bench's default (TrainConfig with its defaults) trains what it trained before
    settings = TrainConfig(target="y").resolved(rows)
    assert TrainConfig(target="y").arch == DEFAULT_ARCH == "mlp"
    assert (settings.members, settings.blend) == (5, ("dcn",))
    assert fit_defaults(rows).blend == ("dcn",)


@pytest.mark.parametrize("arch", ["dcn", "cnn", "tabm", "plr"])
def test_a_chosen_network_is_trained_alone(arch):
    settings = TrainConfig(target="y", arch=arch).resolved(600)
    assert (settings.members, settings.blend) == (5, ())  # was ('mlp',) for dcn, ('dcn',) for the others
    assert auto_blend(arch, ("dcn",)) == ()


def test_a_chosen_network_is_blended_when_asked():
    assert TrainConfig(target="y", arch="dcn", blend=("mlp",)).resolved(600).blend == ("mlp",)
    assert TrainConfig(target="y", blend=()).resolved(600).blend == ()
    assert TrainConfig(target="y").resolved(60_000).blend == ()  # one network above HUGE_TABLE_ROWS
