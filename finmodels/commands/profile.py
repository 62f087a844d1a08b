"""`python -m finmodels profile FILE [--json]`: what the tool understands of a CSV or Parquet file (no upload limit:
the file is read as `train` reads it)."""

from __future__ import annotations

import json

from finmodels.data.reading import load_table, read_notes
from finmodels.data.profiling import profile
from finmodels.data.tasks import TASKS
from finmodels.data.validation import validate

HELP = "Profile a CSV file: each column's role and missing count, the target, the suggested task, problems."


def add_arguments(parser) -> None:
    parser.add_argument("file", help="path of the CSV or Parquet file (no upload limit; a large one is read with "
                                     "pyarrow)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--target", help="use this column as the target instead of the auto-picked one")


def run(args) -> int:
    frame = load_table(args.file)
    found = profile(frame, target=args.target or "auto")
    problems = validate(frame, found)
    if args.json:
        out = found.to_dict()
        out["notes"] = read_notes(frame)
        out["problems"] = [p.to_dict() for p in problems]
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{args.file}: {found.rows:,} rows, {len(found.columns)} columns")
    width = min(max(len(c.name) for c in found.columns), 40)
    for c in found.columns:
        print(f"  {c.name[:40]:<{width}}  {c.role:<28}  missing {c.missing:>6,}  unique {c.unique:>7,}")
    if found.target:
        balance = ", ".join(f"{k}: {v:,}" for k, v in found.target_balance.items())
        print(f"target: {found.target} ({balance})" + (f"; risk event '{found.event_label}'" if found.event_label else ""))
    elif TASKS[found.task].needs_target:
        print("target: none found (no column has a usual target name); pass --target COLUMN to choose one")
    else:
        print("target: none (the suggested tasks learn from the rows themselves: a price history or unlabelled rows)")
    print(f"suggested task: {found.task}" + (f" (also: {', '.join(found.other_tasks)})" if found.other_tasks else ""))
    for note in read_notes(frame):
        print(f"note: {note}")
    for problem in problems:
        print(f"{problem.severity}: {problem.message}")
    return 0
