"""What-if for one applicant: edit a row's values, see the new score, decision and contributions beside the old.

`what_if(source, frame, changes, row=...)` takes a trained run (a TrainingResult with its network) or a loaded
bundle, picks one row of `frame` (by position, or by the value of an identifier column), applies `changes` in
the data's own units, and returns a `WhatIf`: the score and decision before and after, both rows' SHAP
contributions (one explanation of the two rows, so they share a background), and a counterfactual per numeric
input: the nearest value within the bulk of the training rows (1st-99th percentile) that changes the decision,
others held at the edited row (a coded input, such as SEX or EDUCATION, is tried at each code seen in training:
`finmodels.explain.counterfactuals`).
A value outside the training range (or a level never seen in training) is kept and named in `warnings` as an
extrapolation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.derived import DerivedColumn, find_derived, recomputed
from finmodels.data.targets import event_name
from finmodels.data.tasks import ANOMALY, BINARY, REGRESSION
from finmodels.data.tidying import rows_phrase
from finmodels.errors import ConfigError, DataError
from finmodels.explain.background import DEFAULT_BACKGROUND_ROWS
from finmodels.explain.counterfactuals import (GRID_POINTS, REFINE_STEPS, SEARCHED, Counterfactual, FeatureRange,
                                               as_number, coded_columns, counterfactuals, fmt_value, predict_scores,
                                               training_ranges)

__all__ = ["GRID_POINTS", "REFINE_STEPS", "WHATIF_KINDS", "Counterfactual", "FeatureRange",
           "WhatIf", "apply_changes", "coded_columns", "counterfactuals", "default_threshold", "derived_inputs", "pick_row",
           "training_ranges", "what_if"]

WHATIF_KINDS = (BINARY, ANOMALY, REGRESSION)


@dataclass
class WhatIf:
    """One row before and after the analyst's edits.

    `explanation` explains both rows against one background: row 0 is the original, row 1 the edited one
    (`finmodels.plots.explanation.plot_waterfall(explanation, 0 or 1)` draws either).
    """

    row: int  # position of the row in the frame
    row_label: str  # how the analyst named it: 'line 14 of the file' (as every message names rows) or "id = 'A-1017'"
    changes: dict[str, tuple[object, object]]  # column -> (before, after), in the data's own units
    before: dict
    after: dict
    explanation: object
    threshold: float | None
    counterfactuals: list[Counterfactual] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    recomputed: list[str] = field(default_factory=list)  # derived columns set from their edited inputs, as said

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
            "recomputed": list(self.recomputed),
        }


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
                            "row by its line in the file.")
        warnings = [] if len(hits) == 1 else [
            f"{len(hits)} rows have {id_column} = '{id_value}'; the first ({rows_phrase([int(hits[0]) + 2])}) is used."]
        return int(hits[0]), f"{id_column} = '{id_value}'", warnings
    position = 0 if row is None else row
    if isinstance(position, bool) or not float(position).is_integer() or not 0 <= int(position) < len(frame):
        raise DataError(f"Row {row} is outside the file: it has {len(frame):,} rows, numbered 0 to "
                        f"{len(frame) - 1:,}. Pick a row in that range.")
    return int(position), rows_phrase([int(position) + 2]), []


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
            number = as_number(value)
            if number is None:
                problems.append(f"Value '{value}' for '{column}' is not a number; '{column}' is numeric (training "
                                f"range {rng.describe()}).")
                continue
            if rng.coded and number not in rng.codes:
                warnings.append(f"{column} = {fmt_value(number)} is not a code seen in training ({rng.describe()}): "
                                "the score there is an extrapolation.")
            elif rng.low is not None and not rng.low <= number <= rng.high:
                warnings.append(f"{column} = {fmt_value(number)} is outside the training range ({rng.describe()}): the "
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


# --- scores and decisions -------------------------------------------------------------------------------

def _decision_names(source) -> tuple[str, str] | None:
    kind = source.kind
    if kind == BINARY:  # a code such as 1 says nothing alone: 'flagged: default = 1' and 'not flagged'
        event = str(source.event_label or "event")
        target = getattr(getattr(source, "config", None), "target", None) or getattr(source, "target", None)
        named = event_name(target, event)
        return (event, f"not {event}") if named == event else (f"flagged: {named}", "not flagged")
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
            return float(np.percentile(predict_scores(source, source.frame.iloc[source.split.train]), 99))
    return None


def _state(score: float, threshold: float | None, names) -> dict:
    out = {"score": float(score)}
    if threshold is not None:
        if names is None:
            names = ("at or above the threshold", "below the threshold")
        out["decision"] = names[0] if score >= threshold else names[1]
    return out


def derived_inputs(source) -> list[DerivedColumn]:
    """The model inputs of `source` that equal a ratio or product of two others in its training rows
    (`finmodels.data.derived.find_derived`): a run's training rows, or the training rows a bundle keeps."""
    columns = list(source.preprocessor.columns)
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):
        return find_derived(frame.iloc[source.split.train], columns=columns)
    return find_derived(source.background, columns=columns)


