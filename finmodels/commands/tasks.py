"""`python -m finmodels tasks`: list the task presets."""

from __future__ import annotations

import json

from finmodels.data.tasks import TASKS

HELP = "List the task presets (key, kind, headline metric, architectures)."


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    if args.json:
        print(json.dumps({k: {"label": t.label, "kind": t.kind, "loss": t.loss, "headline_metric": t.headline_metric,
                              "architectures": list(t.architectures), "description": t.description}
                          for k, t in TASKS.items()}))
        return 0
    width = max(map(len, TASKS))
    for key, t in TASKS.items():
        print(f"{key:<{width}}  {t.kind:<10}  {t.headline_metric:<16}  {', '.join(t.architectures):<18}  {t.description}")
    return 0
