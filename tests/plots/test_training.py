"""The loss chart of a run: the first network's curves, and a cross-fitted run's other networks drawn faintly."""

import pytest

from finmodels.plots.training import plot_loss_curve

FIRST = {"loss": [0.70, 0.60, 0.55, 0.54], "val_loss": [0.68, 0.61, 0.63, 0.64]}


def _cross_fitted(networks: int) -> dict:
    history = dict(FIRST)
    for k in range(2, networks + 1):
        history[f"network_{k}_loss"] = [0.7 - 0.01 * k] * k
        history[f"network_{k}_val_loss"] = [0.8 - 0.01 * k] * k  # network k trained for k epochs
    return history


def test_one_network_has_its_two_curves_and_the_plain_title():
    fig = plot_loss_curve(FIRST)
    assert [t.name for t in fig.data] == ["train", "validation"]
    assert fig.layout.title.text == "Loss per epoch" and fig.layout.xaxis.title.text == "Epoch"
    assert fig.layout.annotations[0].text == "best epoch 2"


@pytest.mark.parametrize("networks", [5, 10])
def test_the_other_networks_are_faint_with_one_legend_entry(networks):
    fig = plot_loss_curve(_cross_fitted(networks))
    assert fig.layout.title.text == f"Loss per epoch (network 1 of {networks})"
    assert [t.name for t in fig.data[:2]] == ["train", "validation"] and fig.data[1].opacity is None
    faint = fig.data[2:]
    assert len(faint) == networks - 1
    assert {t.name for t in faint} == {f"validation, networks 2-{networks}"}
    assert [t.showlegend for t in faint] == [True] + [False] * (networks - 2)
    assert all(t.opacity == 0.35 and t.legendgroup == "others" and t.line.width == 1 for t in faint)
    # in network order (network 10 after network 9), each with its own validation losses
    assert [len(t.x) for t in faint] == list(range(2, networks + 1))
    assert [t.y[0] for t in faint] == pytest.approx([0.8 - 0.01 * k for k in range(2, networks + 1)])
    assert fig.layout.annotations[0].text == "best epoch 2"  # marked on the first network's curve


def test_the_live_chart_keeps_its_own_title():
    assert plot_loss_curve(_cross_fitted(5), title="Loss per epoch (live)").layout.title.text == \
        "Loss per epoch (live) (network 1 of 5)"
    # while network 3 of 10 trains, the title counts the networks planned, not the three begun
    live = plot_loss_curve(_cross_fitted(3), title="Loss per epoch (live)", planned=10)
    assert live.layout.title.text == "Loss per epoch (live) (network 1 of 10)"
    assert len(live.data) == 2 + 2  # train, validation, the two other networks so far
    # while the second network trains, its faint line is named alone, not 'networks 2-2'
    second = plot_loss_curve(_cross_fitted(2), title="Loss per epoch (live)", planned=10)
    assert [t.name for t in second.data[2:]] == ["validation, network 2"]
    assert plot_loss_curve(_cross_fitted(1), planned=1).layout.title.text == "Loss per epoch"


def test_the_live_chart_names_the_network_the_progress_line_names():
    # a new user read 'Network 5 of 10 ... first epoch running' above a chart titled 'network 1 of 10'
    live = plot_loss_curve(_cross_fitted(4), title="Loss per epoch (live)", planned=10, training=(5, 10))
    assert live.layout.title.text == ("Loss per epoch (live): network 5 of 10 training (bold: network 1; faint: "
                                      "networks 2-4)")
    first = plot_loss_curve(_cross_fitted(1), title="Loss per epoch (live)", planned=10, training=(1, 10))
    assert first.layout.title.text == "Loss per epoch (live): network 1 of 10 training (bold: network 1)"
    second = plot_loss_curve(_cross_fitted(2), title="Loss per epoch (live)", planned=10, training=(2, 10))
    assert second.layout.title.text == ("Loss per epoch (live): network 2 of 10 training (bold: network 1; faint: "
                                        "network 2)")


BLEND = {"dense networks (MLP)": [1, 2, 3, 4, 5], "deep & cross networks (DCN-V2)": [6, 7, 8, 9, 10]}


def test_a_blends_faint_networks_are_coloured_and_named_by_architecture():
    history = _cross_fitted(10)
    fig = plot_loss_curve(history, networks=BLEND)
    assert fig.layout.title.text == "Loss per epoch (bold: network 1, a dense network; faint: the other 9)"
    assert [t.name for t in fig.data[:2]] == ["train", "validation"]
    dense, cross = fig.data[2:6], fig.data[6:]
    assert {t.name for t in dense} == {"dense networks (MLP) 2-5"} and len(dense) == 4
    assert {t.name for t in cross} == {"deep & cross networks (DCN-V2) 1-5"} and len(cross) == 5
    # one legend entry and one colour per architecture: the dense ones the first network's validation colour
    assert [t.showlegend for t in fig.data[2:]] == [True, False, False, False, True, False, False, False, False]
    assert {t.line.color for t in dense} == {fig.data[1].line.color} == {"#e67e22"}
    assert {t.line.color for t in cross} == {"#8e44ad"}
    assert {t.legendgroup for t in dense} == {"others"} and {t.legendgroup for t in cross} == {"others_2"}
    assert all(t.opacity == 0.35 and t.line.width == 1 for t in fig.data[2:])
    assert [list(t.y) for t in fig.data[2:]] == [history[f"network_{k}_val_loss"] for k in range(2, 11)]


def test_one_architecture_keeps_the_plain_faint_networks():
    """A run stopped before the blend keeps the first architecture's networks: one group, as without `networks`."""
    history = _cross_fitted(3)
    grouped = plot_loss_curve(history, networks={"dense networks (MLP)": [1, 2, 3]})
    assert grouped.to_dict() == plot_loss_curve(history).to_dict()
    assert grouped.layout.title.text == "Loss per epoch (network 1 of 3)"
    one = plot_loss_curve(FIRST, networks={"dense networks (MLP)": [1], "deep & cross networks (DCN-V2)": []})
    assert [t.name for t in one.data] == ["train", "validation"] and one.layout.title.text == "Loss per epoch"
