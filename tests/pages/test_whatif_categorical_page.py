"""The Explain page's what-if on a run that reads Taiwan's EDUCATION as categories (a new user's trial): the
counterfactuals list the EDUCATION levels that change the decision beside the numeric moves (the page said "Text
inputs are not searched (EDUCATION)"); a what-if with nothing changed shows no red '+0.000' under its score; the
decision tiles show a short word, the caption under them what it means (the large font wrapped 'flagged:
default_payment_next_month = 1' over three lines)."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.test_pages import TIMEOUT
from tests.pages.text_tiles import text_tiles

TARGET = "default_payment_next_month"


@pytest.fixture(scope="module")
def taiwan(taiwan_5k):
    return taiwan_5k  # the trial's 5,000 rows, read once for the session (tests/conftest.py)


@pytest.fixture(scope="module")
def net(taiwan):
    from finmodels.models.training import TrainConfig, train

    return train(taiwan, TrainConfig(target=TARGET, task="credit_default", members=1, blend=(), epochs=3, seed=0,
                                     categories=("EDUCATION",)))


def _shown(result, whatif) -> AppTest:
    def script():
        import streamlit as st

        from ui.whatif_views import show

        show(st.session_state["run"], st.session_state["shown_whatif"])

    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.session_state["run"] = result
    at.session_state["shown_whatif"] = whatif
    at.run()
    assert not at.exception
    return at


def _score_after(at):
    return next(m for m in at.metric if m.label == "Score after")


def test_nothing_changed_shows_no_delta_and_short_decisions(net, taiwan):
    from finmodels.explain.whatif import what_if

    whatif = what_if(net, taiwan, {}, row=0, threshold=0.16)  # the trial's line 2 at its threshold: flagged
    at = _shown(net, whatif)
    after = _score_after(at)
    assert after.value == f"{whatif.after['score']:.3f}" and after.proto.delta == ""  # was a red '+0.000'
    tiles = text_tiles(at)
    assert whatif.before["decision"] == f"flagged: {TARGET} = 1"
    assert tiles["Decision before"] == tiles["Decision after"] == "flagged"
    assert [c.value for c in at.caption].count(f"flagged means {TARGET} = 1") == 2
    assert any(f"The decision stays **flagged: {TARGET} = 1**." == s.value for s in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert "Text inputs are not searched" not in captions and "EDUCATION" in " ".join(whatif.notes)


def test_an_edit_shows_its_delta_and_the_level_that_changes_the_decision(net, taiwan):
    from finmodels.explain.whatif import training_ranges, what_if

    scores = np.asarray(net.predict(taiwan.iloc[:2000]), dtype="float64").ravel()
    levels = training_ranges(net)["EDUCATION"].levels
    for position in np.argsort(np.abs(scores - 0.5))[:300]:
        whatif = what_if(net, taiwan, {"AGE": int(taiwan.AGE.iloc[position]) + 1}, row=int(position), threshold=0.5)
        cf = next(cf for cf in whatif.counterfactuals if cf.column == "EDUCATION")
        if cf.found:
            break
    else:
        raise AssertionError("no row near the threshold has an EDUCATION level that changes its decision")
    at = _shown(net, whatif)
    moved = whatif.after["score"] - whatif.before["score"]
    delta = _score_after(at).proto.delta
    if round(abs(moved), 3) == 0:  # moved by less than the tile shows: grey, no arrow
        assert delta == "0.000"
    else:
        assert delta == ("+" if moved > 0 else "-") + f"{abs(moved):.3f}"
    table = next(df.value for df in at.dataframe if "changes the decision at" in df.value.columns)
    line = table[table["input"] == "EDUCATION"].iloc[0]
    assert (line["this row"], line["changes the decision at"], line["move"]) == (cf.current, cf.value,
                                                                                  "another level")
    assert cf.value in levels and cf.value != cf.current
    assert any(cf.note in m.value for m in at.markdown)


def test_a_level_read_as_a_float_is_not_an_edit():
    """The app's frame held EDUCATION 2.0 for the file's 2: the editor showed '2.0' beside the levels '1' ... '6',
    and choosing '2' counted as an edit."""
    from ui.whatif_views import _changed, decision_parts

    assert not _changed(2.0, "2", numeric=False) and not _changed(2, "2", numeric=False)
    assert _changed(2.0, "3", numeric=False) and _changed(float("nan"), "2", numeric=False)
    assert decision_parts(f"flagged: {TARGET} = 1") == ("flagged", f"flagged means {TARGET} = 1")
    assert decision_parts("not flagged") == ("not flagged", "") and decision_parts("bad") == ("bad", "")
