"""Scoring a new file with a trained run: predictions, decisions at a threshold, reason codes and drift.

The new file must have the training columns (extra columns are kept and ignored). Every flagged row gets its
reason codes (SHAP against DEFAULT_BACKGROUND_ROWS of the training rows a run keeps and its bundle saves, drawn
alike, so a run and its bundle give a row the same codes), and every row does on request (`reasons='all'`); a
rating or multi-class row's codes explain the probability of the class it was given. A contribution too small to
matter is never given as a reason (`finmodels.explain.reasons.negligible_effect`).
The population stability index compares the new rows and their scores with the training rows' reference
distribution (all training rows, stored in a bundle). Before scoring, the file's cells are checked against what
the model was trained on (`scoring_checks`: text in numeric columns, empty cells, impossible values, values never
seen in training, a renamed column, the target column): the problems are said first in `ScoredFile.warnings` and
`notes`, each row's own in its CHECK column, and a file no row of which can be scored as it is is refused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError
from finmodels.data.problems import row_numbers
from finmodels.data.targets import event_name
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, REGRESSION
from finmodels.delivery.scoring_cells import as_written, with_level_text
from finmodels.delivery.scoring_checks import CHECK, NOTE, WARNING, FileChecks, FileProblem, backtest_note, check_file
from finmodels.evaluation.monitoring import (
    ReferenceDistribution, monitored_score, psi_table, reference_distribution, stability_report,
)

DEFAULT_MAX_EXPLAINED = 1_000
DEFAULT_CODES = 3
REASON_SEPARATOR = " | "
DECISION = "decision"
REASONS = "reason codes"
REASON_CHOICES = ("flagged", "all")
EXPLAIN_CHUNK_ROWS = 5_000  # rows explained per explainer call, which bounds the explainer's memory
LINE = "line"  # a scored row's name for the analyst: its line in the file, as the Data page and its checks say


@dataclass(frozen=True)
class ExplainedRows:
    """SHAP values of some rows of a scored file (`positions`), from which their reason codes are written."""

    positions: np.ndarray
    values: np.ndarray  # rows x columns
    columns: list[str]
    data: pd.DataFrame  # the rows' values, original units
    output_name: str
    scale: str
    seconds: float = 0.0


@dataclass
class ScoredFile:
    """A scored file: the rows with their score, decision and reasons, and the stability report.

    `notes` say how the file was scored; `warnings` are texts an analyst should act on (values never seen in
    training, a bundle without a stored reference distribution), one problem each.
    """

    table: pd.DataFrame
    score_column: str
    scores: np.ndarray
    stability: pd.DataFrame
    threshold: float | None
    explained_rows: int
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    reference: ReferenceDistribution | None = None
    explained: list[ExplainedRows] = field(default_factory=list)  # the SHAP values the reason codes come from
    event: str | None = None  # what a flagged row's decision says (a binary model's event label, 'unusual')
    codes: int = DEFAULT_CODES
    file_notes: list[str] = field(default_factory=list)  # the notes that do not depend on the threshold
    reasons: str = "flagged"
    checks: FileChecks = field(default_factory=FileChecks)  # the file's cells against the training data
    check_column: str = CHECK  # the table's column naming each row's problems

    def decision_counts(self) -> pd.Series:
        return self.table[DECISION].value_counts() if DECISION in self.table else pd.Series(dtype=int)

    @property
    def flagged(self) -> int | None:
        """Rows at or above the threshold; None for a task without decisions."""
        return None if self.threshold is None else int((self.scores >= self.threshold).sum())

    @property
    def explained_positions(self) -> np.ndarray:
        """Positions of the rows whose SHAP values are kept (their reason codes can be written at any threshold)."""
        return np.concatenate([p.positions for p in self.explained]) if self.explained else np.zeros(0, int)

    def unexplained_flagged(self) -> np.ndarray:
        """Positions of the flagged rows not yet explained, highest score first."""
        if self.threshold is None:
            return np.zeros(0, int)
        missing = np.setdiff1d(np.flatnonzero(self.scores >= self.threshold), self.explained_positions)
        return missing[np.argsort(-self.scores[missing], kind="stable")]

    def at_threshold(self, threshold: float) -> "ScoredFile":
        """The same file decided at `threshold`: decisions and reason codes written again from the kept scores and
        SHAP values, without the model (milliseconds, in any process)."""
        if self.threshold is None or self.event is None:
            return self
        table = self.table.copy()
        flagged = self.scores >= threshold
        table[DECISION] = np.where(flagged, self.event, f"not {self.event}")
        # the default threshold's note no longer applies
        notes = [n for n in self.file_notes if not n.startswith("Decisions at threshold")]
        return replace(self, table=table, threshold=float(threshold), file_notes=notes)._with_codes()

    def with_explained(self, parts: list[ExplainedRows]) -> "ScoredFile":
        """This file with more explained rows (`explain_rows`), their reason codes written."""
        return replace(self, explained=[*self.explained, *parts])._with_codes()

    def _with_codes(self) -> "ScoredFile":
        flagged = None if self.threshold is None else self.scores >= self.threshold
        table = self.table.copy()
        cells = reason_cells(self.explained, len(table), k=self.codes, scores=self.scores, flagged=flagged)
        if flagged is not None and self.reasons == "flagged":
            cells[~flagged] = ""  # a row explained at a lower threshold is not flagged at this one
        table[REASONS] = cells
        if self.check_column in table:  # the last column, after the reason codes
            table = table[[c for c in table.columns if c != self.check_column] + [self.check_column]]
        notes = [*self.file_notes[:-1], *_reason_notes(self), *self.file_notes[-1:]]
        return replace(self, table=table, notes=notes, explained_rows=len(self.explained_positions))

    def by_line(self) -> pd.DataFrame:
        """The table indexed by each row's line in the file (the header is line 1, so the first row is line 2), as
        the Data page and every data message name rows; the index is named 'line' ('line of the file' when the file
        has a column 'line'), and `reset_index()` makes it the first column of a download."""
        name = LINE if LINE not in self.table.columns else f"{LINE} of the file"
        lines = row_numbers(np.ones(len(self.table), dtype=bool))
        return self.table.set_axis(pd.Index(lines, name=name))

    def bins(self, column: str) -> pd.DataFrame:
        """The PSI bins of one column (or 'score'): the training share, the new share, each bin's PSI."""
        if self.reference is None:
            raise ConfigError("This file was scored without a reference distribution; no bins to show.")
        if column == "score":
            return psi_table(self.reference.score, pd.Series(self.scores))
        if column not in self.reference.columns:
            raise ConfigError(f"Unknown column '{column}'. Columns are: {', '.join(self.reference.columns)}.")
        return psi_table(self.reference.columns[column], self.table[column])


