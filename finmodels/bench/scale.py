"""The scale benchmark: a loan book of 100k, 300k and 1M rows trained end to end, seconds and peak memory per stage.

`python -m finmodels.bench --scale` runs each size in its own process (so its peak memory is its own): profile,
train (preprocessing, the network, the baselines, reported by training's own stage notes), explanation (SHAP on
a stratified sample of test rows) and the bundle. The book is made at run time (`loan_book`) by resampling
credit_risk_dataset's rows with noise and four more columns, 16 in all. Writes bench/scale.json and
bench/scale.md with a linear fit of seconds and peak memory against rows. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

SIZES = (100_000, 300_000, 1_000_000)
SOURCE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "credit_risk_dataset.csv"
TARGET = "loan_status"
REGIONS = tuple(f"region {i:02d}" for i in range(25))


def loan_book(rows: int, *, seed: int = 0, source: Path = SOURCE) -> pd.DataFrame:
    """A 16-column loan book of `rows` rows: credit_risk_dataset's rows drawn with replacement, numbers jittered
    by about 3%, plus a term code, a region (25 levels), a credit utilisation and months since delinquency
    (mostly missing)."""
    rng = np.random.default_rng(seed)
    base = pd.read_csv(source)
    frame = base.iloc[rng.integers(0, len(base), rows)].reset_index(drop=True)
    for column in ("person_income", "loan_amnt", "loan_int_rate", "loan_percent_income", "person_emp_length"):
        values = frame[column].to_numpy("float64") * (1 + rng.normal(0, 0.03, rows))
        frame[column] = np.round(values, 2) if base[column].dtype.kind == "f" else np.round(values).astype("int64")
    frame["loan_term_months"] = np.where(frame["loan_amnt"].to_numpy() + rng.normal(0, 4000, rows) > 12_000, 60, 36)
    frame["region"] = np.asarray(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), rows)]
    frame["credit_utilisation"] = np.clip(frame["loan_percent_income"].to_numpy() * 1.4 + rng.normal(0.2, 0.15, rows),
                                          0, 1.5).round(3)
    months = rng.integers(1, 120, rows).astype("float64")
    months[rng.random(rows) < 0.6] = np.nan
    frame["months_since_delinquency"] = months
    return frame


class StageMeter:
    """Seconds and peak resident memory per stage: a thread samples the process's RSS every 20 ms; `note(text)`
    (the same hook training reports its stages to) closes the running stage and opens the next. With
    `trace=True` tracemalloc also records the peak of Python and NumPy allocations per stage (slower)."""

    def __init__(self, *, trace: bool = False):
        import psutil

        self._process = psutil.Process()
        self._peak = self._rss()
        self._stop = threading.Event()
        self._trace = trace
        self.stages: list[dict] = []
        self._name, self._start = "start", time.perf_counter()
        if trace:
            tracemalloc.start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _rss(self) -> float:
        return self._process.memory_info().rss / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self._peak = max(self._peak, self._rss())

    def on_epoch(self, epoch: int, logs: dict) -> None:
        self.epochs = epoch + 1

    def note(self, text: str) -> None:
        self.mark(text)

    def mark(self, name: str) -> None:
        now, rss = time.perf_counter(), self._rss()
        stage = {"stage": self._name, "seconds": round(now - self._start, 2),
                 "peak_mb": round(max(self._peak, rss)), "end_mb": round(rss)}
        if self._trace:
            stage["traced_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.reset_peak()
        self.stages.append(stage)
        print(f"  {stage}", file=sys.stderr, flush=True)
        self._name, self._start, self._peak = name, now, rss

    def close(self) -> list[dict]:
        self.mark("end")
        self._stop.set()
        return self.stages[1:]


def run_size(rows: int, *, epochs: int = 100, trace: bool = False, seed: int = 0) -> dict:
    """Train one loan book of `rows` rows end to end in this process; seconds and peak memory per stage."""
    from finmodels.data.profiling import profile

    started = time.perf_counter()
    meter = StageMeter(trace=trace)
    meter.mark("making the book")
    frame = loan_book(rows, seed=seed)
    meter.mark("profile")
    found = profile(frame, target=TARGET)
    features = tuple(c for c in found.features if c != TARGET)
    meter.mark("train (starting)")
    from finmodels.explain.explanation import explain_result
    from finmodels.models.bundle import bundle_bytes
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target=TARGET, task="credit_default", features=features, epochs=epochs, seed=seed)
    result = train(frame, config, on_epoch=meter.on_epoch)
    meter.mark("explanation")
    explanation = explain_result(result)
    meter.mark("bundle")
    size = len(bundle_bytes(result))
    stages = meter.close()
    return {"rows": rows, "columns": frame.shape[1], "features": len(features), "stages": stages,
            "seconds": round(time.perf_counter() - started, 1), "peak_mb": max(s["peak_mb"] for s in stages),
            "epochs": len(result.history["loss"]), "inputs": len(result.preprocessor.output_names),
            "roc_auc": round(result.metrics.get("roc_auc", float("nan")), 4),
            "baselines": {k: round(b.metrics.get("roc_auc", float("nan")), 4) for k, b in result.baselines.items()},
            "explained_rows": int(len(explanation.values)) if hasattr(explanation, "values") else None,
            "bundle_mb": round(size / 2**20, 1), "notes": result.notes}


def linear_fit(rows: list[int], values: list[float]) -> dict:
    """Least-squares `intercept + per_million * rows / 1e6`, and the largest residual."""
    x = np.asarray(rows, "float64") / 1e6
    slope, intercept = np.polyfit(x, np.asarray(values, "float64"), 1)
    residual = np.abs(np.asarray(values) - (intercept + slope * x)).max()
    return {"intercept": round(float(intercept), 2), "per_million_rows": round(float(slope), 2),
            "largest_residual": round(float(residual), 2)}


def stage_label(name: str) -> str:
    """A stage's note without its row count ('Preprocessing 300,000 rows...' -> 'Preprocessing rows')."""
    return re.sub(r"\d[\d,]* ", "", name).rstrip(".")


