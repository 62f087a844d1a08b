"""A file to score checked against what the model was trained on, before it is scored: each problem with its column,
its lines in the file (the header is line 1), its values, what the model does with such a cell and what to do.

- a training column the file lacks (refused), with the file's column of a similar name it may be ('phone' for
  'telephone');
- text in a numeric column ('1.200,50', '12 months'): read as missing; the rows are scored and marked, unless more
  than MAX_TEXT_SHARE of the column's filled cells are text ('1,597.00 DM' in every row): then the file is refused;
- empty cells, and what the model puts in their place (the training median; a category of their own);
- values no real record holds (the Data page's rules, `finmodels.data.outliers.RULES`: ages outside 16 to 110) and
  values outside the training range, which the model reads as the range's edge;
- text values no training row had, with the training value they probably are ('Yes' for 'yes') or the values training
  had; in a column of numbers the model treats as categories, a text cell ('Univrsity' among EDUCATION's codes) is
  such a level, kept as written (`scoring_cells.with_level_text`), never an empty cell;
- the target column, when the file still holds it: ignored for scoring (`backtest_note` measures the AUC on it).

Rows with a problem are still scored (except when the file is refused) and named in the scored file's CHECK column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from finmodels.data.outliers import RULES
from finmodels.data.reading import rows_phrase
from finmodels.data.targets import label_strings
from finmodels.data.tidying import MARKERS
from finmodels.delivery.scoring_cells import CELLS, number_hint
from finmodels.delivery.scoring_treatment import (NEUTRAL_WOE, level_reading, number, numeric_reading,
                                                  training_levels)
from finmodels.errors import DataError

ERROR, WARNING, NOTE = "error", "warning", "note"
CHECK = "check"  # the scored table's column naming each row's problems ('' for a row without any)
MAX_TEXT_SHARE = 0.5  # more of a numeric column's filled cells than this are text: the file is refused
SHOWN = 5  # values (and lines per value) quoted in one message
FAR_OUTSIDE = 0.5  # a value beyond the training range by more than half its width is one to check (rows marked)
MIN_BACKTEST = 5  # rows of each outcome a back-test needs


@dataclass(frozen=True)
class FileProblem:
    """One problem of a file to score: `severity` 'error' refuses the file, 'warning' marks rows, 'note' informs."""

    code: str
    message: str
    severity: str = WARNING
    column: str | None = None
    lines: tuple[int, ...] = ()


@dataclass
class FileChecks:
    """Every problem of a file to score, and each row's short description of its own (`marks`: position -> texts)."""

    problems: list[FileProblem] = field(default_factory=list)
    marks: dict[int, list[str]] = field(default_factory=dict)
    cells: dict[str, dict[int, str]] = field(default_factory=dict)  # text cells of numeric columns read as missing

    def of(self, severity: str) -> list[FileProblem]:
        return [p for p in self.problems if p.severity == severity]

    def mark(self, positions, text) -> None:
        for i, position in enumerate(positions):
            self.marks.setdefault(int(position), []).append(text(i) if callable(text) else text)

    def column(self, count: int) -> np.ndarray:
        """The CHECK column of a file of `count` rows."""
        out = np.full(count, "", dtype=object)
        for position, texts in self.marks.items():
            out[position] = "; ".join(dict.fromkeys(texts))
        return out

    def summary(self, count: int) -> str | None:
        """'7 of 30 rows have cells to check (lines 2, 3, ...): ...', or None when no row has."""
        if not self.marks:
            return None
        lines = sorted(p + 2 for p in self.marks)
        return (f"{len(lines):,} of {count:,} rows have cells the model cannot read as written "
                f"({rows_phrase(lines).replace(' of the file', '')}). They are scored, but their scores rest on "
                "those cells as the model reads them: fix the cells and score the file again before using them. "
                "The download names each row's problem in its 'check' column.")


