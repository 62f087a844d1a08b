"""The counterfactual chart on the real Taiwan default file and a real fitted network (one network, no blend):
numeric inputs on their training range, coded inputs (SEX, EDUCATION, MARRIAGE, PAY_0..PAY_6) on a panel of their
own with each code seen in training at its place among them, and protected inputs marked, never suggested."""

import dataclasses
import re

import numpy as np
import pytest

from finmodels.explain.reasons import format_value
from finmodels.explain.whatif import training_ranges, what_if
from finmodels.plots.whatif import amount, plot_counterfactuals
from tests.explain.test_coded_counterfactuals import near_row, taiwan, taiwan_net  # noqa: F401 (fixtures)

PROTECTED_NOTE = "protected: a fairness question,<br>not a change to suggest"
CODES_TITLE = "Codes seen in training, in numeric order (evenly spaced: a code has no distance)"


@pytest.fixture(scope="module")
def ranges(taiwan_net):  # noqa: F811
    return training_ranges(taiwan_net)


@pytest.fixture(scope="module")
def guarded(taiwan_net, taiwan, near_row):  # noqa: F811
    """The applicant nearest the threshold, SEX and AGE protected: one coded and one numeric protected input."""
    return what_if(taiwan_net, taiwan, {}, row=near_row, protected=["SEX", "AGE"])


def _label(cf) -> str:
    return f"<b>{cf.column}</b> (protected)" if cf.protected else cf.column


def _traces(fig, name: str, axis: str) -> list:
    return [t for t in fig.data if t.name == name and t.xaxis == axis]


def _points(trace) -> dict[str, list]:
    """{line label: [x, ...]} of one trace."""
    out = {}
    for x, y in zip(trace.x, trace.y):
        out.setdefault(y, []).append(x)
    return out


def _plain(text: str) -> str:
    return re.sub(r"</?b>", "", text)


def test_numeric_inputs_keep_their_training_range_axis(guarded):
    fig = plot_counterfactuals(guarded)
    numeric = [cf for cf in guarded.counterfactuals if not cf.coded]
    assert fig.layout.xaxis.title.text == (
        "Position in the range searched (%): the 1st-99th percentile of the training rows (and the row's own value "
        "when outside it)")
    assert tuple(fig.layout.xaxis.range) == (-5, 105)
    assert list(fig.layout.yaxis.categoryarray) == [_label(cf) for cf in numeric][::-1]  # the what-if's order, top first
    assert fig.layout.annotations[0].text.startswith("Numeric inputs: ")
    row = _traces(fig, "this row", "x")[0]
    for cf, x, y in zip(numeric[::-1], row.x, row.y):
        assert y == _label(cf) and x == pytest.approx(100 * (cf.current - cf.low) / (cf.high - cf.low))
    flips = _traces(fig, "changes the decision", "x")[0]
    suggested = [cf for cf in numeric[::-1] if cf.found and not cf.protected]
    assert list(flips.y) == [cf.column for cf in suggested] and len(suggested) >= 5
    assert list(flips.x) == pytest.approx([100 * (cf.value - cf.low) / (cf.high - cf.low) for cf in suggested])
    assert list(flips.text) == [amount(cf.value) for cf in suggested]
    assert list(flips.hovertext) == [cf.note for cf in suggested]
    stuck = [cf for cf in numeric if not cf.found]
    notes = {a.y: a.text for a in fig.layout.annotations if a.yref == "y"}
    for cf in stuck:
        assert notes[_label(cf)].startswith("no value in range changes it")