def stage_table(runs: list[dict]) -> str:
    runs = [{**r, "stages": [{**s, "stage": stage_label(s["stage"])} for s in r["stages"]]} for r in runs]
    names = []
    for run in runs:
        names += [s["stage"] for s in run["stages"] if s["stage"] not in names]
    lines = ["| stage | " + " | ".join(f"{r['rows']:,} rows: s / peak MB" for r in runs) + " |",
             "|---|" + "---|" * len(runs)]
    for name in names:
        cells = []
        for run in runs:
            found = [s for s in run["stages"] if s["stage"] == name]
            cells.append(f"{found[0]['seconds']:.1f} / {found[0]['peak_mb']:,}" if found else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **whole run** | " + " | ".join(f"**{r['seconds']:.0f} / {r['peak_mb']:,}**" for r in runs) + " |")
    return "\n".join(lines)


def scale_benchmark(*, out: Path, epochs: int = 100, machine: str = "", sizes=SIZES) -> int:
    """Run each size in a fresh process; write scale.json and scale.md to `out`; print the table."""
    runs = []
    for rows in sizes:
        print(f"{rows:,} rows...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, "-m", "finmodels.bench.scale", str(rows), "--epochs", str(epochs)],
                              stdout=subprocess.PIPE, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    rows = [r["rows"] for r in runs]
    fits = {"seconds": linear_fit(rows, [r["seconds"] for r in runs]),
            "peak_mb": linear_fit(rows, [r["peak_mb"] for r in runs])}
    report = {"machine": machine, "date": time.strftime("%Y-%m-%d"), "runs": runs, "linear_fit": fits}
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(report, indent=2))
    print(write_markdown(report, out))
    return 0


def write_markdown(report: dict, out: Path) -> str:
    """bench/scale.md from the report scale.json holds; returns the table and the fit."""
    runs, fits, machine = report["runs"], report["linear_fit"], report["machine"]
    table = stage_table(runs)
    fit_text = (f"Linear fit against rows: seconds = {fits['seconds']['intercept']} + {fits['seconds']['per_million_rows']}"
                f" per million rows (largest residual {fits['seconds']['largest_residual']} s); peak MB = "
                f"{fits['peak_mb']['intercept']} + {fits['peak_mb']['per_million_rows']} per million rows (largest "
                f"residual {fits['peak_mb']['largest_residual']} MB).")
    summary = "\n".join(f"- {r['rows']:,} rows: {r['features']} features, {r['inputs']} network inputs, "
                         f"{r['epochs']} epochs (rounds), ROC AUC {r['roc_auc']} (baselines "
                         + ", ".join(f"{k} {v}" for k, v in r["baselines"].items()) + ")" for r in runs)
    (out / "scale.md").write_text(
        f"# Scale: a loan book trained end to end\n\nMachine: {machine}; {report['date']}. Each size runs in its own "
        "process; the stages are training's own notes (the `note` hook the dashboard shows). Peak memory is the "
        "process's resident memory, sampled every 20 ms. Made by `python -m finmodels.bench --scale`.\n\n"
        f"{table}\n\n{fit_text}\n\n{summary}\n")
    return f"{table}\n{fit_text}"


if __name__ == "__main__":
    args = sys.argv[1:]
    epochs = int(args[args.index("--epochs") + 1]) if "--epochs" in args else 100
    print(json.dumps(run_size(int(args[0]), epochs=epochs, trace="--trace" in args)))
