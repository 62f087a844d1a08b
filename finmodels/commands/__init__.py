"""One module per `python -m finmodels` command; see finmodels/__main__.py for the contract."""

__all__ = ["explain", "profile", "tasks", "train"]
