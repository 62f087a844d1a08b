"""Counterfactuals for one row: how far each numeric input would have to move, others held, to change the decision.

Each model input's training range (`training_ranges`: from a run's training rows, or a bundle's stored training
distribution) bounds the search: a grid of GRID_POINTS values per numeric input, all scored in one batch, then
REFINE_STEPS bisection steps, all inputs in one batch per step, towards the row's own value. Used by the what-if
(finmodels.explain.whatif).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

GRID_POINTS = 200  # values tried per numeric column across its training range, before refining
REFINE_STEPS = 14  # bisection steps between the last value that keeps the decision and the first that flips it


@dataclass(frozen=True)
class FeatureRange:
    """What the training rows held for one model input: a numeric range, or the levels seen."""

    column: str
    numeric: bool
    low: float | None = None
    high: float | None = None
    integer: bool = False  # every training value was a whole number: counterfactuals are whole numbers too
    levels: tuple[str, ...] | None = None  # None: too many levels to list

    def describe(self) -> str:
        if self.numeric:
            return f"{fmt_value(self.low)} to {fmt_value(self.high)}"
        return ", ".join(f"'{v}'" for v in (self.levels or ())[:12]) + (" ..." if len(self.levels or ()) > 12 else "")


@dataclass(frozen=True)
class Counterfactual:
    """How far one numeric input would have to move, others held, to change the decision."""

    column: str
    current: float
    value: float | None  # the nearest value in the training range that changes the decision; None: none does
    score: float | None  # the score at `value`
    low: float
    high: float
    note: str

    @property
    def change(self) -> float | None:
        return None if self.value is None else self.value - self.current

    @property
    def found(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict:
        return {"column": self.column, "current": self.current, "value": self.value, "change": self.change,
                "score": self.score, "range": [self.low, self.high], "found": self.found, "note": self.note}


# --- the training range -----------------------------------------------------------------------------------

def training_ranges(source) -> dict[str, FeatureRange]:
    """Each model input's training range (numbers) or levels (text): from a run's training rows, or from a
    bundle's stored training distribution (all training rows; its sample of rows when it has none)."""
    pre = source.preprocessor
    numeric = set(getattr(pre, "numeric", ()))
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):
        rows = frame.iloc[source.split.train]
        return {c: _range_of(c, rows[c], c in numeric) for c in pre.columns}
    reference = getattr(source, "reference", None)
    sample = source.background
    out = {}
    for c in pre.columns:
        found = _range_of(c, sample[c], c in numeric) if c in sample.columns else FeatureRange(c, c in numeric)
        ref = reference.columns.get(c) if reference is not None else None
        if ref is not None and c in numeric and len(ref.edges):
            # decile edges of all training rows: the first and last are the minimum and maximum
            out[c] = FeatureRange(c, True, float(ref.edges[0]), float(ref.edges[-1]), found.integer)
        elif ref is not None and c not in numeric:
            out[c] = FeatureRange(c, False, levels=None if ref.seen is None else tuple(ref.seen))
        else:
            out[c] = found
    return out


def _range_of(column: str, values: pd.Series, numeric: bool) -> FeatureRange:
    if numeric:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
        finite = numbers[np.isfinite(numbers)]
        if not len(finite):
            return FeatureRange(column, True)
        return FeatureRange(column, True, float(finite.min()), float(finite.max()),
                            bool(np.all(finite == np.round(finite))))
    levels = sorted({str(v) for v in values.dropna()})
    return FeatureRange(column, False, levels=tuple(levels) if len(levels) <= 1000 else None)


