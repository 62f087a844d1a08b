"""The Train page's holdings upload (issue 16): weights that do not add up name their sum and offer the page's own
way to normalise them, a checkbox, not the command line's flag."""

import pytest

from finmodels.data.samples import load_sample
from tests.pages.test_pages import page
from ui.state import Dataset

STOCKS = Dataset("sp500_10stocks.csv", load_sample("sp500_10stocks"))


def test_weights_that_do_not_add_up_offer_the_normalise_checkbox():
    at = page("pages/2_Train.py", {"dataset": STOCKS, "target": None, "task": "market_risk"})
    assert not at.exception
    at.get("file_uploader")[0].set_value(("book.csv", b"ticker,weight\nAAPL,0.5\nMSFT,0.3\nGS,0.1\n", "text/csv")).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert warnings == ["The weights in column 'weight' add up to 0.9, not 1 (lines 2, 3, 4 of the file). Fix them, or normalise them "
                        "so they add up to 1 (each divided by 0.9; tick 'Normalise the weights so they add up to 1' "
                        "below to do so)."]
    assert at.checkbox(key="train_normalise_holdings").label == "Normalise the weights so they add up to 1"
    assert at.session_state["train_holdings"] == "invalid"  # Train refuses it until normalised
    at.checkbox(key="train_normalise_holdings").check().run()
    assert not at.exception and not at.warning
    captions = [c.value for c in at.caption]
    assert "Weights in column 'weight' added up to 0.9; each was divided by it." in captions
    weights = at.session_state["train_holdings"].weights
    assert weights.to_dict() == pytest.approx({"AAPL": 0.5 / 0.9, "MSFT": 0.3 / 0.9, "GS": 0.1 / 0.9})