def check_columns(frame: pd.DataFrame, features: list[str]) -> None:
    """Raise a DataError naming every training column the new file lacks."""
    missing = [c for c in features if c not in frame.columns]
    if missing:
        shown = ", ".join(f"'{c}'" for c in missing[:15]) + (f" and {len(missing) - 15} more" if len(missing) > 15 else "")
        raise DataError(
            f"The file lacks {len(missing)} of the {len(features)} columns the model was trained on: {shown}. "
            "Upload a file with the same columns as the training data (extra columns are fine)."
        )
    if frame.empty:
        raise DataError("The file has no rows to score. Upload a file with at least one row.")


@dataclass(frozen=True)
class ScoringModel:
    """What scoring needs from a run trained in this session or from a bundle loaded from a file.

    `reference` are the training rows kept for explanations, in original units: the rows reason codes draw their
    background from (a run's `kept_positions`, which its bundle saves as its background). `distribution` is the
    training distribution the stability index compares with, from all training rows either way (None only for a
    bundle saved before bundles stored it).
    """

    kind: str
    config: object  # has .task and .target (a TrainConfig)
    event_label: str
    class_labels: list
    target_stats: tuple
    model: object
    preprocessor: object
    predict: object  # frame -> scores, as TrainingResult.predict
    reference: pd.DataFrame
    reference_note: str
    test_scores: np.ndarray | None = None
    distribution: ReferenceDistribution | None = None

    @property
    def features(self) -> list[str]:
        return list(self.preprocessor.columns)

    @classmethod
    def from_result(cls, result) -> "ScoringModel":
        from finmodels.explain.background import kept_positions

        kind = getattr(result, "kind", BINARY)
        train = result.frame.iloc[result.split.train]
        columns = list(result.preprocessor.columns)
        distribution = None
        if kind != FORECAST:
            distribution = reference_distribution(train, columns=columns, categories=result.preprocessor.categorical,
                                                  scores=monitored_score(result.predict(train)))
        return cls(kind, result.config, result.event_label, list(getattr(result, "class_labels", [])),
                   tuple(getattr(result, "target_stats", (0.0, 1.0))), result.model, result.preprocessor,
                   result.predict, result.frame.iloc[kept_positions(result)][columns].reset_index(drop=True),
                   f"the {len(train):,} training rows",
                   np.asarray(result.test_scores), distribution)

    @classmethod
    def from_bundle(cls, bundle) -> "ScoringModel":
        distribution = getattr(bundle, "reference", None)
        note = (f"the {distribution.rows:,} training rows (their distribution, stored in the bundle)"
                if distribution is not None else f"the bundle's sample of {len(bundle.background):,} training rows")
        return cls(bundle.kind, bundle.train_config(), bundle.event_label, bundle.class_labels,
                   tuple(bundle.manifest.get("target_stats", (0.0, 1.0))), bundle.model, bundle.preprocessor,
                   bundle.predict, bundle.background, note, distribution=distribution)


