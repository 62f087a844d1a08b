"""`python -m finmodels whatif BUNDLE FILE.csv --row N --set COL=VALUE ...`: one applicant before and after edits.

BUNDLE may be the word `champion`: the champion of the workspace area `--area`, at the decision threshold kept with
it on the Evaluate page (unless `--threshold`).

Prints the score and decision before and after, the columns whose contribution moved most, how far each
numeric input would have to move to change the decision (a coded input such as SEX or EDUCATION: which other code
would), and extrapolation warnings. With `--json`: one object with `before`, `after`, `contributions`,
`counterfactuals` (a coded input's has "coded": true and "change": null), `warnings` (see `WhatIf.to_dict`), and
where the threshold came from: `threshold_source` (kept, given, default), `threshold_note`, the kept `costs`.
"""

from __future__ import annotations

import json
import sys
import time

from finmodels.commands._champion import add_area_argument, choose_threshold, load_model
from finmodels.commands._json import finite
from finmodels.data.tidying import rows_phrase
from finmodels.errors import ConfigError
from finmodels.explain.background import DEFAULT_BACKGROUND_ROWS, KEPT_ROWS

HELP = "What-if for one row: change its values, see the new score, decision and contributions beside the old."


def add_arguments(parser) -> None:
    parser.add_argument("bundle", help="path of a model bundle (.zip) saved by train or the dashboard, or `champion`: "
                                       "the workspace area's champion, at the threshold kept with it on Evaluate")
    parser.add_argument("file", help="path of the CSV file holding the row")
    parser.add_argument("--row", type=int, default=None,
                        help="the row's position among the file's data rows, 0 for the first (default 0; a "
                             "spreadsheet shows it as row N+2)")
    parser.add_argument("--id", metavar="COL=VALUE", help="pick the first row whose identifier column COL equals "
                                                          "VALUE, instead of --row")
    parser.add_argument("--set", metavar="COL=VALUE", action="append", default=[],
                        help="a new value for a column, in the data's own units (repeat for several columns)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="decision threshold (default: the one kept with the champion on Evaluate, else 0.5 "
                             "for a binary model, the training scores' 99th percentile for an anomaly model)")
    add_area_argument(parser)
    parser.add_argument("--background", type=int, default=DEFAULT_BACKGROUND_ROWS,
                        help=f"background rows for the contributions, drawn from the {KEPT_ROWS} training rows the "
                             f"bundle keeps (default {DEFAULT_BACKGROUND_ROWS}, as the dashboard's what-if: the "
                             "same row gets the same contributions there)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the background sample (default 0, as "
                                                            "the dashboard)")
    parser.add_argument("--protected", metavar="COL", action="append", default=[],
                        help="a protected column (sex, age ...): a counterfactual that changes it says so (repeat "
                             "for several)")
    parser.add_argument("--keep-derived", action="store_true",
                        help="score every value as given: do not recompute a derived column (one that is the ratio or "
                             "product of two others in the training rows, such as loan_percent_income = loan_amnt / "
                             "person_income) when --set changes its inputs (the dashboard's 'Recompute derived "
                             "columns' box, ticked by default)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def parse_assignments(items: list[str], *, option: str = "--set") -> dict[str, str]:
    """{'COL': 'VALUE'} from ['COL=VALUE', ...]; every malformed item named at once."""
    out, bad = {}, []
    for item in items:
        column, sep, value = str(item).partition("=")
        if not sep or not column.strip():
            bad.append(item)
        else:
            out[column.strip()] = value.strip()
    if bad:
        raise ConfigError(f"{option} takes COLUMN=VALUE; got {', '.join(repr(b) for b in bad)}. For example "
                          f"{option} credit_amount=5000.")
    return out


def run(args) -> int:
    from finmodels.data.reading import load_csv
    from finmodels.explain.whatif import derived_inputs, what_if

    if args.id and args.row is not None:
        raise ConfigError("Give --row or --id, not both.")
    changes = parse_assignments(args.set)
    lookup = parse_assignments([args.id], option="--id") if args.id else {}
    id_column, id_value = next(iter(lookup.items())) if lookup else (None, None)
    model = load_model(args.bundle, area=args.area)
    bundle = model.bundle
    frame = load_csv(args.file)
    threshold = choose_threshold(model, args.threshold)
    started = time.perf_counter()
    result = what_if(bundle, frame, changes, row=args.row, id_column=id_column, id_value=id_value,
                     threshold=threshold.value, background=args.background, seed=args.seed,
                     protected=args.protected, derived=None if args.keep_derived else derived_inputs(bundle))
    seconds = time.perf_counter() - started
    if args.json:
        out = result.to_dict()
        out.update({"file": args.file, "file_row": result.row + 2, "task": bundle.task, "kind": bundle.kind,
                    "arch": bundle.arch, "model": model.name, **threshold.to_dict(result.threshold)})
        print(json.dumps(finite(out)))
        return 0
    _print_text(result, seconds=seconds, threshold=threshold.line(result.threshold))
    return 0


def _print_text(result, *, seconds: float, threshold: str | None) -> None:
    from finmodels.explain.whatif import searched_range

    e = result.explanation

    def state(s):
        return f"{s['score']:.4f}" + (f" ({s['decision']})" if "decision" in s else "")

    line = rows_phrase([result.row + 2])  # 'line 5 of the file', as the row is named everywhere
    where = line if result.row_label == line else f"{result.row_label} ({line})"
    print(f"{where}: {e.output_name} {state(result.before)} -> "
          f"{state(result.after)}" + ("  decision changed" if result.decision_changed else ""))
    for column, (before, after) in result.changes.items():
        print(f"  {column}: {before} -> {after}")
    for note in result.recomputed:
        print(f"  ({note})")
    if threshold:
        print(threshold)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    table = result.contributions().head(8)
    print()
    print(f"Contributions ({e.scale}), largest change first:")
    width = max(len(str(c)) for c in table["column"])
    for _, r in table.iterrows():
        print(f"  {str(r['column']):<{width}}  {r['contribution before']:+.4f} -> {r['contribution after']:+.4f}")
    if result.counterfactuals:
        print()
        print(f"To change the decision (one input at a time, searched within {searched_range(result.counterfactuals)}):")
        for cf in result.counterfactuals:
            print(f"  - {cf.note}")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"({seconds:.2f} s)", file=sys.stderr)
