"""Counterfactuals for one row: how far each numeric input would have to move, others held, to change the decision.

A numeric input is searched within the bulk of its training rows (`training_ranges`): their 1st to 99th percentile
(as the Explain page's dependence view), widened to the row's own value. Not to the minimum and maximum: outliers
(an age of 144, 123 years of employment in credit_risk_dataset) became suggestions. A grid of GRID_POINTS values
per input, all scored in one batch, then REFINE_STEPS bisection steps towards the row's own value, all inputs in
one batch per step. Used by the what-if (finmodels.explain.whatif).

A coded input (`coded_columns`: a numeric column the fitted preprocessing one-hot encodes as codes, i.e. at most
its `PreprocessConfig.code_levels` whole-number values in the training rows, such as SEX 1/2, EDUCATION 0-6 or
PAY_0 -2..8) has no order worth moving along: each code seen in training is scored once instead, and the
counterfactual says "Change EDUCATION from 2 to 1", with no direction and no delta (`Counterfactual.change` is
None). A run whose preprocessing encodes no codes (`code_levels=0`: small tables) keeps every number numeric.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from finmodels.models.preprocessing import level_text

GRID_POINTS = 200  # values tried per numeric column across the range searched, before refining
REFINE_STEPS = 14  # bisection steps between the last value that keeps the decision and the first that flips it
SEARCH_QUANTILES = (0.01, 0.99)  # the bulk searched: the values the rows hold at or below / at or above these
SEARCHED = "the 1st-99th percentile of the training rows"


@dataclass(frozen=True)
class FeatureRange:
    """What the training rows held for one model input: a numeric range, or the levels seen."""

    column: str
    numeric: bool
    low: float | None = None
    high: float | None = None
    integer: bool = False  # every training value was a whole number: counterfactuals are whole numbers too
    levels: tuple[str, ...] | None = None  # None: too many levels to list
    codes: tuple[float, ...] | None = None  # a coded input: the codes seen in training, in numeric order
    shares: tuple[float, ...] | None = None  # each code's share of the training rows
    # the training values' precision (0.01 when they have two decimals; 1 for whole numbers): counterfactual values
    # land on it, so a move reads as the data is written ('13.11 to 13.10', not '13.11 to 13.1091'); None: finer
    step: float | None = None
    # the values at SEARCH_QUANTILES of the training rows, where counterfactuals are searched; None: not known (a
    # bundle saved before it kept them), the whole range is
    bulk: tuple[float, float] | None = None

    @property
    def scope(self) -> str:
        """Where a counterfactual of this input is searched, as a caption says it."""
        return SEARCHED if self.bulk else "the training range"

    def searched(self, current: float | None = None) -> tuple[float, float]:
        """The range searched: the bulk (else the whole range), widened to the row's own value `current`."""
        low, high = self.bulk or (self.low, self.high)
        if current is not None:
            low, high = min(low, current), max(high, current)
        return float(low), float(high)

    @property
    def precision(self) -> float | None:
        """The step counterfactual values are searched on: 1 for whole numbers, else `step`."""
        return 1.0 if self.integer else self.step

    @property
    def coded(self) -> bool:
        return self.codes is not None

    def share(self, code: float) -> float:
        """The share of training rows holding `code` (0 for a code never seen)."""
        found = [s for c, s in zip(self.codes or (), self.shares or ()) if c == code]
        return found[0] if found else 0.0

    def describe(self) -> str:
        if self.coded:
            return "codes " + ", ".join(fmt_value(c) for c in self.codes)
        if self.numeric:
            return f"{fmt_value(self.low)} to {fmt_value(self.high)}"
        return ", ".join(f"'{v}'" for v in (self.levels or ())[:12]) + (" ..." if len(self.levels or ()) > 12 else "")


@dataclass(frozen=True)
class Counterfactual:
    """How far one numeric input would have to move, others held, to change the decision; for a coded input,
    which other code would change it (`coded`: no move to measure, so `change` is None)."""

    column: str
    current: float
    value: float | None  # the nearest value in the training range (a coded input: the code) that changes the
    # decision; None: none does
    score: float | None  # the score at `value`
    low: float
    high: float
    note: str
    coded: bool = False
    alternatives: tuple[float, ...] = ()  # a coded input: the other codes that change the decision too
    protected: bool = False  # the run's protected columns (Governance page) include this input
    share: float | None = None  # a coded input: the new code's share of the training rows (a bundle: of its sample)
    scope: str = ""  # a numeric input: where it was searched (low to high), e.g. SEARCHED

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
                "protected": self.protected, "share": self.share}


# --- the training range -----------------------------------------------------------------------------------

