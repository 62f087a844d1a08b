"""The cross-validation benchmark's report: bench.json, and bench.md with a row per dataset and model and the
network's gap to the best baseline of each family against the issue's targets."""

from __future__ import annotations

import json
import time
from pathlib import Path

from finmodels.bench.cases import MODEL_LABELS, machine

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


def write_report(results: list[dict], out: Path, *, quick: bool, overrides: dict) -> str:
    """Write out/bench.json and out/bench.md; returns the tables bench.md holds."""
    out.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "quick": quick, "date": time.strftime("%Y-%m-%d"), "overrides": overrides,
              "results": results}
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    changed = (" Changed defaults: " + ", ".join(f"{k}={v}" for k, v in overrides.items()) + ".") if overrides else ""
    table = markdown_table(results) + TABLE_NOTE + gap_table(results)
    (out / "bench.md").write_text(f"Machine: {report['machine']}; {report['date']}.{changed}\n\n{table}\n")
    return table
