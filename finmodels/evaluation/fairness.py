"""Fairness by a protected attribute: how a binary model's decisions and errors differ between groups.

A protected column (age, sex, nationality ...) need not be a model input: the analysis reads it from the scored
rows. Per group, at the chosen threshold (rows scored at or above it are declined, as on the Score page): the
approval rate, the adverse impact ratio (its approval rate over the most favoured group's; under four fifths is
flagged, the US EEOC's four-fifths rule), the true-positive rate (share of the risk events declined), the
false-positive rate (share of the others declined) and the AUC within the group. The rates come from
fairlearn's MetricFrame.

Numbers with many values are analysed in bands: age-like columns in the usual age bands (<25, 25–34, ...,
65+), others in quantile bands; a band with too few rows is merged into its smaller neighbour, and the notes
say so. Groups of text columns are not merged: a column with one group, or with groups under `min_rows`
rows, is refused with the counts, since rates of so few rows are too noisy to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError, FinModelsError

MIN_GROUP_ROWS = 30
FOUR_FIFTHS = 0.8
AGE_EDGES = (25, 35, 45, 55, 65)
BAND_ABOVE = 10  # a numeric column with more distinct values than this is analysed in bands
QUANTILE_BANDS = 5
MISSING = "(missing)"
DASH = "–"


@dataclass
class FairnessReport:
    """Per-group decisions and errors of one protected column, against the most favoured group.

    `table` has one row per group (its label as index, in band or size order): rows, events (None without
    outcomes), approval_rate, adverse_impact_ratio, tpr, fpr, auc and flagged (under four fifths).
    `overall` holds the same rates over all rows.
    """

    column: str
    threshold: float
    table: pd.DataFrame
    reference: str
    overall: dict[str, float]
    event_label: str = "event"
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        """The groups whose adverse impact ratio is under four fifths."""
        return [str(g) for g in self.table.index[self.table["flagged"]]]

    @property
    def has_outcomes(self) -> bool:
        return bool(self.table["events"].notna().any())

    def gaps(self) -> dict[str, float]:
        """The largest difference between two groups of each rate (equalised odds reads the TPR and FPR gaps)."""
        out = {}
        for name in ("approval_rate", "tpr", "fpr", "auc"):
            values = self.table[name].astype(float).dropna()
            out[name] = float(values.max() - values.min()) if len(values) > 1 else float("nan")
        return out

    def to_dict(self) -> dict:
        """Plain JSON-ready content: `groups` {group: rates}, `reference`, `flagged`, and the rest."""
        groups = {}
        for group, row in self.table.iterrows():
            groups[str(group)] = {
                "adverse_impact_ratio": _number(row["adverse_impact_ratio"]),
                "approval_rate": _number(row["approval_rate"]), "tpr": _number(row["tpr"]),
                "fpr": _number(row["fpr"]), "auc": _number(row["auc"]), "rows": int(row["rows"]),
                "events": None if pd.isna(row["events"]) else int(row["events"]), "flagged": bool(row["flagged"]),
            }
        return {"column": self.column, "threshold": self.threshold, "event": self.event_label, "groups": groups,
                "reference": self.reference, "flagged": self.flagged, "four_fifths": FOUR_FIFTHS,
                "overall": {k: _number(v) for k, v in self.overall.items()},
                "gaps": {k: _number(v) for k, v in self.gaps().items()}, "notes": list(self.notes)}


def _number(value):
    if value is None or pd.isna(value):
        return None
    return float(value)


# -- groups ---------------------------------------------------------------------------------------------------------

def age_like(name: str, values: pd.Series) -> bool:
    """A column named like an age ('age', 'age_in_years', 'person_age', 'AGE') whose values are plausible ages (the
    middle 98%: credit_risk_dataset.csv's person_age has a few typos, 144 and 123)."""
    from finmodels.data.profiling import name_words

    present = values.dropna()
    if "age" not in name_words(name) or len(present) == 0:
        return False
    low, high = np.nanquantile(present.astype("float64"), [0.01, 0.99])
    return bool(10 <= low and high <= 120)


# Words of a column name that mark an attribute fair-lending law protects: a whole word (`sex`, `race`), or the start
# of one (`marit` in marital, `nation` in nationality, `disab` in disability). 'age' is age_like (named and valued).
PROTECTED_WORDS = ("sex", "gender", "race", "racial", "religion", "religious", "ethnic", "ethnicity", "citizen",
                   "citizenship")
PROTECTED_STARTS = ("foreign", "nation", "marit", "marri", "ethnic", "religio", "disab", "handicap", "pregnan")
# Values of a text column that read like a codebook's sex or marital status ('male : single', 'F', 'divorced').
PROTECTED_VALUES = ("male", "female", "man", "woman", "married", "single", "divorced", "widowed", "separated")
_VALUE_GROUPS = 20  # a column with more distinct values is not a codebook's category


def protected_like(name: str, values: pd.Series) -> bool:
    """A column that reads like a protected attribute: an age (`age_like`), a name with a word of sex, gender,
    race, ethnicity, religion, nationality, citizenship, foreign, marital status or disability, or a text column of
    at most 20 values with a codebook's sex or marital words ('male : single', 'female', 'divorced')."""
    from finmodels.data.profiling import name_words

    words = name_words(name)
    if any(w in PROTECTED_WORDS or w.startswith(PROTECTED_STARTS) for w in words):
        return True
    numbers = _numeric(values)
    if numbers is not None:
        return age_like(name, numbers)
    distinct = values.dropna().astype(str).unique()
    if not 2 <= len(distinct) <= _VALUE_GROUPS:
        return False
    return any(w in PROTECTED_VALUES for v in distinct for w in name_words(v))


def suggest_protected(frame: pd.DataFrame, *, target: str | None = None) -> list[str]:
    """The columns of `frame` (not the target) that read like protected attributes (`protected_like`), in the
    file's order: what the Governance page suggests before the analyst chooses."""
    return [str(c) for c in frame.columns if c != target and protected_like(str(c), frame[c])]


def _numeric(values: pd.Series) -> pd.Series | None:
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    return values.astype("float64")


def _label(edges: list[float], i: int, *, age: bool) -> str:
    from finmodels.explain.reasons import format_value

    if age:
        if i == 0:
            return f"<{format_value(edges[0])}"
        if i == len(edges):
            return f"{format_value(edges[-1])}+"
        return f"{format_value(edges[i - 1])}{DASH}{format_value(edges[i] - 1)}"
    if i == 0:
        return f"under {format_value(edges[0])}"
    if i == len(edges):
        return f"{format_value(edges[-1])} and over"
    return f"{format_value(edges[i - 1])} to under {format_value(edges[i])}"


def _bands(values: pd.Series, edges: list[float], *, age: bool, min_rows: int, column: str
           ) -> tuple[pd.Series, list[str]]:
    """Band labels for numeric `values` cut at `edges` (left-closed), small bands merged into a neighbour."""
    notes = []
    edges = list(edges)
    while edges:
        codes = np.searchsorted(edges, values.dropna().to_numpy(), side="right")
        counts = np.bincount(codes, minlength=len(edges) + 1)
        present = np.flatnonzero(counts)
        small = [i for i in present if counts[i] < min_rows]
        if not small or len(present) <= 2:
            break
        i = min(small, key=lambda k: counts[k])
        # merge with the smaller of its non-empty neighbours: drop the edge between them
        left = max((k for k in present if k < i), default=None)
        right = min((k for k in present if k > i), default=None)
        other = left if right is None or (left is not None and counts[left] <= counts[right]) else right
        low, high = sorted((i, other))
        merged_edges = edges[:low] + edges[high:]
        notes.append(f"Band {_label(edges, i, age=age)} of '{column}' had {counts[i]} rows (under {min_rows}); "
                     f"merged with {_label(edges, other, age=age)} into {_label(merged_edges, low, age=age)}.")
        edges = merged_edges
    codes = np.searchsorted(edges, values.to_numpy(), side="right")
    labels = [_label(edges, i, age=age) for i in range(len(edges) + 1)]
    out = pd.Series([labels[c] for c in codes], index=values.index, dtype=object).where(values.notna(), MISSING)
    used = [label for label in labels if (out == label).any()] + ([MISSING] if values.isna().any() else [])
    return pd.Series(pd.Categorical(out, categories=used, ordered=True), index=values.index), notes


def protected_groups(values: pd.Series, *, min_rows: int = MIN_GROUP_ROWS) -> tuple[pd.Series, list[str]]:
    """Each row's group in a protected column, and notes on how the groups were made.

    Text (and numbers with at most BAND_ABOVE values) are their own groups, largest first, gaps as
    '(missing)'; other numbers are banded: age-like columns at 25, 35, 45, 55 and 65, others at quantiles.
    """
    name = str(values.name)
    numbers = _numeric(values)
    if numbers is not None and numbers.nunique() > BAND_ABOVE:
        if age_like(name, numbers):
            groups, notes = _bands(numbers, list(AGE_EDGES), age=True, min_rows=min_rows, column=name)
            return groups, [f"'{name}' is analysed in age bands.", *notes]
        # edges to 3 significant digits: '1910 to under 2850' reads better than the exact quantiles (1906.8 ...)
        qs = np.unique([float(f"{q:.3g}") for q in np.nanquantile(numbers, np.linspace(0, 1, QUANTILE_BANDS + 1)[1:-1])])
        groups, notes = _bands(numbers, list(qs), age=False, min_rows=min_rows, column=name)
        return groups, [f"'{name}' has {numbers.nunique():,} values; it is analysed in {QUANTILE_BANDS} quantile "
                        "bands.", *notes]
    from finmodels.explain.reasons import format_value

    text = values.map(format_value).astype(object)
    order = text.value_counts().index.tolist()
    return pd.Series(pd.Categorical(text, categories=order, ordered=True), index=values.index), []


def group_problems(column: str, groups: pd.Series, *, min_rows: int = MIN_GROUP_ROWS) -> list[str]:
    """What makes a protected column unusable: a single group, or groups under `min_rows` rows (with counts)."""
    counts = groups.value_counts(sort=False)
    counts = counts[counts > 0]
    if len(counts) < 2:
        only = f"('{counts.index[0]}', {int(counts.iloc[0]):,} rows)" if len(counts) else "(no rows)"
        return [f"Protected column '{column}' has one group {only}; fairness compares groups, so it needs at "
                "least 2. Choose another column, or score rows from more groups."]
    small = counts[counts < min_rows]
    if len(small):
        shown = ", ".join(f"'{g}' ({int(n)} row{'s' if n != 1 else ''})" for g, n in small.items())
        others = ", ".join(f"'{g}' ({int(n):,})" for g, n in counts[counts >= min_rows].items())
        return [f"Protected column '{column}' has {len(small)} group{'s' if len(small) > 1 else ''} under "
                f"{min_rows} rows: {shown}" + (f"; the others have {others}" if others else "") +
                ". Rates of so few rows are too noisy to compare: merge small groups into larger ones, or score "
                "more rows."]
    return []


# -- rates ----------------------------------------------------------------------------------------------------------

def _rate_metrics(threshold: float, with_outcomes: bool) -> dict:
    from fairlearn.metrics import count, false_positive_rate, true_positive_rate
    from sklearn.metrics import roc_auc_score

    def approval_rate(y, s):
        return float(np.mean(np.asarray(s) < threshold))

    metrics = {"rows": count, "approval_rate": approval_rate}
    if not with_outcomes:
        return metrics

    def declined(s):
        return (np.asarray(s) >= threshold).astype(int)

    def events(y, s):
        return int(np.sum(y))

    def tpr(y, s):
        return float(true_positive_rate(y, declined(s), pos_label=1)) if np.sum(y) else np.nan

    def fpr(y, s):
        return float(false_positive_rate(y, declined(s), pos_label=1)) if np.sum(1 - np.asarray(y)) else np.nan

    def auc(y, s):
        return float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else np.nan

    return {**metrics, "events": events, "tpr": tpr, "fpr": fpr, "auc": auc}


def fairness_report(frame: pd.DataFrame, scores, *, protected: str, outcomes=None, threshold: float = 0.5,
                    min_rows: int = MIN_GROUP_ROWS, event_label: str = "event") -> FairnessReport:
    """The fairness of decisions at `threshold` across the groups of one `protected` column of `frame`.

    `scores` are the model's event probabilities for the rows of `frame` (declined at or above `threshold`);
    `outcomes` are the actual outcomes (1 = the risk event), or None when the rows have none (then only
    approval rates and adverse impact). Raises DataError for an unusable column (see `group_problems`).
    """
    return fairness_reports(frame, scores, protected=[protected], outcomes=outcomes, threshold=threshold,
                            min_rows=min_rows, event_label=event_label)[0]


def fairness_reports(frame: pd.DataFrame, scores, *, protected: Sequence[str], outcomes=None,
                     threshold: float = 0.5, min_rows: int = MIN_GROUP_ROWS,
                     event_label: str = "event") -> list[FairnessReport]:
    """`fairness_report` for each protected column; every column's problems are collected before one DataError."""
    from fairlearn.metrics import MetricFrame

    protected = [protected] if isinstance(protected, str) else list(protected)
    if not protected:
        raise ConfigError("No protected column was given. Mark at least one column (age, sex ...) as protected.")
    if not 0 < threshold < 1:
        raise ConfigError(f"The threshold is a probability between 0 and 1; got {threshold}.")
    if min_rows < 1:
        raise ConfigError(f"The smallest group size must be at least 1 row; got {min_rows}.")
    scores = np.asarray(scores, dtype="float64").ravel()
    if len(scores) != len(frame):
        raise ConfigError(f"There are {len(scores):,} scores for {len(frame):,} rows; give one score per row.")
    rows = frame.reset_index(drop=True)
    notes: list[str] = []
    y = None
    if outcomes is not None:
        y = pd.Series(np.asarray(outcomes, dtype="float64"))
        labelled = y.notna().to_numpy()
        if not labelled.all():
            notes.append(f"{int((~labelled).sum()):,} rows without an outcome are left out.")
            rows, scores, y = rows[labelled].reset_index(drop=True), scores[labelled], y[labelled]
        y = y.astype(int).to_numpy()

    problems, grouped = [], {}
    for column in protected:
        if column not in rows.columns:
            problems.append(f"Protected column '{column}' not found. Columns are: "
                            f"{', '.join(map(str, rows.columns[:30]))}{' ...' if rows.shape[1] > 30 else ''}.")
            continue
        groups, made = protected_groups(rows[column], min_rows=min_rows)
        found = group_problems(column, groups, min_rows=min_rows)
        problems += found
        grouped[column] = (groups, made)
    if problems:
        raise DataError(problems)

    reports = []
    for column, (groups, made) in grouped.items():
        frame_ = MetricFrame(metrics=_rate_metrics(threshold, y is not None),
                             y_true=y if y is not None else np.zeros(len(scores), dtype=int), y_pred=scores,
                             sensitive_features=groups.rename(column))
        table = frame_.by_group.copy()
        table = table.loc[[g for g in groups.cat.categories if g in table.index]]
        if y is None:
            for name in ("events", "tpr", "fpr", "auc"):
                table[name] = np.nan
        table["rows"] = table["rows"].astype(int)
        best = table["approval_rate"].astype(float)
        reference = str(best.idxmax())
        top = float(best.max())
        table["adverse_impact_ratio"] = best / top if top > 0 else np.nan
        table["flagged"] = table["adverse_impact_ratio"].fillna(1.0) < FOUR_FIFTHS
        table = table[["rows", "events", "approval_rate", "adverse_impact_ratio", "tpr", "fpr", "auc", "flagged"]]
        table.index = table.index.astype(str)
        table.index.name = "group"
        overall = {k: v for k, v in frame_.overall.items() if k in ("approval_rate", "tpr", "fpr", "auc")}
        reports.append(FairnessReport(column, float(threshold), table, reference, overall, event_label,
                                      [*made, *notes]))
    return reports


# -- a bundle or a run ----------------------------------------------------------------------------------------------

def bundle_fairness(bundle, frame: pd.DataFrame, *, protected: Sequence[str], threshold: float | None = None,
                    min_rows: int = MIN_GROUP_ROWS) -> list[FairnessReport]:
    """Score `frame` with a LoadedBundle of a binary model and analyse each protected column.

    The outcomes come from the bundle's target column when `frame` has it; the threshold defaults to 0.5 (the
    Score page's default). A protected column that is also a model input is noted.
    """
    from finmodels.data.tasks import BINARY

    if bundle.kind != BINARY:
        raise ConfigError(f"Fairness is analysed for decisions of a binary model (default, repayment, "
                          f"delinquency ...); this bundle's model is a {bundle.kind} model. Use a binary run.")
    threshold = 0.5 if threshold is None else float(threshold)
    outcomes, notes = file_outcomes(frame, bundle.target, bundle.event_label)
    reports = fairness_reports(frame, bundle.predict(frame), protected=protected, outcomes=outcomes,
                               threshold=threshold, min_rows=min_rows, event_label=bundle.event_label or "event")
    return [_with_notes(r, notes + input_notes(r.column, bundle.features)) for r in reports]


def fairness_by_column(frame: pd.DataFrame, scores, *, protected: Sequence[str], outcomes=None,
                       threshold: float = 0.5, min_rows: int = MIN_GROUP_ROWS,
                       event_label: str = "event") -> dict[str, FairnessReport | FinModelsError]:
    """Each protected column analysed on its own: {column: its FairnessReport, or the error that refused it}, so a
    column with a small group refuses only itself (the Governance page and the model document show both)."""
    out: dict[str, FairnessReport | FinModelsError] = {}
    for column in protected:
        try:
            out[column] = fairness_reports(frame, scores, protected=[column], outcomes=outcomes, threshold=threshold,
                                           min_rows=min_rows, event_label=event_label)[0]
        except FinModelsError as exc:
            out[column] = exc
    return out


def held_out_note(rows: int) -> str:
    """Which rows a run's fairness counts, as its notes and the model document say it."""
    return f"On the run's {rows:,} held-out test rows."


def run_fairness(result, *, protected: Sequence[str], threshold: float = 0.5,
                 min_rows: int = MIN_GROUP_ROWS) -> dict[str, FairnessReport | FinModelsError]:
    """`fairness_by_column` on a binary TrainingResult's held-out test rows (its own scores and outcomes): what the
    Governance page shows and the model document of the run writes. The columns need not be model inputs, only
    columns of the run's file."""
    from finmodels.data.tasks import BINARY

    if getattr(result, "kind", BINARY) != BINARY:
        raise ConfigError(f"Fairness is analysed for decisions of a binary model; this run is a {result.kind} run.")
    if result.frame is None:
        raise ConfigError("This run was read back from the workspace without its rows; load its file to analyse "
                          "fairness.")
    rows = result.frame.iloc[result.split.test]
    reports = fairness_by_column(rows, result.test_scores, protected=protected, outcomes=result.y_test,
                                 threshold=threshold, min_rows=min_rows, event_label=result.event_label or "event")
    note = [held_out_note(len(rows))]
    return {c: r if isinstance(r, FinModelsError) else _with_notes(r, note + input_notes(c, result.features))
            for c, r in reports.items()}


def result_fairness(result, *, protected: Sequence[str], threshold: float = 0.5,
                    min_rows: int = MIN_GROUP_ROWS) -> list[FairnessReport]:
    """`run_fairness`'s reports in the order of `protected`; raises one DataError with every refused column's
    problems."""
    reports = run_fairness(result, protected=protected, threshold=threshold, min_rows=min_rows)
    refused = [r for r in reports.values() if isinstance(r, FinModelsError)]
    if refused:
        raise DataError([p for exc in refused for p in getattr(exc, "problems", [str(exc)])])
    return list(reports.values())


def file_outcomes(frame: pd.DataFrame, target: str | None, event_label: str) -> tuple[np.ndarray | None, list[str]]:
    """1 where the file's target is the risk event, 0 where it is another label, NaN where missing; None (with a
    note) when the file has no target column."""
    from finmodels.data.targets import label_strings

    if not target or target not in frame.columns:
        return None, [f"The file has no '{target}' column, so only approval rates and adverse impact are shown "
                      "(no error rates or AUC)."]
    labels = label_strings(frame[target])
    return np.where(labels.isna(), np.nan, (labels == str(event_label)).astype(float)), []


def input_notes(column: str, features: list[str]) -> list[str]:
    if column in features:
        return [f"'{column}' is one of the model's inputs."]
    return [f"'{column}' is not a model input; it is used only for this analysis."]


def _with_notes(report: FairnessReport, notes: list[str]) -> FairnessReport:
    report.notes = [*report.notes, *notes]
    return report
