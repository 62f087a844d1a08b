"""Benchmark: the default network against logistic regression and gradient boosting, on the same CV folds.

`python -m finmodels.bench [--quick] [--out DIR] [--set NAME=VALUE ...]` runs each dataset in its own process
(so its peak memory is its own), with 5 stratified folds; in each fold the network and both baselines see the
same training rows and the same preprocessing, because all three come out of one `training.train` call: the
code path the dashboard uses, with the dashboard's defaults. The plain scikit-learn pipelines of `reference`
(each with its own preprocessing) are fitted on the same rows of the same folds. Writes `bench.json` and
`bench.md`, with the network's gap to the best baseline of each family against the issue's targets.
`--set` changes one default for an experiment (e.g. `--set piecewise_knots=128 --set units=[64]`); the run
records what was changed.
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
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from finmodels.data.samples import SAMPLES_DIR

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
SAME_INPUTS = ("logistic_regression", "hist_gradient_boosting")
PLAIN = ("plain_logistic_regression", "plain_hist_gradient_boosting")
MODELS = ("network", *SAME_INPUTS, *PLAIN)
MODEL_LABELS = {"network": "Default network", "logistic_regression": "Logistic regression",
                "hist_gradient_boosting": "Gradient boosting",
                "plain_logistic_regression": "Logistic regression, plain pipeline",
                "plain_hist_gradient_boosting": "Gradient boosting, plain pipeline"}


@dataclass(frozen=True)
class BenchDataset:
    key: str
    path: Path
    target: str
    task: str
    metric: str  # the ranking metric reported as "AUC" column: roc_auc, or within_one_notch for ratings
    target_gap: float | None = None  # the target: network at most this far below the best baseline
    speed_target: float | None = None  # the target: network fit under this multiple of gradient boosting's


DATASETS: dict[str, BenchDataset] = {
    d.key: d
    for d in (
        BenchDataset("german_credit", SAMPLES_DIR / "german_credit.csv", "creditability", "credit_default", "roc_auc",
                     0.005),
        BenchDataset("taiwan_default", SAMPLES_DIR / "taiwan_default.csv", "default_payment_next_month",
                     "credit_default", "roc_auc", 0.005, 1.5),
        BenchDataset("credit_risk_dataset", SHARED / "credit_risk_dataset.csv", "loan_status", "credit_default",
                     "roc_auc", 0.01),
        BenchDataset("corporate_rating", SHARED / "corporate_rating.csv", "Rating", "credit_rating",
                     "within_one_notch"),
    )
}
QUICK = ("german_credit",)
__all__ = ["DATASETS", "MODELS", "BenchDataset", "cv_splits", "experiment_config", "gap_table", "gaps", "main",
           "markdown_table", "parse_overrides", "run_dataset", "run_quality", "scoring_benchmark", "summarise"]


def cv_splits(y: np.ndarray, *, folds: int = 5, seed: int = 0, valid_size: float = 0.2) -> list:
    """Stratified folds; inside each training fold a stratified validation part for early stopping."""
    from sklearn.model_selection import StratifiedKFold, train_test_split

    from finmodels.data.splits import Split

    out = []
    for rest, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        train, valid = train_test_split(rest, test_size=valid_size, stratify=y[rest], random_state=seed)
        out.append(Split(np.sort(train), np.sort(valid), np.sort(test), f"{folds}-fold stratified"))
    return out


def parse_overrides(items: list[str]) -> dict:
    """`NAME=VALUE` strings to a dict; values are read as JSON (numbers, lists, true/false), else as text."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"--set needs NAME=VALUE, e.g. piecewise_knots=128; got '{item}'.")
        try:
            out[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[name.strip()] = value
    return out


def experiment_config(base, overrides: dict, train_rows: int):
    """`base` (a TrainConfig) with `overrides` applied to the fit settings, the network or the preprocessing.

    Preprocessing names change the defaults chosen for this many training rows (so a small table keeps its
    own encoding apart from the named setting); unknown names are refused with the list of known ones.
    """
    from finmodels.models.preprocessing import PreprocessConfig
    from finmodels.models.training import fit_defaults

    if "arch" in overrides:  # the named network's own hyperparameters (e.g. --set arch=tabm --set members=4)
        base = replace(base, arch=overrides["arch"], hyperparameters=None)
    hyper_class = type(base.hyper)
    groups = {"train": {f.name for f in fields(base)} - {"hyperparameters", "preprocessing"},
              "hyper": {f.name for f in fields(hyper_class)}, "prep": {f.name for f in fields(PreprocessConfig)}}
    unknown = [k for k in overrides if not any(k in names for names in groups.values())]
    if unknown:
        known = ", ".join(sorted(set().union(*groups.values())))
        raise SystemExit(f"Unknown setting {', '.join(unknown)}. Known settings: {known}.")
    pick = lambda group: {k: (tuple(v) if isinstance(v, list) else v)  # noqa: E731
                          for k, v in overrides.items() if k in groups[group]}
    changes = pick("train")
    if pick("hyper"):
        changes["hyperparameters"] = replace(base.hyper, **pick("hyper"))
    if pick("prep"):
        changes["preprocessing"] = replace(fit_defaults(train_rows).preprocessing, **pick("prep"))
    return replace(base, **changes)


def run_dataset(key: str, *, folds: int = 5, epochs: int | None = None, explain_rows: int = 1000,
                overrides: dict | None = None) -> dict:
    """Cross-validate the default network, its baselines and the plain pipelines on one dataset."""
    from finmodels.data.reading import load_csv
    from finmodels.explain.explanation import explain_result
    from finmodels.models.reference import fit_plain
    from finmodels.data.targets import encode_classes, prepare_target
    from finmodels.models.training import TrainConfig, train

    ds = DATASETS[key]
    frame = load_csv(ds.path)
    config = TrainConfig(target=ds.target, task=ds.task, **({"epochs": epochs} if epochs else {}))
    if ds.task == "credit_rating":
        rows = frame[frame[ds.target].notna()].reset_index(drop=True)
        strata, _, _ = encode_classes(rows[ds.target], ordinal=True)
    else:
        rows, strata, _ = prepare_target(frame, config.target, config.event_label)
    per_model = {m: {"metrics": [], "fit_seconds": []} for m in MODELS}
    explain_seconds = None
    for i, split in enumerate(cv_splits(strata, folds=folds)):
        run_config = experiment_config(config, overrides, len(split.train)) if overrides else config
        result = train(rows, run_config, split=split)
        plain = fit_plain(result.kind, result.frame, result.features, result.y,
                          np.concatenate([split.train, split.valid]), split.test,
                          classes=max(2, len(result.class_labels)), seed=config.seed)
        per_model["network"]["metrics"].append(result.metrics)
        per_model["network"]["fit_seconds"].append(result.seconds["fit"])
        per_model["network"].setdefault("preprocess_seconds", []).append(result.seconds["preprocess"])
        for name, base in {**result.baselines, **plain}.items():
            if name in per_model:
                per_model[name]["metrics"].append(base.metrics)
                per_model[name]["fit_seconds"].append(base.fit_seconds)
        if i == 0 and explain_rows:
            start = time.perf_counter()
            explanation = explain_result(result, rows=explain_rows)
            explain_seconds = {"seconds": time.perf_counter() - start, "rows": int(len(explanation.predictions)),
                               "explainer": explanation.explainer}
        print(f"{key} fold {i + 1}/{folds}: network {result.metrics[ds.metric]:.4f}, " + ", ".join(
            f"{n} {b.metrics[ds.metric]:.4f}" for n, b in {**result.baselines, **plain}.items()),
            file=sys.stderr, flush=True)
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


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown_table(results: list[dict]) -> str:
    """One row per dataset and model: the ranking metric's mean ± std, PR AUC, KS, fit s, explain s, memory."""
    lines = ["| dataset | model | AUC (mean ± sd) | PR AUC | KS | fit s | preprocessing s | explain s (rows) "
             "| peak memory MB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for model, m in r["models"].items():
            metric = r["metric"]
            label = "within one notch" if metric == "within_one_notch" else ""
            cell = lambda n: f"{m[n]['mean']:.3f}" if n in m else "–"  # noqa: E731
            explain = (f"{r['explain']['seconds']:.1f} ({r['explain']['rows']:,})"
                       if model == "network" and r.get("explain") else "")
            memory = f"{r['peak_rss_mb']:.0f}" if model == "network" else ""
            prep = f"{m['preprocess_seconds']['mean']:.2f}" if "preprocess_seconds" in m else ""
            lines.append(f"| {r['dataset']} ({r['rows']:,} rows) | {MODEL_LABELS[model]} | "
                         f"{m[metric]['mean']:.3f} ± {m[metric]['std']:.3f} {label}".rstrip() + " | "
                         f"{cell('pr_auc')} | {cell('ks')} | {m['fit_seconds']['mean']:.2f} | {prep} | {explain} "
                         f"| {memory} |")
    return "\n".join(lines)


def gap_table(results: list[dict]) -> str:
    """The issue's targets: the network's gap to the best baseline of each family, and its fit time over
    gradient boosting's."""
    lines = ["| dataset | baselines | best baseline | AUC gap | quality target | fit time ÷ gradient boosting's "
             "| speed target | with preprocessing |", "|---|---|---|---|---|---|---|---|"]
    verdict = lambda met: "–" if met is None else ("met" if met else "**not met**")  # noqa: E731
    for r in results:
        for family, g in r.get("gaps", {}).items():
            quality = "none set" if g["target"] is None else f"within {g['target']:.3f}: {verdict(g['met'])}"
            ratio = "–" if g.get("fit_ratio") is None else f"{g['fit_ratio']:.2f}"
            speed = "none set" if g.get("speed_target") is None else \
                f"under {g['speed_target']:g}: {verdict(g['speed_met'])}"
            pipeline = "–" if g.get("pipeline_ratio") is None else f"{g['pipeline_ratio']:.2f}"
            lines.append(f"| {r['dataset']} | {'same inputs' if family == 'same_inputs' else 'plain pipelines'} | "
                         f"{MODEL_LABELS[g['best']]} | {g['gap']:+.3f} | {quality} | {ratio} | {speed} | {pipeline} |")
    return "\n".join(lines)


TABLE_NOTE = """

Fit seconds are the model's fit (the network's includes compiling its training epoch when a fold needs it).
The network's preprocessing (fitting the encoders and knots, encoding the rows) is timed apart; the
same-inputs baselines reuse it, and the plain pipelines' fit includes their own, much simpler, encoding.

Targets (AUC gap: the network's mean minus the best baseline's; fit time: mean seconds per fold; with
preprocessing: the network's preprocessing and fit over gradient boosting's fit and preprocessing):

"""


HOLDOUT_SHARE, HOLDOUT_SEED = 0.2, 20250117  # fixed: the same held-out rows in every run, never used to choose


def holdout_positions(strata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(development rows, held-out rows) of a dataset: a fixed, stratified HOLDOUT_SHARE slice, seed-fixed.

    Defaults are chosen by cross-validation on the development rows only; the held-out rows are scored once,
    after the choice, so a reader can see whether a default generalises beyond the rows it was tuned on."""
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(strata))
    dev, held = train_test_split(positions, test_size=HOLDOUT_SHARE, stratify=strata, random_state=HOLDOUT_SEED)
    return np.sort(dev), np.sort(held)


def _fold_metrics(key: str, rows, config, split, per_model: dict) -> None:
    """Train the network and its baselines on `split` of `rows`, fit the plain pipelines on the same rows, and
    append each model's test metrics and fit seconds to `per_model`."""
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
    print(f"{key} {split.method}: network {result.metrics[metric]:.4f}, " + ", ".join(
        f"{n} {b.metrics[metric]:.4f}" for n, b in {**result.baselines, **plain}.items()), file=sys.stderr, flush=True)


def run_quality(key: str, *, folds: int = 5, overrides: dict | None = None, held_out: bool = True,
                seeds: int = 1) -> dict:
    """Quality with a held-out slice: `folds`-fold CV on the development rows (what defaults are chosen by),
    then, unless `held_out` is False, one fit on all development rows per seed (0 .. seeds-1) scored on the
    held-out rows."""
    from sklearn.model_selection import train_test_split

    from finmodels.data.reading import load_csv
    from finmodels.data.splits import Split
    from finmodels.data.targets import encode_classes, prepare_target
    from finmodels.models.training import TrainConfig

    ds = DATASETS[key]
    frame = load_csv(ds.path)
    config = TrainConfig(target=ds.target, task=ds.task)
    if ds.task == "credit_rating":
        rows = frame[frame[ds.target].notna()].reset_index(drop=True)
        strata, _, _ = encode_classes(rows[ds.target], ordinal=True)
    else:
        rows, strata, _ = prepare_target(frame, config.target, config.event_label)
    dev, held = holdout_positions(strata)
    fresh = lambda: {m: {"metrics": [], "fit_seconds": []} for m in MODELS}  # noqa: E731
    cv = fresh()
    for split in cv_splits(strata[dev], folds=folds):
        mapped = Split(dev[split.train], dev[split.valid], dev[split.test], f"development fold ({folds}-fold)")
        run_config = experiment_config(config, overrides, len(mapped.train)) if overrides else config
        _fold_metrics(key, rows, run_config, mapped, cv)
    out = {"dataset": key, "task": ds.task, "metric": ds.metric, "rows": int(len(rows)),
           "development_rows": int(len(dev)), "held_out_rows": int(len(held)), "folds": folds,
           "cv": {m: summarise(v) for m, v in cv.items() if v["metrics"]}}
    out["cv_gaps"] = gaps(out["cv"], ds.metric, 0.0)
    if held_out:
        late = fresh()
        for seed in range(seeds):
            train, valid = train_test_split(dev, test_size=0.2, stratify=strata[dev], random_state=seed)
            split = Split(np.sort(train), np.sort(valid), held, "held-out slice")
            run_config = replace(config, seed=seed)
            run_config = experiment_config(run_config, overrides, len(train)) if overrides else run_config
            _fold_metrics(key, rows, run_config, split, late)
        out["held_out"] = {m: summarise(v) for m, v in late.items() if v["metrics"]}
        out["held_out_gaps"] = gaps(out["held_out"], ds.metric, 0.0)
        out["held_out_seeds"] = seeds
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def quality_label(overrides: dict) -> str:
    """The configuration a quality entry measured: 'default', or its changed settings."""
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(overrides.items())) if overrides else "default"


def quality_markdown(report: dict) -> str:
    """bench/quality.md: per configuration, the CV on development rows, then the held-out slice, apart."""
    lines = [f"Machine: {report['machine']}. Held-out slice: {HOLDOUT_SHARE:.0%} of each file, stratified, seed "
             f"{HOLDOUT_SEED}; never used to choose a default. AUC is ROC AUC, within-one-notch accuracy for "
             "ratings; deterministic per seed. Fit seconds are noisy: a shared 2-core machine.", ""]
    if report.get("note"):  # the decision taken from these figures, written by whoever took it
        lines += [report["note"], ""]
    for label, entry in report["configurations"].items():
        lines += [f"## {label} ({entry['date']})", ""]
        for part, title in (("cv", "Cross-validation on the development rows (80%)"),
                            ("held_out", "Held-out slice (20%), trained on all development rows")):
            found = [r for r in entry["results"] if part in r]
            if not found:
                continue
            lines += [f"### {title}", "", "| dataset | model | AUC (mean ± sd) | fit s | gap to network |",
                      "|---|---|---|---|---|"]
            for r in found:
                metric, models = r["metric"], r[part]
                net = models["network"][metric]["mean"]
                runs = r["folds"] if part == "cv" else r.get("held_out_seeds", 1)
                for model, m in models.items():
                    gap = "" if model == "network" else f"{net - m[metric]['mean']:+.3f}"
                    lines.append(f"| {r['dataset']} ({runs} {'folds' if part == 'cv' else 'seeds'}) | "
                                 f"{MODEL_LABELS[model]} | {m[metric]['mean']:.4f} ± {m[metric]['std']:.4f} | "
                                 f"{m['fit_seconds']['mean']:.2f} | {gap} |")
            lines.append("")
            lines += ["| dataset | baselines | best baseline | network minus best | at or above |", "|---|---|---|---|---|"]
            for r in found:
                for family, g in r[f"{part}_gaps"].items():
                    lines.append(f"| {r['dataset']} | {'same inputs' if family == 'same_inputs' else 'plain'} | "
                                 f"{MODEL_LABELS[g['best']]} | {g['gap']:+.4f} | {'yes' if g['gap'] >= 0 else 'no'} |")
            lines.append("")
    return "\n".join(lines)


def quality_benchmark(*, out: Path, overrides: dict, folds: int, held_out: bool, seeds: int, items: list[str],
                      keys: tuple[str, ...] | None = None) -> int:
    """Run `run_quality` per dataset (each in its own process) and merge the entry for this configuration into
    out/quality.json; quality.md is redrawn from every configuration kept there."""
    keys = keys or tuple(k for k, d in DATASETS.items() if d.path.exists())
    results = []
    for key in keys:
        cmd = [sys.executable, "-m", "finmodels.bench", "--dataset", key, "--holdout", "--folds", str(folds),
               "--seeds", str(seeds), *([] if held_out else ["--development-only"]), *[f"--set={i}" for i in items]]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "quality.json"
    report = json.loads(path.read_text()) if path.exists() else {"configurations": {}}
    report["machine"] = machine()
    report["configurations"][quality_label(overrides)] = {"date": time.strftime("%Y-%m-%d"), "overrides": overrides,
                                                          "held_out": held_out, "results": results}
    path.write_text(json.dumps(report, indent=2))
    (out / "quality.md").write_text(quality_markdown(report) + "\n")
    print(quality_markdown({"machine": report["machine"],
                            "configurations": {quality_label(overrides): report["configurations"][quality_label(overrides)]}}))
    return 0


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


SCORING_ROWS, SCORING_THRESHOLD = 20_000, 0.30


def scoring_benchmark(key: str = "taiwan_default", *, rows: int = SCORING_ROWS,
                      threshold: float = SCORING_THRESHOLD) -> dict:
    """Seconds to score `rows` rows of a dataset with a saved bundle of its default network at `threshold`:
    with reason codes for every flagged row (the default), then for every row. Timings are printed, never
    asserted: the issue's budget is 30 s for the first on this machine."""
    from finmodels.data.reading import load_csv
    from finmodels.delivery.scoring import score_file
    from finmodels.models.bundle import bundle_bytes, load_bundle
    from finmodels.models.training import TrainConfig, train

    ds = DATASETS[key]
    frame = load_csv(ds.path)
    start = time.perf_counter()
    result = train(frame, TrainConfig(target=ds.target, task=ds.task))
    trained = time.perf_counter() - start
    bundle = load_bundle(bundle_bytes(result))
    new = frame.drop(columns=ds.target).sample(n=min(rows, len(frame)), random_state=0).reset_index(drop=True)
    out = {"dataset": key, "rows": len(new), "threshold": threshold, "train_seconds": round(trained, 2)}
    for reasons in ("flagged", "all"):
        start = time.perf_counter()
        scored = score_file(bundle, new, threshold=threshold, reasons=reasons)
        out[reasons] = {"seconds": round(time.perf_counter() - start, 2), "explained_rows": scored.explained_rows,
                        "flagged": scored.flagged}
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finmodels.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="German credit only, 2 folds, at most 20 epochs")
    parser.add_argument("--out", default="bench", help="folder for bench.json and bench.md (default: bench)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="change one default for an experiment, e.g. piecewise_knots=128 (repeatable)")
    parser.add_argument("--scoring", action="store_true",
                        help=f"time scoring {SCORING_ROWS:,} Taiwan default rows with a saved bundle at threshold "
                             f"{SCORING_THRESHOLD}, with reason codes for the flagged rows, then for all rows")
    parser.add_argument("--panel", action="store_true",
                        help="time market risk end to end on a synthetic panel of 500 tickers and 600,000 rows")
    parser.add_argument("--scale", action="store_true",
                        help="seconds and peak memory per stage for a 100k, 300k and 1M-row loan book, trained end to "
                             "end; writes scale.json and scale.md with a linear fit against rows")
    parser.add_argument("--holdout", action="store_true",
                        help=f"quality with a fixed, stratified {HOLDOUT_SHARE:.0%} held-out slice per file: CV on the "
                             "other rows, then the held-out rows; writes quality.json and quality.md")
    parser.add_argument("--development-only", action="store_true",
                        help="with --holdout: CV on the development rows only, to choose defaults")
    parser.add_argument("--seeds", type=int, default=1, help="with --holdout: fits scored on the held-out slice")
    parser.add_argument("--only", action="append", default=[], help="with --holdout: this dataset only (repeatable)")
    parser.add_argument("--dataset", help=argparse.SUPPRESS)  # run one dataset in this process (used internally)
    parser.add_argument("--folds", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    overrides = parse_overrides(args.set)
    if overrides:  # refuse a wrong name or value here, before any dataset runs
        from finmodels.errors import ConfigError
        from finmodels.models.training import TrainConfig

        try:
            experiment_config(TrainConfig(target="check"), overrides, 10_000)
        except (ConfigError, TypeError, ValueError) as exc:
            raise SystemExit(f"--set: {exc}") from None
    if args.scoring:
        found = scoring_benchmark()
        print(f"Scoring {found['rows']:,} rows of {found['dataset']} with a saved bundle at threshold "
              f"{found['threshold']} ({machine()}):")
        for reasons in ("flagged", "all"):
            r = found[reasons]
            print(f"  reason codes for {'the flagged' if reasons == 'flagged' else 'all'} rows: {r['seconds']:.1f} s "
                  f"({r['explained_rows']:,} rows explained, {r['flagged']:,} flagged)")
        print(f"  (training the network first: {found['train_seconds']:.1f} s; peak memory {found['peak_rss_mb']:.0f} MB)")
        print(json.dumps(found))
        return 0
    if args.scale:
        from finmodels.bench.scale import scale_benchmark

        return scale_benchmark(out=Path(args.out), epochs=args.epochs or 100, machine=machine())
    if args.panel:
        from finmodels.portfolio.benchmark import panel_benchmark, print_panel_benchmark

        found = panel_benchmark(epochs=args.epochs or 100)
        print_panel_benchmark(found, machine())
        print(json.dumps(found))
        return 0
    if args.dataset and args.holdout:
        print(json.dumps(run_quality(args.dataset, folds=args.folds or 5, overrides=overrides,
                                     held_out=not args.development_only, seeds=args.seeds)))
        return 0
    if args.holdout:
        return quality_benchmark(out=Path(args.out), overrides=overrides, folds=args.folds or 5,
                                 held_out=not args.development_only, seeds=args.seeds, items=args.set,
                                 keys=tuple(args.only) or None)
    if args.dataset:
        print(json.dumps(run_dataset(args.dataset, folds=args.folds or 5, epochs=args.epochs,
                                     explain_rows=200 if args.epochs else 1000, overrides=overrides)))
        return 0
    keys = QUICK if args.quick else tuple(k for k, d in DATASETS.items() if d.path.exists())
    results = []
    for key in keys:
        cmd = [sys.executable, "-m", "finmodels.bench", "--dataset", key]
        if args.quick:
            cmd += ["--folds", "2", "--epochs", "20"]
        cmd += [f"--set={item}" for item in args.set]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "quick": args.quick, "date": time.strftime("%Y-%m-%d"), "overrides": overrides,
              "results": results}
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    changed = (" Changed defaults: " + ", ".join(f"{k}={v}" for k, v in overrides.items()) + ".") if overrides else ""
    table = markdown_table(results) + TABLE_NOTE + gap_table(results)
    (out / "bench.md").write_text(f"Machine: {report['machine']}; {report['date']}.{changed}\n\n{table}\n")
    print(table)
    return 0

