"""`python -m finmodels train FILE.csv --task TASK ...`: train a network beside its baselines and save a bundle.

Progress goes to stderr, one line per epoch. The summary goes to stdout; with `--json` the last stdout line is
one JSON object (task, arch, target, rows, metrics, baselines, history, seconds, bundle, run_id, area, timings:
the seconds and peak resident MB of each stage, explanation: SHAP importance and additivity of `--explain-rows`
test rows, ...); a `stages:` line on stderr says the same.
The run is kept in the workspace (area `--area`, default 'default'), where the dashboard's Runs page lists it;
the bundle is also written to `--out` (default: the workspace's git-ignored `bundles/` folder).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from finmodels.commands._json import finite
from finmodels.commands.stages import StageClock
from finmodels.data.tasks import FORECAST
from finmodels.errors import FinModelsError

HELP = "Train a network on a CSV file beside its baselines; print test metrics and save a model bundle."


def add_arguments(parser) -> None:
    parser.add_argument("file", help="path of the CSV or Parquet file (no upload limit; a large one is read with "
                                     "pyarrow)")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="train on a stratified sample of N rows (by the target), for a file too large for memory")
    parser.add_argument("--task", required=True, help="task preset (see `python -m finmodels tasks`)")
    parser.add_argument("--target", help="target column (default: found by its usual names; for forecasts the "
                                         "price column)")
    parser.add_argument("--arch", help="network: mlp, dcn, cnn, tabm, plr, lstm, gru or vae (default: the task's "
                                       "first)")
    parser.add_argument("--members", type=int, default=None, metavar="K",
                        help="table rows with a target: networks cross-fitted per architecture on the training and "
                             "validation rows and averaged (1: one network stopped on the validation rows; default 5 "
                             "up to 50,000 training rows, else 1)")
    parser.add_argument("--blend", default=None, metavar="ARCHS",
                        help="table rows with a target: architectures cross-fitted beside --arch, comma-separated, "
                             "blended by weights chosen on out-of-fold predictions ('none' for --arch alone; default: "
                             "dcn beside the default mlp up to 50,000 training rows; none for another --arch)")
    parser.add_argument("--categorical", default=None, metavar="COLS",
                        help="numeric columns to read as categories, comma-separated (codes without an order, such as "
                             "EDUCATION 0 to 6): one input per code, as the Data page's 'categorical' role")
    parser.add_argument("--epochs", type=int, default=100, help="most epochs; early stopping usually ends sooner")
    parser.add_argument("--seed", type=int, default=0, help="random seed (split, initial weights)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="default: measured for the table size (64 below 5,000 training rows, else 1,024)")
    parser.add_argument("--lr-schedule", default=None,
                        help="constant, reduce_on_plateau or cosine (default: cosine from 5,000 training rows, else "
                             "constant)")
    parser.add_argument("--window", type=int, default=20, help="days per window, for forecast tasks")
    parser.add_argument("--split", default="random", help="random (stratified for classes), date (the latest rows "
                        "are tested), entity (each company's or borrower's rows in one part) or auto (by date, else "
                        "entity, when the table has one)")
    parser.add_argument("--holdings", metavar="FILE", help="market risk: a holdings CSV (ticker plus weight, or ticker "
                                                           "plus quantity valued at the last price); default equal weight")
    parser.add_argument("--normalise-holdings", action="store_true",
                        help="divide the holdings' weights by their sum when they do not add up to 1")
    parser.add_argument("--var-level", type=float, default=0.99, help="VaR confidence: 0.95, 0.975 or 0.99")
    parser.add_argument("--horizon", type=int, default=1, help="days the portfolio VaR covers (1 to 20)")
    parser.add_argument("--risk-aversion", type=float, default=5.0, help="asset allocation: mean-variance risk aversion")
    parser.add_argument("--cap", type=float, default=0.25, help="asset allocation: most weight in one asset")
    parser.add_argument("--out", default=None, help="a .zip file, or a folder, for a copy of the model bundle "
                                                    "(default: the workspace's bundles/ folder)")
    parser.add_argument("--area", default="default", help="workspace area the run is kept in (default: default; the "
                                                          "dashboard shows an area at http://HOST:8501/?area=NAME)")
    parser.add_argument("--no-workspace", action="store_true", help="do not keep the run in the workspace")
    parser.add_argument("--search", type=int, default=None, metavar="N",
                        help="first try N settings of the network with optuna (1 to 200), each scored on the "
                             "validation rows only (never the test rows), then train the best; the JSON gets 'search'")
    parser.add_argument("--explain-rows", type=int, default=EXPLAIN_ROWS, metavar="N",
                        help=f"after training, explain N test rows with SHAP (stratified by outcome; at most "
                             f"{EXPLAIN_WINDOWS} windows of a forecast; default {EXPLAIN_ROWS}; 0 skips it): global "
                             "importance and additivity, in the JSON as 'explanation'")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the results")


EXPLAIN_ROWS, EXPLAIN_WINDOWS = 500, 100  # the explanation stage's test rows; a sequence model's windows cost more


def _explain(result, rows: int):
    """The run's SHAP explanation of `rows` test rows (None for 0), or the project's error saying why it could not be
    made: a failed explanation is reported, it does not lose the trained run."""
    if rows <= 0:
        return None
    from finmodels.explain.explanation import explain_result

    try:
        return explain_result(result, rows=min(rows, EXPLAIN_WINDOWS) if result.kind == FORECAST else rows)
    except FinModelsError as exc:
        return exc


def explanation_summary(explanation) -> dict:
    """The train JSON's `explanation`: the explainer and why, the rows, global importance and additivity."""
    if isinstance(explanation, FinModelsError):
        return {"error": str(explanation)}
    return {**explanation.global_dict(), "additivity_ok": explanation.additive}


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
    if task.kind != FORECAST:  # model inputs: not identifiers, dates, constants or free text
        features = tuple(c for c in profile(frame, target=target or None).features if c != target)
    holdings = _holdings(args, frame, window=args.window) if getattr(args, "holdings", None) else None
    return TrainConfig(target=target, task=task.key, arch=args.arch or task.default_architecture, features=features,
                       epochs=args.epochs, seed=args.seed, batch_size=args.batch_size, lr_schedule=args.lr_schedule,
                       window=args.window, split=args.split, var_level=getattr(args, "var_level", 0.99),
                       horizon=getattr(args, "horizon", 1), holdings=holdings,
                       risk_aversion=getattr(args, "risk_aversion", 5.0), cap=getattr(args, "cap", 0.25),
                       members=getattr(args, "members", None), blend=_blend(getattr(args, "blend", None)),
                       categories=categorical_option(getattr(args, "categorical", None), frame))