class FileRefused(DataError):
    """A file that cannot be scored as it is: `problems` are every message, the errors first; `checks` all of them."""

    def __init__(self, problems, checks: FileChecks | None = None):
        super().__init__(problems)
        self.checks = checks


def _lines(positions) -> str:
    return rows_phrase([int(p) + 2 for p in positions])


def _quoted(values, limit: int = SHOWN) -> str:
    values = list(dict.fromkeys(str(v) for v in values))
    return ", ".join(f"'{v}'" for v in values[:limit]) + (f" and {len(values) - limit} more" if len(values) > limit
                                                          else "")


def check_file(model, frame: pd.DataFrame, distribution=None) -> FileChecks:
    """Every problem of `frame` (rows as read, positions 0..n-1) for `model` (a ScoringModel) and the training
    distribution (`ReferenceDistribution`) stability is measured against; raises FileRefused when an error stops
    scoring, with every other problem in the same message list."""
    checks = FileChecks()
    features, target = model.features, model.config.target
    _columns(checks, features, frame, target)
    present = [c for c in features if c in frame.columns]
    numeric = [c for c in model.preprocessor.numeric if c in present]
    _text_in_numbers(checks, model, frame, numeric)
    _empty_cells(checks, model, frame, present)
    _plausible(checks, model, frame, numeric, distribution)
    _unseen(checks, model, frame, present, distribution)
    if target in frame.columns and target not in features:
        checks.problems.append(FileProblem(
            "target_in_file", f"Column '{target}', the outcome the model predicts, is in the file: it is ignored "
            "for scoring (the scores use only the model's input columns).", NOTE, target))
    order = {ERROR: 0, WARNING: 1, NOTE: 2}
    checks.problems.sort(key=lambda p: order[p.severity])
    _woe_once(checks)
    if checks.of(ERROR):
        raise FileRefused([p.message for p in checks.problems], checks)
    return checks


def _woe_once(checks: FileChecks) -> None:
    """The weight-of-evidence input's neutral evidence said once, in the first message that has it (for every such
    cell), rather than in every message."""
    said = [i for i, p in enumerate(checks.problems) if any(c in p.message for c in NEUTRAL_WOE)]
    if len(said) < 2:
        return
    for i in said[1:]:
        message = checks.problems[i].message
        for clause in NEUTRAL_WOE:
            message = message.replace(clause, "")
        checks.problems[i] = replace(checks.problems[i], message=message)
    first = checks.problems[said[0]]
    clause = next(c for c in NEUTRAL_WOE if c in first.message)
    every = (clause[:-1] + ", as for every missing or unseen cell below)" if clause.endswith(")")
             else clause + " (as for every missing or unseen cell below)")
    checks.problems[said[0]] = replace(first, message=first.message.replace(clause, every, 1))


def _columns(checks: FileChecks, features: list[str], frame: pd.DataFrame, target: str) -> None:
    missing = [c for c in features if c not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in features and c != target]
    if missing:
        guesses = {c: _similar(c, extra) for c in missing}
        named = ", ".join(f"'{c}'" + (f" (the file's '{guesses[c]}' may be it: rename it '{c}')" if guesses[c] else "")
                          for c in missing[:15]) + (f" and {len(missing) - 15} more" if len(missing) > 15 else "")
        checks.problems.append(FileProblem(
            "missing_columns", f"The file lacks {len(missing)} of the {len(features)} columns the model was trained "
            f"on: {named}. No row can be scored without them: add them (or rename the file's column) and score the "
            "file again; extra columns are fine.", ERROR, missing[0]))
    if frame.empty:
        checks.problems.append(FileProblem("no_rows", "The file has no rows to score. Upload a file with at least one "
                                           "row.", ERROR))
    unused = [c for c in extra if c not in {g for c2 in missing for g in [_similar(c2, extra)] if g}]
    if unused:
        checks.problems.append(FileProblem(
            "extra_columns", f"Column{'s' if len(unused) > 1 else ''} {_quoted(unused, 10)} "
            f"{'are' if len(unused) > 1 else 'is'} not used by the model and kept as {'they are' if len(unused) > 1 else 'it is'} "
            "in the download.",
            NOTE))


