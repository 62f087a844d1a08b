"""`python -m finmodels scorecard FILE.csv --target COL [--event LABEL] [--pdo P] [--odds O] [--points S] [--json]`.

Fits the classic credit scorecard (optimal binning with monotonic trends and missing/special bins, WoE, a
logistic regression on WoE, points scaled by PDO and odds; see finmodels.models.scorecard) on the training
part of a training run's default split and tests it on the held-out rows.

With `--json` stdout is one JSON object: `roc_auc` (and the other test metrics, also under `metrics`), `iv`
{feature: information value}, `bins` [{feature, bin, woe, points}], `scaling` {pdo, odds, points, range},
`rows`, `target`, `event`, `fit_seconds`, `notes`.
"""

from __future__ import annotations

import json
import sys

from finmodels.commands._json import finite

HELP = "Fit a credit scorecard (binning, WoE, IV, points) on a CSV file and test it on held-out rows."


def add_arguments(parser) -> None:
    from finmodels.models.scorecard import ScorecardConfig

    d = ScorecardConfig()
    parser.add_argument("file", help="CSV file with a binary target (good/bad, 0/1)")
    parser.add_argument("--target", required=True, help="the target column")
    parser.add_argument("--event", default=None, help="the target's label that is the risk event (default: found "
                                                      "from the labels, e.g. 'bad', '1')")
    parser.add_argument("--features", nargs="+", default=None, metavar="COL",
                        help="feature columns (default: the profile's)")
    parser.add_argument("--pdo", type=float, default=d.pdo, help=f"points to double the odds (default {d.pdo:g})")
    parser.add_argument("--odds", type=float, default=d.odds,
                        help=f"odds (non-events per event) at the reference score (default {d.odds:g})")
    parser.add_argument("--points", type=float, default=d.points, help=f"the reference score (default {d.points:g})")
    parser.add_argument("--max-bins", type=int, default=d.max_bins, help=f"bins per feature at most (default "
                                                                         f"{d.max_bins})")
    parser.add_argument("--special", nargs="+", type=float, default=(), metavar="CODE",
                        help="values binned apart as special codes (e.g. 999)")
    parser.add_argument("--categorical", default=None, metavar="COLS",
                        help="numeric columns to bin as categories, comma-separated (codes without an order, such as "
                             "EDUCATION 0 to 6): levels grouped by event rate, as train --categorical reads them")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the split (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _print_text(run) -> None:
    model = run.model
    print(f"Scorecard on '{run.target}' (event '{run.event_label}'): ROC AUC {run.metrics['roc_auc']:.3f}, "
          f"KS {run.metrics['ks']:.3f} on {run.rows['test']:,} held-out rows; fitted in {run.seconds:.1f} s.")
    low, high = model.point_range()
    c = model.config
    print(f"Points: {c.points:g} at odds {c.odds:g}:1, {c.pdo:g} more double the odds; rows score {low:.0f} to "
          f"{high:.0f}.")
    print("Information value per feature:")
    for row in model.iv_table().itertuples():
        print(f"  {row.feature}: {row.iv:.3f} ({row.strength}, {row.bins} bins)")
    for note in run.notes:
        print(f"note: {note}")


def run(args) -> int:
    from finmodels.data.reading import load_csv
    from finmodels.models.scorecard import ScorecardConfig, scorecard_run

    config = ScorecardConfig(pdo=args.pdo, odds=args.odds, points=args.points, max_bins=args.max_bins,
                             special_codes=tuple(args.special))
    frame = load_csv(args.file)
    print(f"Fitting a scorecard on {args.file} ...", file=sys.stderr)
    from finmodels.commands.train import categorical_option

    result = scorecard_run(frame, target=args.target, event_label=args.event, features=args.features, config=config,
                           seed=args.seed, categories=categorical_option(args.categorical, frame))
    print(f"Fitted in {result.seconds:.1f} s.", file=sys.stderr)
    if args.json:
        print(json.dumps(finite(result.to_dict()), ensure_ascii=False))
    else:
        _print_text(result)
    return 0