def test_coded_inputs_are_drawn_as_their_codes_seen_in_training(guarded, ranges):
    fig = plot_counterfactuals(guarded, ranges)
    coded = [cf for cf in guarded.counterfactuals if cf.coded]
    assert {cf.column for cf in coded} == {"SEX", "EDUCATION", "MARRIAGE", "PAY_0", "PAY_2", "PAY_3", "PAY_4",
                                           "PAY_5", "PAY_6"}
    assert fig.layout.xaxis2.title.text == CODES_TITLE and fig.layout.xaxis2.showticklabels is False
    assert fig.layout.annotations[1].text.startswith("Coded inputs: ")
    assert list(fig.layout.yaxis2.categoryarray) == [_label(cf) for cf in coded][::-1]
    slots = _traces(fig, "codes seen in training", "x2")[0]
    lines = {}
    for x, y, text in zip(slots.x, slots.y, slots.text):
        lines.setdefault(y, []).append((x, _plain(text)))
    for cf in coded:
        codes = ranges[cf.column].codes
        assert lines[_label(cf)] == [(i, format_value(c)) for i, c in enumerate(codes)]
    # PAY_5 never held 1 in Taiwan's training rows: 2 sits right after 0, not a range's 'position' of 2
    assert [t for _, t in lines["PAY_5"]] == ["-2", "-1", "0", "2", "3", "4", "5", "6", "7", "8"]
    assert [t for _, t in lines["EDUCATION"]] == ["0", "1", "2", "3", "4", "5", "6"]
    assert [t for _, t in lines["<b>SEX</b> (protected)"]] == ["1", "2"]
    row = _points(_traces(fig, "this row", "x2")[0])
    flips = _points(_traces(fig, "changes the decision", "x2")[0])
    also = _points(_traces(fig, "also changes it", "x2")[0])
    for cf in coded:
        index = {c: i for i, c in enumerate(ranges[cf.column].codes)}
        assert row[_label(cf)] == [index[cf.current]]  # the circle: the row's own code
        if cf.protected or not cf.found:
            assert _label(cf) not in flips and _label(cf) not in also
            continue
        assert flips[cf.column] == [index[cf.value]]  # the diamond: the most common code that changes it
        assert also.get(cf.column, []) == [index[c] for c in cf.alternatives]
    shown = [cf for cf in coded if cf.found and not cf.protected]
    assert len(shown) >= 3 and any(cf.alternatives for cf in shown)
    # the row's code and the codes that change the decision are in bold; the others are not
    for x, y, text in zip(slots.x, slots.y, slots.text):
        cf = next(c for c in coded if _label(c) == y)
        code = ranges[cf.column].codes[x]
        assert text.startswith("<b>") == (code in (cf.current, cf.value, *cf.alternatives))
    education = next(cf for cf in coded if cf.column == "EDUCATION")
    hover = dict(zip(zip(slots.y, slots.x), slots.hovertext))
    share = ranges["EDUCATION"].share(0.0)
    assert 0 < share < 0.001
    assert hover[("EDUCATION", 0)] == ("EDUCATION = 0: " + ("this row's code" if education.current == 0 else
                                       "keeps the decision" if 0 not in (education.value, *education.alternatives)
                                       else "also changes the decision") + f"; {share:.1%} of training rows")


def test_a_protected_input_is_marked_and_never_drawn_as_a_suggestion(guarded, ranges):
    fig = plot_counterfactuals(guarded, ranges)
    by_column = {cf.column: cf for cf in guarded.counterfactuals}
    sex, age = by_column["SEX"], by_column["AGE"]
    assert sex.protected and age.protected and sex.found and age.found
    for cf, axis, ys in ((age, "x", fig.layout.yaxis.categoryarray), (sex, "x2", fig.layout.yaxis2.categoryarray)):
        label = "<b>%s</b> (protected)" % cf.column
        assert label in ys
        suggested = [y for name in ("changes the decision", "also changes it") for t in _traces(fig, name, axis)
                     for y in t.y]
        assert label not in suggested and cf.column not in suggested
        protected = _traces(fig, "changes it: protected (fairness question)", axis)[0]
        assert protected.marker.symbol == "diamond-open" and protected.marker.color == "#8e44ad"
        notes = [a for a in fig.layout.annotations if a.y == label and a.yref == axis.replace("x", "y")]
        assert [a.text for a in notes] == [PROTECTED_NOTE]
        index = list(ys).index(label)  # the shaded band lies on the protected line, across the panel
        band = [s for s in fig.layout.shapes if s.type == "rect" and s.yref == axis.replace("x", "y")]
        assert [(s.y0, s.y1) for s in band] == [(index - 0.45, index + 0.45)]
    codes = ranges["SEX"].codes
    marked = _points(_traces(fig, "changes it: protected (fairness question)", "x2")[0])
    assert marked["<b>SEX</b> (protected)"] == [codes.index(c) for c in sorted((sex.value, *sex.alternatives))]
    numeric = _traces(fig, "changes it: protected (fairness question)", "x")[0]
    assert list(numeric.y) == ["<b>AGE</b> (protected)"] and list(numeric.text) == [amount(age.value)]
    assert list(numeric.hovertext) == [age.note] and "fairness question" in age.note
    # one legend entry per marker across both panels, below the figure
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert sorted(legend) == sorted({"this row", "changes the decision", "also changes it",
                                     "changes it: protected (fairness question)"})
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0


