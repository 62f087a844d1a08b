"""The Train page shows the Data page's problems that stop training, up front, and keeps Train disabled."""

from finmodels.data.samples import load_sample
from tests.pages.test_pages import page
from ui.state import Dataset


def _one_class_german():
    frame = load_sample("german_credit").head(300).copy()
    frame["creditability"] = "good"  # every loan good: nothing to learn a default from
    return frame


def test_a_one_class_target_is_shown_on_the_train_page_and_train_is_disabled():
    at = page("pages/2_Train.py", {"dataset": Dataset("bad_one_class.csv", _one_class_german()),
                                   "target": "creditability"})
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Target column 'creditability' has one value ('good') in all 300 rows with a target; a model needs at least "
        "two classes. Choose another target, or add rows of the other class."]
    assert any("1 problem to fix on the Data page before training" in m.value for m in at.markdown)
    train = at.button(key="FormSubmitter:train_form-Train")
    assert train.disabled
    assert "train_job" not in at.session_state


def test_a_clean_file_has_no_problems_shown_and_train_enabled():
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", load_sample("german_credit")),
                                   "target": "creditability", "event_label": "bad"})
    assert not at.exception
    assert not at.error
    assert not at.button(key="FormSubmitter:train_form-Train").disabled
