"""`python -m finmodels explain BUNDLE FILE.csv [--class LABEL] [--rows N] [--json]`: SHAP explanations of a saved model.

Without `--json`: which explainer ran and why, global importance, additivity, and the reason codes of the
highest-scoring rows. With `--json` stdout is one JSON object: explainer, background_rows, importance
(column -> mean |SHAP|), additivity_error, record_drivers (drivers that describe the record, not the borrower: a
rating agency, an identifier or a date, with what to do), and rows (per explained row: prediction, base_value, contributions,
reason_codes, and where the row is in the file), and `class`: which class a rating or multi-class model's
explanation is of (`--class LABEL`; by default the class it predicts most).
"""

from __future__ import annotations

import argparse
import json
import sys

from finmodels.commands._json import finite
from finmodels.explain.background import DEFAULT_BACKGROUND_ROWS, KEPT_ROWS

HELP = "Explain a saved model on a CSV file: importance, additivity and reason codes per row (SHAP)."


def add_arguments(parser) -> None:
    parser.add_argument("bundle", help="model bundle saved by `python -m finmodels train`")
    parser.add_argument("file", help="CSV file with the training columns")
    parser.add_argument("--rows", type=int, default=None,
                        help="explain at most N rows, stratified by outcome when the file has the target "
                             "(default 1000; 200 windows for a forecast model)")
    parser.add_argument("--background", type=int, default=DEFAULT_BACKGROUND_ROWS,
                        help=f"background rows drawn from the {KEPT_ROWS} training rows saved in the bundle (default "
                             f"{DEFAULT_BACKGROUND_ROWS}, as the dashboard's Explain page)")
    parser.add_argument("--reasons", type=int, default=4, help="reason codes per row (default 4)")
    parser.add_argument("--explainer", help="force an explainer order, e.g. 'permutation' or 'deep,permutation'")
    parser.add_argument("--class", dest="target_class", metavar="LABEL",
                        help="for rating and multi-class models: the class whose probability is explained (default: "
                             "the class the model predicts most for its training rows)")
    parser.add_argument("--output", help=argparse.SUPPRESS)  # the older name of --class
    parser.add_argument("--seed", type=int, default=0, help="random seed for the row and background samples")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def questioned(explanation, frame) -> list:
    """The drivers that describe the record rather than the borrower (a rating agency, an identifier, a date), as
    the Explain page and the model document flag them; none for a forecast's windows."""
    from finmodels.explain.drivers import record_drivers

    if explanation.lag_values is not None:
        return []
    return record_drivers(explanation.importance(), frame)


def report(explanation, *, bundle, file: str, reasons: int, flagged: list = ()) -> dict:
    """The JSON object the command prints."""
    out = explanation.to_dict(reasons=reasons)
    out["record_drivers"] = [d.to_dict() for d in flagged]
    windows = explanation.lag_values is not None
    for row, position in zip(out["rows"], explanation.row_ids):
        if windows:
            row["window"] = int(position)
        else:
            row["file_row"] = int(position) + 2  # as a spreadsheet counts: the header is row 1
    if windows:
        out["lags"] = explanation.lags
        out["lag_importance"] = {str(s): [float(v) for v in col] for s, col in explanation.lag_importance().items()}
    out.update({"file": file, "task": bundle.task, "kind": bundle.kind, "arch": bundle.arch,
                "additivity_ok": explanation.additive})
    return finite(out)


def _print_text(explanation, *, reasons: int, flagged: list = ()) -> None:
    print(explanation.summary())
    for driver in flagged:
        print(f"\nWarning: {driver.message}")
    print()
    print(f"Importance (mean |SHAP|, {explanation.scale}):")
    importance = explanation.importance()
    width = max(len(str(c)) for c in importance.index)
    for column, value in importance.head(15).items():
        print(f"  {str(column):<{width}}  {value:.4f}")
    top = sorted(range(len(explanation.predictions)), key=lambda i: -explanation.predictions[i])[:5]
    print()
    print(f"Reason codes of the {len(top)} highest-scoring rows:")
    for i in top:
        where = (f"window {explanation.row_ids[i]}" if explanation.lag_values is not None
                 else f"file row {int(explanation.row_ids[i]) + 2}")
        print(f"  {where}: {explanation.output_name} {explanation.predictions[i]:.4f}")
        for code in explanation.reason_codes(i, k=reasons) or ["(no column raised it)"]:
            print(f"    - {code}")


def run(args) -> int:
    from finmodels.models.bundle import load_bundle
    from finmodels.data.reading import load_csv
    from finmodels.explain.explanation import explain_bundle

    bundle = load_bundle(args.bundle)
    frame = load_csv(args.file)
    explainers = tuple(k.strip() for k in args.explainer.split(",")) if args.explainer else None
    print(f"Explaining {args.file} with {args.bundle} ({bundle.title}) ...", file=sys.stderr)
    explanation = explain_bundle(bundle, frame, rows=args.rows, background=args.background, seed=args.seed,
                                 explainers=explainers, target_class=args.target_class or args.output)
    flagged = questioned(explanation, frame)
    if args.json:
        print(json.dumps(report(explanation, bundle=bundle, file=args.file, reasons=args.reasons, flagged=flagged)))
    else:
        _print_text(explanation, reasons=args.reasons, flagged=flagged)
    return 0
