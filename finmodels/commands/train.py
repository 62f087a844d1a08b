"""`python -m finmodels train FILE.csv --task TASK ...`: train a network beside its baselines and save a bundle.

Progress goes to stderr, one line per epoch. The summary goes to stdout; with `--json` the last stdout line is
one JSON object (task, arch, target, rows, metrics, baselines, history, seconds, bundle, ...).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from finmodels.commands._json import finite

HELP = "Train a network on a CSV file beside its baselines; print test metrics and save a model bundle."


def add_arguments(parser) -> None:
    parser.add_argument("file", help="path of the CSV file")
    parser.add_argument("--task", required=True, help="task preset (see `python -m finmodels tasks`)")
    parser.add_argument("--target", help="target column (default: found by its usual names; for forecasts the "
                                         "price column)")
    parser.add_argument("--arch", help="network: mlp, cnn, lstm, gru or vae (default: the task's first)")
    parser.add_argument("--epochs", type=int, default=100, help="most epochs; early stopping usually ends sooner")
    parser.add_argument("--seed", type=int, default=0, help="random seed (split, initial weights)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="default: measured for the table size (64 below 5,000 training rows, else 1,024)")
    parser.add_argument("--lr-schedule", default=None,
                        help="constant, reduce_on_plateau or cosine (default: cosine from 5,000 training rows, else "
                             "constant)")
    parser.add_argument("--window", type=int, default=20, help="days per window, for forecast tasks")
    parser.add_argument("--split", default="random", help="random (stratified for classes) or auto (by date or "
                                                            "entity when the table has one)")
    parser.add_argument("--out", default=".", help="folder for the model bundle (default: current folder)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the results")


def _config(args, frame):
    from finmodels.errors import DataError
    from finmodels.data.profiling import profile
    from finmodels.data.targets import guess_target
    from finmodels.data.tasks import get_task
    from finmodels.models.training import TrainConfig

    task = get_task(args.task)
    target, features = args.target, None
    if task.needs_target:
        target = target or guess_target(list(frame.columns), task.target_names)
        if target is None:
            raise DataError(f"No target column given and none has a usual name for the {task.label.lower()} task "
                            f"({', '.join(task.target_names)}). Columns are: {', '.join(map(str, frame.columns))}. "
                            "Pass --target COLUMN.")
    if task.kind != "forecast":  # model inputs: not identifiers, dates, constants or free text
        features = tuple(c for c in profile(frame, target=target or None).features if c != target)
    return TrainConfig(target=target, task=task.key, arch=args.arch or task.default_architecture, features=features,
                       epochs=args.epochs, seed=args.seed, batch_size=args.batch_size, lr_schedule=args.lr_schedule,
                       window=args.window, split=args.split)


def summary(result, *, bundle: str, seconds: dict) -> dict:
    """The JSON object the command prints: everything a script needs from the run."""
    out = {
        "task": result.config.task, "kind": result.kind, "arch": result.config.arch, "target": result.config.target,
        "event_label": result.event_label, "rows": result.split.sizes(), "split": result.split.method,
        "metrics": result.metrics, "baselines": {k: b.metrics for k, b in result.baselines.items()},
        "history": {"loss": result.history.get("loss", []), "val_loss": result.history.get("val_loss", [])},
        "epochs": len(result.history.get("loss", [])), "seconds": seconds, "bundle": bundle,
        "class_labels": result.class_labels, "notes": result.notes,
    }
    if result.backtest is not None:
        out["backtest"] = result.backtest.summary()
    return finite(out)


def _print_table(result) -> None:
    from finmodels.models.baselines import BASELINE_LABELS
    from finmodels.evaluation.metrics import METRIC_LABELS

    models = {"Neural network": result.metrics,
              **{BASELINE_LABELS.get(k, k): b.metrics for k, b in result.baselines.items()}}
    names = list(result.metrics)
    width = max(len(METRIC_LABELS.get(n, n)) for n in names)
    print(f"{'':<{width}}  " + "  ".join(f"{m[:22]:>22}" for m in models))
    for name in names:
        cells = [models[m].get(name) for m in models]
        print(f"{METRIC_LABELS.get(name, name):<{width}}  "
              + "  ".join(f"{v:>22.4f}" if isinstance(v, float) else f"{'-':>22}" for v in cells))


def run(args) -> int:
    from finmodels.models.bundle import save_bundle
    from finmodels.data.reading import load_csv
    from finmodels.models.training import train

    start = time.perf_counter()
    frame = load_csv(args.file)
    config = _config(args, frame)
    print(f"training {config.arch} for {config.task} on {args.file} (target {config.target or 'auto'}); "
          f"at most {config.epochs} epochs", file=sys.stderr)

    def progress(epoch: int, logs: dict) -> None:
        shown = "  ".join(f"{k} {v:.4f}" for k, v in logs.items() if k in ("loss", "val_loss"))
        print(f"epoch {epoch + 1}/{config.epochs}  {shown}", file=sys.stderr, flush=True)

    result = train(frame, config, on_epoch=progress)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = out_dir / f"{Path(args.file).stem}_{config.task}_{config.arch}.zip"
    save_bundle(result, bundle)
    seconds = {"fit": round(result.seconds["fit"], 3), "train": round(result.seconds["total"], 3),
               "total": round(time.perf_counter() - start, 3)}
    if "preprocess" in result.seconds:  # table runs: fitting the encoders and knots, encoding the rows
        seconds["preprocess"] = round(result.seconds["preprocess"], 3)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(summary(result, bundle=str(bundle), seconds=seconds)))
        return 0
    sizes = result.split.sizes()
    print(f"{result.split.method} split: {sizes['train']:,} train, {sizes['valid']:,} validation, "
          f"{sizes['test']:,} test; {len(result.history['loss'])} epochs, "
          + (f"preprocessing {seconds['preprocess']:.1f} s, " if "preprocess" in seconds else "")
          + f"fit {seconds['fit']:.1f} s, total {seconds['total']:.1f} s")
    _print_table(result)
    if result.backtest is not None:
        bt = result.backtest
        print(f"VaR {bt.level:.0%} backtest: {bt.exceptions} exceptions in {bt.days} days (expected "
              f"{bt.expected:.1f}); Kupiec p-value {bt.kupiec_p_value:.3f}; Basel zone {bt.zone}")
    print(f"model bundle: {bundle}")
    return 0
