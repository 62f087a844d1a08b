"""What a table holds: each column's role, the likely target, its balance, and the task that fits.

`profile(frame)` is what the Data page and `python -m finmodels profile` show. It only reads the table;
roles and target can be overridden by the user and the profile recomputed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from finmodels.errors import ConfigError
from finmodels.data.targets import (binary_labels, default_event_label, guess_target, is_rating_scale, label_strings,
                                    rating_order)
from finmodels.data.sequences import is_market_column, ticker_column
from finmodels.data.tasks import BINARY, REGRESSION, TASKS

IDENTIFIER, DATE, NUMERIC, CATEGORICAL, HIGH_CARDINALITY, CONSTANT, FREE_TEXT, TARGET = (
    "identifier", "date", "numeric", "categorical", "high-cardinality categorical", "constant", "free text",
    "target",
)
ROLES = (NUMERIC, CATEGORICAL, HIGH_CARDINALITY, IDENTIFIER, DATE, CONSTANT, FREE_TEXT, TARGET)
FEATURE_ROLES = (NUMERIC, CATEGORICAL, HIGH_CARDINALITY)
# More distinct text values than this makes a categorical "high-cardinality".
MAX_CATEGORIES = 50
# Tasks whose usual target names are tried, in this order, to pick the target column.
TARGET_TASK_ORDER = ("credit_default", "delinquency", "loan_repayment", "credit_rating", "loss_given_default",
                     "risk_control", "binary", "multiclass", "regression")
# Words a 0/1 outcome column is often named with (`dlq_90`, `bad_flag`, `SeriousDlqin2yrs`), most specific first,
# and the task each suggests. The first group is matched anywhere in the name, the rest as whole words.
RISK_ABBREVIATIONS = (
    ("dlq", "delinquency"), ("delinq", "delinquency"), ("chargeoff", "credit_default"),
    ("chargedoff", "credit_default"), ("dflt", "credit_default"), ("bad_flag", "credit_default"),
    ("default", "credit_default"), ("def", "credit_default"), ("bad", "credit_default"), ("target", "binary"),
    ("label", "binary"), ("flag", "binary"),
)
_ANYWHERE = ("dlq", "delinq", "chargeoff", "chargedoff", "dflt")
# A 0/1 column whose rarer value is this share of the rows (1% to 50%) may be an outcome: a target candidate.
CANDIDATE_SHARE = (0.01, 0.5)
_ID_NAMES = re.compile(r"^(id|key|uuid|guid|index|row_?id|row_?number|ticker|symbol|name|company|borrower|"
                       r"customer|account|isin|cusip|permno|gvkey)$|(^|_)id$|^id_|_(key|uuid|number|no|nr)$")
_DATE_LIKE = re.compile(r"^\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{4}-\d{2}|\d{1,2}\s+[A-Za-z]{3}|[A-Za-z]{3,9}\s+\d)")


@dataclass(frozen=True)
class ColumnProfile:
    """One column: its role (see ROLES), why, and what it holds."""

    name: str
    role: str
    dtype: str
    missing: int
    unique: int
    examples: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "missing": self.missing, "unique": self.unique,
                "dtype": self.dtype, "reason": self.reason}


@dataclass(frozen=True)
class TargetCandidate:
    """A column that could be the target: its name, the task it suggests, and why it was offered."""

    column: str
    task: str
    reason: str

    def to_dict(self) -> dict:
        return {"column": self.column, "task": self.task, "reason": self.reason}


@dataclass(frozen=True)
class Profile:
    """A table as the tool understood it; `features` are the columns a model would use."""

    rows: int
    columns: tuple[ColumnProfile, ...]
    target: str | None
    task: str
    other_tasks: tuple[str, ...]
    target_balance: dict[str, int] = field(default_factory=dict)
    event_label: str | None = None
    # Columns that could be the target, best first: usual target names, then 0/1 columns named like an outcome
    # (dlq, bad_flag, def ...), then other 0/1 columns whose rarer value is 1% to 50% of the rows.
    target_candidates: tuple[TargetCandidate, ...] = ()

    def column(self, name: str) -> ColumnProfile:
        for col in self.columns:
            if col.name == name:
                return col
        raise ConfigError(f"Column '{name}' is not in the table. Columns are: {', '.join(self.names())}.")

    def names(self, *roles: str) -> list[str]:
        """Column names, optionally only those with one of `roles`."""
        return [c.name for c in self.columns if not roles or c.role in roles]

    @property
    def roles(self) -> dict[str, str]:
        return {c.name: c.role for c in self.columns}

    @property
    def features(self) -> list[str]:
        """Columns used as model inputs: not identifiers, dates, constants, free text or the target."""
        return self.names(*FEATURE_ROLES)

    @property
    def date_column(self) -> str | None:
        dates = self.names(DATE)
        return dates[0] if dates else None

    @property
    def entity_column(self) -> str | None:
        """An identifier whose values repeat (a borrower, company or ticker seen in several rows)."""
        for col in self.columns:
            if col.role == IDENTIFIER and 1 < col.unique < self.rows - col.missing:
                return col.name
        return None

    @property
    def series_columns(self) -> tuple[str, str] | None:
        """(entity, date) of a long file of series without a target (one row per ticker and day, as the 10-stock
        price file): its charts show each entity's series, not all of them pooled; None for any other table."""
        if self.target is None and self.entity_column and self.date_column:
            return self.entity_column, self.date_column
        return None

    def table(self) -> pd.DataFrame:
        """One row per column: name, role, why the role was chosen, missing, distinct values and examples (last, as
        the longest: a table wider than the page cuts its last column, and the reason beside the role is the one to
        read)."""
        return pd.DataFrame({
            "column": [c.name for c in self.columns],
            "role": [c.role for c in self.columns],
            "why": [c.reason for c in self.columns],
            "missing": [c.missing for c in self.columns],
            "distinct": [c.unique for c in self.columns],
            "examples": [", ".join(c.examples) for c in self.columns],
        })

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "columns": [c.to_dict() for c in self.columns],
            "target": self.target,
            "task": self.task,
            "other_tasks": list(self.other_tasks),
            "target_balance": self.target_balance,
            "event_label": self.event_label,
            "target_candidates": [c.to_dict() for c in self.target_candidates],
            "features": self.features,
            "date_column": self.date_column,
            "entity_column": self.entity_column,
        }


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy without `attrs`: pandas deep-copies attrs into every derived object, which is slow."""
    if not frame.attrs:
        return frame
    plain = frame.copy(deep=False)
    plain.attrs = {}
    return plain


def _examples(present: pd.Series, n: int = 3) -> tuple[str, ...]:
    """Up to `n` distinct values as text; whole numbers of a float column (one with gaps) without '.0'."""
    shown = present.drop_duplicates().iloc[:n]
    if pd.api.types.is_float_dtype(shown.dtype) and bool((present % 1 == 0).all()):
        return tuple(f"{v:.0f}" for v in shown)
    return tuple(str(v)[:40] for v in shown)


def looks_like_dates(present: pd.Series) -> float:
    """Share of (a sample of) text values that parse as dates; 0 when they do not look like dates at all."""
    sample = present.astype(str).iloc[:200]
    if sample.empty or sample.str.match(_DATE_LIKE).mean() < 0.9:
        return 0.0
    parsed = parse_dates(sample)
    return float(parsed.notna().mean())


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates from text: the format of the first value for all rows, then any other format row by row."""
    import warnings

    text = values.astype(str).where(values.notna())
    first = text.dropna().iloc[0] if text.notna().any() else ""
    fmt = pd.tseries.api.guess_datetime_format(first) if first else None

    def to_dates(part: pd.Series, form: str) -> pd.Series:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = pd.to_datetime(part, format=form, errors="coerce", utc=True)
        return out.dt.tz_localize(None).astype("datetime64[us]")

    parsed = to_dates(text, fmt) if fmt else pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    rest = parsed.isna() & text.notna()
    if rest.any():
        parsed = parsed.fillna(to_dates(text[rest], "mixed"))
    return parsed


