"""What-if for one applicant: edit a row's values, see the new score, decision and contributions beside the old.

`what_if(source, frame, changes, row=...)` takes a trained run (a TrainingResult with its network) or a loaded
bundle, picks one row of `frame` (by position, or by the value of an identifier column), applies `changes` in
the data's own units, and returns a `WhatIf`: the score and decision before and after, both rows' SHAP
contributions (one explanation of the two rows, so they share a background), and a counterfactual per numeric
input: the nearest value within the training range that changes the decision, others held at the edited row.
A value outside the training range (or a level never seen in training) is kept and named in `warnings` as an
extrapolation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.tasks import ANOMALY, BINARY, REGRESSION
from finmodels.errors import ConfigError, DataError

WHATIF_KINDS = (BINARY, ANOMALY, REGRESSION)
DEFAULT_BACKGROUND = 100
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
            return f"{_fmt(self.low)} to {_fmt(self.high)}"
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


@dataclass
class WhatIf:
    """One row before and after the analyst's edits.

    `explanation` explains both rows against one background: row 0 is the original, row 1 the edited one
    (`finmodels.plots.explanation.plot_waterfall(explanation, 0 or 1)` draws either).
    """

    row: int  # position of the row in the frame
    row_label: str  # how the analyst named it: 'row 12' or "id = 'A-1017'"
    changes: dict[str, tuple[object, object]]  # column -> (before, after), in the data's own units
    before: dict
    after: dict
    explanation: object
    threshold: float | None
    counterfactuals: list[Counterfactual] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def decision_changed(self) -> bool:
        return self.before.get("decision") != self.after.get("decision")

    def contributions(self) -> pd.DataFrame:
        """Per model input: its value and contribution before and after, and the change; largest change first."""
        e = self.explanation
        frame = pd.DataFrame({
            "column": e.columns,
            "value before": [e.data.iloc[0][c] for c in e.columns],
            "value after": [e.data.iloc[1][c] for c in e.columns],
            "contribution before": e.values[0], "contribution after": e.values[1],
        })
        frame["change"] = frame["contribution after"] - frame["contribution before"]
        order = (frame["change"].abs() + 1e-12 * frame["contribution after"].abs()).sort_values(ascending=False).index
        return frame.reindex(order).reset_index(drop=True)

    def to_dict(self) -> dict:
        """Plain JSON-ready content: before, after, contributions, counterfactuals and warnings."""
        e = self.explanation
        contributions = [
            {"column": str(r["column"]), "before": _plain(r["value before"]), "after": _plain(r["value after"]),
             "contribution_before": float(r["contribution before"]),
             "contribution_after": float(r["contribution after"]), "change": float(r["change"])}
            for _, r in self.contributions().iterrows()
        ]
        return {
            "row": self.row, "row_label": self.row_label, "threshold": self.threshold,
            "changes": {c: {"before": _plain(b), "after": _plain(a)} for c, (b, a) in self.changes.items()},
            "before": self.before, "after": self.after, "decision_changed": self.decision_changed,
            "base_value": float(e.base_value), "output": e.output_name, "scale": e.scale, "explainer": e.explainer,
            "contributions": contributions,
            "counterfactuals": [c.to_dict() for c in self.counterfactuals],
            "warnings": list(self.warnings), "notes": list(self.notes), "seconds": dict(self.seconds),
        }


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


# --- picking a row and applying the edits -------------------------------------------------------------------

def pick_row(frame: pd.DataFrame, *, row: int | None = None, id_column: str | None = None,
             id_value=None) -> tuple[int, str, list[str]]:
    """(position, label, warnings) of the row asked for: by position (0 is the first data row), or the first
    row whose `id_column` equals `id_value` (compared as text)."""
    if id_column is not None:
        if id_column not in frame.columns:
            raise DataError(f"Identifier column '{id_column}' not found. Columns are: "
                            f"{', '.join(map(str, frame.columns))}.")
        text = frame[id_column].astype(str).str.strip()
        hits = np.flatnonzero(text.to_numpy() == str(id_value).strip())
        if not len(hits):
            examples = ", ".join(f"'{v}'" for v in text.drop_duplicates().head(3))
            raise DataError(f"No row has {id_column} = '{id_value}' (e.g. {examples}). Check the value, or pick the "
                            "row by its position.")
        warnings = [] if len(hits) == 1 else [
            f"{len(hits)} rows have {id_column} = '{id_value}'; the first (row {hits[0]}) is used."]
        return int(hits[0]), f"{id_column} = '{id_value}'", warnings
    position = 0 if row is None else row
    if isinstance(position, bool) or not float(position).is_integer() or not 0 <= int(position) < len(frame):
        raise DataError(f"Row {row} is outside the file: it has {len(frame):,} rows, numbered 0 to "
                        f"{len(frame) - 1:,}. Pick a row in that range.")
    return int(position), f"row {int(position)}", []


def apply_changes(row: pd.DataFrame, changes: dict, ranges: dict[str, FeatureRange]) -> tuple[
        pd.DataFrame, dict[str, tuple[object, object]], list[str]]:
    """The edited one-row frame, each change as (before, after), and extrapolation warnings.

    Values are in the data's own units; numbers may come as text ('5000'). Every problem is reported at once.
    """
    edited, done, problems, warnings = row.copy(), {}, [], []
    for column, value in changes.items():
        if column not in ranges:
            known = ", ".join(ranges)
            problems.append(f"Column '{column}' is not an input of this model, so changing it cannot change the "
                            f"score. Inputs are: {known}.")
            continue
        rng = ranges[column]
        before = row.iloc[0][column]
        if rng.numeric:
            number = _number(value)
            if number is None:
                problems.append(f"Value '{value}' for '{column}' is not a number; '{column}' is numeric (training "
                                f"range {rng.describe()}).")
                continue
            if rng.low is not None and not rng.low <= number <= rng.high:
                warnings.append(f"{column} = {_fmt(number)} is outside the training range ({rng.describe()}): the "
                                "score there is an extrapolation.")
            if column in edited.columns and not pd.api.types.is_float_dtype(edited[column]):
                edited[column] = pd.to_numeric(edited[column], errors="coerce").astype("float64")
            edited[column] = number
            after = number
        else:
            after = str(value)
            if rng.levels is not None and after not in rng.levels:
                warnings.append(f"{column} = '{after}' was never seen in training (levels: {rng.describe()}): the "
                                "score there is an extrapolation.")
            edited[column] = edited[column].astype(object) if column in edited.columns else None
            edited[column] = after
        done[column] = (_plain(before), _plain(after))
    if problems:
        raise DataError(problems)
    return edited, done, warnings


def _number(value) -> float | None:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value) if np.isfinite(value) else None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if np.isfinite(number) else None


# --- scores, decisions and counterfactuals ------------------------------------------------------------------

def _predict(source, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(source.predict(frame), dtype="float64").ravel()


def _decision_names(source) -> tuple[str, str] | None:
    kind = source.kind
    if kind == BINARY:
        event = source.event_label or "event"
        return event, f"not {event}"
    if kind == ANOMALY:
        return "unusual", "not unusual"
    return None


def default_threshold(source) -> float | None:
    """0.5 for a binary model; an anomaly model's 99th percentile of training scores; None for a regression."""
    if source.kind == BINARY:
        return 0.5
    if source.kind == ANOMALY:
        reference = getattr(source, "reference", None)
        if reference is not None and getattr(reference, "score_quantiles", ()):
            return float(reference.score_quantiles[99])
        if getattr(source, "frame", None) is not None and hasattr(source, "split"):
            return float(np.percentile(_predict(source, source.frame.iloc[source.split.train]), 99))
    return None


