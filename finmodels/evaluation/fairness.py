"""Fairness by a protected attribute: how a binary model's decisions and errors differ between groups.

A protected column (age, sex, nationality ...) need not be a model input: the analysis reads it from the scored
rows. Per group, at the chosen threshold (rows scored at or above it are declined, as on the Score page): the
approval rate, the adverse impact ratio (its approval rate over the most favoured group's; under four fifths is
flagged, the US EEOC's four-fifths rule), the true-positive rate (share of the risk events declined), the
false-positive rate (share of the others declined) and the AUC within the group. The rates come from
fairlearn's MetricFrame.

Numbers with many values are analysed in bands: age-like columns in the usual age bands (<25, 25–34, ...,
65+), others in quantile bands; a band with too few rows is merged into its smaller neighbour, and the notes
say so. Groups of text columns are merged only by the analyst (`merges`: {column: {value: group}}, made by
`protected.merge_mapping`; the notes and `merged` say which): a column with one group, or with groups under
`min_rows` rows, is refused with the counts, since rates of so few rows are too noisy to compare. The groups
themselves are made in finmodels.evaluation.protected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError, FinModelsError
from finmodels.evaluation.protected import (  # noqa: F401  (the groups' API, also reached from here)
    AGE_EDGES,
    MIN_GROUP_ROWS,
    MISSING,
    age_like,
    banded,
    group_counts,
    group_problems,
    merge_mapping,
    protected_groups,
    protected_like,
    suggest_protected,
)

FOUR_FIFTHS = 0.8


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
    merged: dict[str, str] = field(default_factory=dict)  # the analyst's merges: {value: group}

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
                "gaps": {k: _number(v) for k, v in self.gaps().items()}, "notes": list(self.notes),
                "merged": dict(self.merged)}


def _number(value):
    if value is None or pd.isna(value):
        return None
    return float(value)


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
                    min_rows: int = MIN_GROUP_ROWS, event_label: str = "event",
                    merges: Mapping[str, Mapping[str, str]] | None = None) -> FairnessReport:
    """The fairness of decisions at `threshold` across the groups of one `protected` column of `frame` (after the
    analyst's `merges`, {column: {value: group}}).

    `scores` are the model's event probabilities for the rows of `frame` (declined at or above `threshold`);
    `outcomes` are the actual outcomes (1 = the risk event), or None when the rows have none (then only
    approval rates and adverse impact). Raises DataError for an unusable column (see `group_problems`).
    """
    return fairness_reports(frame, scores, protected=[protected], outcomes=outcomes, threshold=threshold,
                            min_rows=min_rows, event_label=event_label, merges=merges)[0]


def fairness_reports(frame: pd.DataFrame, scores, *, protected: Sequence[str], outcomes=None,
                     threshold: float = 0.5, min_rows: int = MIN_GROUP_ROWS, event_label: str = "event",
                     merges: Mapping[str, Mapping[str, str]] | None = None) -> list[FairnessReport]:
    """`fairness_report` for each protected column, after the analyst's `merges` ({column: {value: group}}); every
    column's problems are collected before one DataError."""
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
        groups, made = protected_groups(rows[column], min_rows=min_rows, merge=(merges or {}).get(column))
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
                                      [*made, *notes], dict((merges or {}).get(column) or {})))
    return reports


# -- a bundle or a run ----------------------------------------------------------------------------------------------

def bundle_fairness(bundle, frame: pd.DataFrame, *, protected: Sequence[str], threshold: float | None = None,
                    min_rows: int = MIN_GROUP_ROWS,
                    merges: Mapping[str, Mapping[str, str]] | None = None) -> list[FairnessReport]:
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
                               threshold=threshold, min_rows=min_rows, event_label=bundle.event_label or "event",
                               merges=merges)
    return [_with_notes(r, notes + input_notes(r.column, bundle.features)) for r in reports]


def fairness_by_column(frame: pd.DataFrame, scores, *, protected: Sequence[str], outcomes=None,
                       threshold: float = 0.5, min_rows: int = MIN_GROUP_ROWS, event_label: str = "event",
                       merges: Mapping[str, Mapping[str, str]] | None = None
                       ) -> dict[str, FairnessReport | FinModelsError]:
    """Each protected column analysed on its own: {column: its FairnessReport, or the error that refused it}, so a
    column with a small group refuses only itself (the Governance page and the model document show both)."""
    out: dict[str, FairnessReport | FinModelsError] = {}
    for column in protected:
        try:
            out[column] = fairness_reports(frame, scores, protected=[column], outcomes=outcomes, threshold=threshold,
                                           min_rows=min_rows, event_label=event_label, merges=merges)[0]
        except FinModelsError as exc:
            out[column] = exc
    return out


def held_out_note(rows: int) -> str:
    """Which rows a run's fairness counts, as its notes and the model document say it."""
    return f"On the run's {rows:,} held-out test rows."


def held_out_rows(result) -> pd.DataFrame:
    """A run's held-out test rows: the rows its fairness is counted on."""
    return result.frame.iloc[result.split.test]


def run_group_counts(result, column: str) -> pd.Series | None:
    """The groups of `column` in a run's held-out test rows and their rows, before any merge (None for a banded
    column): what the analyst merges from."""
    return group_counts(held_out_rows(result)[column])


def run_fairness(result, *, protected: Sequence[str], threshold: float = 0.5, min_rows: int = MIN_GROUP_ROWS,
                 merges: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, FairnessReport | FinModelsError]:
    """`fairness_by_column` on a binary TrainingResult's held-out test rows (its own scores and outcomes): what the
    Governance page shows and the model document of the run writes. The columns need not be model inputs, only
    columns of the run's file."""
    from finmodels.data.tasks import BINARY

    if getattr(result, "kind", BINARY) != BINARY:
        raise ConfigError(f"Fairness is analysed for decisions of a binary model; this run is a {result.kind} run.")
    if result.frame is None:
        raise ConfigError("This run was read back from the workspace without its rows; load its file to analyse "
                          "fairness.")
    rows = held_out_rows(result)
    reports = fairness_by_column(rows, result.test_scores, protected=protected, outcomes=result.y_test,
                                 threshold=threshold, min_rows=min_rows, event_label=result.event_label or "event",
                                 merges=merges)
    note = [held_out_note(len(rows))]
    return {c: r if isinstance(r, FinModelsError) else _with_notes(r, note + input_notes(c, result.features))
            for c, r in reports.items()}


def result_fairness(result, *, protected: Sequence[str], threshold: float = 0.5, min_rows: int = MIN_GROUP_ROWS,
                    merges: Mapping[str, Mapping[str, str]] | None = None) -> list[FairnessReport]:
    """`run_fairness`'s reports in the order of `protected`; raises one DataError with every refused column's
    problems."""
    reports = run_fairness(result, protected=protected, threshold=threshold, min_rows=min_rows, merges=merges)
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