def column_role(series: pd.Series) -> tuple[str, str]:
    """(role, reason) for one column, from its name, type and values."""
    present = series.dropna()
    unique = int(present.nunique())
    name = re.sub(r"[\s\-.]+", "_", str(series.name).strip().lower())
    if unique <= 1:
        what = "no values" if present.empty else f"the single value '{present.iloc[0]}'"
        return CONSTANT, f"has {what}"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return DATE, "holds dates"
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    integral = numeric and bool((present % 1 == 0).all())
    all_unique = unique == len(present)
    if _ID_NAMES.search(name) and unique > 2 and (integral or not numeric):
        return IDENTIFIER, "is named like an identifier"
    if integral and all_unique and len(present) >= 20 and present.max() - present.min() + 1 == len(present):
        return IDENTIFIER, "numbers every row once (a row number)"
    if numeric:
        return NUMERIC, "holds numbers"
    if pd.api.types.is_bool_dtype(series.dtype):
        return CATEGORICAL, "holds true/false"
    text = present.astype(str)
    if looks_like_dates(text) >= 0.9:
        return DATE, "holds dates"
    many = unique > MAX_CATEGORIES or (unique > len(present) / 2 and len(present) >= 20)
    if many and text.str.len().mean() >= 25 and (text.str.count(" ") + 1).mean() >= 3:
        return FREE_TEXT, "holds sentences"
    if all_unique and len(present) >= 20:
        return IDENTIFIER, "has a different value in every row"
    if unique <= MAX_CATEGORIES:
        return CATEGORICAL, f"has {unique} distinct values"
    return HIGH_CARDINALITY, f"has {unique:,} distinct values"