def categorical_option(text: str | None, frame) -> tuple[str, ...]:
    """--categorical's columns, each one of the file's: 'EDUCATION,MARRIAGE' -> ('EDUCATION', 'MARRIAGE')."""
    from finmodels.errors import DataError

    names = tuple(c.strip() for c in (text or "").split(",") if c.strip())
    missing = [c for c in names if c not in frame.columns]
    if missing:
        raise DataError(f"--categorical names {', '.join(repr(c) for c in missing)}, not a column of the file. Columns "
                        f"are: {', '.join(map(str, frame.columns))}.")
    return names


def _blend(text: str | None) -> tuple[str, ...] | None:
    """--blend's architectures: 'dcn,cnn' -> ('dcn', 'cnn'); 'none' or empty -> (); not given -> None (default)."""
    if text is None:
        return None
    names = [a.strip() for a in text.split(",") if a.strip()]
    return () if names in ([], ["none"]) else tuple(names)


def _sample(frame, args):
    """A stratified sample of `--sample` rows (by the target given or found by its usual name), in file order."""
    from finmodels.data.targets import guess_target
    from finmodels.data.tasks import get_task
    from finmodels.errors import ConfigError
    from finmodels.models.sampling import stratified_sample

    if args.sample < 100:
        raise ConfigError(f"--sample must be at least 100 rows; got {args.sample}.")
    task = get_task(args.task)
    if task.kind == "forecast":
        raise ConfigError("--sample draws rows, and a price file needs every day of each series; for a forecast, "
                          "pass a file with fewer tickers or a shorter period instead.")
    target = args.target or (guess_target(list(frame.columns), task.target_names) if task.needs_target else None)
    sample = stratified_sample(frame, args.sample, target=target, seed=args.seed)
    print(f"note: training on a stratified sample of {len(sample):,} of the file's {len(frame):,} rows"
          + (f" (by '{target}')" if target else ""), file=sys.stderr)
    sample.attrs.update(frame.attrs)
    return sample


