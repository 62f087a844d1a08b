"""Benchmark: the default network against logistic regression and gradient boosting, on the same CV folds.

`python -m finmodels.bench [--quick] [--out DIR]` runs each dataset in its own process (so its peak
memory is its own), with 5 stratified folds; in each fold the network and both baselines see the same
training rows and the same preprocessing, because all three come out of one `training.train` call: the
code path the dashboard uses, with the dashboard's defaults. Writes `bench.json` and `bench.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from finmodels.samples import SAMPLES_DIR

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
MODELS = ("network", "logistic_regression", "hist_gradient_boosting")
MODEL_LABELS = {"network": "Default network", "logistic_regression": "Logistic regression",
                "hist_gradient_boosting": "Gradient boosting"}


@dataclass(frozen=True)
class BenchDataset:
    key: str
    path: Path
    target: str
    task: str
    metric: str  # the ranking metric reported as "AUC" column: roc_auc, or within_one_notch for ratings


DATASETS: dict[str, BenchDataset] = {
    d.key: d
    for d in (
        BenchDataset("german_credit", SAMPLES_DIR / "german_credit.csv", "creditability", "credit_default", "roc_auc"),
        BenchDataset("taiwan_default", SAMPLES_DIR / "taiwan_default.csv", "default_payment_next_month",
                     "credit_default", "roc_auc"),
        BenchDataset("credit_risk_dataset", SHARED / "credit_risk_dataset.csv", "loan_status", "credit_default",
                     "roc_auc"),
        BenchDataset("corporate_rating", SHARED / "corporate_rating.csv", "Rating", "credit_rating",
                     "within_one_notch"),
    )
}
QUICK = ("german_credit",)


def cv_splits(y: np.ndarray, *, folds: int = 5, seed: int = 0, valid_size: float = 0.2) -> list:
    """Stratified folds; inside each training fold a stratified validation part for early stopping."""
    from sklearn.model_selection import StratifiedKFold, train_test_split

    from finmodels.splits import Split

    out = []
    for rest, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        train, valid = train_test_split(rest, test_size=valid_size, stratify=y[rest], random_state=seed)
        out.append(Split(np.sort(train), np.sort(valid), np.sort(test), f"{folds}-fold stratified"))
    return out


def run_dataset(key: str, *, folds: int = 5, epochs: int | None = None, explain_rows: int = 1000) -> dict:
    """Cross-validate the default network and the baselines on one dataset; returns per-model fold metrics."""
    from finmodels.data import load_csv
    from finmodels.explain import explain_result
    from finmodels.training import TrainConfig, encode_classes, prepare_target, train

    ds = DATASETS[key]
    frame = load_csv(ds.path)
    config = TrainConfig(target=ds.target, task=ds.task, **({"epochs": epochs} if epochs else {}))
    if ds.task == "credit_rating":
        rows = frame[frame[ds.target].notna()].reset_index(drop=True)
        strata, _, _ = encode_classes(rows[ds.target], ordinal=True)
    else:
        rows, strata, _ = prepare_target(frame, config)
    per_model = {m: {"metrics": [], "fit_seconds": []} for m in MODELS}
    explain_seconds = None
    for i, split in enumerate(cv_splits(strata, folds=folds)):
        result = train(rows, config, split=split)
        per_model["network"]["metrics"].append(result.metrics)
        per_model["network"]["fit_seconds"].append(result.seconds["fit"])
        for name, base in result.baselines.items():
            if name in per_model:
                per_model[name]["metrics"].append(base.metrics)
                per_model[name]["fit_seconds"].append(base.fit_seconds)
        if i == 0 and explain_rows:
            start = time.perf_counter()
            explanation = explain_result(result, rows=explain_rows)
            explain_seconds = {"seconds": time.perf_counter() - start, "rows": int(len(explanation.predictions)),
                               "explainer": explanation.explainer}
        print(f"{key} fold {i + 1}/{folds}: network {result.metrics[ds.metric]:.4f}, " + ", ".join(
            f"{n} {b.metrics[ds.metric]:.4f}" for n, b in result.baselines.items()), file=sys.stderr, flush=True)
    return {"dataset": key, "task": ds.task, "metric": ds.metric, "rows": int(len(rows)), "folds": folds,
            "models": {m: summarise(v) for m, v in per_model.items() if v["metrics"]},
            "explain": explain_seconds, "peak_rss_mb": peak_rss_mb()}


def summarise(runs: dict) -> dict:
    """Mean and standard deviation over folds of every metric, plus mean fit seconds."""
    names = runs["metrics"][0].keys()
    out = {n: {"mean": float(np.mean([m[n] for m in runs["metrics"]])),
               "std": float(np.std([m[n] for m in runs["metrics"]]))} for n in names}
    out["fit_seconds"] = {"mean": float(np.mean(runs["fit_seconds"])), "std": float(np.std(runs["fit_seconds"]))}
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown_table(results: list[dict]) -> str:
    """One row per dataset and model: the ranking metric's mean ± std, PR AUC, KS, fit s, explain s, memory."""
    lines = ["| dataset | model | AUC (mean ± sd) | PR AUC | KS | fit s | explain s (rows) | peak memory MB |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for model, m in r["models"].items():
            metric = r["metric"]
            label = "within one notch" if metric == "within_one_notch" else ""
            cell = lambda n: f"{m[n]['mean']:.3f}" if n in m else "–"  # noqa: E731
            explain = (f"{r['explain']['seconds']:.1f} ({r['explain']['rows']:,})"
                       if model == "network" and r.get("explain") else "")
            memory = f"{r['peak_rss_mb']:.0f}" if model == "network" else ""
            lines.append(f"| {r['dataset']} ({r['rows']:,} rows) | {MODEL_LABELS[model]} | "
                         f"{m[metric]['mean']:.3f} ± {m[metric]['std']:.3f} {label}".rstrip() + " | "
                         f"{cell('pr_auc')} | {cell('ks')} | {m['fit_seconds']['mean']:.1f} | {explain} | {memory} |")
    return "\n".join(lines)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finmodels.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="German credit only, 2 folds, at most 20 epochs")
    parser.add_argument("--out", default="bench", help="folder for bench.json and bench.md (default: bench)")
    parser.add_argument("--dataset", help=argparse.SUPPRESS)  # run one dataset in this process (used internally)
    parser.add_argument("--folds", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dataset:
        print(json.dumps(run_dataset(args.dataset, folds=args.folds or 5, epochs=args.epochs,
                                     explain_rows=200 if args.epochs else 1000)))
        return 0
    keys = QUICK if args.quick else tuple(k for k, d in DATASETS.items() if d.path.exists())
    results = []
    for key in keys:
        cmd = [sys.executable, "-m", "finmodels.bench", "--dataset", key]
        if args.quick:
            cmd += ["--folds", "2", "--epochs", "20"]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "quick": args.quick, "date": time.strftime("%Y-%m-%d"), "results": results}
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    table = markdown_table(results)
    (out / "bench.md").write_text(f"Machine: {report['machine']}; {report['date']}.\n\n{table}\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
