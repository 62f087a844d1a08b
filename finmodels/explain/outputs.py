"""Which number of a model an explanation explains, on which scale, and how reason codes name it.

A classifier's event probability ('default probability'), one class of a rating model ("probability of
'BBB'"), a regression's value or a forecast's return in the analyst's units (the network is trained on a
standardised target, so its output is mapped back), or an anomaly score (a VAE's reconstruction error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodels.errors import ConfigError
from finmodels.explain.explainers import LOG_ODDS, OUTPUT, PROBABILITY, keras_predict, sklearn_predict
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL

ANOMALY_SCORE = "anomaly score"


def output_name(*, task: str | None, event_label: str | None, scale: str) -> str:
    """How reason codes name the output: 'default probability', "probability of 'bad'", 'default log-odds'."""
    if scale in (PROBABILITY, LOG_ODDS):
        subject = "default" if task == "credit_default" or event_label is None else f"'{event_label}'"
        if scale == LOG_ODDS:
            return f"{subject} log-odds" if subject == "default" else f"log-odds of {subject}"
        return "default probability" if subject == "default" else f"probability of {subject}"
    return "model output"


@dataclass(frozen=True)
class OutputChoice:
    """What number of a model is explained, on which scale, and how reason codes name it."""

    predict: object | None  # None: the model's own batch predict
    scale: str
    name: str
    output: int = 0
    affine: tuple[float, float] = (1.0, 0.0)
    explainers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RunFacts:
    """What explaining needs to know about a run, whether it is a TrainingResult or a loaded bundle."""

    kind: str = BINARY
    task: str | None = None
    event_label: str | None = None
    class_labels: tuple[str, ...] = ()
    target: str | None = None
    target_stats: tuple[float, float] = (0.0, 1.0)
    default_class: int = 0  # the class a rating explanation shows unless told otherwise


def run_facts(run) -> RunFacts:
    """RunFacts of a TrainingResult (the most common training class is the default class) or a LoadedBundle."""
    kind = getattr(run, "kind", BINARY)
    config = run.train_config() if hasattr(run, "train_config") else run.config
    default = 0
    if kind in (MULTICLASS, ORDINAL) and hasattr(run, "split"):
        default = int(np.bincount(np.asarray(run.y)[run.split.train].astype(int)).argmax())
    mean, std = getattr(run, "target_stats", None) or (run.manifest.get("target_stats") if hasattr(run, "manifest")
                                                      else None) or (0.0, 1.0)
    return RunFacts(kind, getattr(config, "task", None), getattr(run, "event_label", None) or None,
                    tuple(getattr(run, "class_labels", []) or []), getattr(config, "target", None),
                    (float(mean), float(std)), default)


def output_choice(facts: RunFacts, model, *, neural: bool = True, output: str | int | None = None) -> OutputChoice:
    """The explained output for a task kind: event probability, class probability, value or anomaly score."""
    kind = facts.kind
    if kind == BINARY:
        return OutputChoice(None, PROBABILITY, output_name(task=facts.task, event_label=facts.event_label,
                                                          scale=PROBABILITY))
    if kind in (MULTICLASS, ORDINAL):
        labels = list(facts.class_labels)
        if output is None:
            index = facts.default_class
        elif isinstance(output, str) and not output.isdigit():
            if output not in labels:
                raise ConfigError(f"Unknown class '{output}'. Classes are: {', '.join(labels)}.")
            index = labels.index(output)
        else:
            index = int(output)
        predict = None if neural else sklearn_predict(model, output=index)
        return OutputChoice(predict, PROBABILITY, f"probability of '{labels[index] if labels else index}'", index,
                            explainers=None if neural else ("permutation",))
    if kind == ANOMALY:
        if not neural:
            return OutputChoice(_baseline_score(model), ANOMALY_SCORE, "anomaly score", explainers=("permutation",))
        reconstruct = keras_predict(model, output=None)

        def score(x: np.ndarray) -> np.ndarray:
            return np.mean((x.reshape(len(x), -1) - reconstruct(x)) ** 2, axis=1)

        return OutputChoice(score, ANOMALY_SCORE, "anomaly score", explainers=("permutation",))
    mean, std = facts.target_stats
    if kind == FORECAST:
        return OutputChoice(None, "return", "predicted next-day return", 0, (std, 0.0) if neural else (1.0, 0.0))
    return OutputChoice(None, OUTPUT, f"predicted {facts.target or 'value'}", 0,
                        (std, mean) if neural else (1.0, 0.0))


def _baseline_score(model):
    """The anomaly score of a PCA (reconstruction error) or Isolation Forest (negated score) baseline."""
    if hasattr(model, "inverse_transform"):
        return lambda x: np.mean((x - model.inverse_transform(model.transform(x))) ** 2, axis=1).astype("float64")
    return lambda x: -np.asarray(model.score_samples(x), dtype="float64")
