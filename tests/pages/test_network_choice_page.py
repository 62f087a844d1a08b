"""The Train form's Network box (a new user's findings): the default blend of dense and cross networks is its own
choice, choosing the cross network trains cross networks alone and the summary says so; 'Weight classes' is shown
only for tasks with classes."""

import pandas as pd

from finmodels.data.samples import load_sample
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page, wait_for_job
from ui.results import describe_training
from ui.state import Dataset


def _train_page(**state):
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", load_sample("german_credit")),
                                   "target": "creditability", "event_label": "bad", **state})
    assert not at.exception
    return at


def test_the_blend_is_its_own_choice_and_the_cross_network_trains_alone():
    at = _train_page()
    network = at.selectbox(key="train_arch")
    assert network.options[:3] == ["Blend: dense + deep & cross networks (default)", "Dense network (MLP)",
                                   "Deep & cross network (DCN-V2)"]
    assert network.value == "blend"
    assert not any(w.key == "train_blend" for w in at.selectbox)  # nothing to blend with: it is the blend
    network.set_value("dcn").run()
    assert at.selectbox(key="train_blend").value == "none"
    assert at.selectbox(key="train_blend").options[0] == "none (Deep & cross network (DCN-V2) alone)"
    at.number_input(key="train_members").set_value(2)
    at.text_input(key="train_units").set_value("8")
    at.number_input(key="train_epochs").set_value(2)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    wait_for_job(at)
    assert not at.exception
    run = at.session_state["run"]
    assert run.config.arch == "dcn" and run.config.blend == ()
    assert (run.settings.members, run.settings.blend) == (2, ())  # was 2 dense + 2 cross networks, blended
    assert "blend_weights" not in run.details
    said = "Deep & cross network (DCN-V2) for 'creditability' (Credit default) · 2 cross-fitted networks, "
    assert describe_training(run).startswith(said)
    assert any(c.value.startswith(said) for c in at.caption)  # the page's summary


def test_the_blend_choice_trains_the_default_blend():
    at = _train_page()
    at.number_input(key="train_members").set_value(1)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert any("needs 2 or more cross-fitted networks" in e.value for e in at.error)  # not a dense network alone
    at.number_input(key="train_members").set_value(2)
    at.text_input(key="train_units").set_value("8")
    at.number_input(key="train_epochs").set_value(2)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    wait_for_job(at)
    run = at.session_state["run"]
    assert run.config.arch == "mlp" and run.config.blend is None and run.settings.blend == ("dcn",)
    assert set(run.details["blend_weights"]) == {"mlp", "dcn"}
    assert describe_training(run).startswith("Blend of ")


def test_weight_classes_is_offered_only_for_classes():
    assert any(w.key == "train_class_weight" for w in _train_page().checkbox)
    rating = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    at = page("pages/2_Train.py", {"dataset": Dataset("corporate_rating.csv", rating), "target": "Rating",
                                   "task": "credit_rating"})
    assert any(w.key == "train_class_weight" for w in at.checkbox)
    prices = pd.read_csv(SHARED_DATASETS / "sp500_10stocks_2013_2018.csv")
    for task in ("market_risk", "forecast", "asset_allocation"):
        at = page("pages/2_Train.py", {"dataset": Dataset("sp500_10stocks.csv", prices), "target": None, "task": task})
        assert not at.exception and at.selectbox(key="train_task").value == task
        assert not any(w.key == "train_class_weight" for w in at.checkbox), task
        assert [o for o in at.selectbox(key="train_arch").options if o.startswith("Blend")] == []


def test_the_network_chosen_comes_back_after_another_page_and_new_data():
    """A new user's path in test_browser_runtime: Dense network with 1 cross-fitted network, then the Data page and
    another file of the same task. The Network box came back on the blend while 'Cross-fitted networks' stayed 1,
    so Train refused with 'needs 2 or more cross-fitted networks'. Since settings are kept per file, the other file
    starts on the defaults (both the blend and auto networks), and the first file gets its own back."""
    at = _train_page()
    at.selectbox(key="train_arch").set_value("mlp").run()
    at.number_input(key="train_members").set_value(1)
    at.text_input(key="train_units").set_value("8")
    at.number_input(key="train_epochs").set_value(1)
    at.button(key="FormSubmitter:train_form-Train").click().run()  # the form's values count once submitted
    wait_for_job(at)
    assert at.session_state["run"].config.arch == "mlp" and at.session_state["run"].settings.members == 1
    at.switch_page("pages/1_Data.py").run()
    at.session_state["dataset"] = Dataset("taiwan_default.csv", load_sample("taiwan_default"))
    at.session_state["target"] = "default_payment_next_month"
    at.switch_page("pages/2_Train.py").run()
    assert not at.exception
    # another file starts on the form's defaults (new user's trial 2: German's settings opened on the next upload),
    # the network and the count together: the blend with auto networks, never the blend with 1
    assert at.selectbox(key="train_arch").value == "blend" and at.number_input(key="train_members").value is None
    at.switch_page("pages/1_Data.py").run()
    at.session_state["dataset"] = Dataset("german_credit.csv", load_sample("german_credit"))
    at.session_state["target"] = "creditability"
    at.switch_page("pages/2_Train.py").run()  # the first file back: its own settings
    assert at.selectbox(key="train_arch").value == "mlp" and at.number_input(key="train_members").value == 1


def test_a_network_box_back_on_the_blend_does_not_keep_one_cross_fitted_network():
    """A single network with 1 cross-fitted network, then a forecast task, then a table file again: the box goes back
    to the blend, and the count goes back to auto with it (it stayed 1, and Train refused: the blend needs 2)."""
    at = _train_page(train_task="credit_default", train_arch="lstm", train_members=1)
    assert at.selectbox(key="train_arch").value == "blend"
    assert at.number_input(key="train_members").value is None
    at.text_input(key="train_units").set_value("8")
    at.number_input(key="train_epochs").set_value(1)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception and not [e.value for e in at.error]
    wait_for_job(at)
    assert at.session_state["run"].settings.members >= 2


def test_a_preselected_recurrent_network_starts_at_its_own_dropout_so_lstm_and_gru_compare_alike():
    """A new user's trial 6: the index file's market-risk task preselected the LSTM but the form kept the dense
    network's dropout (0.3); switching to the GRU then silently set 0.1, so 'LSTM vs GRU' compared two dropouts."""
    from finmodels.models.architectures import ARCHITECTURES

    index = Dataset("sp500_index.csv", load_sample("sp500_index"))
    at = page("pages/2_Train.py", {"dataset": index})
    assert not at.exception
    assert at.selectbox(key="train_task").value == "market_risk" and at.selectbox(key="train_arch").value == "lstm"
    lstm, gru = ARCHITECTURES["lstm"].config_class(), ARCHITECTURES["gru"].config_class()
    assert at.number_input(key="train_dropout").value == lstm.dropout  # before: 0.3, the dense network's
    assert at.text_input(key="train_units").value == ", ".join(map(str, lstm.units))
    at.selectbox(key="train_arch").set_value("gru").run()
    assert at.number_input(key="train_dropout").value == gru.dropout == lstm.dropout
    at.run()  # a rerun on the same network changes nothing
    assert at.number_input(key="train_dropout").value == gru.dropout
