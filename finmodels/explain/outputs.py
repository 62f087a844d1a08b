"""Which number of a model an explanation explains, on which scale, and how reason codes name it.

A classifier's event probability ('default probability'), one class of a rating model ("probability of
'BBB'"), a regression's value or a forecast's return in the analyst's units (the network is trained on a
standardised target, so its output is mapped back), or an anomaly score (a VAE's reconstruction error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodels.data.targets import event_name, rating_order
from finmodels.errors import ConfigError
from finmodels.explain.explainers import LOG_ODDS, OUTPUT, PROBABILITY, keras_predict, sklearn_predict
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL

ANOMALY_SCORE = "anomaly score"


def _subject(target: str | None, label) -> str:
    """A class as reason codes name it: 'bad' in quotes, a code as 'SeriousDlqin2yrs = 1'."""
    name = event_name(target, label)
    return name if name != str(label).strip() else f"'{name}'"


def output_name(*, task: str | None, event_label: str | None, scale: str, target: str | None = None) -> str:
    """How reason codes name the output: 'default probability', "probability of 'bad'", 'default log-odds'.

    A 0/1 (or true/false) event is named by its column, 'probability of SeriousDlqin2yrs = 1', when `target` is
    given: "probability of '1'" says nothing.
    """
    if scale in (PROBABILITY, LOG_ODDS):
        subject = "default" if task == "credit_default" or event_label is None else _subject(target, event_label)
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
    target_class: str | None = None  # the class whose probability is explained (a binary model's event)


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
    """RunFacts of a TrainingResult (the most common training class is the default class; of a run read back without
    its rows, the most common test class) or a LoadedBundle."""
    kind = getattr(run, "kind", BINARY)
    config = run.train_config() if hasattr(run, "train_config") else run.config
    default = 0
    if kind in (MULTICLASS, ORDINAL) and hasattr(run, "split"):
        y = np.asarray(run.y).astype(int)
        # a run read back from the workspace without its rows (frame None) holds its test targets only, not the rows
        # the split's training indices point at: the most common of those then
        held = y if getattr(run, "frame", None) is None else y[run.split.train]
        default = int(np.bincount(held).argmax()) if len(held) else 0
    mean, std = getattr(run, "target_stats", None) or (run.manifest.get("target_stats") if hasattr(run, "manifest")
                                                      else None) or (0.0, 1.0)
    return RunFacts(kind, getattr(config, "task", None), getattr(run, "event_label", None) or None,
                    tuple(getattr(run, "class_labels", []) or []), getattr(config, "target", None),
                    (float(mean), float(std)), default)


def classes_of(facts: RunFacts) -> list[str]:
    """The class labels an explanation can be asked for, as a selector lists them.

    A rating model's classes in scale order (AAA ... D), a multi-class model's in its label order, a binary
    model's risk event alone (the other class's probability is its complement); none for other kinds.
    """
    if facts.kind in (MULTICLASS, ORDINAL):
        labels = [str(v) for v in facts.class_labels]
        return rating_order(labels) or labels
    if facts.kind == BINARY and facts.event_label:
        return [str(facts.event_label)]
    return []


def class_index(facts: RunFacts, target_class: str | int | None) -> int:
    """The output index of a multi-class model for a class label (or, failing that, an index); the default
    class when None. An unknown class is a ConfigError listing the classes in scale order."""
    labels = [str(v) for v in facts.class_labels]
    if target_class is None:
        return facts.default_class
    if str(target_class) in labels:
        return labels.index(str(target_class))
    if isinstance(target_class, (int, np.integer)) or str(target_class).isdigit():
        if 0 <= int(target_class) < len(labels) or not labels:
            return int(target_class)
    raise ConfigError(f"Unknown class '{target_class}'. Classes are: {', '.join(classes_of(facts))}.")


def output_choice(facts: RunFacts, model, *, neural: bool = True, output: str | int | None = None) -> OutputChoice:
    """The explained output for a task kind: event probability, class probability, value or anomaly score.

    `output` is the class to explain for a multi-class or rating model (a label; default the run's default
    class); a binary model explains its risk event, and asking for another class is a ConfigError.
    """
    kind = facts.kind
    if kind == BINARY:
        event = str(facts.event_label) if facts.event_label else None
        if output is not None and event is not None and str(output) != event:
            raise ConfigError(f"This model explains the probability of its risk event '{event}'; class '{output}' is "
                              f"its complement (its contributions are the same with the sign turned). Explain "
                              f"'{event}'.")
        return OutputChoice(None, PROBABILITY, output_name(task=facts.task, event_label=facts.event_label,
                                                          scale=PROBABILITY, target=facts.target),
                            target_class=event)
    if kind in (MULTICLASS, ORDINAL):
        labels = list(facts.class_labels)
        index = class_index(facts, output)
        label = str(labels[index]) if labels else str(index)
        predict = None if neural else sklearn_predict(model, output=index)
        # permutation SHAP for a network too: DeepLIFT's softmax rule gives values that add up but are unrelated to
        # the class probability (a rating network: contributions up to 18, correlation -0.04 with permutation SHAP)
        return OutputChoice(predict, PROBABILITY, f"probability of {_subject(facts.target, label)}", index,
                            explainers=("permutation",), target_class=label)
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