def coded_columns(preprocessor) -> dict[str, tuple[float, ...]]:
    """The numeric inputs `preprocessor` one-hot encodes as codes, each with the codes its encoder saw in the
    training rows. The fitted `codes` block is the record of the run's own threshold: a numeric column with at most
    `PreprocessConfig.code_levels` whole-number values when it was fitted (`preprocessing._is_code`); none when
    the run's configuration turned codes off (`code_levels=0`)."""
    transformer = getattr(preprocessor, "transformer", None)
    for name, pipeline, columns in getattr(transformer, "transformers_", ()):
        if name == "codes" and hasattr(pipeline, "__getitem__"):
            categories = getattr(pipeline[-1], "categories_", [])
            return {str(c): tuple(float(v) for v in np.asarray(cats, dtype="float64") if np.isfinite(v))
                    for c, cats in zip(columns, categories)}
    return {}


def training_ranges(source) -> dict[str, FeatureRange]:
    """Each model input's training range (numbers) or levels (text): from a run's training rows, or from a
    bundle's stored training distribution (all training rows; its sample of rows when it has none). A numeric
    input's bulk, where counterfactuals search, is the run's training rows' own (a bundle's manifest keeps it).

    A coded input (`coded_columns`) also keeps its codes: a run's are the training rows' own; a bundle's are
    those its fitted encoder saw in all training rows, with the shares its manifest keeps of them (an older bundle:
    counted in its sample of rows)."""
    pre = source.preprocessor
    numeric = set(getattr(pre, "numeric", ()))
    coded = coded_columns(pre)
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):
        rows = frame.iloc[source.split.train]
        return {c: _range_of(c, rows[c], c in numeric, coded=c in coded) for c in pre.columns}
    reference = getattr(source, "reference", None)
    sample = source.background
    manifest = getattr(source, "manifest", None) or {}
    stored, bulks = manifest.get("code_shares") or {}, manifest.get("search_ranges") or {}
    out = {}
    for c in pre.columns:
        found = _range_of(c, sample[c], c in numeric) if c in sample.columns else FeatureRange(c, c in numeric)
        ref = reference.columns.get(c) if reference is not None else None
        if c in coded and coded[c]:
            out[c] = _codes_range(c, coded[c], sample[c] if c in sample.columns else pd.Series(dtype="float64"),
                                  stored=stored.get(c))
        elif ref is not None and c in numeric and len(ref.edges):
            # decile edges of all training rows: the first and last are the minimum and maximum
            bulk = tuple(float(v) for v in bulks[c]) if c in bulks else None
            out[c] = FeatureRange(c, True, float(ref.edges[0]), float(ref.edges[-1]), found.integer, step=found.step,
                                  bulk=bulk)
        elif ref is not None and c not in numeric:
            out[c] = FeatureRange(c, False, levels=None if ref.seen is None else tuple(ref.seen))
        else:  # an older bundle's sample of rows: its bulk is not the training rows'
            out[c] = replace(found, bulk=None)
    return out


def _range_of(column: str, values: pd.Series, numeric: bool, *, coded: bool = False) -> FeatureRange:
    if numeric:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
        finite = numbers[np.isfinite(numbers)]
        if not len(finite):
            return FeatureRange(column, True)
        if coded:
            return _codes_range(column, tuple(float(v) for v in np.unique(finite)), values)
        whole = bool(np.all(finite == np.round(finite)))
        return FeatureRange(column, True, float(finite.min()), float(finite.max()), whole,
                            step=None if whole else _precision(finite), bulk=_bulk(finite))
    levels = sorted({level_text(v) for v in values.dropna()})  # '2', as the model reads it, whether 2 or 2.0
    return FeatureRange(column, False, levels=tuple(levels) if len(levels) <= 1000 else None)


def _bulk(finite: np.ndarray) -> tuple[float, float]:
    """The values at SEARCH_QUANTILES: the nearest the rows hold below the first and above the second."""
    return (float(np.quantile(finite, SEARCH_QUANTILES[0], method="lower")),
            float(np.quantile(finite, SEARCH_QUANTILES[1], method="higher")))


def search_ranges(result) -> dict[str, list[float]]:
    """Each numeric input's bulk (`FeatureRange.bulk`) in a run's training rows, for its bundle's manifest (none for
    a price file's run: it has no what-if)."""
    if hasattr(result.preprocessor, "series"):
        return {}
    return {c: list(r.bulk) for c, r in training_ranges(result).items() if r.bulk and not r.coded}


def _precision(values: np.ndarray, most: int = 6) -> float | None:
    """The step the values are written at: 10^-d for the fewest decimals d (at most `most`) that hold every value."""
    for decimals in range(most + 1):
        scaled = values * 10 ** decimals
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return 10.0 ** -decimals
    return None