def as_scoring_model(source) -> ScoringModel:
    """A ScoringModel from a TrainingResult, a LoadedBundle, or one already made."""
    if isinstance(source, ScoringModel):
        return source
    if hasattr(source, "manifest"):
        return ScoringModel.from_bundle(source)
    return ScoringModel.from_result(source)


def score_file(source, frame: pd.DataFrame, *, threshold: float | None = None, reasons: str = "flagged",
               codes: int = DEFAULT_CODES, max_explained: int = DEFAULT_MAX_EXPLAINED, seed: int = 0,
               explain_top: int | None = None) -> ScoredFile:
    """Score `frame` with a trained run or a loaded bundle; decisions at `threshold` for binary and anomaly runs.

    Returns the rows with the score (and decision and reason codes) appended, the PSI of the score and of each
    training column against the training rows, and warnings naming values never seen in training.
    `reasons='flagged'` gives up to `codes` reason codes to every flagged row (a task without decisions: the
    first `max_explained` rows), or, with `explain_top`, to that many of the highest-scored flagged rows (the
    others with `explain_rows` on request); `reasons='all'` to every row. The SHAP values are kept, so
    `ScoredFile.at_threshold` decides the file again without the model.
    """
    if reasons not in REASON_CHOICES:
        raise ConfigError(f"Unknown reasons choice '{reasons}'. Choose 'flagged' (reason codes for flagged rows) or "
                          "'all' (for every row).")
    if codes < 1:
        raise ConfigError(f"Reason codes per row must be at least 1; got {codes}.")
    model = as_scoring_model(source)
    if model.kind == FORECAST:
        raise ConfigError("A forecast run predicts from price windows, not table rows; its test period is shown on "
                          "the Evaluate page. Score files with a run of a table task (default, rating, loss...).")
    start = time.perf_counter()
    features = model.features
    rows = frame.reset_index(drop=True)
    rows.attrs = dict(frame.attrs)
    rows = with_level_text(rows, model.preprocessor.categorical)  # 'Univrsity' among codes: a level never seen
    warnings: list[str] = []
    distribution = _training_distribution(model, warnings)
    checks = check_file(model, rows, distribution)  # raises FileRefused (with every problem) when none can be scored
    raw = np.asarray(model.predict(rows))
    table = rows.copy()
    notes: list[str] = []
    score_column, classes = _add_scores(model, table, raw)
    scores = monitored_score(raw)
    if (backtest := backtest_note(model, rows, scores)) is not None:
        checks.problems.append(FileProblem("backtest", backtest, NOTE, model.config.target))
    check_column = _add_checks(table, checks)
    as_written(table, rows.columns)  # 170000 as the file wrote it, not 170000.0
    threshold, flagged = _add_decisions(model, table, scores, threshold, distribution, notes)
    positions = _explained_positions(len(rows), reasons=reasons, flagged=flagged, max_explained=max_explained,
                                     scores=scores, explain_top=explain_top)
    explained = explain_rows(model, rows, positions, seed=seed, classes=classes)

    stability = stability_report(distribution, rows, columns=features, new_scores=scores)
    notes.append(f"Stability measured against {model.reference_note}.")
    warnings[:0] = [p.message for p in checks.of(WARNING)]
    notes[:0] = [p.message for p in checks.of(NOTE)]
    event = None if flagged is None else (model.event_label or "event") if model.kind == BINARY else "unusual"
    scored = ScoredFile(table=table, score_column=score_column, scores=scores, stability=stability,
                        threshold=threshold, explained_rows=len(positions), notes=notes, warnings=warnings,
                        reference=distribution, explained=explained, event=event, codes=codes, file_notes=notes,
                        reasons=reasons, checks=checks, check_column=check_column)._with_codes()
    scored.seconds = time.perf_counter() - start
    return scored


