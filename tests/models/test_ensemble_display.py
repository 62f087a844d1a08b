"""How a blended run is shown: the progress notes read back, the blend's weights and title, and which networks of its
history belong to which architecture; on a real short fit (two dense and two cross networks on German credit)."""

import html

import pytest

from finmodels.commands.stages import StageClock, stage_name
from finmodels.delivery.report import build_report, config_table, run_figures
from finmodels.delivery.runs import RunRecord, comparison_frame
from finmodels.models.architectures import MLPConfig
from finmodels.delivery.sections import methodology_section, model_facts
from finmodels.models.training.blend import arch_label, network_title, weights_text
from finmodels.models.training.members import (epochs_per_network, network_groups, network_kind, network_note,
                                               network_progress, noted_networks, run_networks)
from finmodels.plots.training import plot_loss_curve
from ui.results import describe_training


class Recorder:
    """What the worker gives training: an epoch hook whose object takes the stage notes (training.stage_hook)."""

    def __init__(self):
        self.notes, self.epochs = [], []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def on_epoch(self, epoch: int, logs: dict) -> None:
        self.epochs.append(dict(logs))


@pytest.fixture(scope="module")
def blended(german):
    from finmodels.models.training import TrainConfig, train

    recorder = Recorder()
    config = TrainConfig(target="creditability", members=2, blend=("dcn",), epochs=2, seed=0,
                         hyperparameters=MLPConfig(units=(8,)))
    return train(german, config, baselines=False, on_epoch=recorder.on_epoch), recorder


@pytest.fixture(scope="module")
def german_run_one(german):
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target="creditability", members=1, blend=(), epochs=2, hyperparameters=MLPConfig(units=(8,)))
    return train(german, config, baselines=False)


def test_the_progress_notes_of_a_real_fit_are_read_back_by_one_function(blended):
    _, recorder = blended
    fits = [n for n in recorder.notes if n.startswith("Fitting the network")]
    assert [network_progress(n) for n in fits] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert fits[0] == network_note(1, 4, learn=400, stop_on=400, arch="mlp")  # German's 800 pooled rows, 2 parts
    # each note names its network's architecture: the dense networks, then the cross networks
    assert [network_kind(n) for n in fits] == ["dense network (MLP)"] * 2 + ["deep & cross network (DCN-V2)"] * 2
    assert network_kind(network_note(1, 4, learn=400, stop_on=400)) is None
    # the live chart groups the networks begun so far by architecture, as the final chart does
    assert noted_networks(recorder.notes) == {"dense networks (MLP)": [1, 2], "deep & cross networks (DCN-V2)": [3, 4]}
    assert noted_networks(recorder.notes[:recorder.notes.index(fits[2])]) == {"dense networks (MLP)": [1, 2]}
    assert {stage_name(n) for n in fits} == {"fitting the cross-fitted networks"}
    # every other note is no network's progress: one network's own note included
    assert [network_progress(n) for n in recorder.notes if n not in fits] == [None] * (len(recorder.notes) - 4)
    assert network_progress("Fitting the network on 480 rows...") is None
    assert network_progress(network_note(12, 20, learn=1_200_000, stop_on=300_000)) == (12, 20)


def test_the_notes_make_one_stage_of_the_clock(blended):
    _, recorder = blended
    clock = StageClock("start")
    for text in recorder.notes:
        clock.note(text)
    stages = [s["stage"] for s in clock.close()["stages"]]
    assert stages.count("fitting the cross-fitted networks") == 1
    assert stages.index("fitting the cross-fitted networks") < stages.index("scoring test rows")


def test_the_blend_weights_read_the_same_from_one_helper(blended):
    result, _ = blended
    weights = result.details["blend_weights"]
    assert list(weights) == ["mlp", "dcn"] and sum(weights.values()) == pytest.approx(1.0)
    text = weights_text(weights)
    assert text == f"{weights['mlp']:.2f} × Dense network (MLP) + {weights['dcn']:.2f} × Deep & cross network (DCN-V2)"
    assert weights_text({"mlp": 0.3, "dcn": 0.7}) == "0.30 × Dense network (MLP) + 0.70 × Deep & cross network (DCN-V2)"
    assert weights_text({"mlp": 1.0, "dcn": 0.0}) == "1.00 × Dense network (MLP) + 0.00 × Deep & cross network (DCN-V2)"
    # the same words in the run's note, the run summary, the report's configuration and the Runs table
    (note,) = [n for n in result.notes if n.startswith("The model blends")]
    assert note.startswith(f"The model blends {text}, weighted by ensemble selection")
    assert describe_training(result).startswith(f"Blend of {text} for 'creditability' (Credit default) · 4 ")
    config = config_table(result).set_index("setting")["value"]
    assert config["blend weights (out of fold)"] == text
    assert comparison_frame([RunRecord(1, "german_credit.csv", result)])["network"].tolist() == [f"Blend of {text}"]


