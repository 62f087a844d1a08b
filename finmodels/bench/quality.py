"""Quality with a held-out slice (`python -m finmodels.bench --holdout`): cross-validation on the development rows,
which defaults are chosen by, then fits scored once on a fixed, stratified slice that never chooses anything.
Writes bench/quality.json (one entry per configuration) and bench/quality.md."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from finmodels.bench.cases import (DATASETS, MODEL_LABELS, available_keys, configured, cv_splits, dataset_rows,
                                   in_own_processes, machine, peak_rss_mb)
from finmodels.bench.crossval import fit_fold, gaps, new_tally, summarise

HOLDOUT_SHARE, HOLDOUT_SEED = 0.2, 20250117  # fixed: the same held-out rows in every run, never used to choose


def holdout_positions(strata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(development rows, held-out rows) of a dataset: a fixed, stratified HOLDOUT_SHARE slice, seed-fixed.

    Defaults are chosen by cross-validation on the development rows only; the held-out rows are scored once,
    after the choice, so a reader can see whether a default generalises beyond the rows it was tuned on."""
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(strata))
    dev, held = train_test_split(positions, test_size=HOLDOUT_SHARE, stratify=strata, random_state=HOLDOUT_SEED)
    return np.sort(dev), np.sort(held)


def run_quality(key: str, *, folds: int = 5, overrides: dict | None = None, held_out: bool = True,
                seeds: int = 1, by_entity: bool = False) -> dict:
    """Quality with a held-out slice: `folds`-fold CV on the development rows (what defaults are chosen by),
    then, unless `held_out` is False, one fit on all development rows per seed (0 .. seeds-1) scored on the
    held-out rows. `by_entity` deals whole entities (the dataset's `entity` column) to the CV's folds; the
    held-out slice stays the fixed one, so only the development CV is run that way."""
    from finmodels.data.splits import Split
    from finmodels.models.training import TrainConfig

    ds = DATASETS[key]
    config = TrainConfig(target=ds.target, task=ds.task)
    rows, strata = dataset_rows(ds, config)
    dev, held = holdout_positions(strata)
    cv = new_tally()
    entity = ds.entity if by_entity else None
    groups = None if entity is None else rows[entity].astype(str).to_numpy()
    for split in cv_splits(strata[dev], folds=folds, groups=None if groups is None else groups[dev]):
        mapped = Split(dev[split.train], dev[split.valid], dev[split.test], f"development fold ({split.method})",
                       groups)
        fit_fold(key, rows, configured(config, overrides, len(mapped.train)), mapped, cv)
    out = {"dataset": key, "task": ds.task, "metric": ds.metric, "rows": int(len(rows)),
           "development_rows": int(len(dev)), "held_out_rows": int(len(held)), "folds": folds, "by_entity": entity,
           "cv": {m: summarise(v) for m, v in cv.items() if v["metrics"]}}
    out["cv_gaps"] = gaps(out["cv"], ds.metric, 0.0)
    if held_out and entity is None:
        out.update(_held_out(key, rows, strata, dev, held, config, overrides=overrides, seeds=seeds))
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _held_out(key: str, rows, strata, dev, held, config, *, overrides: dict | None, seeds: int) -> dict:
    """One fit on all development rows per seed, scored on the held-out rows."""
    from sklearn.model_selection import train_test_split

    from finmodels.data.splits import Split

    late = new_tally()
    for seed in range(seeds):
        train, valid = train_test_split(dev, test_size=0.2, stratify=strata[dev], random_state=seed)
        split = Split(np.sort(train), np.sort(valid), held, "held-out slice")
        fit_fold(key, rows, configured(replace(config, seed=seed), overrides, len(train)), split, late)
    found = {m: summarise(v) for m, v in late.items() if v["metrics"]}
    return {"held_out": found, "held_out_gaps": gaps(found, DATASETS[key].metric, 0.0), "held_out_seeds": seeds}


def quality_label(overrides: dict, *, by_entity: bool = False) -> str:
    """The configuration a quality entry measured: 'default', or its changed settings; and how its folds were cut."""
    label = ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(overrides.items())) if overrides else "default"
    return f"{label}, development folds by entity" if by_entity else label


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
            if found:
                lines += [f"### {title}", ""] + _quality_tables(found, part)
    return "\n".join(lines)


def _quality_tables(found: list[dict], part: str) -> list[str]:
    """The lines of one part ('cv' or 'held_out'): each model against the network, then the best of each family."""
    lines = ["| dataset | model | AUC (mean ± sd) | fit s | gap to network |", "|---|---|---|---|---|"]
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
    return lines


def quality_benchmark(*, out: Path, overrides: dict, folds: int, held_out: bool, seeds: int, items: list[str],
                      keys: tuple[str, ...] | None = None, by_entity: bool = False) -> int:
    """Run `run_quality` per dataset (each in its own process) and merge the entry for this configuration into
    out/quality.json; quality.md is redrawn from every configuration kept there. `by_entity`: the datasets with
    an entity column only, development CV only."""
    keys = keys or available_keys()
    if by_entity:
        keys = tuple(k for k in keys if DATASETS[k].entity)
        held_out = False
    results = in_own_processes(keys, [
        "--holdout", "--folds", str(folds), "--seeds", str(seeds), *([] if held_out else ["--development-only"]),
        *(["--by-entity"] if by_entity else []), *[f"--set={i}" for i in items]])
    out.mkdir(parents=True, exist_ok=True)
    path = out / "quality.json"
    report = json.loads(path.read_text()) if path.exists() else {"configurations": {}}
    report["machine"] = machine()
    label = quality_label(overrides, by_entity=by_entity)
    report["configurations"][label] = {"date": time.strftime("%Y-%m-%d"), "overrides": overrides,
                                                          "held_out": held_out, "results": results}
    path.write_text(json.dumps(report, indent=2))
    (out / "quality.md").write_text(quality_markdown(report) + "\n")
    print(quality_markdown({"machine": report["machine"], "configurations": {label: report["configurations"][label]}}))
    return 0
