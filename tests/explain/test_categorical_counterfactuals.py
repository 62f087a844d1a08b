"""Counterfactuals of categorical inputs: a number the run reads as a category (Taiwan's EDUCATION set to
'categorical' on the Data page, as a new user's trial did) and text columns (German credit) are tried at each other
level seen in training, in the same batch as the numeric grid, and the levels that change the decision are reported
beside the numeric moves. The trial's what-if said "Text inputs are not searched (EDUCATION)" under an introduction
promising "(a coded input: which other code would change it)"."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.explain.counterfactuals import LEVELS_SEARCHED, FeatureRange, counterfactuals, unsearched
from finmodels.explain.whatif import training_ranges, what_if
from finmodels.models.preprocessing import level_text
from tests.conftest import SHARED_DATASETS

TARGET = "default_payment_next_month"
FLAGGED = f"flagged: {TARGET} = 1"


@pytest.fixture(scope="module")
def taiwan():
    return load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)  # the trial's taiwan_5000.csv


@pytest.fixture(scope="module")
def net(taiwan):
    from finmodels.models.training import TrainConfig, train

    return train(taiwan, TrainConfig(target=TARGET, task="credit_default", members=1, blend=(), epochs=3, seed=0,
                                     categories=("EDUCATION",)))


@pytest.fixture(scope="module")
def flipping(net, taiwan):
    """(row position, {level: score}) of the first row among the 2,000 nearest the threshold whose decision another
    EDUCATION level changes, every level scored here independently of the search."""
    levels = training_ranges(net)["EDUCATION"].levels
    scores = np.asarray(net.predict(taiwan), dtype="float64").ravel()
    for position in np.argsort(np.abs(scores - 0.5))[:2000]:
        row = taiwan.iloc[[position]]
        tried = pd.concat([row] * len(levels), ignore_index=True).assign(EDUCATION=list(levels))
        by_level = dict(zip(levels, np.asarray(net.predict(tried), dtype="float64").ravel()))
        if any((s >= 0.5) != (scores[position] >= 0.5) for s in by_level.values()):
            return int(position), by_level
    raise AssertionError("no row near the threshold has an EDUCATION level that changes its decision")


def test_a_run_categorical_code_has_its_levels_and_their_shares(net, taiwan):
    ranges = training_ranges(net)
    education = ranges["EDUCATION"]
    train = taiwan.iloc[net.split.train]["EDUCATION"].map(level_text)
    assert not education.numeric and not education.coded
    assert education.levels == education.choices == tuple(sorted(train.unique()))
    assert education.shares == pytest.approx([float((train == v).mean()) for v in education.levels])
    assert education.share("2") == pytest.approx(float((train == "2").mean())) and education.share("9") == 0.0
    assert unsearched(ranges) == []


def test_each_other_level_is_scored_in_the_same_batch_as_the_numbers(net, taiwan, flipping):
    position, by_level = flipping
    row = taiwan.iloc[[position]].reset_index(drop=True)
    ranges = training_ranges(net)
    own = level_text(row.iloc[0]["EDUCATION"])
    seen = []
    predict = net.predict

    def counting(frame):
        seen.append(frame.copy())
        return predict(frame)

    net.predict = counting
    try:
        found = counterfactuals(net, row, ranges, threshold=0.5, names=(FLAGGED, "not flagged"))
    finally:
        del net.predict
    # one call scores the row, one the first batch (every numeric grid and every other level), then bisection steps
    batch = seen[1]
    levels = batch["EDUCATION"][batch["EDUCATION"].map(lambda v: isinstance(v, str))]
    assert sorted(levels) == sorted(v for v in ranges["EDUCATION"].levels if v != own)
    assert len(batch) > len(levels) + 100  # the numeric grids are in it too
    assert not any(f["EDUCATION"].map(lambda v: isinstance(v, str)).any() for f in seen[2:])  # never again
    cf = next(cf for cf in found if cf.column == "EDUCATION")
    flagged = float(predict(row)[0]) >= 0.5
    flips = [v for v in ranges["EDUCATION"].levels if v != own and (by_level[v] >= 0.5) != flagged]
    assert cf.found and cf.coded and cf.level and cf.change is None and cf.current == own
    assert cf.value == max(flips, key=lambda v: (ranges["EDUCATION"].share(v), abs(by_level[v] - 0.5)))
    assert sorted([cf.value, *cf.alternatives]) == sorted(flips)
    assert cf.score == pytest.approx(by_level[cf.value], abs=1e-6)
    assert cf.share == ranges["EDUCATION"].share(cf.value)
    target = "not flagged" if flagged else FLAGGED
    why = (f"of the levels that do, '{cf.value}' is the most common in training; "
           f"{', '.join(repr(v) for v in cf.alternatives)} also {'do' if len(cf.alternatives) > 1 else 'does'}"
           if cf.alternatives else "the only level that does")
    assert cf.note == f"Change EDUCATION from '{own}' to '{cf.value}' to change the decision to '{target}' ({why})."
    assert cf.to_dict()["level"] is True and cf.to_dict()["value"] == cf.value
    # in the same list as the numeric moves, after them (a change of level has no size to rank among them)
    kinds = [(not cf.found, cf.coded) for cf in found]
    assert kinds == sorted(kinds) and any(not k[1] for k in kinds)


def test_the_what_if_reports_the_level_in_its_table_notes_and_chart(net, taiwan, flipping):
    from finmodels.plots.whatif import plot_counterfactuals
    from ui.whatif_views import counterfactual_table

    position, _ = flipping
    result = what_if(net, taiwan, {}, row=position, threshold=0.5)
    cf = next(cf for cf in result.counterfactuals if cf.column == "EDUCATION")
    table = counterfactual_table(result)
    line = table[table["input"] == "EDUCATION"].iloc[0]
    assert (line["this row"], line["changes the decision at"], line["move"]) == (cf.current, cf.value, "another level")
    assert line["training rows with it"] == f"{cf.share:.1%}"
    assert "EDUCATION holds categories: each other level seen in training is tried, and the most common one that " \
           "changes the decision is shown." in result.notes
    fig = plot_counterfactuals(result, training_ranges(net))
    assert fig.layout.annotations[1].text.startswith("Coded and categorical inputs: the codes or levels")
    codes = next(t for t in fig.data if t.name == "codes seen in training" and "EDUCATION" in t.y)
    levels = training_ranges(net)["EDUCATION"].levels
    on_line = [(text, hover) for text, hover, y in zip(codes.text, codes.hovertext, codes.y) if y == "EDUCATION"]
    assert [hover.split(":")[0] for _, hover in on_line] == [f"EDUCATION = {v}" for v in levels]  # every level
    # labelled: the row's level and those that change the decision, in bold; the others are dots named on hover
    assert [text for text, _ in on_line] == [f"<b>{v}</b>" if v in (cf.current, cf.value, *cf.alternatives) else ""
                                             for v in levels]
    flips = [t for t in fig.data if t.name == "changes the decision" and "EDUCATION" in t.y]
    assert len(flips) == 1  # the coded panel's diamond, at the flipping level's slot
    slot = list(flips[0].x)[list(flips[0].y).index("EDUCATION")]
    assert training_ranges(net)["EDUCATION"].levels[slot] == cf.value


def test_a_level_that_changes_nothing_says_so(net, taiwan):
    ranges = training_ranges(net)
    rng = ranges["EDUCATION"]
    row = taiwan.iloc[[1]].reset_index(drop=True)
    # a threshold no level can reach: nothing flips
    found = counterfactuals(net, row, ranges, threshold=0.999, columns=["EDUCATION"])
    own = level_text(row.iloc[0]["EDUCATION"])
    others = ", ".join(f"'{v}'" for v in rng.levels if v != own)
    assert [cf.note for cf in found] == [f"No other level of EDUCATION seen in training ({others}) changes the "
                                         "decision (others held)."]
    assert found[0].coded and found[0].level and not found[0].found


def test_german_credit_text_inputs_are_searched(german_net, german):
    """German credit's 13 text columns were all left out ("Text inputs are not searched (...)")."""
    ranges = training_ranges(german_net)
    text = [c for c, r in ranges.items() if not r.numeric]
    assert len(text) == 13 and unsearched(ranges) == []
    scores = np.asarray(german_net.predict(german), dtype="float64").ravel()
    position = int(np.argmin(np.abs(scores - 0.5)))
    result = what_if(german_net, german, {}, row=position, threshold=0.5)
    by_column = {cf.column: cf for cf in result.counterfactuals}
    assert set(text) <= set(by_column)
    found = [by_column[c] for c in text if by_column[c].found]
    assert found, "an applicant at the threshold has a text level that changes the decision"
    row = german.iloc[[position]]
    for cf in found:
        assert cf.level and cf.value in ranges[cf.column].levels and cf.value != cf.current
        moved = float(german_net.predict(row.assign(**{cf.column: cf.value}))[0])
        assert cf.score == pytest.approx(moved, abs=1e-6) and (moved >= 0.5) != (scores[position] >= 0.5)


