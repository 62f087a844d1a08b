"""`python -m finmodels score [BUNDLE] FILE.csv [--threshold T] [--reasons flagged|all] [--out scored.csv] [--json]`.

Without BUNDLE (or with the word `champion`) the champion of the workspace area `--area` scores the file: the
run promoted on the Runs page, at the decision threshold kept with it on the Evaluate page (unless `--threshold`).

Scores a file with a saved model as the Score page does: each row's score, its decision at the threshold
(binary and anomaly models) and its reason codes (every flagged row; every row with `--reasons all`), written
as the Score page's CSV (first `line`, the row's line in the file: the header is line 1; last `check`, each row's
problems) whose text cells are escaped against spreadsheet formulas. Before that, the Score page's checks of the
file against the training data (`finmodels.delivery.scoring_checks`): text in numeric columns, empty cells,
impossible ages and values outside the training range, values never seen in training (with the likely training
value), a renamed column, the target column; rows with such cells are scored and named in `check`, and a file
that cannot be scored as it is (a missing column, a numeric column of text) is refused with every problem (exit 2).
Then the population stability of the score and of each column against the training rows.

Without `--json` a short summary goes to stdout. With `--json` stdout is one JSON object: `rows`, `flagged`,
`threshold`, `psi` (`{"score": x, "features": {column: psi}}`), `warnings` (texts), `checks` (one object per
problem: `code`, `severity`, `column`, `lines`, `message`), `rows_to_check`, and `decisions`, `explained_rows`,
`notes`, `out`, `seconds`; a refused file prints `{"refused": true, "checks": [...]}`.

A market risk or asset allocation bundle reads a price file instead, as the Score page does
(`finmodels.delivery.forecasting`): the next day's expected return, volatility, VaR and expected shortfall (at the
run's level and horizon) per asset and for the portfolio of the run's holdings (equal weight without them), as a
table on stdout and in the CSV (default forecast_FILE.csv, the portfolio's row last). With `--json`: `as_of`,
`level`, `horizon`, `portfolio` ({expected_return, volatility, var, es, z}), `assets` (one object per ticker, with
its `contribution` to the portfolio VaR), `notes`, `out`, `seconds`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from finmodels.commands._champion import CHAMPION, KEPT, add_area_argument, choose_threshold, load_model
from finmodels.commands._json import finite
from finmodels.data.tasks import FORECAST

HELP = ("Score a CSV file with a saved model: scores, decisions, reason codes, stability; writes the scored CSV. "
        "With a market risk or allocation model, a price file: the next day's VaR, expected shortfall and expected "
        "return per asset and for the portfolio.")


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="[BUNDLE] FILE",
                        help="a model bundle saved by `python -m finmodels train` or the Score page (default: the "
                             "workspace's champion), then the CSV file with the training columns (for a market "
                             "risk or allocation model, a price file in the training file's layout)")
    add_area_argument(parser)
    parser.add_argument("--threshold", type=float, default=None,
                        help="flag rows scored at or above it (default: the threshold kept with the champion on "
                             "Evaluate, else 0.5 for a default model; an anomaly model's 99th percentile of training "
                             "scores)")
    parser.add_argument("--reasons", choices=("flagged", "all"), default="flagged",
                        help="reason codes for the flagged rows (default) or for every row")
    parser.add_argument("--codes", type=int, default=3, help="reason codes per row at most (default 3)")
    parser.add_argument("--out", default=None,
                        help="where to write the scored rows (default: scored_FILE.csv in the current folder; "
                             "a price file's forecast: forecast_FILE.csv)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the explanations' background sample")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def summary(scored, *, out: str) -> dict:
    """The JSON object the command prints."""
    from finmodels.evaluation.monitoring import sample_note

    stability = scored.stability.set_index("name")["psi"]
    score_psi = float(stability["score"]) if "score" in stability.index else None
    return finite({
        "rows": len(scored.table), "flagged": scored.flagged, "threshold": scored.threshold,
        "psi": {"score": score_psi, "features": {str(c): float(v) for c, v in stability.items() if c != "score"},
                "note": sample_note(len(scored.table))},
        "warnings": list(scored.warnings),
        "checks": [_check(p) for p in scored.checks.problems], "rows_to_check": len(scored.checks.marks),
        "decisions": {str(k): int(v) for k, v in scored.decision_counts().items()},
        "score_column": scored.score_column, "explained_rows": scored.explained_rows, "notes": list(scored.notes),
        "out": out, "seconds": round(scored.seconds, 3),
    })


def _check(problem) -> dict:
    return {"code": problem.code, "severity": problem.severity, "column": problem.column,
            "lines": list(problem.lines[:50]), "message": problem.message}


def _print_text(scored, *, out: str) -> None:
    from finmodels.evaluation.monitoring import band, sample_note

    print(f"{len(scored.table):,} rows scored in {scored.seconds:.1f} s; written to {out}")
    total = len(scored.table)
    for decision, count in scored.decision_counts().items():
        print(f"  {decision}: {count:,} ({count / total:.1%})")
    summary_line = scored.checks.summary(total)
    if summary_line:
        print(f"check: {summary_line}")
    for warning in scored.warnings:
        print(f"warning: {warning}")
    for note in scored.notes:
        print(f"note: {note}")
    print("Stability against the training rows (PSI; below 0.1 stable, 0.1 to 0.25 moderate, above 0.25 major):")
    for row in scored.stability.head(6).itertuples():
        print(f"  {row.name}: {row.psi:.3f} ({band(row.psi).label})")
    if len(scored.stability) > 6:
        print(f"  ... and {len(scored.stability) - 6} more columns, all with smaller PSI")
    small = sample_note(len(scored.table))
    if small:
        print(f"  {small}")


def _paths(args) -> tuple[str, str]:
    from finmodels.errors import ConfigError

    if len(args.paths) > 2:
        raise ConfigError(f"Give at most a bundle and a file; got {len(args.paths)} paths: {', '.join(args.paths)}.")
    return (CHAMPION, args.paths[0]) if len(args.paths) == 1 else (args.paths[0], args.paths[1])


def _forecast(args, model, frame) -> int:
    """A market risk or allocation run: the Score page's next-day forecast per asset and for the portfolio."""
    from finmodels.delivery.forecasting import forecast_prices, text_table

    print(f"Forecasting the day after {args.file} ends with {model.name} ({model.bundle.title}) ...", file=sys.stderr)
    scored = forecast_prices(model.bundle, frame)
    out = Path(args.out) if args.out else Path(f"forecast_{Path(args.file).stem}.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(scored.csv_bytes())
    if args.json:
        print(json.dumps(finite({**scored.to_json(), "out": str(out), "seconds": round(scored.seconds, 3)})))
        return 0
    p = scored.forecast.portfolio
    for note in [*scored.forecast.notes, *scored.notes]:
        print(f"note: {note}")
    print(f"Portfolio: VaR {p['var']:.2%}, expected shortfall {p['es']:.2%}, expected return "
          f"{p['expected_return']:+.2%}, volatility {p['volatility']:.2%}")
    print(text_table(scored))
    print(f"Written to {out}")
    return 0


def _refused(refused, *, as_json: bool) -> int:
    """A file the checks refuse: every problem on stderr ('error:', then 'warning:' and 'note:'), exit 2."""
    for problem in refused.checks.problems:
        print(f"{problem.severity}: {problem.message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"refused": True, "checks": [_check(p) for p in refused.checks.problems]},
                         ensure_ascii=False))
    return 2