def _similar(name: str, candidates: list[str]) -> str | None:
    """The candidate column most like `name` (case, spaces and '_' aside; a near spelling or a part of it)."""
    def key(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    keys = {key(c): c for c in candidates}
    if key(name) in keys:
        return keys[key(name)]
    close = difflib.get_close_matches(key(name), list(keys), n=1, cutoff=0.6)
    if close:
        return keys[close[0]]
    within = [c for k, c in keys.items() if len(k) >= 4 and (k in key(name) or key(name) in k)]
    return within[0] if len(within) == 1 else None


def _text_in_numbers(checks: FileChecks, model, frame: pd.DataFrame, numeric: list[str]) -> None:
    kept = frame.attrs.get(CELLS, {})
    for column in numeric:
        values = frame[column]
        numbers = pd.to_numeric(values, errors="coerce")
        text = values.notna() & numbers.isna()  # a whole column of text stays text when read
        cells = {int(i): str(values.iloc[i]).strip() for i in np.flatnonzero(text.to_numpy())}
        missing = values.isna().to_numpy()
        cells.update({p: t for p, t in kept.get(column, {}).items() if p < len(frame) and missing[p]})
        _read_as_numbers(checks, column, numbers, {p: t for p, t in kept.get(column, {}).items()
                                                   if p < len(frame) and not missing[p]})
        if not cells:
            continue
        positions = sorted(cells)
        texts = [cells[p] for p in positions]
        filled = int(values.notna().sum()) + sum(1 for p in cells if missing[p])
        checks.cells[column] = cells
        where = ", ".join(f"'{cells[p]}' in line {p + 2}" for p in positions[:SHOWN]) + (
            f" and {len(positions) - SHOWN:,} more rows" if len(positions) > SHOWN else "")
        if len(cells) > MAX_TEXT_SHARE * filled:
            every = "every row" if len(cells) == len(frame) else f"{len(cells):,} of its {filled:,} filled rows"
            checks.problems.append(FileProblem(
                "text_column", f"Column '{column}' holds text in {every} (e.g. {_quoted(texts, 3)}) where the model "
                f"expects numbers: read as missing, every such row would be scored without its '{column}'. The file "
                f"is not scored. {number_hint(texts)}", ERROR, column, tuple(p + 2 for p in positions)))
            continue
        fill = numeric_reading(model.preprocessor, column).missing
        checks.problems.append(FileProblem(
            "text_in_numbers", f"Column '{column}' has text among numbers: {where} of the file. The text was read "
            f"as missing: the model {fill}. {number_hint(texts)}", WARNING, column,
            tuple(p + 2 for p in positions)))
        checks.mark(positions, lambda i, c=column, t=texts: f"{c}: text '{t[i]}' read as missing")


def _read_as_numbers(checks: FileChecks, column: str, numbers: pd.Series, cells: dict[int, str]) -> None:
    """A note naming the cells of `column` written as text that reading took as numbers ('€2,500' as 2,500)."""
    if not cells:
        return
    positions = sorted(cells)
    every = len(positions) == len(numbers)
    shown = ", ".join(f"'{cells[p]}'{'' if every else f' in line {p + 2}'} as {number(numbers.iloc[p])}"
                      for p in positions[:3]) + (f" and {len(positions) - 3:,} more" if len(positions) > 3 else "")
    checks.problems.append(FileProblem(
        "read_as_numbers", f"Column '{column}' has numbers written as text{' in every row' if every else ''}, read "
        f"as numbers: {shown}. Check that they were read as meant.", NOTE, column, tuple(p + 2 for p in positions)))


def _empty_cells(checks: FileChecks, model, frame: pd.DataFrame, present: list[str]) -> None:
    markers = frame.attrs.get(MARKERS, {})
    for column in present:
        gaps = frame[column].isna().to_numpy().copy()
        for position in checks.cells.get(column, {}):
            gaps[position] = False
        if not gaps.any():
            continue
        positions = np.flatnonzero(gaps)
        texts = set(frame.attrs.get(CELLS, {}).get(column, {}).values())  # said as text, or as a level never seen
        held = [m for m in markers.get(column, ()) if m and m not in texts]
        what = "empty" + (f" or holds {_quoted(held, 3)}" if held else "")
        numeric = column in model.preprocessor.numeric
        does = numeric_reading(model.preprocessor, column).missing if numeric else \
            level_reading(model.preprocessor, column).missing
        every = len(positions) == len(frame)
        where = f"every row ({len(frame):,})" if every else _lines(positions)
        checks.problems.append(FileProblem(
            "empty_cells", f"Column '{column}' is {what} in {where}: the model {does}. Fill the cells if you know "
            "them.", WARNING, column, tuple(int(p) + 2 for p in positions)))
        checks.mark(positions, f"{column}: empty")


def _plausible(checks: FileChecks, model, frame: pd.DataFrame, numeric: list[str], distribution) -> None:
    numbers = pd.DataFrame({c: pd.to_numeric(frame[c], errors="coerce") for c in numeric}, index=frame.index)
    named: dict[str, set[int]] = {}
    for rule in RULES:
        for problem in rule.problems(numbers):
            positions = [r - 2 for r in problem.rows]
            reading = numeric_reading(model.preprocessor, problem.column)
            values = numbers[problem.column].to_numpy()[positions]
            read = reading.edge_phrase(values[0]) if reading else ""
            checks.problems.append(FileProblem(
                problem.code, f"{problem.message}{' As they are,' + read if read else ''}", WARNING,
                problem.column, problem.rows))
            what = rule.what.format(problem.column, *(k.columns(numbers)[0] for k in rule.kinds[1:]))
            checks.mark(positions, lambda i, c=problem.column, v=values, w=what: f"{c}: {number(v[i])} ({w})")
            named.setdefault(problem.column, set()).update(positions)
    refs = {} if distribution is None else distribution.columns
    for column in numeric:
        ref = refs.get(column)
        if ref is not None and ref.kind == "numeric" and len(ref.edges) >= 2:
            _outside(checks, model, column, numbers[column], (ref.edges[0], ref.edges[-1]), named.get(column, set()))


def _outside(checks: FileChecks, model, column: str, numbers: pd.Series, edges: tuple[float, float],
             named: set[int]) -> None:
    """Values beyond the training range: a note when they lie near it, a warning (and the rows marked) when one lies
    more than FAR_OUTSIDE range widths beyond it, or is negative where no training value was."""
    low, high = edges
    values = numbers.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        beyond = np.fmax(low - values, values - high) / max(high - low, 1e-12)
        far = (beyond > FAR_OUTSIDE) | ((values < 0) & (low >= 0))
        outside = beyond > 0
    positions = [int(p) for p in np.flatnonzero(outside) if p not in named]
    if not positions:
        return
    marked = [p for p in positions if far[p]]
    reading = numeric_reading(model.preprocessor, column)
    shown = ", ".join(f"{number(values[p])} (line {p + 2})" for p in positions[:SHOWN])
    count = len(positions)
    head = (f"Column '{column}' has {count:,} value{'s' if count > 1 else ''} outside the range of the training rows "
            f"({number(low)} to {number(high)}): {shown}{' and more' if count > SHOWN else ''}. The model never saw "
            "such values")
    if not marked:
        checks.problems.append(FileProblem("near_training", f"{head}, but they lie near the range: check them only if "
                                           "they may be errors.", NOTE, column, tuple(p + 2 for p in positions)))
        return
    checks.problems.append(FileProblem(
        "outside_training", f"{head};{reading.edge_phrase(values[marked[:SHOWN]])} Check them against the source.",
        WARNING, column, tuple(p + 2 for p in positions)))
    checks.mark(marked, lambda i: f"{column}: {number(values[marked[i]])} outside the training range "
                f"({number(low)} to {number(high)})")


def _unseen(checks: FileChecks, model, frame: pd.DataFrame, present: list[str], distribution) -> None:
    refs = {} if distribution is None else distribution.columns
    for column in present:
        ref = refs.get(column)
        seen = ref.seen if ref is not None and ref.kind == "categorical" else None
        if ref is None or ref.kind != "categorical":  # numbers the model treats as categories: its encoder's levels
            seen = training_levels(model.preprocessor, column)
        if seen is None:
            continue
        values = frame[column].astype(object).map(lambda v: v if pd.isna(v) else _level(v))
        unseen = values.notna() & ~values.isin(set(seen))
        if not unseen.any():
            continue
        counts = values[unseen].value_counts()
        parts, guessed = [], True
        for value in list(counts.index)[:SHOWN]:
            positions = np.flatnonzero((values == value).to_numpy())
            guess = _similar_level(value, list(seen))
            guessed = guessed and guess is not None
            parts.append(f"'{value}' in {_lines(positions).replace(' of the file', '')}" + (f" ({guess})" if guess
                                                                                         else ""))
            checks.mark(positions, f"{column}: unseen level '{value}'" + (f" ({guess})" if guess else ""))
        more = f" and {len(counts) - SHOWN} more values" if len(counts) > SHOWN else ""
        noun = "a value" if len(counts) == 1 else f"{len(counts)} values"
        levels = "" if guessed else _seen_phrase(list(seen))
        checks.problems.append(FileProblem(
            "unseen_values", f"Column '{column}' has {noun} never seen in training: {'; '.join(parts)}{more}. The "
            f"model {level_reading(model.preprocessor, column).unseen}. Write {'it' if len(counts) == 1 else 'them'} as "
            f"the training data does{levels} and score the file again.", WARNING, column,
            tuple(int(p) + 2 for p in np.flatnonzero(unseen.to_numpy()))))


def _seen_phrase(seen: list[str], limit: int = 12) -> str:
    """" (its values: '1', '2', '3')", numbers in their order; '' when training has more than `limit` values."""
    if not seen or len(seen) > limit:
        return ""
    try:
        seen = sorted(seen, key=float)
    except ValueError:
        seen = sorted(seen)
    return " (its values: " + ", ".join(f"'{s}'" for s in seen) + ")"


def _level(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _similar_level(value: str, seen: list[str]) -> str | None:
    """'did you mean 'yes'? it differs only in case', or a near spelling; None when no training value is close."""
    folded = {" ".join(s.lower().split()): s for s in seen}
    same = folded.get(" ".join(value.lower().split()))
    if same is not None:
        return f"training has '{same}', which differs only in case or spaces"
    close = difflib.get_close_matches(value, seen, n=1, cutoff=0.8)
    return f"did you mean '{close[0]}'?" if close else None


def backtest_note(model, frame: pd.DataFrame, scores: np.ndarray) -> str | None:
    """A binary model's AUC on the outcomes the file still holds in the target column, clearly labelled; None when
    the file has no such column or too few rows of either outcome."""
    target = model.config.target
    if target not in frame.columns or getattr(model, "kind", None) != "binary" or model.event_label is None:
        return None
    labels = label_strings(frame[target])
    known = labels.notna().to_numpy() & np.isfinite(scores)
    events = (labels == str(model.event_label)).to_numpy() & known
    count, positive = int(known.sum()), int(events.sum())
    if positive < MIN_BACKTEST or count - positive < MIN_BACKTEST:
        return None
    from sklearn.metrics import roc_auc_score

    auc = float(roc_auc_score(events[known], scores[known]))
    return (f"Back-test on the file's own outcomes (column '{target}'): AUC {auc:.3f} on {count:,} rows, "
            f"{positive:,} of them '{model.event_label}'. A fair test only if none of these rows were among the "
            "training rows; a small file gives a rough figure.")
