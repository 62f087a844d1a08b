"""`python -m finmodels document BUNDLE FILE.csv --out doc.html [--protected COL ...] [--threshold T]`.

Writes the model document a validator reads (finmodels.delivery.document): purpose and intended use, data
(source, shape, SHA-256, quality findings), methodology, performance against the baselines and the scorecard,
stability (PSI), explainability (SHAP importance, reason codes), fairness by the protected columns, and
limitations with a monitoring plan. One self-contained HTML file that opens offline.

BUNDLE may be the word `champion`: the champion of the workspace area `--area`, documented at the decision kept
with it on the Evaluate page (unless `--threshold`); the purpose section then says the threshold and its costs.

With `--json` stdout is one JSON object: `out`, `bytes`, `sections` (their titles), `findings` (test metrics,
PSI, importance, fairness, quality findings), and a binary model's `threshold`, where it came from
(`threshold_source`: kept, given, default; `threshold_note`) and the kept `costs`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from finmodels.commands._champion import (
    GIVEN,
    KEPT,
    add_area_argument,
    choose_threshold,
    load_model,
)
from finmodels.commands._json import finite
from finmodels.commands.fairness import add_merge_argument, parse_merges

HELP = "Write the model document (SR 11-7 sections) of a saved model and a data file as self-contained HTML."


def add_arguments(parser) -> None:
    from finmodels.delivery.document import DEFAULT_EXPLAINED_ROWS
    from finmodels.evaluation.fairness import MIN_GROUP_ROWS

    parser.add_argument("bundle", help="model bundle saved by `python -m finmodels train` or the Score page, or "
                                       "`champion`: the workspace area's champion, at the decision kept with it")
    parser.add_argument("file", help="CSV file with the model's columns (the training file, or a recent sample)")
    parser.add_argument("--out", default=None, help="where to write the HTML (default: document_FILE.html)")
    parser.add_argument("--protected", action="append", default=[], metavar="COL",
                        help="a protected column for the fairness section (age, sex ...); repeat for several")
    parser.add_argument("--threshold", type=float, default=None,
                        help="the decision threshold (default: the one kept with the champion on Evaluate, else 0.5)")
    add_area_argument(parser)
    parser.add_argument("--purpose", default=None, help="a sentence on the model's purpose (default: the task's)")
    parser.add_argument("--rows", type=int, default=DEFAULT_EXPLAINED_ROWS,
                        help=f"rows explained with SHAP (default {DEFAULT_EXPLAINED_ROWS})")
    parser.add_argument("--min-rows", type=int, default=MIN_GROUP_ROWS,
                        help=f"the smallest protected group compared (default {MIN_GROUP_ROWS})")
    add_merge_argument(parser)
    parser.add_argument("--seed", type=int, default=0, help="random seed for the explanation's samples")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _threshold_note(threshold, bundle) -> str | None:
    """Where the document's threshold came from, as a clause of its decision rule: kept with the champion or written
    into the downloaded bundle (the document then states its costs), given on the command line, or the model's default
    (and why)."""
    if threshold.origin == KEPT:
        return f"the threshold was {threshold.decision.chosen}"
    if threshold.origin == GIVEN:
        return "the threshold was given on the command line (--threshold)"
    return f"the threshold is {threshold.default_reason}"


def _identity(model, area: str):
    """What names the documented model: the champion's run in `area`, or the run a downloaded bundle names."""
    import hashlib

    from finmodels.delivery.bundle_identity import bundle_name, bundle_run
    from finmodels.delivery.provenance import ModelIdentity

    stamped = bundle_run(model.bundle)
    champion = model.run_id if model.champion or stamped.get("champion") else None
    return ModelIdentity(run_id=model.run_id, name=bundle_name(model.bundle),
                         area=area if model.champion else stamped.get("area"), champion=champion,
                         bundle_sha256=hashlib.sha256(model.raw).hexdigest() if model.raw else None)


def run(args) -> int:
    from finmodels.data.reading import load_csv
    from finmodels.data.tasks import BINARY
    from finmodels.delivery.document import SECTIONS, build_document
    from finmodels.explain.whatif import default_threshold

    model = load_model(args.bundle, area=args.area)
    bundle = model.bundle
    raw = Path(args.file).read_bytes()
    frame = load_csv(args.file)
    print(f"Documenting {model.name} ({bundle.title}) on {args.file} ...", file=sys.stderr)
    threshold = choose_threshold(model, args.threshold)
    document = build_document(bundle, frame, data_name=Path(args.file).name, raw=raw, protected=args.protected,
                              threshold=threshold.value, purpose=args.purpose, explained_rows=args.rows,
                              min_group_rows=args.min_rows, seed=args.seed,
                              threshold_note=_threshold_note(threshold, bundle), merges=parse_merges(args.merge),
                              identity=_identity(model, args.area),
                              costs=threshold.decision.costs if threshold.origin == KEPT else None)
    used = None
    if bundle.kind == BINARY:
        used = threshold.value if threshold.value is not None else default_threshold(bundle)
    out = Path(args.out) if args.out else Path(f"document_{Path(args.file).stem}.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = document.to_html()
    out.write_text(text, encoding="utf-8")
    titles = [t for k, t in SECTIONS if k in document.sections]
    if args.json:
        print(json.dumps(finite({"out": str(out), "bytes": len(text.encode()), "sections": titles,
                                 "findings": document.findings, "threshold": used, **threshold.to_dict(used)}),
                         ensure_ascii=False))
    else:
        print(f"Wrote {out} ({len(text.encode()) / 1e6:.1f} MB): " + "; ".join(titles) + ".")
        if used is not None:
            print(threshold.line(used))
    return 0
