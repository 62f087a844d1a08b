"""A run's configuration as the HTML report shows it: readable setting labels and values, the network named as the
app names it, and what each baseline was trained on.

The report listed 'arch mlp' for a blend of dense and deep & cross networks and the settings' code names
('class_weight', 'piecewise_knots 8'); it also said every baseline used 'the same preprocessing' while the
scorecard bins the raw columns. `config_table` and `baselines_note` say both in the analyst's words.
"""

from __future__ import annotations

from dataclasses import fields

import pandas as pd

from finmodels.data.targets import event_name
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, REGRESSION, get_task
from finmodels.delivery.html import plain_value
from finmodels.delivery.runs import network_name
from finmodels.evaluation.labels import BASELINE_LABELS
from finmodels.models.training.blend import arch_label, blend_weights, network_settings, weights_text
from finmodels.models.training.members import epochs_summary

# Settings that mean something only for some task kinds; the others are left out of the report, so a table model
# does not list a window of 20 days or a VaR level it never used.
_TABLES = (BINARY, MULTICLASS, ORDINAL, REGRESSION, ANOMALY)
_ONLY_FOR = {
    "window": (FORECAST,), "var_level": (FORECAST,), "horizon": (FORECAST,), "holdings": (FORECAST,),
    "class_weight": (BINARY, MULTICLASS, ORDINAL), "event_label": (BINARY, ANOMALY),
    "split": (BINARY, MULTICLASS, ORDINAL, REGRESSION, ANOMALY), "features": (BINARY, MULTICLASS, ORDINAL, REGRESSION,
                                                                              ANOMALY),
    "members": (BINARY, MULTICLASS, ORDINAL, REGRESSION), "blend": (BINARY, MULTICLASS, ORDINAL, REGRESSION),
    # a price model reads returns from its price column: no target, categories or table preprocessing
    "target": _TABLES, "categories": _TABLES, "preprocessing": _TABLES,
}
_ONLY_FOR_TASKS = {"risk_aversion": ("asset_allocation",), "cap": ("asset_allocation",)}

# The report's label of each TrainConfig setting (a setting without one keeps its name, underscores as spaces)
SETTING_LABELS = {
    "target": "target column", "task": "task", "features": "inputs", "event_label": "risk event",
    "epochs": "epochs (at most)", "batch_size": "batch size", "learning_rate": "learning rate",
    "patience": "early stopping patience (epochs)", "class_weight": "class weights", "seed": "random seed",
    "test_size": "test rows (share)", "valid_size": "validation rows (share)", "lr_schedule": "learning-rate schedule",
    "split": "split", "window": "window (days)", "var_level": "VaR level", "horizon": "VaR horizon (days)",
    "risk_aversion": "risk aversion", "cap": "largest weight of one asset", "preprocessing": "preprocessing",
}
_HYPER_LABELS = {"l2": "L2 penalty", "batch_norm": "batch normalisation"}
_SHARES = ("test_size", "valid_size", "var_level", "cap")

# What each baseline learns from: the network's preprocessed inputs, or (the scorecard) the raw columns
_RAW_BASELINES = {"scorecard": "bins the raw columns in their own units (optimal monotonic bins, weight of evidence, a "
                               "logistic regression on it), without the network's scaling or encoding",
                  "naive": "learns nothing; it repeats each window's last return (its VaR from the window's spread)"}


def event_phrase(target: str | None, label) -> str:
    """The risk event in the analyst's words: 'bad' quoted, a 0/1 code as 'default_payment_next_month = 1'."""
    name = event_name(target, label)
    return name if name != str(label).strip() else f"'{name}'"


def applies(setting: str, task_key: str) -> bool:
    """Whether a TrainConfig setting applies to a run of task `task_key`."""
    if setting in _ONLY_FOR_TASKS:
        return task_key in _ONLY_FOR_TASKS[setting]
    return get_task(task_key).kind in _ONLY_FOR.get(setting, (get_task(task_key).kind,))


def network_text(result) -> str:
    """The run's network as the Runs page names it, with how many networks it averages: 'Blend: dense + deep & cross
    networks, 5 cross-fitted of each (10 networks)', 'Dense network (MLP), the average of 5 cross-fitted networks',
    'LSTM recurrent network'."""
    config, settings = result.config, getattr(result, "settings", None)
    weights = blend_weights(result)
    members = (getattr(settings, "members", None) or config.members or 1) if applies("members", config.task) else 1
    if len(weights) > 1:
        return (f"{network_name(config.arch, list(weights))} networks, {members} cross-fitted of each "
                f"({members * len(weights)} networks)")
    name = arch_label(config.arch)
    return f"{name}, the average of {members} cross-fitted networks" if members > 1 else name