def _state(score: float, threshold: float | None, names) -> dict:
    out = {"score": float(score)}
    if threshold is not None:
        if names is None:
            names = ("at or above the threshold", "below the threshold")
        out["decision"] = names[0] if score >= threshold else names[1]
    return out


def counterfactuals(source, row: pd.DataFrame, ranges: dict[str, FeatureRange], *, threshold: float,
                    names: tuple[str, str] | None = None, columns: list[str] | None = None) -> list[Counterfactual]:
    """Per numeric input, the value nearest the row's own (others held) that moves its score across `threshold`,
    searched within the training range: a grid over the range, then bisection towards the row's value."""
    names = names or ("at or above the threshold", "below the threshold")
    current_score = float(_predict(source, row)[0])
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
    scores = _predict(source, pd.concat(blocks, ignore_index=True))
    out, pending, start = [], {}, 0
    for c in candidates:
        grid = grids[c]
        s = scores[start:start + len(grid)]
        start += len(grid)
        current = _number(row.iloc[0][c])
        current = float(np.clip(current, grid[0], grid[-1])) if current is not None else float(np.median(grid))
        flips = np.flatnonzero((s >= threshold) != flagged)
        if not len(flips):
            out.append(Counterfactual(c, _as_current(row, c), None, None, ranges[c].low, ranges[c].high,
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
        before = _as_current(row, c)
        move = "Raise" if value > (before if before is not None else value) else "Lower"
        result.append(Counterfactual(c, before, value, score, ranges[c].low, ranges[c].high,
                                     f"{move} {c} from {_fmt(before)} to {_fmt(value)} "
                                     f"({_fmt(value - before, sign=True)}) to change the decision to '{target}'."))
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
        scores = _predict(source, block)
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


def _as_current(row: pd.DataFrame, column: str) -> float | None:
    return _number(row.iloc[0][column])


# --- the what-if ----------------------------------------------------------------------------------------------

def what_if(source, frame: pd.DataFrame | None, changes: dict, *, row: int | None = None,
            id_column: str | None = None, id_value=None, threshold: float | None = None,
            background: int = DEFAULT_BACKGROUND, seed: int = 0, explainers: tuple[str, ...] | None = None,
            counterfactual_columns: list[str] | None = None) -> WhatIf:
    """Score and explain one row of `frame` as it is and with `changes` ({column: value}, the data's units).

    `source` is a TrainingResult with its network or a LoadedBundle; `frame` defaults to a run's own rows.
    The row is `row` (a position, 0 the first) or the first whose `id_column` equals `id_value`. Decisions
    are taken at `threshold` (default 0.5 for a binary model, the training scores' 99th percentile for an
    anomaly model; a regression has none unless one is given). Counterfactuals search each numeric input (or
    `counterfactual_columns`) within its training range.
    """
    started = time.perf_counter()
    kind = getattr(source, "kind", BINARY)
    if kind not in WHATIF_KINDS:
        raise ConfigError(f"What-if works on models with one score per row: credit default (binary), regression "
                          f"and anomaly detection; this is a {kind} model. Use the Explain page's waterfall instead.")
    if threshold is not None and kind == BINARY and not 0 < float(threshold) < 1:
        raise ConfigError(f"The threshold is a probability between 0 and 1; got {threshold}.")
    if frame is None:
        frame = getattr(source, "frame", None)
        if frame is None:
            raise DataError("This run keeps no rows; give the file whose row you want to change.")
    pre = source.preprocessor
    missing = [c for c in pre.columns if c not in frame.columns]
    if missing:
        raise DataError(f"The file lacks {len(missing)} column(s) the model was trained on: "
                        f"{', '.join(map(str, missing[:10]))}. Use a file with the training columns.")
    position, label, warnings = pick_row(frame, row=row, id_column=id_column, id_value=id_value)
    ranges = training_ranges(source)
    original = frame.iloc[[position]][pre.columns].reset_index(drop=True)
    edited, done, extrapolated = apply_changes(original, dict(changes or {}), ranges)
    warnings += extrapolated
    notes = []
    if not done:
        notes.append("No value was changed: before and after are the same row.")
    threshold = default_threshold(source) if threshold is None else float(threshold)
    names = _decision_names(source)

    both = pd.concat([original, edited], ignore_index=True)
    scores = _predict(source, both)
    scored = time.perf_counter()
    explanation = _explain_pair(source, both, background=background, seed=seed, explainers=explainers)
    explained = time.perf_counter()
    found = []
    if threshold is not None:
        found = counterfactuals(source, edited, ranges, threshold=threshold, names=names,
                                columns=counterfactual_columns)
        notes.append(f"Decisions at threshold {threshold:.4g}. Counterfactuals move one numeric input at a time, "
                     "others held at the edited row's values, within the input's training range.")
    else:
        notes.append("A regression model takes no decision: give a threshold to see counterfactuals.")
    finished = time.perf_counter()
    return WhatIf(
        row=position, row_label=label, changes=done, before=_state(scores[0], threshold, names),
        after=_state(scores[1], threshold, names), explanation=explanation, threshold=threshold,
        counterfactuals=found, warnings=warnings, notes=notes,
        seconds={"score": round(scored - started, 4), "explain": round(explained - scored, 4),
                 "counterfactuals": round(finished - explained, 4), "total": round(finished - started, 4)},
    )


def _explain_pair(source, both: pd.DataFrame, *, background: int, seed: int, explainers):
    """One explanation of the original and the edited row, against a background of training rows."""
    from finmodels.explain.background import background_positions, sample_rows
    from finmodels.explain.explanation import explain_table
    from finmodels.explain.outputs import output_choice, run_facts

    choice = output_choice(run_facts(source), source.model)
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):
        train = frame.iloc[source.split.train]
        labelled = source.kind == BINARY
        y = np.asarray(source.y)[source.split.train] if labelled else None
        bg = background_positions(np.zeros((len(train), 0)), y, background, seed=seed)
        rows, note = train.iloc[bg.positions], bg.note
    else:
        bg = sample_rows(None, background, total=len(source.background), seed=seed,
                         what="training rows saved in the bundle")
        rows, note = source.background.iloc[bg.positions], bg.note
    return explain_table(source.model, source.preprocessor, both, rows, max_rows=2, background_note=note,
                         explainers=explainers, choice=choice, seed=seed, what="rows")


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, (int, str, bool)) else str(value)


def _fmt(value, *, sign: bool = False) -> str:
    if value is None:
        return "?"
    plus = "+" if sign else ""
    if abs(value) >= 1000:
        return f"{value:{plus},.0f}"
    return f"{value:{plus}.4g}"
