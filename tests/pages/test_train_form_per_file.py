"""The Train form's settings belong to a file: a new user's German settings (the dense network alone, 1 network, 30
epochs) opened on their next, different upload; now another file starts on the defaults, and the German file, back,
has its own settings again."""

from finmodels.data.samples import load_sample
from tests.pages.test_pages import page, train_tiny
from ui.state import Dataset
from ui.train_form import FORM_DEFAULTS


def _form(at) -> dict:
    return {"arch": at.selectbox(key="train_arch").value, "members": at.number_input(key="train_members").value,
            "epochs": at.number_input(key="train_epochs").value, "units": at.text_input(key="train_units").value}


def _load(at, name: str, frame):
    """Load a file as the Data page does (a new Dataset in the session) while on another page, then open Train."""
    at.switch_page("pages/3_Evaluate.py").run()
    at.session_state["dataset"] = Dataset(name, frame)
    at.switch_page("pages/2_Train.py").run()
    assert not at.exception
    return at


def test_another_file_starts_on_the_defaults_and_the_first_file_keeps_its_settings():
    german = load_sample("german_credit")
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "event_label": "bad"})
    defaults = _form(at)
    assert defaults["epochs"] == FORM_DEFAULTS["train_epochs"] != 3 and defaults["members"] is None
    train_tiny(at, units="16, 8", epochs=3)  # the dense network alone, one network, as the user trained it
    chosen = _form(at)
    assert chosen == {"arch": "mlp", "members": 1, "epochs": 3, "units": "16, 8"}

    other = german.drop(columns=["telephone"]).head(600)  # another file with the same target
    _load(at, "other_credit.csv", other)
    assert _form(at) == defaults  # before: the German settings

    _load(at, "german_credit.csv", load_sample("german_credit"))  # the same file, uploaded again
    assert _form(at) == chosen
    _load(at, "other_credit.csv", other.copy())
    assert _form(at) == defaults


def test_hidden_layer_sizes_left_empty_train_the_networks_own_sizes():
    """A second analyst of a team pressed Train while the field showed empty; training failed with 'Layer sizes must be
    positive whole numbers; got ()'. Empty now means the network's own sizes, as empty learning rate means auto."""
    german = load_sample("german_credit")
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", german), "target": "creditability",
                                   "event_label": "bad"})
    assert at.text_input(key="train_units").proto.placeholder == "the network's own"
    train_tiny(at, units="", epochs=2)
    assert not at.error, [e.value for e in at.error]
    run = at.session_state["run"]
    assert run.config.arch == "mlp" and run.config.hyperparameters.units == (32,)