def test_long_text_levels_are_cut_and_take_turns_above_and_below_the_line():
    """German credit's 'job' levels ('management/ self-employed/ highly qualified employee/ officer', ...) printed
    over each other on the chart."""
    from finmodels.plots.whatif import LEVEL_CHARS, _Code, _code_texts

    names = ["management/ self-employed", "skilled employee / official", "unemployed/ unskilled", "own"]
    points = [_Code(i, "job", v, role, "") for i, (v, role) in enumerate(zip(names, ["also", "flip", "keep", "row"]))]
    texts, places = _code_texts(points)
    assert texts == [f"<b>{names[0][:LEVEL_CHARS - 1]}…</b>", f"<b>{names[1][:LEVEL_CHARS - 1]}…</b>", "", "<b>own</b>"]
    assert [places[i] for i in (0, 1, 3)] == ["top center", "bottom center", "top center"]
    coded = [_Code(i, "PAY_0", float(v), "keep", "") for i, v in enumerate([-1, 0, 1])]
    assert _code_texts(coded) == (["-1", "0", "1"], ["top center"] * 3)  # codes: short, every one labelled


def test_a_column_with_too_many_levels_is_not_searched():
    many = FeatureRange("customer_id", False, levels=tuple(f"c{i}" for i in range(LEVELS_SEARCHED + 1)))
    few = FeatureRange("housing", False, levels=("own", "rent"), shares=(0.7, 0.3))
    listless = FeatureRange("note", False)  # more than 1,000 levels: none listed
    assert unsearched({"customer_id": many, "housing": few, "note": listless}) == ["customer_id", "note"]