# --- the what-if ----------------------------------------------------------------------------------------------

def what_if(source, frame: pd.DataFrame | None, changes: dict, *, row: int | None = None,
            id_column: str | None = None, id_value=None, threshold: float | None = None,
            background: int = DEFAULT_BACKGROUND_ROWS, seed: int = 0, explainers: tuple[str, ...] | None = None,
            counterfactual_columns: list[str] | None = None, protected=(),
            derived: list[DerivedColumn] | None = None) -> WhatIf:
    """Score and explain one row of `frame` as it is and with `changes` ({column: value}, the data's units).

    `source` is a TrainingResult with its network or a LoadedBundle; `frame` defaults to a run's own rows.
    The row is `row` (a position, 0 the first) or the first whose `id_column` equals `id_value`. Decisions
    are taken at `threshold` (default 0.5 for a binary model, the training scores' 99th percentile for an
    anomaly model; a regression has none unless one is given). Counterfactuals search each numeric input (or
    `counterfactual_columns`) within the bulk of its training rows, a coded or categorical input among its training
    codes or levels; a counterfactual that moves one of the `protected` columns (the Governance page's, e.g. SEX)
    says so in its note. Each of the
    `derived` columns (`finmodels.data.derived.find_derived`) whose inputs the changes move is recomputed from them,
    unless changed itself, and `recomputed` says so; None leaves every other value as it is.
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
    changes, derived_notes = recomputed([d for d in derived or () if d.column in ranges], frame.iloc[position],
                                        dict(changes or {}))
    edited, done, extrapolated = apply_changes(original, changes, ranges)
    warnings += extrapolated
    notes = []
    if not done:
        notes.append("No value was changed: before and after are the same row.")
    threshold = default_threshold(source) if threshold is None else float(threshold)
    names = _decision_names(source)

    both = pd.concat([original, edited], ignore_index=True)
    scores = predict_scores(source, both)
    scored = time.perf_counter()
    explanation = _explain_pair(source, both, background=background, seed=seed, explainers=explainers)
    explained = time.perf_counter()
    found = []
    if threshold is not None:
        found = counterfactuals(source, edited, ranges, threshold=threshold, names=names,
                                columns=counterfactual_columns, protected=protected)
        notes += _coded_note(found, ranges)
        notes.append(f"Decisions at threshold {threshold:.4g}. Counterfactuals change one input at a time (a number "
                     "moves; a code or a category's level is swapped for another), others held at the edited row's "
                     f"values, searched within {searched_range(found)}.")
    else:
        notes.append("A regression model takes no decision: give a threshold to see counterfactuals.")
    finished = time.perf_counter()
    return WhatIf(
        row=position, row_label=label, changes=done, before=_state(scores[0], threshold, names),
        after=_state(scores[1], threshold, names), explanation=explanation, threshold=threshold,
        counterfactuals=found, warnings=warnings, notes=notes, recomputed=derived_notes,
        seconds={"score": round(scored - started, 4), "explain": round(explained - scored, 4),
                 "counterfactuals": round(finished - explained, 4), "total": round(finished - started, 4)},
    )


def searched_range(found: list[Counterfactual]) -> str:
    """Where the numeric counterfactuals were searched, as the notes, the command and the chart say it: 'the
    1st-99th percentile of the training rows (and the row's own value when outside it)'."""
    scopes = sorted({cf.scope for cf in found if cf.scope}, key=lambda s: s != SEARCHED) or [SEARCHED]
    return f"{' or '.join(scopes)} (and the row's own value when outside it)"


def _coded_note(found: list[Counterfactual], ranges: dict[str, FeatureRange]) -> list[str]:
    notes = []
    for level, what in ((False, "a few whole-number codes, which the network reads one by one: rather than moved as "
                                "a number, each code seen in training is tried"),
                        (True, "categories: each other level seen in training is tried")):
        tried = {cf.column for cf in found if cf.coded and getattr(cf, "level", False) == level}
        named = [c for c in ranges if c in tried]
        if named:
            notes.append(f"{', '.join(named)} {'holds' if len(named) == 1 else 'hold'} {what}, and the most common "
                         f"one that changes the decision is shown.")
    return notes


def _explain_pair(source, both: pd.DataFrame, *, background: int, seed: int, explainers):
    """One explanation of the original and the edited row, against a background of training rows."""
    from finmodels.explain.background import run_background, sample_rows
    from finmodels.explain.explanation import explain_table
    from finmodels.explain.outputs import output_choice, run_facts

    choice = output_choice(run_facts(source), source.model)
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):  # the rows its bundle keeps, drawn as from the bundle's
        bg = run_background(source, background, seed=seed)
        rows, note = frame.iloc[bg.positions], bg.note
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