def run(args) -> int:
    from finmodels.data.reading import load_csv
    from finmodels.delivery.export import to_csv_bytes
    from finmodels.delivery.scoring import score_file
    from finmodels.delivery.scoring_cells import read_for_scoring
    from finmodels.delivery.scoring_checks import FileRefused

    source, args.file = _paths(args)
    model = load_model(source, area=args.area)
    if model.bundle.kind == FORECAST:
        return _forecast(args, model, load_csv(args.file))
    frame = read_for_scoring(args.file)
    print(f"Scoring {args.file} with {model.name} ({model.bundle.title}) ...", file=sys.stderr)
    threshold = choose_threshold(model, args.threshold)
    try:
        scored = score_file(model.bundle, frame, threshold=threshold.value, reasons=args.reasons, codes=args.codes,
                            seed=args.seed)
    except FileRefused as refused:
        return _refused(refused, as_json=args.json)
    if threshold.origin == KEPT:
        scored.notes.append(threshold.line(threshold.value))
    out = Path(args.out) if args.out else Path(f"scored_{Path(args.file).stem}.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_csv_bytes(scored.by_line().reset_index()))  # the Score page's CSV: 'line' (2, 3 ...) first
    if args.json:
        print(json.dumps(summary(scored, out=str(out)), ensure_ascii=False))
    else:
        _print_text(scored, out=str(out))
    return 0