def _holdings(args, frame, *, window: int):
    """The holdings file's weights per ticker, checked against the price file's tickers."""
    from finmodels.data.holdings import read_holdings
    from finmodels.data.panels import read_panel
    from finmodels.data.reading import load_csv

    panel = read_panel(frame, price=args.target or None, window=window)
    holdings = read_holdings(load_csv(args.holdings), tickers=panel.tickers, last_prices=panel.last_prices(),
                             normalise=args.normalise_holdings)
    for note in holdings.notes:
        print(f"note: {note}", file=sys.stderr)
    return holdings.as_dict()


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
    if "blend_weights" in result.details:  # cross-fitted networks of several architectures, and their weights
        out["blend"] = {"weights": result.details["blend_weights"], "out_of_fold_loss": result.details["blend_losses"]}
    from finmodels.models.training.members import epochs_per_network

    epochs = epochs_per_network(result.history)  # 'epochs' and 'history' are the first network's
    out["networks"], out["epochs_per_network"] = len(epochs), epochs
    if result.backtest is not None:
        out["backtest"] = result.backtest.summary()
    from finmodels.evaluation.losses import losses_of

    if (losses := losses_of(result)) is not None:  # a loss model: calibration bins and expected loss totals
        out["losses"] = losses.to_json()
    if result.kind == FORECAST:
        from finmodels.portfolio import allocation_of, portfolio_of

        for key, found in (("portfolio", portfolio_of(result)), ("allocation", allocation_of(result))):
            if found is not None:
                out[key] = found.to_json()
    return finite(out)


def _print_table(result) -> None:
    from finmodels.delivery.runs import PERCENT, in_percent
    from finmodels.evaluation.metrics import METRIC_LABELS, comparison_table

    table = comparison_table(result.metrics, {k: b.metrics for k, b in result.baselines.items()})
    for name in [k for k in result.metrics if in_percent(result.config.task, k)]:  # a forecast's RMSE: as on the app
        row = METRIC_LABELS.get(name, name)
        table.loc[row] *= 100
        table = table.rename(index={row: row + PERCENT})
    print(table.to_string(float_format=lambda v: f"{v:.4f}", na_rep="-"))
    from finmodels.evaluation.losses import losses_of

    if (losses := losses_of(result)) is not None:
        used = ", ".join(f"{k} '{c}'" for k, c in (("EAD", losses.exposure), ("PD", losses.pd), ("LGD", losses.lgd)) if c)
        print(f"Loss on the {losses.rows:,} test rows ({used or 'no EAD, PD or LGD column'}): predicted "
              f"{losses.predicted_total:,.2f}, realised {losses.realised_total:,.2f} (ratio {losses.loss_ratio:.3f}); "
              f"calibration error {losses.calibration_error:.4g} over {len(losses.calibration)} bins")


def _keep(result, frame, args, searched=None) -> tuple[str | None, str | None]:
    """(run id, area) of the run kept in the workspace (with the search that chose its settings, if any), or
    (None, None) with --no-workspace."""
    if args.no_workspace:
        return None, None
    from finmodels.runtime.workspace import Workspace, data_fingerprint

    space = Workspace(area=args.area)
    # the file itself is kept (data.csv) only when the workspace keeps data (FINMODELS_KEEP_DATA=1)
    run_id = space.log_run(result, data_name=Path(args.file).name, data_fingerprint=data_fingerprint(frame),
                           source="command line", data=frame)
    if searched is not None:
        from finmodels.runtime.records import keep_result

        keep_result(space, run_id, "search", searched.to_dict())
    return run_id, space.area


