"""`python -m finmodels document BUNDLE FILE.csv --out doc.html [--protected COL ...] [--threshold T]`.

Writes the model document a validator reads (finmodels.delivery.document): purpose and intended use, data
(source, shape, SHA-256, quality findings), methodology, performance against the baselines and the scorecard,
stability (PSI), explainability (SHAP importance, reason codes), fairness by the protected columns, and
limitations with a monitoring plan. One self-contained HTML file that opens offline.

With `--json` stdout is one JSON object: `out`, `bytes`, `sections` (their titles), `findings` (test metrics,
PSI, importance, fairness, quality findings).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from finmodels.commands._json import finite

HELP = "Write the model document (SR 11-7 sections) of a saved model and a data file as self-contained HTML."


def add_arguments(parser) -> None:
    from finmodels.delivery.document import DEFAULT_EXPLAINED_ROWS
    from finmodels.evaluation.fairness import MIN_GROUP_ROWS

    parser.add_argument("bundle", help="model bundle saved by `python -m finmodels train` or the Score page")
    parser.add_argument("file", help="CSV file with the model's columns (the training file, or a recent sample)")
    parser.add_argument("--out", default=None, help="where to write the HTML (default: document_FILE.html)")
    parser.add_argument("--protected", action="append", default=[], metavar="COL",
                        help="a protected column for the fairness section (age, sex ...); repeat for several")
    parser.add_argument("--threshold", type=float, default=None, help="the decision threshold (default 0.5)")
    parser.add_argument("--purpose", default=None, help="a sentence on the model's purpose (default: the task's)")
    parser.add_argument("--rows", type=int, default=DEFAULT_EXPLAINED_ROWS,
                        help=f"rows explained with SHAP (default {DEFAULT_EXPLAINED_ROWS})")
    parser.add_argument("--min-rows", type=int, default=MIN_GROUP_ROWS,
                        help=f"the smallest protected group compared (default {MIN_GROUP_ROWS})")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the explanation's samples")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from finmodels.data.reading import load_csv
    from finmodels.delivery.document import SECTIONS, build_document
    from finmodels.models.bundle import load_bundle

    bundle = load_bundle(args.bundle)
    raw = Path(args.file).read_bytes()
    frame = load_csv(args.file)
    print(f"Documenting the {bundle.arch} model of {args.bundle} on {args.file} ...", file=sys.stderr)
    document = build_document(bundle, frame, data_name=Path(args.file).name, raw=raw, protected=args.protected,
                              threshold=args.threshold, purpose=args.purpose, explained_rows=args.rows,
                              min_group_rows=args.min_rows, seed=args.seed)
    out = Path(args.out) if args.out else Path(f"document_{Path(args.file).stem}.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = document.to_html()
    out.write_text(text, encoding="utf-8")
    if args.json:
        print(json.dumps(finite({"out": str(out), "bytes": len(text.encode()),
                                 "sections": [t for k, t in SECTIONS if k in document.sections],
                                 "findings": document.findings}), ensure_ascii=False))
    else:
        print(f"Wrote {out} ({len(text.encode()) / 1e6:.1f} MB): " +
              "; ".join(t for k, t in SECTIONS if k in document.sections) + ".")
    return 0
