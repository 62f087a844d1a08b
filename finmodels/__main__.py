"""Command line: `python -m finmodels COMMAND ...`; each command lives in finmodels/commands/COMMAND.py.

A command module defines `HELP` (one line), `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from finmodels.errors import FinModelsError

# TensorFlow's C++ log opens every command's stderr with "E0000 ... failed call to cuInit: CUDA error" on a machine
# without a GPU, which reads as a failure; level 3 keeps its C++ errors quiet (Python errors still surface as messages)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

COMMANDS = ("profile", "tasks", "train", "explain", "score", "runs", "fairness", "scorecard", "document", "whatif")


def _load(name: str):
    try:
        return importlib.import_module(f"finmodels.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"finmodels.commands.{name}":
            return None
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finmodels", description="Risk model studio from the terminal.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name in COMMANDS:
        module = _load(name)
        if module is not None:
            modules[name] = module
            module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args) or 0)
    except FinModelsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
