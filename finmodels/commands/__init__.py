"""The command line, one module per `python -m finmodels COMMAND`: each defines `HELP` (one line),
`add_arguments(parser)` and `run(args) -> int`, and is listed in finmodels/__main__.py's COMMANDS. Every command
that reports results takes `--json` and prints one JSON object; errors are messages on stderr with exit code 2.
"""

__all__ = ["document", "explain", "fairness", "profile", "runs", "score", "scorecard", "tasks", "train", "whatif"]
