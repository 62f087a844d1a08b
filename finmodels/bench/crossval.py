"""Cross-validation: the default network, its same-inputs baselines and the plain pipelines on the same folds,
summarised per model and compared with the issue's quality and speed targets."""

from __future__ import annotations

import sys
import time

import numpy as np

from finmodels.bench.cases import DATASETS, MODELS, PLAIN, SAME_INPUTS, configured, cv_splits, dataset_rows, peak_rss_mb


def new_tally() -> dict:
    """Per model: the test metrics and fit seconds of each fold, filled by `fit_fold`."""
    return {m: {"metrics": [], "fit_seconds": []} for m in MODELS}


def fit_fold(key: str, rows, config, split, per_model: dict, *, label: str | None = None):
    """Train the network and its baselines on `split` of `rows`, fit the plain pipelines on the same rows, and
    append each model's test metrics and fit seconds to `per_model`; returns the network's TrainingResult."""
    from finmodels.models.reference import fit_plain
    from finmodels.models.training import train

    result = train(rows, config, split=split)
    plain = fit_plain(result.kind, result.frame, result.features, result.y,
                      np.concatenate([split.train, split.valid]), split.test,
                      classes=max(2, len(result.class_labels)), seed=config.seed)
    per_model["network"]["metrics"].append(result.metrics)
    per_model["network"]["fit_seconds"].append(result.seconds["fit"])
    per_model["network"].setdefault("preprocess_seconds", []).append(result.seconds["preprocess"])
    per_model["network"].setdefault("epochs", []).append(len(result.history.get("loss", [])))
    for name, base in {**result.baselines, **plain}.items():
        if name in per_model:
            per_model[name]["metrics"].append(base.metrics)
            per_model[name]["fit_seconds"].append(base.fit_seconds)
    metric = DATASETS[key].metric
    print(f"{key} {label or split.method}: network {result.metrics[metric]:.4f}, " + ", ".join(
        f"{n} {b.metrics[metric]:.4f}" for n, b in {**result.baselines, **plain}.items()), file=sys.stderr, flush=True)
    return result


def run_dataset(key: str, *, folds: int = 5, epochs: int | None = None, explain_rows: int = 1000,
                overrides: dict | None = None) -> dict:
    """Cross-validate the default network, its baselines and the plain pipelines on one dataset."""
    from finmodels.explain.explanation import explain_result
    from finmodels.models.training import TrainConfig

    ds = DATASETS[key]
    config = TrainConfig(target=ds.target, task=ds.task, **({"epochs": epochs} if epochs else {}))
    rows, strata = dataset_rows(ds, config)
    per_model = new_tally()
    explain_seconds = None
    for i, split in enumerate(cv_splits(strata, folds=folds)):
        result = fit_fold(key, rows, configured(config, overrides, len(split.train)), split, per_model,
                          label=f"fold {i + 1}/{folds}")
        if i == 0 and explain_rows:
            start = time.perf_counter()
            explanation = explain_result(result, rows=explain_rows)
            explain_seconds = {"seconds": time.perf_counter() - start, "rows": int(len(explanation.predictions)),
                               "explainer": explanation.explainer}
    models = {m: summarise(v) for m, v in per_model.items() if v["metrics"]}
    return {"dataset": key, "task": ds.task, "metric": ds.metric, "rows": int(len(rows)), "folds": folds,
            "models": models, "gaps": gaps(models, ds.metric, ds.target_gap, ds.speed_target),
            "explain": explain_seconds, "peak_rss_mb": peak_rss_mb()}


def gaps(models: dict, metric: str, target: float | None, speed_target: float | None = None) -> dict:
    """Per baseline family: the best baseline and the network's mean minus its mean; the network's fit seconds
    over gradient boosting's; and whether each target is met (None where the issue sets none)."""
    out = {}
    families = (("same_inputs", SAME_INPUTS, "hist_gradient_boosting"),
                ("plain", PLAIN, "plain_hist_gradient_boosting"))
    for family, names, boosting_name in families:
        present = [n for n in names if n in models]
        if not present or "network" not in models:
            continue
        best = max(present, key=lambda n: models[n][metric]["mean"])
        gap = models["network"][metric]["mean"] - models[best][metric]["mean"]
        boosting = models.get(boosting_name, {}).get("fit_seconds", {}).get("mean")
        network = models["network"]["fit_seconds"]["mean"]
        ratio = network / boosting if boosting else None
        # with the preprocessing: the network's own, over the plain pipeline's fit (which includes its encoding)
        # or over boosting's fit plus the same preprocessing, which the same-inputs baselines share
        prep = models["network"].get("preprocess_seconds", {}).get("mean")
        shared = prep if family == "same_inputs" else 0.0
        pipeline = (network + prep) / (boosting + shared) if boosting and prep is not None else None
        out[family] = {"best": best, "gap": float(gap), "target": target,
                       "met": None if target is None else bool(gap >= -target),
                       "fit_ratio": ratio, "pipeline_ratio": pipeline, "speed_target": speed_target,
                       "speed_met": None if speed_target is None or ratio is None else bool(ratio < speed_target)}
    return out


def summarise(runs: dict) -> dict:
    """Mean and standard deviation over folds of every metric, plus mean fit seconds."""
    names = runs["metrics"][0].keys()
    out = {n: {"mean": float(np.mean([m[n] for m in runs["metrics"]])),
               "std": float(np.std([m[n] for m in runs["metrics"]]))} for n in names}
    for name in ("fit_seconds", "preprocess_seconds"):
        if name in runs:
            out[name] = {"mean": float(np.mean(runs[name])), "std": float(np.std(runs[name]))}
    return out
