"""Error types the dashboard shows to a user as a message, never as a traceback."""

from __future__ import annotations


class FinModelsError(Exception):
    """Base class for problems caused by the user's input; the message says what to do."""


class DataError(FinModelsError):
    """The data cannot be used as given. `problems` holds one plain-language message per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ConfigError(FinModelsError):
    """A task, architecture or hyperparameter choice is invalid."""


class BundleError(FinModelsError):
    """A model bundle is tampered, truncated, foreign or from an unsupported version."""


class TrainingStopped(FinModelsError):
    """Raised when a run is stopped before a single epoch finished, so there is no model to keep."""