def _bundle_path(args, config) -> Path:
    """Where the bundle goes: `--out` itself when it names a .zip file, else a file named after the data, task and
    network in the `--out` folder (default: the workspace's bundles folder)."""
    if args.out is not None and Path(args.out).suffix.lower() == ".zip":
        return Path(args.out)
    return _bundle_folder(args) / f"{Path(args.file).stem}_{config.task}_{config.arch}.zip"


def _bundle_folder(args) -> Path:
    if args.out is not None:
        return Path(args.out)
    import os

    from finmodels.runtime.workspace import DEFAULT_ROOT, ENV_ROOT

    return Path(os.environ.get(ENV_ROOT) or DEFAULT_ROOT) / "bundles"


class _Progress:
    """Epoch lines and stage notes on stderr (training reports its stages to the `note` of its epoch hook's owner);
    each note also starts a stage of `clock`."""

    def __init__(self, epochs: int, clock=None):
        self.epochs, self.clock = epochs, clock

    def on_epoch(self, epoch: int, logs: dict) -> None:
        # a cross-fitted run's later networks report 'network_K_loss': shown as 'network K  loss ...'
        network = next((k.split("_")[1] for k in logs if k.startswith("network_")), None)
        shown = "  ".join(f"{k.split('_', 2)[2] if network else k} {v:.4f}" for k, v in logs.items()
                          if k.endswith("loss"))
        where = f"network {network}  " if network else ""
        print(f"{where}epoch {epoch + 1}/{self.epochs}  {shown}", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)
        if self.clock is not None:
            self.clock.note(text)


def _search(frame, config, trials: int):
    """(SearchResult, the best trial's TrainConfig): `trials` settings tried on the validation rows, one line each."""
    from finmodels.models.search import best_config, check_trials, search

    count = check_trials(trials)
    print(f"searching {count} settings of {config.arch} (optuna TPE, seed {config.seed}); each trial is scored on the "
          "validation rows, never the test rows", file=sys.stderr)

    def report(trial) -> None:
        if trial.state != "running":
            shown = "" if trial.value is None else f"validation loss {trial.value:.4f}"
            if trial.metric_value is not None:
                shown += f", {trial.metric} {trial.metric_value:.4f}"
            print(f"trial {trial.number + 1}/{count} {trial.state}: {shown or trial.error} ({trial.seconds:.1f} s)",
                  file=sys.stderr, flush=True)

    found = search(frame, config, trials=count, on_trial=report)
    return found, best_config(found)


def run(args) -> int:
    from finmodels.models.bundle import save_bundle
    from finmodels.data.reading import load_table
    from finmodels.models.training import train

    start = time.perf_counter()
    clock = StageClock("reading the file")
    frame = load_table(args.file)
    if getattr(args, "sample", None):
        clock.mark("sampling")
        frame = _sample(frame, args)
    clock.mark("profile")
    config = _config(args, frame)
    searched = None
    if getattr(args, "search", None) is not None:
        clock.mark("search")
        searched, config = _search(frame, config, args.search)
    print(f"training {config.arch} for {config.task} on {args.file} (target {config.target or 'auto'}); "
          f"at most {config.epochs} epochs", file=sys.stderr)

    clock.mark("train (starting)")
    result = train(frame, config, on_epoch=_Progress(config.epochs, clock).on_epoch)
    clock.mark("explanation")
    explanation = _explain(result, getattr(args, "explain_rows", EXPLAIN_ROWS))
    clock.mark("keeping the run in the workspace")
    run_id, area = _keep(result, frame, args, searched)
    bundle = _bundle_path(args, config)
    bundle.parent.mkdir(parents=True, exist_ok=True)
    clock.mark("bundle")
    save_bundle(result, bundle)
    timings = clock.close()
    print("stages: " + "; ".join(f"{s['stage']} {s['seconds']:.1f} s, peak {s['peak_mb']:,} MB"
                                 for s in timings["stages"]), file=sys.stderr)
    seconds = {"fit": round(result.seconds["fit"], 3), "train": round(result.seconds["total"], 3),
               "total": round(time.perf_counter() - start, 3)}
    if "preprocess" in result.seconds:  # table runs: fitting the encoders and knots, encoding the rows
        seconds["preprocess"] = round(result.seconds["preprocess"], 3)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        out = {**summary(result, bundle=str(bundle), seconds=seconds), "run_id": run_id, "area": area,
               "timings": timings}
        if searched is not None:
            out["search"] = finite(searched.to_dict())
        if explanation is not None:
            out["explanation"] = finite(explanation_summary(explanation))
        print(json.dumps(out))
        return 0
    _print_text(result, seconds=seconds, explanation=explanation, searched=searched, run_id=run_id, area=area,
                bundle=bundle)
    return 0


