"""Scoring a new file with a trained run: predictions, decisions at a threshold, reason codes and drift.

The new file must have the training columns (extra columns are kept and ignored). Reason codes come from
the explanations module (SHAP against a sample of the training rows) for at most `max_explained` rows; the
population stability index compares the new rows and their scores with the training rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, REGRESSION

DEFAULT_MAX_EXPLAINED = 1_000
REASON_SEPARATOR = " | "
DECISION = "decision"
REASONS = "reason codes"


@dataclass
class ScoredFile:
    """A scored file: the rows with their score, decision and reasons, and the stability report."""

    table: pd.DataFrame
    score_column: str
    scores: np.ndarray
    stability: pd.DataFrame
    threshold: float | None
    explained_rows: int
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def decision_counts(self) -> pd.Series:
        return self.table[DECISION].value_counts() if DECISION in self.table else pd.Series(dtype=int)


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

    `reference` are training rows in original units: the background for reason codes and the baseline for
    the stability index (all training rows for a run; the bundle's stored sample for a bundle).
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
    reference_labels: np.ndarray | None
    reference_note: str
    test_scores: np.ndarray | None = None

    @property
    def features(self) -> list[str]:
        return list(self.preprocessor.columns)

    @classmethod
    def from_result(cls, result) -> "ScoringModel":
        kind = getattr(result, "kind", BINARY)
        train = result.frame.iloc[result.split.train]
        labels = np.asarray(result.y)[result.split.train] if kind in (BINARY, MULTICLASS, ORDINAL) else None
        return cls(kind, result.config, result.event_label, list(getattr(result, "class_labels", [])),
                   tuple(getattr(result, "target_stats", (0.0, 1.0))), result.model, result.preprocessor,
                   result.predict, train, labels, f"the {len(train):,} training rows",
                   np.asarray(result.test_scores))

    @classmethod
    def from_bundle(cls, bundle) -> "ScoringModel":
        return cls(bundle.kind, bundle.train_config(), bundle.event_label, bundle.class_labels,
                   tuple(bundle.manifest.get("target_stats", (0.0, 1.0))), bundle.model, bundle.preprocessor,
                   bundle.predict, bundle.background, None,
                   f"the bundle's sample of {len(bundle.background):,} training rows")


def as_scoring_model(source) -> ScoringModel:
    """A ScoringModel from a TrainingResult, a LoadedBundle, or one already made."""
    if isinstance(source, ScoringModel):
        return source
    if hasattr(source, "manifest"):
        return ScoringModel.from_bundle(source)
    return ScoringModel.from_result(source)


def score_file(source, frame: pd.DataFrame, *, threshold: float | None = None, reasons: int = 3,
               max_explained: int = DEFAULT_MAX_EXPLAINED, seed: int = 0) -> ScoredFile:
    """Score `frame` with a trained run or a loaded bundle; decisions at `threshold` for binary and anomaly runs.

    Returns the rows with the score (and decision and reason codes) appended, plus the PSI of the score and of
    each training column against the training rows. Reason codes are given for the first `max_explained` rows.
    """
    model = as_scoring_model(source)
    kind = model.kind
    if kind == FORECAST:
        raise ConfigError("A forecast run predicts from price windows, not table rows; its test period is shown on "
                          "the Evaluate page. Score files with a run of a table task (default, rating, loss...).")
    start = time.perf_counter()
    features = model.features
    check_columns(frame, features)
    rows = frame.reset_index(drop=True)
    raw = np.asarray(model.predict(rows))
    table = rows.copy()
    notes: list[str] = []
    output = None
    if kind in (MULTICLASS, ORDINAL):
        labels = np.asarray(model.class_labels, dtype=object)
        score_column = "predicted class"
        predicted = raw.argmax(axis=1)
        table[score_column] = labels[predicted]
        table["probability of predicted class"] = raw.max(axis=1)
        scores = raw.max(axis=1)
        output = int(np.bincount(predicted).argmax())
    else:
        scores = raw.ravel()
        score_column = {BINARY: f"probability of '{model.event_label}'", REGRESSION: f"predicted {model.config.target}",
                        ANOMALY: "anomaly score"}.get(kind, "score")
        table[score_column] = scores
    reference_scores = np.asarray(model.predict(model.reference))
    if kind in (MULTICLASS, ORDINAL):
        reference_scores = reference_scores.max(axis=1)
    if kind in (BINARY, ANOMALY):
        if threshold is None:
            threshold = 0.5 if kind == BINARY else float(np.quantile(reference_scores, 0.99))
            notes.append(f"Decisions at threshold {threshold:.3g} (the default; choose one on the Evaluate page).")
        flagged = (model.event_label or "event") if kind == BINARY else "unusual"
        table[DECISION] = np.where(scores >= threshold, flagged, f"not {flagged}")
    else:
        threshold = None

    explained = min(len(rows), max_explained)
    codes = _reason_codes(model, rows.iloc[:explained], k=reasons, seed=seed, output=output)
    table[REASONS] = codes + [""] * (len(rows) - explained)
    if explained < len(rows):
        notes.append(f"Reason codes for the first {explained:,} of {len(rows):,} rows (explaining is the slow part).")

    from finmodels.evaluation.monitoring import stability_report

    stability = stability_report(model.reference, rows, columns=features, training_scores=reference_scores.ravel(),
                                 new_scores=scores)
    notes.append(f"Stability measured against {model.reference_note}.")
    return ScoredFile(table=table, score_column=score_column, scores=scores, stability=stability, threshold=threshold,
                      explained_rows=explained, notes=notes, seconds=time.perf_counter() - start)


def _reason_codes(model: ScoringModel, rows: pd.DataFrame, *, k: int, seed: int, output: int | None) -> list[str]:
    """Reason codes of each row, joined into one text cell, from the explanations module."""
    from finmodels.explain import explanation as explain
    from finmodels.explain.background import background_positions

    if rows.empty:
        return []
    bg = background_positions(np.zeros((len(model.reference), 0)), model.reference_labels, seed=seed)
    # output_choice takes the run's facts (explain.run_facts) in the explanations helper's newer API
    facts = explain.run_facts(model) if hasattr(explain, "run_facts") else model
    explanation = explain.explain_table(model.model, model.preprocessor, rows, model.reference.iloc[bg.positions],
                                        max_rows=len(rows), background_note=bg.note,
                                        choice=explain.output_choice(facts, model.model, output=output), seed=seed,
                                        what="rows")
    return [REASON_SEPARATOR.join(explanation.reason_codes(i, k=k)) for i in range(len(rows))]