def explain_rows(source, rows: pd.DataFrame, positions: np.ndarray, *, seed: int = 0,
                 classes: np.ndarray | None = None) -> list[ExplainedRows]:
    """SHAP values of the rows of `rows` at `positions` (a rating or multi-class row's of its predicted class,
    `classes` being every row's), EXPLAIN_CHUNK_ROWS per explainer call. The background and the permutation pairs
    do not depend on the other rows of the file: a row gets the same values from a run and from its bundle."""
    from finmodels.explain.background import DEFAULT_BACKGROUND_ROWS, sample_rows
    from finmodels.explain.explanation import explain_table, output_choice, run_facts
    from finmodels.explain.permutation import permutation_pairs

    positions = np.asarray(positions, dtype=int)
    if not len(positions):
        return []
    model = as_scoring_model(source)
    rows = as_read(model, rows)
    bg = sample_rows(None, DEFAULT_BACKGROUND_ROWS, total=len(model.reference), seed=seed,
                     what="training rows kept for explanations")
    background = model.reference.iloc[bg.positions]
    pairs = permutation_pairs(DEFAULT_MAX_EXPLAINED, len(model.preprocessor.groups), len(background))
    facts = run_facts(model)
    if classes is None:
        groups = [(None, positions)]
    else:
        picked = np.asarray(classes)[positions]
        groups = [(model.class_labels[c], positions[picked == c]) for c in np.unique(picked)]
    parts = []
    for label, where in groups:
        choice = output_choice(facts, model.model, output=label)
        for begin in range(0, len(where), EXPLAIN_CHUNK_ROWS):
            part = where[begin:begin + EXPLAIN_CHUNK_ROWS]
            found = explain_table(model.model, model.preprocessor, rows.iloc[part], background, max_rows=len(part),
                                  background_note=bg.note, choice=choice, seed=seed, pairs=pairs, what="rows")
            parts.append(ExplainedRows(part, found.values, found.columns, found.data, found.output_name, found.scale,
                                       found.seconds))
    return parts


def as_read(model: ScoringModel, rows: pd.DataFrame) -> pd.DataFrame:
    """`rows` as the model reads them: a numeric column's text (kept in a scored table to show what the file held)
    read as missing, so a reason code names the value the model used."""
    texts = [c for c in model.preprocessor.numeric if c in rows and not pd.api.types.is_numeric_dtype(rows[c])]
    return rows.assign(**{c: pd.to_numeric(rows[c], errors="coerce") for c in texts}) if texts else rows


def _add_checks(table: pd.DataFrame, checks: FileChecks) -> str:
    """Each row's problems in a CHECK column (a name of its own when the file has one), and the text of the cells
    read as missing written back, so the table and its download show what the file held; returns the column."""
    for column, cells in checks.cells.items():
        values = table[column].astype(object)
        values.iloc[list(cells)] = list(cells.values())
        table[column] = values
    name = CHECK if CHECK not in table.columns else f"{CHECK} (scoring)"
    table[name] = checks.column(len(table))
    return name


def reason_cells(parts: list[ExplainedRows], count: int, *, k: int, scores: np.ndarray,
                 flagged: np.ndarray | None) -> np.ndarray:
    """Each row's joined reason codes ('' for a row not explained, and for a row not flagged when a threshold
    decides), leaving out negligible contributions. A flagged row keeps at least its largest positive
    contribution; one that no column raised (the average row already scores above the threshold) says so."""
    from finmodels.explain.reasons import negligible_effect, reason_codes_of_rows

    cells = np.full(count, "", dtype=object)
    for part in parts:
        keep = None if flagged is None else flagged[part.positions]
        codes = reason_codes_of_rows(part.values, part.columns, part.data, output_name=part.output_name, k=k,
                                     min_effect=negligible_effect(part.scale, scores), keep_top=keep)
        cells[part.positions] = [
            REASON_SEPARATOR.join(c) if c or keep is None or not keep[i] else
            f"No column raised the {part.output_name}: an average row already scores at or above the threshold"
            for i, c in enumerate(codes)]
    return cells