def _importance_text(explanation, value: float) -> str:
    """A column's mean |SHAP| as the Explain page reads it: a forecast's in percent of return ('0.044%')."""
    from finmodels.explain.units import RETURN, percent

    return percent(value) if explanation.scale == RETURN else f"{value:.3g}"


def _print_text(result, *, seconds: dict, explanation, searched, run_id, area, bundle) -> None:
    """The command's text summary: split, timings, the comparison table, the explanation, the search, the
    portfolio's backtests or the run's, the allocation, and where the run and bundle are."""
    sizes = result.split.sizes()
    print(f"{result.split.method} split: {sizes['train']:,} train, {sizes['valid']:,} validation, "
          f"{sizes['test']:,} test; {len(result.history['loss'])} epochs, "
          + (f"preprocessing {seconds['preprocess']:.1f} s, " if "preprocess" in seconds else "")
          + f"fit {seconds['fit']:.1f} s, total {seconds['total']:.1f} s")
    _print_table(result)
    if isinstance(explanation, FinModelsError):
        print(f"explanation: not made ({explanation})")
    elif explanation is not None:
        top = explanation.importance().head(10)
        print(f"explanation: {explanation.summary()}")
        print("  most important: " + ", ".join(f"{c} {_importance_text(explanation, v)}" for c, v in top.items()))
    if searched is not None and searched.best is not None:
        best = searched.best
        print(f"search: best of {len(searched.trials)} trials is trial {best.number + 1} (validation loss "
              f"{best.value:.4f}); trained above with " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else
                                                               f"{k}={v}" for k, v in best.params.items()))
    from finmodels.portfolio import allocation_of, portfolio_of

    risk = portfolio_of(result) if result.kind == FORECAST else None
    allocation = allocation_of(result) if result.kind == FORECAST else None
    if risk is not None:
        period = "dates" if risk.horizon == 1 else f"periods of {risk.horizon} days"
        for b in risk.backtests.values():
            s = b.result
            print(f"Portfolio VaR {s.level:.1%} ({b.label}): {s.exceptions} exceptions in {s.days} {period} (expected "
                  f"{s.expected:.1f}); Kupiec p {s.kupiec_p_value:.3f}; Christoffersen p "
                  f"{s.christoffersen_p_value:.3f}; Basel zone {s.zone}")
    elif result.backtest is not None:
        bt = result.backtest
        print(f"VaR {bt.level:.0%} backtest: {bt.exceptions} exceptions in {bt.days} days (expected "
              f"{bt.expected:.1f}); Kupiec p-value {bt.kupiec_p_value:.3f}; Basel zone {bt.zone}")
    if allocation is not None:
        print(allocation.table().to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if run_id:
        print(f"kept in the workspace as run {run_id} (area '{area}'): `python -m finmodels runs --area {area}`, or "
              f"the dashboard's Runs page at /?area={area}")
    print(f"model bundle: {bundle}")
