"""Counterfactuals for one row: how far each numeric input would have to move, others held, to change the decision,
and which other code or level of a coded or categorical input would.

A numeric input is searched within the bulk of its training rows (`feature_ranges.training_ranges`: their 1st to
99th percentile), widened to the row's own value. A grid of GRID_POINTS values per input, then REFINE_STEPS
bisection steps towards the row's own value, all inputs in one batch per step. Used by the what-if
(finmodels.explain.whatif).

A coded input (SEX 1/2, PAY_0 -2..8: a number the preprocessing one-hot encodes as codes) and a categorical input
(text, or a number the run reads as a category, such as Taiwan's EDUCATION set to 'categorical' on the Data page)
have no order worth moving along: each other code or level seen in training is scored once instead, and the
counterfactual says "Change EDUCATION from '2' to '1'", with no direction and no delta (`Counterfactual.change` is
None). A categorical input with more than LEVELS_SEARCHED levels (an identifier, a free text) is not searched
(`unsearched`). The first scores of every input (grid points, codes and levels) come from one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from finmodels.explain.feature_ranges import (SEARCH_QUANTILES, SEARCHED, FeatureRange, _range_of,  # noqa: F401
                                              as_number, coded_columns, fmt_value, search_ranges, training_ranges)
from finmodels.models.preprocessing import level_text

GRID_POINTS = 200  # values tried per numeric column across the range searched, before refining
REFINE_STEPS = 14  # bisection steps between the last value that keeps the decision and the first that flips it
LEVELS_SEARCHED = 30  # a categorical input with more levels than this is not searched (each level is one row scored)


@dataclass(frozen=True)
class Counterfactual:
    """How far one numeric input would have to move, others held, to change the decision; for a coded or categorical
    input, which other code or level would change it (`coded`: no move to measure, so `change` is None; `level`: a
    categorical input, whose `current`, `value` and `alternatives` are levels as text, such as '2')."""

    column: str
    current: float | str | None
    value: float | str | None  # the nearest value in the training range (a coded input: the code; a categorical
    # input: the level) that changes the decision; None: none does
    score: float | None  # the score at `value`
    low: float
    high: float
    note: str
    coded: bool = False
    alternatives: tuple[float, ...] = ()  # a coded input: the other codes that change the decision too
    protected: bool = False  # the run's protected columns (Governance page) include this input
    share: float | None = None  # a coded input: the new code's share of the training rows (a bundle: of its sample)
    scope: str = ""  # a numeric input: where it was searched (low to high), e.g. SEARCHED
    level: bool = False  # a categorical input (text, or a number the run reads as a category)

    @property
    def change(self) -> float | None:
        if self.value is None or self.coded or self.current is None:
            return None
        return self.value - self.current

    @property
    def found(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict:
        return {"column": self.column, "current": self.current, "value": self.value, "change": self.change,
                "score": self.score, "range": [self.low, self.high], "searched": self.scope, "found": self.found,
                "note": self.note, "coded": self.coded, "alternatives": list(self.alternatives),
                "protected": self.protected, "share": self.share, "level": self.level}


# --- the search ---------------------------------------------------------------------------------------------

def predict_scores(source, frame: pd.DataFrame) -> np.ndarray:
    """One score per row of `frame`, as float64."""
    return np.asarray(source.predict(frame), dtype="float64").ravel()


def counterfactuals(source, row: pd.DataFrame, ranges: dict[str, FeatureRange], *, threshold: float,
                    names: tuple[str, str] | None = None, columns: list[str] | None = None,
                    protected=()) -> list[Counterfactual]:
    """Per numeric input, the value nearest the row's own (others held) that moves its score across `threshold`,
    searched within the bulk of the training rows and the row's own value (`FeatureRange.searched`): a grid over
    it, then bisection towards the row's value. A coded input is tried at each code seen in training instead, a
    categorical input at each level (`_coded`). `protected` columns are named in the notes.

    Order: the numeric moves that change the decision, smallest first as a share of each input's bulk;
    then the coded and categorical inputs that do, the most common new code or level in training first (a change of
    code has no size to weigh against a move along a range, so it is not ranked among them); then the inputs
    nothing changes.
    """
    names = names or ("at or above the threshold", "below the threshold")
    flagged = float(predict_scores(source, row)[0]) >= threshold
    target = names[1] if flagged else names[0]
    candidates = [c for c in (columns or list(ranges)) if searchable(ranges[c])]
    if not candidates:
        return []
    tries, blocks = {}, []
    for c in candidates:
        tries[c] = _tries(row, c, ranges[c])
        block = pd.concat([row] * len(tries[c]), ignore_index=True)
        block[c] = pd.Series(tries[c], dtype=object if ranges[c].choices and not ranges[c].coded else "float64")
        blocks.append(block)
    scores = predict_scores(source, pd.concat(blocks, ignore_index=True))
    found, pending, start = {}, {}, 0
    for c in candidates:
        tried, s = tries[c], scores[start:start + len(tries[c])]
        start += len(tried)
        flips = np.flatnonzero((s >= threshold) != flagged)
        if not len(flips):
            found[c] = _none(row, c, ranges[c])
        elif ranges[c].choices:
            found[c] = _coded(row, c, ranges[c], tried[flips], s[flips], threshold=threshold, target=target)
        else:
            current = as_number(row.iloc[0][c])
            current = float(np.clip(current, tried[0], tried[-1])) if current is not None else float(np.median(tried))
            nearest = flips[np.argmin(np.abs(tried[flips] - current))]
            # the value keeping the decision lies between the row's own value and the nearest flipping grid point
            pending[c] = (current, float(tried[nearest]), float(s[nearest]))
    for c, (value, score) in _refine(source, row, pending, ranges, threshold=threshold, flagged=flagged).items():
        found[c] = _moved(row, c, ranges[c], value, score, target=target)
    marked = set(map(str, protected or ()))
    result = [_protect(found[c], target=target) if c in marked else found[c] for c in candidates]
    return sorted(result, key=lambda cf: _rank(cf, ranges[cf.column]))


def searchable(rng: FeatureRange) -> bool:
    """Whether the search moves this input: a numeric one with a range, a coded one with two codes or more, a
    categorical one with 2 to LEVELS_SEARCHED levels seen in training."""
    if not rng.numeric:
        return 1 < len(rng.levels or ()) <= LEVELS_SEARCHED
    return rng.low is not None and rng.high > rng.low


def unsearched(ranges: dict[str, FeatureRange], columns: list[str] | None = None) -> list[str]:
    """The categorical inputs the search leaves out: too many levels (or too many to list), or a single one."""
    return [c for c in (columns or list(ranges)) if not ranges[c].numeric and not searchable(ranges[c])]


def _tries(row: pd.DataFrame, column: str, rng: FeatureRange) -> np.ndarray:
    """The values scored first: a coded input's other codes, a categorical input's other levels; else a grid over
    the range searched (the bulk and the row's own value; whole numbers when the training values were)."""
    current = _current_value(row, column, rng)
    if rng.choices:
        return np.array([v for v in rng.choices if v != current], dtype="float64" if rng.coded else object)
    grid = np.linspace(*rng.searched(current), GRID_POINTS)
    return np.unique(np.round(grid) if rng.integer else grid)


def _none(row: pd.DataFrame, column: str, rng: FeatureRange) -> Counterfactual:
    current = _current_value(row, column, rng)
    if rng.choices:
        tried = rng.choices if rng.coded else [v for v in rng.choices if v != current]
        what = (f"No {'code' if rng.coded else 'other level'} of {column} seen in training "
                f"({', '.join(fmt_value(c) for c in tried[:12])}{' ...' if len(tried) > 12 else ''})")
        return Counterfactual(column, current, None, None, rng.low, rng.high,
                              f"{what} changes the decision (others held).", coded=True, level=not rng.coded)
    low, high = rng.searched(current)
    widened = ", and this row's value" if (low, high) != rng.searched() else ""  # the row's own lies outside
    return Counterfactual(column, current, None, None, low, high,
                          f"No value of {column} from {fmt_value(low)} to {fmt_value(high)} ({rng.scope}{widened}) "
                          "changes the decision (others held).", scope=rng.scope)


def _coded(row: pd.DataFrame, column: str, rng: FeatureRange, codes: np.ndarray, scores: np.ndarray, *,
           threshold: float, target: str) -> Counterfactual:
    """Among the codes (a categorical input: the levels) that change the decision, the most common in training: the
    applicant it describes is one the training rows hold many of, so the network's score there rests on many rows (a
    rare code, such as Taiwan's undocumented EDUCATION 0, 5 and 6, may flip the decision on a handful of rows'
    say-so; the code farthest past the threshold is often such a one). Ties go to the code farther past the
    threshold, then to the earlier code, so the choice is the same on every call. The other codes that change it
    are kept as `alternatives`, in the training order of the codes or levels."""
    place = {v: i for i, v in enumerate(rng.choices)}
    order = sorted(range(len(codes)), key=lambda i: (-np.nan_to_num(rng.share(codes[i])),
                                                     -abs(scores[i] - threshold), place.get(codes[i], 0)))
    plain = float if rng.coded else str
    best, others = order[0], tuple(plain(codes[i]) for i in sorted(order[1:], key=lambda i: place.get(codes[i], 0)))
    before, value = _current_value(row, column, rng), plain(codes[best])
    also = (f"; {', '.join(fmt_value(v) for v in others)} also {'do' if len(others) > 1 else 'does'}"
            if others else "")
    what = "code" if rng.coded else "level"
    common = (f"of the {what}s that do, {fmt_value(value)} is the most common in training" if others
              else f"the only {what} that does")
    change = (f"Change {column} from {fmt_value(before)} to" if before is not None
              else f"Set {column}, missing in this row, to")
    share = rng.share(value)
    return Counterfactual(column, before, value, float(scores[best]), rng.low, rng.high,
                          f"{change} {fmt_value(value)} to change the decision to '{target}' ({common}{also}).",
                          coded=True, alternatives=others, share=None if np.isnan(share) else share,
                          level=not rng.coded)


def _moved(row: pd.DataFrame, column: str, rng: FeatureRange, value: float, score: float, *,
           target: str) -> Counterfactual:
    before = _current_value(row, column)
    low, high = rng.searched(before)
    if before is None:  # the row has no value there (the network read it as the preprocessing fills it)
        return Counterfactual(column, before, value, score, low, high,
                              f"Set {column}, missing in this row, to {fmt_value(value)} to change the decision to "
                              f"'{target}'.", scope=rng.scope)
    move = "Raise" if value > before else "Lower"
    return Counterfactual(column, before, value, score, low, high,
                          f"{move} {column} from {fmt_value(before)} to {fmt_value(value)} "
                          f"({fmt_value(value - before, sign=True)}) to change the decision to '{target}'.",
                          scope=rng.scope)


def _protect(cf: Counterfactual, *, target: str) -> Counterfactual:
    """A protected input's counterfactual, worded as the fairness question it is: what the decision would do, never a
    change to make (the chart marks it so too)."""
    if not cf.found:
        return replace(cf, note=f"{cf.note} {cf.column} is a protected column (Governance page).", protected=True)
    also = f"; also at {', '.join(fmt_value(v) for v in cf.alternatives)}" if cf.alternatives else ""
    note = (f"{cf.column} is a protected column (Governance page): a fairness question, not a change to suggest. "
            f"Others held, the decision would turn to '{target}' at {fmt_value(cf.value)}{also} (this row: "
            f"{fmt_value(cf.current)}).")
    return replace(cf, note=note, protected=True)


def _rank(cf: Counterfactual, rng: FeatureRange) -> tuple:
    """Numeric moves by their share of the range, then coded changes by the new code's training share, then
    protected inputs (a fairness question, not a suggestion), then inputs nothing changes."""
    if not cf.found:
        return (2, 0.0)
    if cf.protected:  # not a suggestion: after the changes an applicant could make
        return (1.5, 0.0)
    if cf.coded:
        return (1, -np.nan_to_num(rng.share(cf.value)))
    return (0, abs(cf.change or 0.0) / _width(rng))


def _refine(source, row, pending: dict, ranges, *, threshold: float, flagged: bool) -> dict:
    """Bisection, all columns in one batch per step: `keep` keeps the decision, `flip` changes it."""
    state = {c: [keep, flip, score] for c, (keep, flip, score) in pending.items()}
    for _ in range(REFINE_STEPS):
        live = [c for c, (keep, flip, _) in state.items() if _gap(keep, flip, ranges[c]) > 0]
        if not live:
            break
        block = pd.concat([row] * len(live), ignore_index=True)
        mids = []
        for i, c in enumerate(live):
            keep, flip, _ = state[c]
            mid = (keep + flip) / 2
            step = ranges[c].precision
            if step:  # on the data's precision, rounded towards the flipping side
                mid = _onto(mid, step, lower=flip < keep)
                if mid == keep:
                    mid = keep + np.sign(flip - keep) * step
            mids.append(mid)
            block.loc[i, c] = mid
        scores = predict_scores(source, block)
        for c, mid, s in zip(live, mids, scores):
            if (s >= threshold) != flagged:
                state[c][1], state[c][2] = mid, float(s)
            else:
                state[c][0] = mid
    _on_precision(source, row, state, ranges, threshold=threshold, flagged=flagged)
    return {c: (flip, score) for c, (_, flip, score) in state.items()}


def _on_precision(source, row, state: dict, ranges, *, threshold: float, flagged: bool) -> None:
    """A flipping value left off the data's precision (a first grid point already next to the row's value) moved
    onto it, away from the row's value, where it still changes the decision (scored in one batch)."""
    off = {}
    for c, (keep, flip, _) in state.items():
        step = ranges[c].precision
        if step and abs(flip / step - round(flip / step)) > 1e-6:
            off[c] = _onto(flip, step, lower=flip < keep)
    if not off:
        return
    block = pd.concat([row] * len(off), ignore_index=True)
    for i, (c, value) in enumerate(off.items()):
        block.loc[i, c] = value
    for (c, value), s in zip(off.items(), predict_scores(source, block)):
        if (s >= threshold) != flagged:
            state[c][1], state[c][2] = value, float(s)


def _onto(value: float, step: float, *, lower: bool) -> float:
    """`value` on a grid of `step`: the grid point below it when the search moves down, else the one above."""
    return round(float((np.floor(value / step) if lower else np.ceil(value / step)) * step), 9)


def _gap(keep: float, flip: float, rng: FeatureRange) -> float:
    gap = abs(flip - keep)
    if rng.precision:
        return gap - rng.precision * (1 + 1e-6)  # neighbours on the data's precision: done
    return gap - 1e-4 * _width(rng)


def _width(rng: FeatureRange) -> float:
    low, high = rng.searched()  # a move is measured against the bulk
    return float(high - low) or 1.0


def _current_value(row: pd.DataFrame, column: str, rng: FeatureRange | None = None) -> float | str | None:
    """The row's value: a number; a categorical input's level as the network reads it ('2' for 2.0); None if
    missing."""
    value = row.iloc[0][column]
    if rng is not None and not rng.numeric:
        return None if pd.isna(value) else level_text(value)
    return as_number(value)