def preprocessing_text(prep) -> str:
    """A PreprocessConfig in words: 'quantile scaling; piecewise-linear encoding with 8 quantile knots (up to 128 at
    the target's thresholds); one-hot codes for whole numbers with at most 12 values; missing-value indicators on;
    weight-of-evidence inputs off'."""
    at_target = f" (up to {prep.target_knots} at the target's thresholds)" if prep.target_knots else ""
    pieces = (f"piecewise-linear encoding with {prep.piecewise_knots} quantile knots{at_target}"
              if prep.piecewise_knots else "no piecewise-linear encoding")
    codes = (f"one-hot codes for whole numbers with at most {prep.code_levels} values" if prep.code_levels
             else "no one-hot codes for whole numbers")
    return "; ".join([f"{prep.scaler} scaling", pieces, codes,
                      f"missing-value indicators {'on' if prep.missing_indicators else 'off'}",
                      f"weight-of-evidence inputs {'on' if prep.woe_inputs else 'off'}"])


def _value(setting: str, value, task_key: str):
    if setting == "task":
        return get_task(task_key).label
    if setting == "class_weight":
        return "balanced (the rarer class weighs more)" if value else "none (every row weighs the same)"
    if setting in _SHARES and isinstance(value, float):
        return f"{value:.0%}" if setting != "var_level" else f"{value:.1%}"
    if setting == "preprocessing" and value is not None and not isinstance(value, dict):
        return preprocessing_text(value)
    return value


def _hyper_label(key: str) -> str:
    """'mlp: batch_norm' as 'Dense network (MLP): batch normalisation'; 'network: units' as it is."""
    prefix, _, name = key.partition(": ")
    prefix = prefix if prefix == "network" else arch_label(prefix)
    return f"{prefix}: {_HYPER_LABELS.get(name, name.replace('_', ' '))}"


def config_table(result) -> pd.DataFrame:
    """The settings the run used, as (setting, value) rows with readable labels, hyperparameters flattened in; only
    those that apply to its task, the feature columns it really used, and the network named as the app names it."""
    config = result.config
    task = config.task
    values = {"network": network_text(result)}
    values.update({f.name: getattr(config, f.name) for f in fields(config)
                   if f.name not in ("hyperparameters", "arch", "members", "blend") and applies(f.name, task)})
    if "features" in values:
        used = list(getattr(result, "features", None) or config.features or [])
        values["features"] = f"{len(used)}: {', '.join(map(str, used))}" if used else None
    settings = getattr(result, "settings", None)
    if settings is not None:  # what the run used where the configuration left the choice to the defaults
        values.update(batch_size=settings.batch_size, learning_rate=settings.learning_rate,
                      lr_schedule=settings.lr_schedule)
        if applies("preprocessing", task):
            values["preprocessing"] = settings.preprocessing
    series = getattr(getattr(result, "preprocessor", None), "series", None)
    if not applies("target", task) and getattr(series, "price", None):
        values = {"network": values.pop("network"), "price column": series.price, **values}  # what a price model reads in place of a target
    if "event_label" in values:  # the event the run modelled, also when the configuration left it to the target
        label = getattr(result, "event_label", None) or values["event_label"]
        values["event_label"] = None if label is None else event_phrase(config.target, label)
    if values.get("holdings"):
        values["holdings"] = ", ".join(f"{t} {w:g}" for t, w in values["holdings"])
    rows = {SETTING_LABELS.get(k, k.replace("_", " ")): _value(k, v, task) for k, v in values.items()}
    weights = blend_weights(result)
    rows.update({_hyper_label(k): v for k, v in network_settings(config, weights).items()})
    rows["epochs run"] = epochs_summary(result.history)
    if weights:
        rows["blend weights (out of fold)"] = weights_text(weights)
    rows["stopped by user"] = bool(result.stopped_early)
    return pd.DataFrame({"setting": list(rows), "value": [plain_value(v) for v in rows.values()]})


def baselines_note(result) -> str:
    """What each baseline of the run was trained on: the same split for all; the network's preprocessed inputs for
    the fitted models, the raw columns for the scorecard ('Baselines are trained on the same split. Logistic
    regression and Gradient boosting: on the network's inputs, preprocessed the same way. Scorecard: on the raw
    columns in their own units ...')."""
    keys = list(getattr(result, "baselines", None) or {})
    if not keys:
        return "The run has no baselines."
    shared = [BASELINE_LABELS.get(k, k) for k in keys if k not in _RAW_BASELINES]
    inputs = ("the same windows of returns, flattened" if getattr(result, "kind", None) == FORECAST
              else "the network's inputs, preprocessed the same way")
    parts = ["Baselines are trained on the same split."]
    if shared:
        parts.append(f"{' and '.join(shared)}: on {inputs}.")
    parts += [f"{BASELINE_LABELS.get(k, k)}: {_RAW_BASELINES[k]}." for k in keys if k in _RAW_BASELINES]
    return " ".join(parts)
