"""Importing mlflow safely in a process with several threads (the web process serves each session in its own).

mlflow's submodules import each other in cycles. Two threads importing two of them at once (two sessions opening the
workspace) broke the import for good: 'cannot import name '_get_store' from partially initialized module
'mlflow.tracking'', or a deadlock detected in 'mlflow.protos', and every page of that server then failed until a
restart (a new user's trial, on the Score page). mlflow is therefore imported whole, once, under a lock, before any
of its names is used (`import_mlflow`); tests/runtime/test_mlflow_import.py starts the threads that broke it."""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
_IMPORTED = False


def import_mlflow() -> None:
    """Import mlflow and the submodules the workspace uses, once per process; other threads wait for it."""
    global _IMPORTED
    if _IMPORTED:
        return
    with _LOCK:
        if not _IMPORTED:
            import mlflow  # noqa: F401
            import mlflow.entities  # noqa: F401
            import mlflow.exceptions  # noqa: F401
            import mlflow.tracking  # noqa: F401

            _IMPORTED = True


def mlflow_exception():
    """MlflowException, once mlflow is imported whole."""
    import_mlflow()
    from mlflow.exceptions import MlflowException

    return MlflowException
