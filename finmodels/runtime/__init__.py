"""Runtime: where work runs and what it shares across the sessions of one server process.

`locks` holds the process-wide locks that training and explaining both respect. `workspace` keeps every run in
MLflow (a SQLite store in a folder, or the team's tracking server): `Workspace` logs, lists, reads back, promotes
and deletes runs; `data_fingerprint` names a table by its content.
"""

from finmodels.runtime.locks import GRADIENT_LOCK
from finmodels.runtime.workspace import RunSummary, Workspace, WorkspaceError, data_fingerprint

__all__ = ["GRADIENT_LOCK", "RunSummary", "Workspace", "WorkspaceError", "data_fingerprint"]
