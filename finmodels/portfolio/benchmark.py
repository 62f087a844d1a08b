"""`python -m finmodels.bench --panel`: time market risk end to end on a synthetic panel of 500 tickers and 600,000
rows (generated here, never shipped), with a progress bar on stderr. Printed, never asserted."""

from __future__ import annotations

import resource
import sys
import time

PANEL_TICKERS, PANEL_ROWS = 500, 600_000


class _Bar:
    """A tqdm bar over epochs; stage notes are written above it."""

    def __init__(self, epochs: int):
        from tqdm import tqdm

        self.bar = tqdm(total=epochs, desc="epochs", file=sys.stderr, mininterval=1.0)
        self.stages: list[tuple[str, float]] = []

    def on_epoch(self, epoch: int, logs: dict) -> None:
        self.bar.update(1)
        self.bar.set_postfix(loss=f"{logs.get('loss', float('nan')):.4f}", val=f"{logs.get('val_loss', float('nan')):.4f}")

    def note(self, text: str) -> None:
        self.stages.append((text, time.perf_counter()))
        self.bar.write(text, file=sys.stderr)


def panel_benchmark(*, tickers: int = PANEL_TICKERS, rows: int = PANEL_ROWS, epochs: int = 100, arch: str = "lstm",
                    task: str = "market_risk") -> dict:
    """Generate the panel, train `task` on it through `train()` (baselines included) and time each stage."""
    from finmodels.data.panels import synthetic_panel
    from finmodels.models.training import TrainConfig, train
    from finmodels.portfolio import portfolio_of

    start = time.perf_counter()
    frame = synthetic_panel(tickers=tickers, rows=rows)
    generated = time.perf_counter()
    bar = _Bar(epochs)
    result = train(frame, TrainConfig(target=None, task=task, arch=arch, epochs=epochs), on_epoch=bar.on_epoch)
    bar.bar.close()
    done = time.perf_counter()
    marks = [*bar.stages, ("done", done)]
    stages = {text: round(marks[i + 1][1] - t, 2) for i, (text, t) in enumerate(marks[:-1])}
    risk = portfolio_of(result)
    return {"tickers": tickers, "rows": len(frame), "task": task, "arch": arch, "windows": result.split.sizes(),
            "epochs": len(result.history["loss"]), "batch_size": result.settings.batch_size,
            "generate_seconds": round(generated - start, 2), "train_seconds": round(done - generated, 2),
            "fit_seconds": round(result.seconds["fit"], 2), "stages": stages,
            "portfolio": risk.to_json()["var_backtest"] if risk else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def print_panel_benchmark(found: dict, machine: str) -> None:
    print(f"Market risk on a synthetic panel of {found['tickers']} tickers and {found['rows']:,} rows ({machine}):")
    print(f"  end to end {found['train_seconds']:.1f} s (fit {found['fit_seconds']:.1f} s, {found['epochs']} epochs of "
          f"batches of {found['batch_size']}); generating the panel {found['generate_seconds']:.1f} s; peak memory "
          f"{found['peak_rss_mb']} MB")
    for stage, seconds in found["stages"].items():
        print(f"  {seconds:7.1f} s  {stage}")
