"""The loss chart ticks whole epochs only (a new user's finding: ticks at 1.5 and 2.5 on a 3-epoch market-risk run),
about ten at most however long the run."""

import numpy as np
import pytest

from finmodels.plots.training import epoch_ticks, plot_loss_curve


def ticks(axis, last: int) -> list[float]:
    """The tick values plotly draws on a linear axis from epoch 1 to `last`."""
    assert axis.tickmode == "linear"
    values = np.arange(axis.tick0, last + axis.dtick, axis.dtick)
    return [float(v) for v in values if 1 <= v <= last]


def test_a_three_epoch_run_ticks_epochs_1_2_3():
    fig = plot_loss_curve({"loss": [0.45, 0.43, 0.42], "val_loss": [0.28, 0.278, 0.279]})
    assert ticks(fig.layout.xaxis, 3) == [1.0, 2.0, 3.0]  # before: plotly's own, at 1, 1.5, 2, 2.5, 3


@pytest.mark.parametrize("epochs, step", [(1, 1), (10, 1), (11, 2), (20, 2), (21, 5), (50, 5), (51, 10), (100, 10),
                                          (101, 20), (250, 50), (1000, 100)])
def test_a_long_run_has_whole_steps_and_at_most_ten_ticks(epochs, step):
    axis = epoch_ticks(epochs)
    assert axis == {"tickmode": "linear", "tick0": 0, "dtick": step}
    assert isinstance(axis["dtick"], int) and len(range(step, epochs + 1, step)) <= 10


def test_a_cross_fitted_network_that_ran_longer_sets_the_ticks():
    history = {"loss": [0.7] * 4, "val_loss": [0.6] * 4, "network_2_val_loss": [0.6] * 15}
    assert plot_loss_curve(history).layout.xaxis.dtick == 2
