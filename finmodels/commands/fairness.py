"""`python -m finmodels fairness BUNDLE FILE.csv --protected COL [--protected COL ...] [--threshold T] [--json]`.

BUNDLE may be the word `champion`: the champion of the workspace area `--area`, at the decision threshold kept with
it on the Evaluate page (unless `--threshold`).

Scores the file with a saved binary model and compares its decisions between the groups of each protected
column (which need not be a model input): per group the approval rate at the threshold, the adverse impact ratio
against the most favoured group (under four fifths flagged), and, when the file has the target column, the
true- and false-positive rates and the AUC. Numeric columns with many values are banded (age in the usual
age bands). `--merge 'COL=VALUE|VALUE[>NAME]'` puts values of a column into one group first (small groups into a
larger one), as the Governance page's merges do. See finmodels.evaluation.fairness.

With `--json` and one protected column, stdout is one JSON object: `groups` {group: {adverse_impact_ratio,
approval_rate, tpr, fpr, auc, rows, events, flagged}}, `reference` (the most favoured group), `flagged`, and
`column`, `threshold`, `overall`, `gaps`, `notes`. With several columns: {"columns": [one such object each]}.
Either also says where the threshold came from: `threshold_source` (kept, given, default), `threshold_note`, and
the kept `costs`, and which rows were counted (`rows_note`: all the file's).
"""

from __future__ import annotations

import json
import sys

from finmodels.commands._champion import add_area_argument, choose_threshold, load_model
from finmodels.commands._json import finite

HELP = "Compare a saved binary model's decisions across the groups of protected columns (adverse impact, error rates)."


def add_arguments(parser) -> None:
    from finmodels.evaluation.fairness import MIN_GROUP_ROWS

    parser.add_argument("bundle", help="model bundle of a binary model, saved by `python -m finmodels train`, or "
                                       "`champion`: the workspace area's champion, at the threshold kept with it")
    parser.add_argument("file", help="CSV file with the training columns and the protected columns (and the target, "
                                     "for error rates and AUC)")
    parser.add_argument("--protected", action="append", required=True, metavar="COL",
                        help="a protected column (age, sex ...); repeat for several")
    parser.add_argument("--threshold", type=float, default=None,
                        help="decline rows scored at or above it (default: the one kept with the champion on "
                             "Evaluate, else 0.5)")
    add_area_argument(parser)
    parser.add_argument("--min-rows", type=int, default=MIN_GROUP_ROWS,
                        help=f"the smallest group compared (default {MIN_GROUP_ROWS}); smaller bands are merged, "
                             "smaller text groups refused")
    add_merge_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_merge_argument(parser) -> None:
    parser.add_argument("--merge", action="append", default=[], metavar="'COL=VALUE|VALUE[>NAME]'",
                        help="merge values of a protected column into one group before the analysis, named NAME "
                             "(default: the values joined by ' / '); repeat for more groups")


def parse_merges(items) -> dict[str, dict[str, str]]:
    """{column: {value: group}} from --merge options 'COL=VALUE|VALUE[>NAME]' (finmodels.evaluation.protected's
    merge_mapping, per column)."""
    from finmodels.errors import ConfigError
    from finmodels.evaluation.protected import merge_mapping

    groups: dict[str, list] = {}
    for item in items:
        column, sep, rest = item.partition("=")
        if not sep or not column.strip() or "|" not in rest:
            raise ConfigError(f"--merge '{item}' is not COL=VALUE|VALUE[>NAME]; e.g. --merge "
                              "'personal_status_and_sex=male : single|male : married/widowed>male'.")
        values, _, name = rest.partition(">")
        groups.setdefault(column.strip(), []).append(([v.strip() for v in values.split("|")], name.strip() or None))
    return {column: merge_mapping(found) for column, found in groups.items()}


def summary(reports, threshold=None) -> dict:
    """The JSON object the command prints; with `threshold` (a commands._champion.Threshold), where it came from."""
    source = threshold.to_dict(reports[0].threshold) if threshold is not None and reports else {}
    if len(reports) == 1:
        return finite({**reports[0].to_dict(), **source})
    return finite({"columns": [r.to_dict() for r in reports], **source})


def _print_text(reports, *, threshold: str) -> None:
    for report in reports:
        print(f"Protected column '{report.column}' at threshold {report.threshold:.3g} "
              f"(most favoured group: '{report.reference}'):")
        outcome = report.has_outcomes
        print(f"  {'group':<36} {'rows':>6} {'approval':>9} {'AIR':>6}" +
              (f" {'TPR':>6} {'FPR':>6} {'AUC':>6}" if outcome else ""))
        for group, row in report.table.iterrows():
            line = (f"  {str(group)[:36]:<36} {int(row['rows']):>6,} {row['approval_rate']:>9.1%} "
                    f"{row['adverse_impact_ratio']:>6.2f}")
            if outcome:
                line += "".join(f" {row[k]:>6.2f}" for k in ("tpr", "fpr", "auc"))
            print(line + ("  under four fifths" if row["flagged"] else ""))
        for note in report.notes:
            print(f"  note: {note}")
    print(threshold)


def run(args) -> int:
    from finmodels.data.reading import load_csv
    from finmodels.evaluation.fairness import bundle_fairness

    model = load_model(args.bundle, area=args.area)
    frame = load_csv(args.file)
    print(f"Scoring {args.file} with {model.name} ({model.bundle.title}) ...", file=sys.stderr)
    threshold = choose_threshold(model, args.threshold)
    reports = bundle_fairness(model.bundle, frame, protected=args.protected, threshold=threshold.value,
                              min_rows=args.min_rows, merges=parse_merges(args.merge))
    rows = _rows_note(len(frame), args.file)
    if args.json:
        print(json.dumps({**summary(reports, threshold), "rows_note": rows}, ensure_ascii=False))
    else:
        _print_text(reports, threshold=threshold.line(reports[0].threshold))
        print(rows)
    return 0


def _rows_note(rows: int, file) -> str:
    """Which rows the groups were counted on: all the file's, which may include the model's training rows."""
    return (f"Groups counted on all {rows:,} rows of {file}. If the file holds the model's training rows, their "
            "AUC and rates are optimistic: the Governance page counts the run's held-out test rows only.")
