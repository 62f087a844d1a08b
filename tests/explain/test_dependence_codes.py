"""Partial dependence on a small table's run, as a new user's trial (a model validator) met it: taiwan_default's
first 5,000 rows with EDUCATION set to 'categorical'. A small table's run reads PAY_0, MARRIAGE and SEX as numbers
(code_levels=0) and every column's weight of evidence too (woe_inputs). Codes are scored and drawn per code, thin
levels and codes are named with their training rows, test rows outside the values tried are counted, and the
weight-of-evidence input's steps are said; each figure is checked against the run's own rows."""

import numpy as np
import pytest

from finmodels.explain.dependence import partial_dependence
from finmodels.explain.dependence_notes import notes, thin_note
from finmodels.plots.dependence import plot_partial_dependence
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def taiwan_run():
    from finmodels.data.reading import load_csv
    from finmodels.models.training import TrainConfig, train

    frame = load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)
    return train(frame, TrainConfig(target="default_payment_next_month", task="credit_default", members=1, blend=(),
                                    epochs=5, seed=0, categories=("EDUCATION",)))


def _training(run, column):
    return run.frame[column].iloc[run.split.train]


def test_a_coded_column_is_scored_at_each_training_code_and_described_per_code(taiwan_run):
    found = partial_dependence(taiwan_run, "PAY_0")
    train = _training(taiwan_run, "PAY_0")
    counts = train.value_counts().sort_index()
    # every code of the training rows (it stopped at 3: the integer range of the bulk), each with its rows
    assert found.coded and found.by_level and found.grid == tuple(float(c) for c in counts.index)
    assert found.grid == (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
    assert found.counts == tuple(int(n) for n in counts) and found.counted == len(train) == 3200
    each = ", ".join(f"{c:g}: {a:.1%}" + (f" ({n:,} row{'s' if n != 1 else ''})" if n < 32 else "")
                     for c, a, n in zip(found.grid, found.average, found.counts))
    held = [i for i, n in enumerate(found.counts) if n >= 32]
    top, bottom = max(held, key=lambda i: found.average[i]), min(held, key=lambda i: found.average[i])
    assert found.shape == (f"is highest at code {found.grid[top]:g} ({found.average[top]:.1%}) and lowest at code "
                           f"{found.grid[bottom]:g} ({found.average[bottom]:.1%}) among the codes with at least 32 "
                           f"training rows; by code: {each}")
    assert not found.shape.startswith(("rises", "falls"))
    # the chart: an axis of the codes, no line between them, each code's training rows under it
    fig = plot_partial_dependence(found)
    assert fig.layout.xaxis.type == "category" and list(fig.layout.xaxis.tickvals) == [f"{c:g}" for c in found.grid]
    assert not any(getattr(t, "mode", None) and "lines" in t.mode for t in fig.data)
    assert {t.type for t in fig.data} == {"box", "scatter"}
    reliable, thin = fig.data[1], fig.data[2]  # the averages: codes with enough rows, then the thin ones (orange)
    assert list(reliable.x) == ["-2", "-1", "0", "1", "2"] and list(thin.x) == ["3", "4", "5", "6", "7", "8"]
    assert thin.marker.color == "#e67e22" and list(thin.y) == pytest.approx(found.average[5:])
    ticks = list(fig.layout.xaxis.ticktext)
    assert ticks[0].startswith("-2<br>") and f">{found.counts[0]:,} rows<" in ticks[0]
    assert ticks[8].startswith("6<br>") and ">1 row<" in ticks[8] and "#e67e22" in ticks[8]  # thin, in orange


def test_marriage_and_sex_are_codes_too(taiwan_run):
    marriage = partial_dependence(taiwan_run, "MARRIAGE")
    counts = _training(taiwan_run, "MARRIAGE").value_counts().sort_index()
    assert marriage.coded and marriage.grid == (0.0, 1.0, 2.0, 3.0)  # code 0 was left out (below the 1st percentile)
    assert marriage.counts == tuple(int(n) for n in counts) == (5, 1413, 1739, 43)
    assert marriage.thin == (0.0,)
    assert thin_note(marriage) == ("Code 0 (5) has fewer than 32 of the 3,200 training rows (1%): the network learned "
                                   "little about it, so its effect is not reliable.")
    sex = partial_dependence(taiwan_run, "SEX")
    assert sex.coded and sex.grid == (1.0, 2.0) and sex.thin == ()
    # AGE has too many values to be codes: a line across the bulk
    assert not partial_dependence(taiwan_run, "AGE", points=9).coded


def test_thin_levels_are_named_and_a_spread_below_the_whiskers_is_said(taiwan_run):
    found = partial_dependence(taiwan_run, "EDUCATION")
    train = _training(taiwan_run, "EDUCATION").astype(int).value_counts()
    assert not found.numeric and found.grid == ("1", "2", "3", "4", "5", "6")
    assert found.counts == tuple(int(train[int(level)]) for level in found.grid) == (1198, 1467, 508, 8, 13, 6)
    assert found.thin == ("4", "5", "6")
    said = notes(found)
    assert said[0] == thin_note(found) == (
        "Levels '4' (8), '5' (13) and '6' (6) have fewer than 32 of the 3,200 training rows (1%): the network learned "
        "little about them, so their effect is not reliable.")
    q1, q3 = np.percentile(found.lines, 25, axis=0), np.percentile(found.lines, 75, axis=0)
    whiskers = float(np.median(q3 - q1))
    span = float(found.average.max() - found.average.min())
    assert found.whiskers == pytest.approx(whiskers) and span < whiskers
    assert said[1] == (f"The averages of the levels differ by at most {100 * span:.1f} points, less than the rows' "
                       f"scores differ at one level (the middle half of them: {100 * whiskers:.1f} points typically): "
                       "which row it is moves the score more than EDUCATION does.")
    fig = plot_partial_dependence(found)
    colors = list(fig.data[0].marker.color)
    assert colors[3:] == ["#e67e22"] * 3 and len(set(colors[:3])) == 1 and colors[0] != "#e67e22"
    assert fig.layout.xaxis.ticktext[3].startswith("4<br>") and "8 rows" in fig.layout.xaxis.ticktext[3]


def test_test_rows_outside_the_values_tried_are_counted(taiwan_run):
    found = partial_dependence(taiwan_run, "PAY_AMT2")
    test = taiwan_run.frame["PAY_AMT2"].iloc[taiwan_run.split.test]
    low, high = min(found.grid), max(found.grid)
    above = test[test > high]
    assert found.outside == (int((test < low).sum()), len(above), None, float(above.max()), len(test))
    assert len(above) > 0 and low == 0
    assert (f"{len(above)} of the {len(test):,} test rows hold PAY_AMT2 outside the values tried: {len(above)} above "
            f"{high:,.0f} (up to {above.max():,.0f}); the chart does not show their scores at their own values."
            ) in notes(found)


def test_the_weight_of_evidence_steps_and_the_flat_stretch_are_said(taiwan_run):
    found = partial_dependence(taiwan_run, "PAY_AMT2")
    encoder = taiwan_run.preprocessor.transformer.named_transformers_["woe"][0]
    edges = tuple(float(v) for v in encoder.splits_[encoder.columns_.index("PAY_AMT2")])
    assert found.woe_edges == edges and len(edges) >= 2
    beyond = [i for i, v in enumerate(found.grid) if v > edges[-1]]
    moved = float(np.ptp(found.average[beyond]))
    assert moved < 0.001  # flat: the WoE bin no longer changes and the quantile-scaled value adds nearly nothing
    woe = next(s for s in notes(found) if "weight of evidence" in s)
    assert woe.startswith("The network also reads PAY_AMT2's weight of evidence in the scorecard's bins, with edges "
                          "at ")
    assert (f"beyond the last, {edges[-1]:,.0f}, that input no longer changes and the average moves by only "
            f"{100 * moved:.1f} points from {found.grid[beyond[0]]:,.0f} to {found.grid[-1]:,.0f}.") in woe
    # the shape itself says where the fall ends (it read 'falls from 30.7% at 0 to 16.3% at 79,365')
    still = next(j for j in range(len(found.grid)) if np.ptp(found.average[j:]) <= 0.05 * found.span)
    assert found.grid[still] <= edges[-1] + (found.grid[1] - found.grid[0])
    assert found.shape == (f"falls from {found.average[0]:.1%} at 0 to {found.average[-1]:.1%} at "
                           f"{found.grid[-1]:,.0f}, all of it by {found.grid[still]:,.0f} (flat beyond)")
    fig = plot_partial_dependence(found)
    inside = [e for e in edges if 0 < e < max(found.grid)]
    assert sorted(s.x0 for s in fig.layout.shapes) == pytest.approx(inside)
    # a coded column's bins are said as the codes they hold
    pay = partial_dependence(taiwan_run, "PAY_0")
    assert pay.woe_edges == (-1.5, 0.5, 1.5)
    assert ("The network also reads PAY_0's weight of evidence in the scorecard's bins (-2; -1 and 0; 1; 2 to 8): "
            "codes in one bin share it, so they move the score alike.") in notes(pay)


def test_a_bundle_estimates_its_codes_rows_from_the_training_rows_it_keeps_and_says_so(taiwan_run, tmp_path):
    from finmodels.models.bundle import load_bundle, save_bundle

    save_bundle(taiwan_run, tmp_path / "taiwan.zip")
    bundle = load_bundle(tmp_path / "taiwan.zip")
    rows = taiwan_run.frame.iloc[taiwan_run.split.test].reset_index(drop=True)
    found = partial_dependence(bundle, "MARRIAGE", frame=rows)
    kept = bundle.background["MARRIAGE"].dropna()
    assert found.coded and found.estimated and found.counted == bundle.reference.rows == 3200
    assert found.counts == tuple(int(round((kept == c).sum() * 3200 / len(kept))) for c in found.grid)
    assert found.pool == "rows of the file" and found.outside[4] == len(rows)
    assert found.grid == (0.0, 1.0, 2.0, 3.0) and found.counts == (16, 1424, 1728, 32) and found.thin == (0.0,)
    assert thin_note(found) == (
        "Code 0 (about 16) has fewer than 32 of the 3,200 training rows (1%; estimated from the training rows the "
        "bundle keeps, as it does not count them all): the network learned little about it, so its effect is not "
        "reliable.")
    assert "≈" in plot_partial_dependence(found).layout.xaxis.ticktext[1]
    # every whole number of all training rows' range, though the 200 kept rows may lack a rare code
    pay = partial_dependence(bundle, "PAY_0", frame=rows)
    assert pay.coded and pay.grid == tuple(float(c) for c in range(-2, 9))
    assert pay.grid == partial_dependence(taiwan_run, "PAY_0").grid