def name_words(name) -> list[str]:
    """A column name's words, lower case: `SeriousDlqin2yrs` -> serious, dlqin, 2, yrs; `bad_flag` -> bad, flag."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(name))]


def risk_word(name) -> tuple[str, str] | None:
    """(word, task key) when a column's name contains a word of RISK_ABBREVIATIONS, else None."""
    words = name_words(name)
    joined, flat = f"_{'_'.join(words)}_", "".join(words)
    for word, task in RISK_ABBREVIATIONS:
        if (word in flat) if word in _ANYWHERE else (f"_{word}_" in joined):
            return word, task
    return None


def ones_share(series: pd.Series) -> float | None:
    """The share of 1s (or trues) in a column holding both 0 and 1 (or true and false); None for any other."""
    present = series.dropna()
    if present.empty:
        return None
    if pd.api.types.is_bool_dtype(present.dtype):
        ones = float(present.astype(bool).mean())
    elif pd.api.types.is_numeric_dtype(present.dtype) and bool(present.isin((0, 1)).all()):
        ones = float((present == 1).mean())
    else:
        return None
    return ones if 0.0 < ones < 1.0 else None


def _named_candidates(frame: pd.DataFrame):
    """Candidates by name: usual target names (in the order pick_target tries them), then 0/1 columns named
    like an outcome."""
    by_norm: dict[str, list[str]] = {}
    for column in frame.columns:
        by_norm.setdefault(_norm_name(column), []).append(str(column))
    seen = set()
    for key in TARGET_TASK_ORDER:
        for name in TASKS[key].target_names:
            for column in by_norm.get(_norm_name(name), []):
                if column not in seen:
                    seen.add(column)
                    task = task_for_target(frame[column], key)  # 'outcome' is a regression name; good/bad is not
                    yield TargetCandidate(column, task, f"has a usual target name of the {TASKS[key].label.lower()} "
                                          "task" if task == key else f"has a usual target name ('{name}') and "
                                          f"{_values_phrase(frame[column], task)}")
    named = [(c, risk_word(c)) for c in map(str, frame.columns) if c not in seen]
    ranked = sorted(((RISK_ABBREVIATIONS.index(found), c, found) for c, found in named if found), key=lambda t: t[0])
    for _, column, (word, task) in ranked:
        ones = ones_share(frame[column])
        if ones is not None:
            yield TargetCandidate(column, task, f"holds 0/1 (1 in {ones:.1%} of rows) and is named like an outcome "
                                                f"('{word}')")


def _values_phrase(series: pd.Series, task: str) -> str:
    """What a target's values are, as its candidate's reason says: 'two values, bad/good', '7 ratings (AAA to C)',
    '812 different numbers', '3 values (high, low, mid)'."""
    labels = binary_labels(series)
    if len(labels) <= 2:
        return {0: "no values", 1: f"a single value, {''.join(labels)}"}.get(len(labels), f"two values, {'/'.join(labels)}")
    if task == "credit_rating":
        order = rating_order(labels) or labels
        return f"{len(labels)} ratings ({order[0]} to {order[-1]})"
    if TASKS[task].kind == REGRESSION:
        return f"{len(labels):,} different numbers"
    return f"{len(labels)} values ({', '.join(labels[:3])}{' ...' if len(labels) > 3 else ''})"


def _norm_name(name) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def target_candidates(frame: pd.DataFrame) -> tuple[TargetCandidate, ...]:
    """Every column that could be the target, best first (the first is what `pick_target` picks, if named).

    Usual target names come first, then 0/1 columns named like an outcome (`dlq`, `delinq`, `chargeoff`,
    `bad_flag`, `def`, `dflt`, `target`, `label`, `flag`), then any other 0/1 column whose rarer value is
    between 1% and 50% of the rows, in file order.
    """
    found = list(_named_candidates(frame))
    named = {c.column for c in found}
    low, high = CANDIDATE_SHARE
    for column in map(str, frame.columns):
        if column in named:
            continue
        ones = ones_share(frame[column])
        if ones is not None and low <= min(ones, 1.0 - ones) <= high:
            found.append(TargetCandidate(column, "binary", f"holds 0/1 (1 in {ones:.1%} of rows)"))
    return tuple(found)


