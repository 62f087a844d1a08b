"""Every problem in a table before training, each with the column, rows, values and what to do.

`validate(frame, found)` collects problems instead of stopping at the first one. An "error" stops training
until it is fixed; a "warning" is something the tool works around (and says how).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.data.codes import code_problems
from finmodels.data.outliers import flagged_rows, plausibility_problems
from finmodels.data.panels import inputs_note
from finmodels.data.problems import ERROR, WARNING, Problem
from finmodels.data.problems import row_numbers as _rows
from finmodels.data.profiling import (
    CONSTANT,
    DATE,
    FREE_TEXT,
    IDENTIFIER,
    Profile,
    parse_dates,
    profile,
    without_attrs,
)
from finmodels.data.reading import rows_phrase
from finmodels.data.targets import label_strings
from finmodels.data.price_gaps import date_gaps, gap_message, series_of
from finmodels.data.tasks import BINARY, FORECAST, REGRESSION, TASKS
from finmodels.errors import DataError

# Fewer rows per class than this cannot be split into stratified train, validation and test parts.
MIN_ROWS_PER_CLASS = 5
MIN_ROWS = 20
# Leakage checks need this many rows per class, so that a tiny table is not "perfectly predicted" by chance.
LEAKAGE_MIN_PER_CLASS = 10
LEAKING = ("target_copy", "perfect_predictor")


def _shown(values, limit: int = 3) -> str:
    return ", ".join(f"'{v}'" for v in list(values)[:limit])


def _target_problems(frame: pd.DataFrame, found: Profile) -> list[Problem]:
    target, task = found.target, TASKS[found.task]
    labels = label_strings(frame[target])
    missing = labels.isna().to_numpy()
    if missing.all():
        return [Problem("empty_target", f"Target column '{target}' is empty in all {len(frame):,} rows. Fill it in, "
                        "or choose another target column on the Data page.", column=target)]
    problems = []
    if missing.any():
        rows = _rows(missing)
        problems.append(Problem(
            "rows_without_target",
            f"Target column '{target}' is missing in {len(rows):,} row{'s' if len(rows) > 1 else ''} "
            f"({rows_phrase(rows)}); those rows are dropped before training ({int((~missing).sum()):,} rows "
            "remain). Fill them in to use them.",
            WARNING, target, tuple(rows)))
    counts = labels.dropna().value_counts()
    if task.kind == REGRESSION:
        return problems
    if len(counts) == 1:
        problems.append(Problem(
            "single_class", f"Target column '{target}' has one value ('{counts.index[0]}') in all "
            f"{int(counts.iloc[0]):,} rows with a target; a model needs at least two classes. Choose another "
            "target, or add rows of the other class.", column=target, values=(str(counts.index[0]),)))
        return problems
    rare = counts[counts < MIN_ROWS_PER_CLASS]
    if len(rare):
        shown = ", ".join(f"'{k}' {v}" for k, v in rare.items())
        fix = ("Merge rare classes (e.g. the lowest ratings into one) or add rows." if task.kind != BINARY
               else "Add rows of that class, or choose another target.")
        problems.append(Problem(
            "too_few_per_class",
            f"Target column '{target}' has too few rows in {len(rare)} class{'es' if len(rare) > 1 else ''} ({shown} "
            f"rows); at least {MIN_ROWS_PER_CLASS} per class are needed to split into train, validation and test. "
            f"{fix}",
            ERROR if task.kind == BINARY else WARNING, target, values=tuple(map(str, rare.index))))
    return problems


def _same_values(feature: pd.Series, target: pd.Series) -> bool:
    both = feature.notna() & target.notna()
    return bool(both.sum() >= 2 and (label_strings(feature[both]) == label_strings(target[both])).all())


def _copy_problem(name: str, target: str) -> Problem:
    return Problem("target_copy", f"Column '{name}' is a copy of the target '{target}' (the same value in every row): "
                   "it would not be known when the model is used. It was left out of the features.", WARNING, name)


def _leakage(frame: pd.DataFrame, found: Profile, features: list[str]) -> list[Problem]:
    target, task = found.target, TASKS[found.task]
    known = frame[target].notna()
    labels = label_strings(frame[target])[known].rename(target)
    counts = labels.value_counts()
    if task.kind == REGRESSION or len(counts) > 50:
        return [_copy_problem(name, target) for name in features if _same_values(frame[name], frame[target])]
    if len(counts) < 2 or counts.min() < LEAKAGE_MIN_PER_CLASS:
        return []
    rows = frame.loc[known, features]
    usable = rows.notna().sum() >= len(rows) * 0.5
    distinct = rows.nunique()
    candidates = [c for c in features if usable[c] and distinct[c] >= 2]
    numeric = [c for c in candidates if pd.api.types.is_numeric_dtype(rows[c].dtype)
               and not pd.api.types.is_bool_dtype(rows[c].dtype)]
    separated = _separating(rows[numeric], labels) if len(counts) == 2 and numeric else {}
    problems = []
    present = rows.notna().sum()
    for name in candidates:
        if distinct[name] <= 50 and distinct[name] * 5 <= present[name]:
            problem = _value_leak(rows[name], labels, target)
        else:
            problem = separated.get(name)
        if problem is not None:
            problems.append(problem)
    return problems


def _separating(numbers: pd.DataFrame, labels: pd.Series) -> dict[str, Problem]:
    """Numeric columns whose values of one class all lie below those of the other class."""
    values = numbers.to_numpy(dtype="float64", na_value=np.nan)
    first, second = sorted(labels.unique())
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns within a class
        parts = {k: values[(labels == k).to_numpy()] for k in (first, second)}
        lo = pd.DataFrame({k: np.nanmin(v, axis=0) for k, v in parts.items()}, index=numbers.columns).T
        hi = pd.DataFrame({k: np.nanmax(v, axis=0) for k, v in parts.items()}, index=numbers.columns).T
    below = hi.loc[first] < lo.loc[second]
    above = hi.loc[second] < lo.loc[first]
    found = {}
    for name in numbers.columns[(below | above).to_numpy()]:
        low, high = (first, second) if below[name] else (second, first)
        shown = f"'{low}' rows are all <= {hi.loc[low, name]:g}, '{high}' rows all >= {lo.loc[high, name]:g}"
        what = f"separates the classes of the target '{labels.name}' perfectly"
        limits = (f"{hi.loc[low, name]:g}", f"{lo.loc[high, name]:g}")
        found[name] = _leak_problem("perfect_predictor", name, what, shown, limits)
    return found


def _value_leak(series: pd.Series, labels: pd.Series, target: str) -> Problem | None:
    """A column with few values each of which always goes with one class: a copy or a perfect predictor."""
    present = series.notna()
    values, classes = series[present].astype(str), labels[present]
    if not (classes.groupby(values).nunique() == 1).all():
        return None
    copy = bool((values.groupby(classes).nunique() == 1).all())
    pairs = pd.DataFrame({"v": values, "t": classes}).drop_duplicates().iloc[:3]
    shown = ", ".join(f"'{v}' always goes with '{t}'" for v, t in zip(pairs["v"], pairs["t"]))
    what = f"is a copy of the target '{target}'" if copy else f"predicts the target '{target}' perfectly"
    return _leak_problem("target_copy" if copy else "perfect_predictor", series.name, what, shown, tuple(pairs["v"]))


def _leak_problem(code: str, name: str, what: str, shown: str, values: tuple[str, ...]) -> Problem:
    return Problem(
        code, f"Column '{name}' {what} ({shown}): it is probably recorded after the outcome (leakage), and a "
        "model using it would fail on new rows. It was left out of the features; add it back only if it is "
        "known before the outcome.", WARNING, name, values=values)


def _column_problems(frame: pd.DataFrame, found: Profile) -> list[Problem]:
    problems = []
    for col in found.columns:
        series = frame[col.name]
        if col.role == CONSTANT and col.missing == len(frame):
            problems.append(Problem("empty_column", f"Column '{col.name}' is empty in all {len(frame):,} rows; it is "
                                    "left out of the features. Remove it from the file or fill it in.",
                                    WARNING, col.name))
        elif col.role == CONSTANT and col.unique <= 1:
            problems.append(Problem("constant_column", f"Column '{col.name}' has the same value "
                                    f"('{col.examples[0]}') in every row, so it cannot help a model; it is left out "
                                    "of the features.", WARNING, col.name, values=col.examples[:1]))
        if pd.api.types.is_float_dtype(series.dtype):
            infinite = np.isinf(series.to_numpy(dtype="float64", na_value=np.nan))
            if infinite.any():
                rows = _rows(infinite)
                problems.append(Problem(
                    "infinite_values", f"Column '{col.name}' has infinite values in {rows_phrase(rows)} "
                    f"(e.g. '{series[infinite].iloc[0]}'). Replace them with a number, or leave the cells empty to "
                    "have them read as missing.", ERROR, col.name, tuple(rows)))
        if col.role == DATE:
            problems.extend(_date_problems(frame, found, col.name))
    return problems


def _entity_problem(frame: pd.DataFrame, found: Profile) -> list[Problem]:
    """A table with a target whose entity (a company, a borrower) has several rows: a random split puts one entity's
    rows in both the training and the test rows."""
    name = found.entity_column
    if name is None or found.target is None or TASKS[found.task].kind == FORECAST:
        return []
    counts = frame[name].dropna().astype(str).value_counts()
    repeated = counts[counts > 1]
    return [Problem(
        "repeated_entity", f"Column '{name}' names {len(counts):,} entities, and {len(repeated):,} of them have several "
        f"rows ({int(repeated.sum()):,} rows; e.g. '{repeated.index[0]}' {int(repeated.iloc[0])}). A random split puts "
        "rows of one entity in both the training and the test rows, so the test figures can be optimistic. Choose "
        "the split 'by entity' on the Train page (--split entity on the command line) to keep each entity's rows "
        "together.", WARNING, name, values=tuple(repeated.index[:3]))] if len(repeated) else []


def _row_problems(frame: pd.DataFrame) -> list[Problem]:
    """Rows that repeat an earlier row exactly: a warning a validator asks about."""
    repeated = frame.duplicated().to_numpy()
    if not repeated.any():
        return []
    rows = _rows(repeated)
    return [Problem(
        "duplicate_rows", f"{len(rows):,} rows repeat an earlier row exactly ({rows_phrase(rows)}). A copy can fall in "
        "both the training and the test rows and flatter the metrics: remove the copies if they are not distinct "
        "loans.", WARNING, None, tuple(rows))]


def _date_problems(frame: pd.DataFrame, found: Profile, name: str) -> list[Problem]:
    text = frame[name]
    if pd.api.types.is_datetime64_any_dtype(text.dtype):
        dates = text
    else:
        text = text.astype(str).where(text.notna())
        dates = parse_dates(text)
        failed = (dates.isna() & text.notna()).to_numpy()
        problems = []
        if failed.any():
            rows = _rows(failed)
            problems.append(Problem(
                "unparsed_dates", f"Column '{name}' has values that are not dates in {rows_phrase(rows)} (e.g. "
                f"{_shown(text[failed])}); those rows have no date. Write every date as YYYY-MM-DD.",
                WARNING, name, tuple(rows), tuple(map(str, text[failed].iloc[:3]))))
        fmt = pd.tseries.api.guess_datetime_format(str(text.dropna().iloc[0]))
        strict = pd.to_datetime(text, format=fmt, errors="coerce") if fmt else dates
        other = (strict.isna() & dates.notna()).to_numpy()
        if other.any():
            rows = _rows(other)
            problems.append(Problem(
                "mixed_date_formats", f"Column '{name}' mixes date formats: {rows_phrase(rows)} (e.g. "
                f"{_shown(text[other])}) are not in the format of the first row ('{text.dropna().iloc[0]}'), so "
                "day and month may be read the wrong way round. Save every date in one format, e.g. 2024-01-31.",
                WARNING, name, tuple(rows), tuple(map(str, text[other].iloc[:3]))))
        if TASKS[found.task].kind != FORECAST:
            return problems
    keys = [found.entity_column, name] if found.entity_column else [name]
    repeated = frame.assign(**{name: dates})[keys].duplicated(keep=False).to_numpy() & dates.notna().to_numpy()
    if repeated.any():
        rows = _rows(repeated)
        per = f" per '{found.entity_column}'" if found.entity_column else ""
        problems.append(Problem(
            "repeated_dates", f"Column '{name}' repeats dates{per}: {rows_phrase(rows)} share a date (e.g. "
            f"'{text[repeated].iloc[0]}'). A price history needs one row per date{per}: remove duplicate rows, or "
            "mark the column that names each series (ticker, account) as an identifier.", WARNING, name, tuple(rows)))
    series = series_of(frame)
    if series is not None and series.date == name and not repeated.any() and (gaps := date_gaps(frame, series)):
        problems.append(Problem("date_gaps", gap_message(gaps, series), WARNING, name,
                                tuple(g.line for g in gaps), tuple(g.ticker or "" for g in gaps[:3])))
    return problems


def validate(frame: pd.DataFrame, found: Profile | None = None, *, target: str | None = "auto",
             features: list[str] | None = None) -> list[Problem]:
    """Every problem of `frame` for its profile (computed when not given), errors first.

    `target` names the target column when no profile is given ("auto" picks it; a missing column is a
    problem, not an exception). `features` are the columns the user chose; default: the profile's.
    """
    frame = without_attrs(frame)
    problems = []
    if found is None:
        if target not in (None, "auto") and target not in frame.columns:
            problems.append(Problem(
                "missing_target", f"Target column '{target}' not found. Columns are: "
                f"{', '.join(map(str, frame.columns[:30]))}{' ...' if frame.shape[1] > 30 else ''}. "
                "Choose the target on the Data page.", column=target))
            target = None
        found = profile(frame, target=target)
    if found.target is None and not problems:
        if TASKS[found.task].needs_target:
            problems.append(Problem("missing_target", "No target column was chosen. Choose the column the model "
                                    "should predict on the Data page.", column=None))
        elif found.task == "anomaly":
            problems.append(_no_target(found))
    if len(frame) < MIN_ROWS:
        problems.append(Problem(
            "too_few_rows", f"The table has only {len(frame)} row{'s' if len(frame) != 1 else ''}; at least {MIN_ROWS} "
            f"(and {MIN_ROWS_PER_CLASS} per class) are needed to train, validate and test a model. Add rows."))
    if found.target is not None:
        problems.extend(_target_problems(frame, found))
    chosen = found.features if features is None else list(features)
    if found.target is not None:
        problems.extend(_leakage(frame, found, [c for c in chosen if c != found.target]))
    problems.extend(_column_problems(frame, found))
    problems.extend(_row_problems(frame))
    problems.extend(_entity_problem(frame, found))
    problems.extend(code_problems(frame, found))
    named = {p.column: set(p.rows) for p in problems if p.column is not None and p.code == "special_codes"}
    problems.extend(plausibility_problems(frame, found, known=named))
    problems.extend(feature_problems(found, chosen))
    return sorted(problems, key=lambda p: p.severity != ERROR)


def _no_target(found: Profile) -> Problem:
    # shown on the Data page, beside the target box, and by the profile command: it says what to pick, not where
    offered = [c.column for c in found.target_candidates]
    if offered:
        shown = ", ".join(f"'{c}'" for c in offered[:5]) + (" ..." if len(offered) > 5 else "")
        fix = (f"{'Columns' if len(offered) > 1 else 'Column'} {shown} "
               f"{'hold' if len(offered) > 1 else 'holds'} 0/1 values and could be the outcome: make "
               f"{'one' if len(offered) > 1 else 'it'} the target to train a risk model.")
    else:
        fix = "If a column is the outcome to predict, make it the target."
    return Problem("no_target", "No column has a usual target name (default, creditability, loan_status, rating, dlq "
                   f"...), so the suggested task is anomaly detection, which needs no label. {fix}", WARNING,
                   values=tuple(offered[:5]))


def feature_problems(found: Profile, features: list[str], *, task: str | None = None,
                     frame: pd.DataFrame | None = None) -> list[Problem]:
    """Problems of the user's feature choice: identifiers, free text, dates or the target among the features; and,
    given the chosen `task` and the `frame`, for a price task the inputs its network derives from the columns
    instead of the features ('price_inputs': return, abs_return, log_range; `panels.inputs_note`)."""
    roles, problems = found.roles, []
    if frame is not None and task in TASKS and TASKS[task].kind == FORECAST and (note := inputs_note(frame)):
        problems.append(Problem("price_inputs", note, WARNING))
    for name in features:
        role = roles.get(name)
        if role in (IDENTIFIER, FREE_TEXT):
            what = "looks like an identifier" if role == IDENTIFIER else "holds free text"
            problems.append(Problem(
                "identifier_feature", f"Column '{name}' {what} ({found.column(name).unique:,} distinct values) but is "
                "used as a feature: the model would memorise rows instead of learning. Remove it from the features.",
                WARNING, name))
        elif role == DATE:
            problems.append(Problem(
                "date_feature", f"Column '{name}' holds dates but is used as a feature: each date would be a category "
                "the model never sees again. Remove it from the features (the split uses it to keep the future out "
                "of training).", WARNING, name))
    return problems


def model_features(found: Profile, problems: list[Problem]) -> list[str]:
    """The profile's feature columns without those flagged as leaking the target."""
    leaking = {p.column for p in problems if p.code in LEAKING}
    return [c for c in found.features if c not in leaking]


def raise_for_errors(problems: list[Problem]) -> None:
    """Raise DataError with every error message (warnings do not stop anything)."""
    errors = [p.message for p in problems if p.severity == ERROR]
    if errors:
        raise DataError(errors)


@dataclass(frozen=True)
class DataCheck:
    """A table's profile, its problems and the features a model should use: what the Data page shows."""

    profile: Profile
    problems: tuple[Problem, ...]
    features: tuple[str, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def flagged(self, frame: pd.DataFrame, column: str) -> tuple[int, ...]:
        """Rows (spreadsheet numbers) whose value of `column` a check calls implausible (codes, rules, outliers)."""
        return flagged_rows(frame, self.profile, self.problems, column)


def check_data(frame: pd.DataFrame, *, target: str | None = "auto", roles: dict[str, str] | None = None,
               event_label: str | None = None) -> DataCheck:
    """Profile `frame` (with the user's target, roles and event label) and collect its problems.

    The features are the profile's feature columns minus those that leak the target.
    """
    found = profile(frame, target=target, roles=roles, event_label=event_label)
    problems = validate(frame, found)
    return DataCheck(found, tuple(problems), tuple(model_features(found, problems)))
