"""`python -m finmodels.bench`: which benchmark runs, from the command line's flags."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from finmodels.bench.cases import QUICK, available_keys, experiment_config, in_own_processes, machine, parse_overrides
from finmodels.bench.crossval import run_dataset
from finmodels.bench.quality import HOLDOUT_SHARE, quality_benchmark, run_quality
from finmodels.bench.report import write_report
from finmodels.bench.scoring import SCORING_ROWS, SCORING_THRESHOLD, print_scoring, scoring_benchmark

DESCRIPTION = ("Benchmark: the default network against logistic regression and gradient boosting, on the same CV "
               "folds.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m finmodels.bench", description=DESCRIPTION)
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
    # argparse formats help with %: a percent sign is written %%
    parser.add_argument("--holdout", action="store_true",
                        help=f"quality with a fixed, stratified {HOLDOUT_SHARE:.0%}% held-out slice per file: CV on "
                             "the other rows, then the held-out rows; writes quality.json and quality.md")
    parser.add_argument("--development-only", action="store_true",
                        help="with --holdout: CV on the development rows only, to choose defaults")
    parser.add_argument("--by-entity", action="store_true",
                        help="with --holdout: development CV with whole entities per fold (the rating file's "
                             "companies), for the files that name one; the held-out slice is not scored")
    parser.add_argument("--seeds", type=int, default=1, help="with --holdout: fits scored on the held-out slice")
    parser.add_argument("--only", action="append", default=[], help="with --holdout: this dataset only (repeatable)")
    parser.add_argument("--dataset", help=argparse.SUPPRESS)  # run one dataset in this process (used internally)
    parser.add_argument("--folds", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def check_overrides(overrides: dict) -> None:
    """Refuse a wrong `--set` name or value here, before any dataset runs."""
    from finmodels.errors import ConfigError
    from finmodels.models.training import TrainConfig

    try:
        experiment_config(TrainConfig(target="check"), overrides, 10_000)
    except (ConfigError, TypeError, ValueError) as exc:
        raise SystemExit(f"--set: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = parse_overrides(args.set)
    if overrides:
        check_overrides(overrides)
    if args.scoring:
        return print_scoring(scoring_benchmark())
    if args.scale:
        from finmodels.bench.scale import scale_benchmark

        return scale_benchmark(out=Path(args.out), epochs=args.epochs or 100, machine=machine())
    if args.panel:
        from finmodels.portfolio.benchmark import panel_benchmark, print_panel_benchmark

        found = panel_benchmark(epochs=args.epochs or 100)
        print_panel_benchmark(found, machine())
        print(json.dumps(found))
        return 0
    if args.holdout:
        return holdout(args, overrides)
    if args.dataset:
        print(json.dumps(run_dataset(args.dataset, folds=args.folds or 5, epochs=args.epochs,
                                     explain_rows=200 if args.epochs else 1000, overrides=overrides)))
        return 0
    return cross_validation(args, overrides)


def holdout(args: argparse.Namespace, overrides: dict) -> int:
    """--holdout: one dataset in this process (--dataset, used internally), else every dataset in its own."""
    if args.dataset:
        print(json.dumps(run_quality(args.dataset, folds=args.folds or 5, overrides=overrides,
                                     held_out=not args.development_only, seeds=args.seeds, by_entity=args.by_entity)))
        return 0
    return quality_benchmark(out=Path(args.out), overrides=overrides, folds=args.folds or 5,
                             held_out=not args.development_only, seeds=args.seeds, items=args.set,
                             keys=tuple(args.only) or None, by_entity=args.by_entity)


def cross_validation(args: argparse.Namespace, overrides: dict) -> int:
    """The default benchmark: every dataset (German credit only with --quick) in its own process; bench.json and
    bench.md in --out."""
    keys = QUICK if args.quick else available_keys()
    quick = ["--folds", "2", "--epochs", "20"] if args.quick else []
    results = in_own_processes(keys, [*quick, *[f"--set={item}" for item in args.set]])
    print(write_report(results, Path(args.out), quick=args.quick, overrides=overrides))
    return 0