def _codes_range(column: str, codes: tuple[float, ...], values: pd.Series, *,
                 stored: dict | None = None) -> FeatureRange:
    """A coded input: its codes, each with its share of the training rows: `stored` ({code: share}, a bundle's
    manifest), else counted in `values` (the training rows, or the sample of an older bundle without them)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    finite = numbers[np.isfinite(numbers)]
    if stored:
        known = {float(k): float(v) for k, v in stored.items()}
        shares = tuple(known.get(code, 0.0) for code in codes)
    else:
        shares = tuple(float(np.mean(finite == code)) if len(finite) else 0.0 for code in codes)
    return FeatureRange(column, True, float(min(codes)), float(max(codes)), True, codes=tuple(sorted(codes)),
                        shares=tuple(s for _, s in sorted(zip(codes, shares))))


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
                    names: tuple[str, str] | None = None, columns: list[str] | None = None,
                    protected=()) -> list[Counterfactual]:
    """Per numeric input, the value nearest the row's own (others held) that moves its score across `threshold`,
    searched within the bulk of the training rows and the row's own value (`FeatureRange.searched`): a grid over
    it, then bisection towards the row's value. A coded input is tried at each code seen in training instead
    (`_coded`). `protected` columns are named in the notes.

    Order: the numeric moves that change the decision, smallest first as a share of each input's bulk;
    then the coded inputs that do, the most common new code in training first (a code change has no size to
    weigh against a move along a range, so it is not ranked among them); then the inputs nothing changes.
    """
    names = names or ("at or above the threshold", "below the threshold")
    flagged = float(predict_scores(source, row)[0]) >= threshold
    target = names[1] if flagged else names[0]
    candidates = [c for c in (columns or list(ranges)) if ranges[c].numeric and ranges[c].low is not None
                  and ranges[c].high > ranges[c].low]
    if not candidates:
        return []
    tries, blocks = {}, []
    for c in candidates:
        tries[c] = _tries(row, c, ranges[c])
        block = pd.concat([row] * len(tries[c]), ignore_index=True)
        block[c] = tries[c]
        blocks.append(block)
    scores = predict_scores(source, pd.concat(blocks, ignore_index=True))
    found, pending, start = {}, {}, 0
    for c in candidates:
        tried, s = tries[c], scores[start:start + len(tries[c])]
        start += len(tried)
        flips = np.flatnonzero((s >= threshold) != flagged)
        if not len(flips):
            found[c] = _none(row, c, ranges[c])
        elif ranges[c].coded:
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


def _tries(row: pd.DataFrame, column: str, rng: FeatureRange) -> np.ndarray:
    """The values scored first: a coded input's other codes; else a grid over the range searched (the bulk and
    the row's own value; whole numbers when the training values were)."""
    current = as_number(row.iloc[0][column])
    if rng.coded:
        return np.array([code for code in rng.codes if code != current], dtype="float64")
    grid = np.linspace(*rng.searched(current), GRID_POINTS)
    return np.unique(np.round(grid) if rng.integer else grid)


def _none(row: pd.DataFrame, column: str, rng: FeatureRange) -> Counterfactual:
    current = _current_value(row, column)
    if rng.coded:
        what = f"No code of {column} seen in training ({', '.join(fmt_value(c) for c in rng.codes)})"
        return Counterfactual(column, current, None, None, rng.low, rng.high,
                              f"{what} changes the decision (others held).", coded=True)
    low, high = rng.searched(current)
    widened = ", and this row's value" if (low, high) != rng.searched() else ""  # the row's own lies outside
    return Counterfactual(column, current, None, None, low, high,
                          f"No value of {column} from {fmt_value(low)} to {fmt_value(high)} ({rng.scope}{widened}) "
                          "changes the decision (others held).", scope=rng.scope)


def _coded(row: pd.DataFrame, column: str, rng: FeatureRange, codes: np.ndarray, scores: np.ndarray, *,
           threshold: float, target: str) -> Counterfactual:
    """Among the codes that change the decision, the most common in training: the applicant it describes is one the
    training rows hold many of, so the network's score there rests on many rows (a rare code, such as Taiwan's
    undocumented EDUCATION 0, 5 and 6, may flip the decision on a handful of rows' say-so; the code farthest past
    the threshold is often such a one). Ties go to the code farther past the threshold, then to the smaller code,
    so the choice is the same on every call. The other codes that change it are kept as `alternatives`."""
    order = sorted(range(len(codes)), key=lambda i: (-rng.share(codes[i]), -abs(scores[i] - threshold), codes[i]))
    best, others = order[0], tuple(sorted(float(codes[i]) for i in order[1:]))
    before, value = _current_value(row, column), float(codes[best])
    also = (f"; {', '.join(fmt_value(v) for v in others)} also {'do' if len(others) > 1 else 'does'}"
            if others else "")
    common = (f"of the codes that do, {fmt_value(value)} is the most common in training" if others
              else "the only code that does")
    return Counterfactual(column, before, value, float(scores[best]), rng.low, rng.high,
                          f"Change {column} from {fmt_value(before)} to {fmt_value(value)} to change the decision to "
                          f"'{target}' ({common}{also}).", coded=True, alternatives=others,
                          share=rng.share(value))


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
        return (1, -rng.share(cf.value))
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