def test_an_input_with_only_numbers_keeps_the_single_chart(guarded):
    numeric = dataclasses.replace(guarded, counterfactuals=[cf for cf in guarded.counterfactuals
                                                            if not cf.coded and not cf.protected])
    fig = plot_counterfactuals(numeric)
    assert [t.name for t in fig.data] == ["this row", "changes the decision"]
    assert "xaxis2" not in fig.layout.to_plotly_json()
    assert not [a.text for a in fig.layout.annotations if not a.text.startswith("no value in range")]
    assert fig.layout.xaxis.title.text == (
        "Position in the range searched (%): the 1st-99th percentile of the training rows (and the row's own value "
        "when outside it)")
    assert fig.layout.legend.orientation is None and fig.layout.margin.b == 50  # the legend beside, as before


def test_an_unseen_code_and_the_fallback_without_training_ranges(taiwan_net, taiwan, ranges):  # noqa: F811
    edited = what_if(taiwan_net, taiwan, {"EDUCATION": 7}, row=3)
    fig = plot_counterfactuals(edited, ranges)
    slots = _traces(fig, "codes seen in training", "x2")[0]
    education = [(x, _plain(t), h) for x, y, t, h in zip(slots.x, slots.y, slots.text, slots.hovertext)
                 if y == "EDUCATION"]
    assert [t for _, t, _ in education] == ["0", "1", "2", "3", "4", "5", "6", "7"]
    assert education[-1][2] == "EDUCATION = 7: this row's code; never seen in training"
    assert _points(_traces(fig, "this row", "x2")[0])["EDUCATION"] == [7]
    # without the training ranges the chart draws only the codes the counterfactual names, and says so
    bare = plot_counterfactuals(edited)
    assert bare.layout.xaxis2.title.text.startswith("Codes in numeric order: the row's, those that change")
    cf = next(c for c in edited.counterfactuals if c.column == "PAY_5")
    named = sorted({cf.low, cf.high, cf.current, *([cf.value] if cf.found else []), *cf.alternatives})
    lines = _traces(bare, "codes seen in training", "x2")[0]
    assert [_plain(t) for t, y in zip(lines.text, lines.y) if y == "PAY_5"] == [format_value(c) for c in named]


def test_a_protected_input_nothing_changes_is_still_marked(guarded, ranges):
    stuck = [dataclasses.replace(cf, value=None, score=None, alternatives=()) if cf.column == "SEX" else cf
             for cf in guarded.counterfactuals]
    fig = plot_counterfactuals(dataclasses.replace(guarded, counterfactuals=stuck), ranges)
    label = "<b>SEX</b> (protected)"
    notes = [a.text for a in fig.layout.annotations if a.y == label and a.yref == "y2"]
    assert notes == ["no other code changes it<br>(protected)"]
    assert label not in [y for t in fig.data if t.xaxis == "x2" and t.name != "codes seen in training"
                         and t.name != "this row" for y in t.y]
    sex = next(cf for cf in stuck if cf.column == "SEX")
    assert _points(_traces(fig, "this row", "x2")[0])[label] == [ranges["SEX"].codes.index(sex.current)]
    assert len([s for s in fig.layout.shapes if s.type == "rect" and s.yref == "y2"]) == 1


def test_amounts_on_the_chart_are_separated_by_thousands():
    """The chart's values read as the page's table does ('1,227,082'); small numbers and fractions as written."""
    assert [amount(v) for v in (1227082.0, np.int64(-69419), 5535, 0.35, -2, None)] == \
        ["1,227,082", "-69,419", "5535", "0.35", "-2", "(missing)"]