def pick_target(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """(target column, task key) by name, or (None, None).

    A usual target name of a task preset wins; else a 0/1 column named like an outcome (`dlq`, `bad_flag`,
    `def` ...; see RISK_ABBREVIATIONS). 0/1 columns with other names are only offered (`target_candidates`).
    """
    first = next(_named_candidates(frame), None)
    return (first.column, first.task) if first else (None, None)


def task_of_name(column) -> str | None:
    """The task a target column's name suggests: a usual target name's task, or an outcome word's task."""
    key = next((k for k in TARGET_TASK_ORDER if guess_target([column], TASKS[k].target_names)), None)
    if key is None:
        found = risk_word(column)
        key = found[1] if found else None
    return key


def task_for_target(series: pd.Series, named_task: str | None) -> str:
    """The task that fits a target column: its name's task when the values agree, else by its values."""
    labels = binary_labels(series)
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if len(labels) <= 2:
        if named_task and TASKS[named_task].kind == BINARY:
            return named_task
        return "binary"
    if is_rating_scale(series):
        return "credit_rating"
    if numeric and len(labels) > 20:
        return named_task if named_task in ("loss_given_default", "risk_control", "regression") else "regression"
    return "multiclass"


def _sequence_tasks(columns: tuple[ColumnProfile, ...], rows: int) -> tuple[str, ...]:
    roles = {c.name: c.role for c in columns}
    has_date = DATE in roles.values()
    prices = [c.name for c in columns if c.role == NUMERIC and is_market_column(c.name)]
    if not has_date:
        return ("anomaly",)
    tickers = [c for c in columns if c.role == IDENTIFIER and 1 < c.unique < rows]
    numeric = [c for c in columns if c.role == NUMERIC]
    if prices and tickers and tickers[0].unique < 3:  # two stocks: the risk of holding both, as Train chose before
        return ("market_risk", "asset_allocation", "forecast", "anomaly")
    if prices and tickers:
        return ("asset_allocation", "forecast", "market_risk", "anomaly")
    if prices:
        return ("market_risk", "forecast", "anomaly")
    dates = next(c for c in columns if c.role == DATE)
    tabular = any(c.role in (CATEGORICAL, HIGH_CARDINALITY, FREE_TEXT) for c in columns)
    if tabular or dates.unique < rows - dates.missing or not numeric:
        return ("anomaly",)
    if len(numeric) >= 2:  # a wide file: one price column per asset, one row per date
        return ("asset_allocation", "forecast", "market_risk", "anomaly")
    return ("forecast", "market_risk", "anomaly")


def profile(frame: pd.DataFrame, *, target: str | None = "auto", roles: dict[str, str] | None = None,
            event_label: str | None = None) -> Profile:
    """Profile a table: roles of every column, the target (auto-picked unless given; None for none), task.

    `roles` overrides the role of named columns; `event_label` overrides the default risk event.
    """
    frame = without_attrs(frame)
    for name, role in (roles or {}).items():
        if role not in ROLES:
            raise ConfigError(f"Unknown role '{role}' for column '{name}'. Roles are: {', '.join(ROLES)}.")
        if name not in frame.columns:
            raise ConfigError(
                f"Column '{name}' is not in the table. Columns are: {', '.join(map(str, frame.columns))}."
            )
    suggested = None
    if target == "auto":
        target, suggested = pick_target(frame)
    elif target is not None and target not in frame.columns:
        raise ConfigError(
            f"Target column '{target}' not found. Columns are: {', '.join(map(str, frame.columns))}. "
            "Choose the target on the Data page."
        )
    elif target is not None:
        suggested = task_of_name(target)
    columns = []
    ticker = ticker_column(frame)  # the panel reader's (Train's) rule: a price file's column naming each series
    for name in frame.columns:
        series = frame[name]
        role, reason = column_role(series)
        if name == ticker and name != target:
            tickers = int(series.nunique())
            role, reason = IDENTIFIER, f"names each price series ({tickers} tickers)"
        if name == target:
            role, reason = TARGET, "is the target"
        elif roles and name in roles and roles[name] != role:
            role, reason = roles[name], "set by you"
        present = series.dropna()
        columns.append(ColumnProfile(str(name), role, str(series.dtype), int(series.isna().sum()),
                                     int(present.nunique()), _examples(present), reason))
    columns = tuple(columns)
    candidates = target_candidates(frame)
    if target is None:
        tasks = _sequence_tasks(columns, len(frame))
        return Profile(len(frame), columns, None, tasks[0], tasks[1:], target_candidates=candidates)
    series = frame[target]
    task = task_for_target(series, suggested)
    balance = label_strings(series).value_counts().iloc[:20]
    event = None
    labels = binary_labels(series)
    if len(labels) == 2:
        event = event_label if event_label in labels else default_event_label(series)
    alternatives = {BINARY: ("credit_default", "binary"), "ordinal": ("multiclass", "regression")}
    others = tuple(k for k in alternatives.get(TASKS[task].kind, ()) if k != task)
    return Profile(len(frame), columns, target, task, others, {str(k): int(v) for k, v in balance.items()}, event,
                   candidates)

