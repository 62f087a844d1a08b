"""Fixtures the page tests share."""

import pytest

from finmodels.data.samples import load_sample
from tests.pages.test_pages import kept, page, train_tiny
from ui.state import Dataset


@pytest.fixture(scope="module")
def credit_state():
    """The session state after a tiny German credit network was trained on the Train page (one per test module)."""
    at = page("pages/2_Train.py", {"dataset": Dataset("german_credit.csv", load_sample("german_credit")),
                                   "target": "creditability", "event_label": "bad"})
    train_tiny(at, units="8", epochs=5)
    return kept(at)
