"""`python -m finmodels runs`: list the runs kept in the workspace, newest first."""

from __future__ import annotations

import json

from finmodels.commands._json import finite
from finmodels.delivery.runs import shown_metric
from finmodels.runtime.workspace import DEFAULT_AREA, Workspace

HELP = "List the runs kept in the workspace (id, time, file, task, architecture, headline metric, alias)."


def add_arguments(parser) -> None:
    parser.add_argument("--area", default=DEFAULT_AREA, help=f"workspace area (default: {DEFAULT_AREA})")
    parser.add_argument("--file", help="only runs trained on this data file")
    parser.add_argument("--task", help="only runs of this task")
    parser.add_argument("--json", action="store_true", help="print one JSON list")


def run(args) -> int:
    workspace = Workspace(area=args.area)
    runs = workspace.list_runs(file=args.file, task=args.task)
    if args.json:
        print(json.dumps([finite({"run_id": r.run_id, "started": r.started.isoformat(timespec="seconds"),
                                  "file": r.file, "task": r.task, "arch": r.arch, "metric": r.metric,
                                  "value": r.value, "alias": r.alias, "source": r.source, "rows": r.rows})
                          for r in runs]))
        return 0
    if not runs:
        print(f"No runs in area '{workspace.area}' of workspace {workspace.where}. Train one on the dashboard or "
              "with `python -m finmodels train`.")
        return 0
    rows = [(r.run_id, r.started.astimezone().strftime("%Y-%m-%d %H:%M"), r.file, r.task, r.arch, _headline(r),
             r.alias or "") for r in runs]
    header = ("run", "started", "file", "task", "arch", "headline", "alias")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    return 0


def _headline(summary) -> str:
    """'roc_auc 0.781', or a forecast's error in percent as the dashboard shows it: 'rmse (%) 0.812'."""
    name, value = shown_metric(summary.task, summary.metric, summary.value)
    return f"{name} {value:.3f}" if value is not None else f"{name} -"