def _add_scores(model: ScoringModel, table: pd.DataFrame, raw: np.ndarray) -> tuple[str, np.ndarray | None]:
    """Append the score (a class model: the predicted class and its probability) to `table`; returns the score
    column's name and, of a class model, each row's predicted class (the output its reason codes explain)."""
    kind = model.kind
    if kind in (MULTICLASS, ORDINAL):
        labels = np.asarray(model.class_labels, dtype=object)
        predicted = raw.argmax(axis=1)
        table["predicted class"] = labels[predicted]
        table["probability of predicted class"] = raw.max(axis=1)
        return "predicted class", predicted
    event = event_name(model.config.target, model.event_label)  # 'loan_status = 1', as the other pages name it
    event = event if event != str(model.event_label).strip() else f"'{event}'"
    score_column = {BINARY: f"probability of {event}", REGRESSION: f"predicted {model.config.target}",
                    ANOMALY: "anomaly score"}.get(kind, "score")
    table[score_column] = raw.ravel()
    return score_column, None


def _training_distribution(model: ScoringModel, warnings: list[str]) -> ReferenceDistribution:
    """The training distribution stability is measured against: the stored one, else the bundle's sample (with a
    warning)."""
    if model.distribution is not None:
        return model.distribution
    # a bundle saved before bundles stored their training distribution
    warnings.append(f"This bundle stores no training distribution (it was saved by an older version), so "
                    f"stability is measured against its sample of {len(model.reference):,} training rows and "
                    "a PSI above 0.1 may be sampling noise. Save the bundle again from the training run.")
    return reference_distribution(model.reference, columns=model.features,
                                  categories=getattr(model.preprocessor, "categorical", ()),
                                  scores=monitored_score(model.predict(model.reference)))


def _add_decisions(model: ScoringModel, table: pd.DataFrame, scores: np.ndarray, threshold: float | None,
                   distribution: ReferenceDistribution, notes: list[str]) -> tuple[float | None, np.ndarray | None]:
    """A binary or anomaly model's decision column at `threshold` (its default when None); returns the threshold
    and which rows are flagged (None and None for a task that decides nothing)."""
    kind = model.kind
    if kind not in (BINARY, ANOMALY):
        return None, None
    if threshold is None:
        threshold = 0.5 if kind == BINARY else _percentile(distribution, 99)
        notes.append(f"Decisions at threshold {threshold:.3g} (the default; choose one on the Evaluate page).")
    event = (model.event_label or "event") if kind == BINARY else "unusual"
    flagged = scores >= threshold
    table[DECISION] = np.where(flagged, event, f"not {event}")
    return threshold, flagged


def _explained_positions(count: int, *, reasons: str, flagged: np.ndarray | None, max_explained: int,
                         scores: np.ndarray, explain_top: int | None) -> np.ndarray:
    """Positions of the rows given reason codes: all, the flagged ones (at most `explain_top` of them, the
    highest-scored), or (no decisions) the first `max_explained`."""
    if reasons == "all":
        return np.arange(count)
    if flagged is not None:
        positions = np.flatnonzero(flagged)
        if explain_top is not None and len(positions) > explain_top:
            positions = np.sort(positions[np.argsort(-scores[positions], kind="stable")[:explain_top]])
        return positions
    return np.arange(min(count, max_explained))


def _reason_notes(scored: ScoredFile) -> list[str]:
    """What the reason codes cover, at the file's threshold."""
    count = len(scored.table)
    if scored.reasons == "all":
        return [f"Reason codes for all {count:,} rows."]
    explained = scored.explained_positions
    if scored.threshold is not None:
        flagged = scored.scores >= scored.threshold
        shown = int(flagged[explained].sum())
        if shown == int(flagged.sum()):
            return [f"Reason codes for the {shown:,} flagged rows; rows not flagged need none."]
        return [f"Reason codes for the {shown:,} highest-scored of the {int(flagged.sum()):,} flagged rows; the "
                f"other {int(flagged.sum()) - shown:,} are explained on request."]
    if len(explained) < count:
        return [f"Reason codes for the first {len(explained):,} of {count:,} rows (this task makes no decision to "
                "explain; ask for reasons for all rows to explain every one)."]
    return []


def _percentile(distribution: ReferenceDistribution, q: int) -> float:
    if len(distribution.score_quantiles) != 101:
        raise DataError("The model's training scores are unknown, so no default threshold can be set; pass one.")
    return float(distribution.score_quantiles[q])