def test_a_blended_run_is_titled_by_the_blend_not_by_the_chosen_network(blended):
    result, _ = blended
    weights = result.details["blend_weights"]
    title = network_title(result.config.arch, weights)
    assert title == f"Blend of {weights_text(weights)}"
    assert network_title("mlp", {"mlp": 0.3, "dcn": 0.7}) == \
        "Blend of 0.30 × Dense network (MLP) + 0.70 × Deep & cross network (DCN-V2)"
    assert network_title("dcn") == "Deep & cross network (DCN-V2)" and network_title("mlp", {}) == "Dense network (MLP)"
    assert arch_label("dcn", lower=True, plural=True) == "deep & cross networks (DCN-V2)"
    assert arch_label("lstm", lower=True) == "LSTM recurrent network"  # an acronym keeps its capitals
    # where the run is named: the run summary, the report's first line, the Runs table, the model document
    assert describe_training(result).startswith(f"{title} for 'creditability' (Credit default) · 4 cross-fitted ")
    report = build_report(result, data_name="german_credit.csv")
    assert f"Data: german_credit.csv · network: {html.escape(title)} · created " in report
    assert comparison_frame([RunRecord(1, "german_credit.csv", result)]).columns[0] == "network"
    (method,) = methodology_section(model_facts(result))[:1]
    assert method.startswith(f"<p>Architecture: {html.escape(title)}, weighted on out-of-fold predictions. "
                             "Dense network (MLP): Stacked")
    assert "Deep &amp; cross network (DCN-V2): Cross layers" in method


def test_one_network_keeps_its_architectures_name(german_run_one):
    assert describe_training(german_run_one).startswith("Dense network (MLP) for 'creditability' (Credit default) · ")
    assert comparison_frame([RunRecord(1, "german_credit.csv", german_run_one)])["network"].tolist() == \
        ["Dense network (MLP)"]


def test_each_network_of_the_history_is_named_by_its_architecture(blended):
    result, _ = blended
    assert len(epochs_per_network(result.history)) == 4
    assert network_groups(result.history, ("mlp", "dcn"), 2) == {"mlp": [1, 2], "dcn": [3, 4]}
    assert run_networks(result) == {"dense networks (MLP)": [1, 2], "deep & cross networks (DCN-V2)": [3, 4]}
    # a stopped run keeps the first architecture's networks alone; one network is one group
    stopped = {"loss": [1.0], "val_loss": [1.0], "network_2_loss": [1.0], "network_2_val_loss": [1.0]}
    assert network_groups(stopped, ("mlp", "dcn"), 5) == {"mlp": [1, 2]}
    assert network_groups({"loss": [1.0], "val_loss": [1.0]}, ("mlp",), 1) == {"mlp": [1]}


def test_the_loss_chart_of_the_run_and_its_report_separate_the_architectures(blended):
    result, _ = blended
    for fig in (plot_loss_curve(result.history, networks=run_networks(result)), run_figures(result)["Loss"]):
        names = [(t.name, t.legendgroup, t.line.color) for t in fig.data[2:]]
        assert names == [("dense networks (MLP) 2", "others", "#e67e22"),
                         ("deep & cross networks (DCN-V2) 1-2", "others_2", "#8e44ad"),
                         ("deep & cross networks (DCN-V2) 1-2", "others_2", "#8e44ad")]
        assert [list(t.y) for t in fig.data[2:]] == [result.history[f"network_{k}_val_loss"] for k in (2, 3, 4)]
        assert fig.layout.title.text == "Loss per epoch (bold: network 1, a dense network; faint: the other 3)"