def as_number(value) -> float | None:
    """`value` (a number, or text such as '5,000') as a finite float; None when it is not one."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value) if np.isfinite(value) else None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if np.isfinite(number) else None


# --- the search ---------------------------------------------------------------------------------------------

def predict_scores(source, frame: pd.DataFrame) -> np.ndarray:
    """One score per row of `frame`, as float64."""
    return np.asarray(source.predict(frame), dtype="float64").ravel()


def counterfactuals(source, row: pd.DataFrame, ranges: dict[str, FeatureRange], *, threshold: float,
                    names: tuple[str, str] | None = None, columns: list[str] | None = None) -> list[Counterfactual]:
    """Per numeric input, the value nearest the row's own (others held) that moves its score across `threshold`,
    searched within the training range: a grid over the range, then bisection towards the row's value."""
    names = names or ("at or above the threshold", "below the threshold")
    current_score = float(predict_scores(source, row)[0])
    flagged = current_score >= threshold
    target = names[1] if flagged else names[0]
    candidates = [c for c in (columns or list(ranges)) if ranges[c].numeric and ranges[c].low is not None
                  and ranges[c].high > ranges[c].low]
    if not candidates:
        return []
    grids, blocks = {}, []
    for c in candidates:
        rng = ranges[c]
        grid = np.linspace(rng.low, rng.high, GRID_POINTS)
        if rng.integer:
            grid = np.unique(np.round(grid))
        grids[c] = grid
        block = pd.concat([row] * len(grid), ignore_index=True)
        block[c] = grid
        blocks.append(block)
    scores = predict_scores(source, pd.concat(blocks, ignore_index=True))
    out, pending, start = [], {}, 0
    for c in candidates:
        grid = grids[c]
        s = scores[start:start + len(grid)]
        start += len(grid)
        current = as_number(row.iloc[0][c])
        current = float(np.clip(current, grid[0], grid[-1])) if current is not None else float(np.median(grid))
        flips = np.flatnonzero((s >= threshold) != flagged)
        if not len(flips):
            out.append(Counterfactual(c, _current_value(row, c), None, None, ranges[c].low, ranges[c].high,
                                      f"No value of {c} from {ranges[c].describe()} changes the decision "
                                      f"(others held)."))
            continue
        nearest = flips[np.argmin(np.abs(grid[flips] - current))]
        # the value keeping the decision lies between the row's own value and the nearest flipping grid point
        pending[c] = (current, float(grid[nearest]), float(s[nearest]))
        out.append(c)
    refined = _refine(source, row, pending, ranges, threshold=threshold, flagged=flagged)
    result = []
    for item in out:
        if isinstance(item, Counterfactual):
            result.append(item)
            continue
        c = item
        value, score = refined[c]
        before = _current_value(row, c)
        move = "Raise" if value > (before if before is not None else value) else "Lower"
        result.append(Counterfactual(c, before, value, score, ranges[c].low, ranges[c].high,
                                     f"{move} {c} from {fmt_value(before)} to {fmt_value(value)} "
                                     f"({fmt_value(value - before, sign=True)}) to change the decision to '{target}'."))
    return sorted(result, key=lambda cf: (not cf.found, abs(cf.change or 0.0) / _width(ranges[cf.column])))


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
            if ranges[c].integer:
                mid = float(np.floor(mid) if flip < keep else np.ceil(mid))
                if mid == keep:
                    mid = keep + np.sign(flip - keep)
            mids.append(mid)
            block.loc[i, c] = mid
        scores = predict_scores(source, block)
        for c, mid, s in zip(live, mids, scores):
            if (s >= threshold) != flagged:
                state[c][1], state[c][2] = mid, float(s)
            else:
                state[c][0] = mid
    return {c: (flip, score) for c, (_, flip, score) in state.items()}


def _gap(keep: float, flip: float, rng: FeatureRange) -> float:
    gap = abs(flip - keep)
    if rng.integer:
        return gap - 1  # adjacent whole numbers: done
    return gap - 1e-4 * _width(rng)


def _width(rng: FeatureRange) -> float:
    return float(rng.high - rng.low) or 1.0


def _current_value(row: pd.DataFrame, column: str) -> float | None:
    return as_number(row.iloc[0][column])


def fmt_value(value, *, sign: bool = False) -> str:
    """A value as a message shows it: thousands separated and whole above 1,000, else 4 significant digits."""
    if value is None:
        return "?"
    plus = "+" if sign else ""
    if abs(value) >= 1000:
        return f"{value:{plus},.0f}"
    return f"{value:{plus}.4g}"
