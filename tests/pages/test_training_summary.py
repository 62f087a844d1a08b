"""The run summary under the Train page's results: how many cross-fitted networks trained, and for how long."""

import json
import re

import pytest

from finmodels.data.samples import load_sample
from finmodels.delivery.runs import run_seconds
from finmodels.models.architectures import MLPConfig
from finmodels.models.training import TrainConfig, train
from finmodels.models.training.members import epochs_per_network
from tests.pages.test_pages import page
from ui.results import describe_training, time_spent
from ui.state import Dataset


@pytest.fixture(scope="module")
def cross_fitted():
    """Five cross-fitted dense networks on German credit, not blended."""
    config = TrainConfig(target="creditability", members=5, blend=(), epochs=3,
                         hyperparameters=MLPConfig(units=(8,)))
    return train(load_sample("german_credit"), config, baselines=False)


def test_the_summary_counts_the_cross_fitted_networks_and_their_epochs(cross_fitted):
    history = cross_fitted.history
    assert {k for k in history if k.startswith("network_")} == {f"network_{k}_{name}" for k in range(2, 6)
                                                                for name in ("loss", "val_loss")}
    epochs = epochs_per_network(history)
    assert len(epochs) == 5 and all(1 <= e <= 3 for e in epochs)
    how = "early stopping" if max(epochs) < 3 else "all epochs"
    text = describe_training(cross_fitted)
    spread = f"{min(epochs)}" if min(epochs) == max(epochs) else f"{min(epochs)}-{max(epochs)}"  # '3', not '3-3'
    assert text.startswith("Dense network (MLP) for 'creditability' (Credit default) · 5 cross-fitted networks, "
                           f"{spread} epochs each ({how}; best weights kept) · ")
    # short: the total and the network's fit (the parts and the live clock's story are behind an expander)
    seconds = run_seconds(cross_fitted)
    assert text.endswith(f" · {seconds['total']:.1f} s in total, network fit {seconds['fit']:.1f} s")
    assert "preprocessing" not in text and "live clock" not in text
    # each part of the time is named in the detail, and the parts add up to the total (a run trained here, not kept)
    found = re.search(r"network fit (\d+\.\d) s \+ preprocessing, scoring and baselines (\d+\.\d) s = (\d+\.\d) s in "
                      r"total$", time_spent(cross_fitted))
    assert found and float(found[1]) + float(found[2]) == pytest.approx(float(found[3]), abs=1e-9)
    assert float(found[1]) == round(cross_fitted.seconds["fit"], 1)
    assert float(found[3]) == round(cross_fitted.seconds["total"], 1)


def test_one_network_is_summarised_by_its_epochs():
    config = TrainConfig(target="creditability", members=1, blend=(), epochs=2, hyperparameters=MLPConfig(units=(8,)))
    text = describe_training(train(load_sample("german_credit"), config, baselines=False))
    assert " · 2 epochs (all epochs; best weights kept) · " in text and " s in total, network fit " in text
    assert "cross-fitted" not in text


def test_the_train_page_shows_the_summary_and_the_faint_networks(cross_fitted):
    german = load_sample("german_credit")
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "event_label": "bad", "run": cross_fitted.detached(),
                                   "runs": [cross_fitted.detached()]})
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert describe_training(cross_fitted) in captions
    (detail,) = [e for e in at.expander if e.label == "Where the training time went"]
    assert [c.value for c in detail.caption] == [time_spent(cross_fitted)]
    assert any("5 cross-fitted networks" in c for c in captions)
    (chart,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Loss per epoch" in c.proto.spec]
    assert chart["layout"]["title"]["text"] == "Loss per epoch (network 1 of 5)"
    faint = [t for t in chart["data"] if t.get("legendgroup") == "others"]
    assert len(faint) == 4 and {t["name"] for t in faint} == {"validation, networks 2-5"}
    assert [t["y"] for t in faint] == [cross_fitted.history[f"network_{k}_val_loss"] for k in range(2, 6)]


def test_the_train_page_names_a_blend_and_colours_its_architectures():
    """Two dense and two cross networks: the caption names the blend by its weights, the chart's faint networks have
    one legend entry per architecture."""
    from finmodels.models.training.blend import weights_text

    german = load_sample("german_credit")
    config = TrainConfig(target="creditability", members=2, blend=("dcn",), epochs=2,
                         hyperparameters=MLPConfig(units=(8,)))
    blended = train(german, config, baselines=False)
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "event_label": "bad", "run": blended.detached(), "runs": [blended.detached()]})
    assert not at.exception
    title = f"Blend of {weights_text(blended.details['blend_weights'])}"
    assert any(c.value.startswith(f"{title} for 'creditability' (Credit default) · 4 cross-fitted networks")
               for c in at.caption)
    (chart,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Loss per epoch" in c.proto.spec]
    assert chart["layout"]["title"]["text"] == "Loss per epoch (bold: network 1, a dense network; faint: the other 3)"
    legend = [t["name"] for t in chart["data"] if t.get("showlegend", True)]
    assert legend == ["train", "validation", "dense networks (MLP) 2", "deep & cross networks (DCN-V2) 1-2"]


def test_networks_that_stopped_early_beside_others_that_ran_every_epoch_are_told_apart(cross_fitted):
    """A new user's credit_risk_dataset run read '29-100 epochs each (all epochs ...)' when 7 of 10 stopped early."""
    from dataclasses import replace

    history = {"loss": [0.6] * 3, "val_loss": [0.6] * 3}
    for k, epochs in zip(range(2, 6), (2, 3, 1, 3)):
        history.update({f"network_{k}_loss": [0.6] * epochs, f"network_{k}_val_loss": [0.6] * epochs})
    mixed = describe_training(replace(cross_fitted, history=history))
    assert " · 5 cross-fitted networks, 1-3 epochs each (early stopping; 3 of 5 ran all 3 epochs; best weights kept)" \
        in mixed
    history.update(loss=[0.6] * 2, val_loss=[0.6] * 2, network_3_loss=[0.6], network_3_val_loss=[0.6],
                   network_5_loss=[0.6], network_5_val_loss=[0.6])
    assert "1-2 epochs each (early stopping; best weights kept)" in describe_training(replace(cross_fitted,
                                                                                             history=history))
