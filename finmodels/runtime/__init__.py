"""Runtime: where model work runs and where runs are kept.

- `runners.make_runner` picks the runner `FINMODELS_RUNNER` names: `pool.LocalRunner`, a pool of warm worker
  processes on this machine (the default), or `ray_runner.RayRunner` on a local Ray instance or a cluster.
  Both take a function of `worker` and return a `jobs.Job`: queued, running, finished, with the progress its
  worker sends through a `channel.Channel` and a Stop.
- `worker` holds what a worker does for the web process (train, explain, score, predict, save), with the
  networks of recent runs kept warm; the web process only ever holds detached runs.
- `workspace.Workspace` keeps every run in MLflow (a SQLite store in a folder, or the team's tracking server):
  it logs, lists, reads back, promotes and deletes runs; `records` converts a run to MLflow and back;
  `restore` puts a kept run's rows back when the analyst's data is its file; `data_fingerprint` names a table
  by its content.
- `locks` holds the process-wide locks that training and explaining both respect.

Importing this package is cheap: no TensorFlow, no MLflow (imported where a store is opened).
"""

from finmodels.runtime.jobs import Job, WorkerLost
from finmodels.runtime.locks import GRADIENT_LOCK
from finmodels.runtime.runners import make_runner
from finmodels.runtime.workspace import RunSummary, Workspace, WorkspaceError, data_fingerprint

__all__ = ["GRADIENT_LOCK", "Job", "RunSummary", "WorkerLost", "Workspace", "WorkspaceError", "data_fingerprint",
           "make_runner"]
