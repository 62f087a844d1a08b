"""MLflow plumbing of the workspace: a client that retries while SQLite is busy, and batched logging.

Two processes (the dashboard's workers, the command line) may write one SQLite store at once; SQLite then says
"database is locked" to one of them, which retries with growing random pauses (`Retrying`), under the
workspace's write lock.
"""

from __future__ import annotations

import random
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

RETRIES = 8


class Retrying:
    """An MLflow client whose calls are retried, with growing random pauses, while SQLite says it is locked."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            for attempt in range(RETRIES):
                try:
                    return attr(*args, **kwargs)
                except Exception as exc:  # MlflowException or sqlite3.OperationalError, depending on the layer
                    if "database is locked" not in str(exc) or attempt == RETRIES - 1:
                        raise
                    time.sleep(random.uniform(0.5, 1.0) * 0.1 * 2 ** attempt)

        return call


@contextmanager
def scratch_folder():
    with tempfile.TemporaryDirectory(prefix="finmodels-") as tmp:
        yield Path(tmp)


def local_path(uri: str) -> Path | None:
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(uri).path))
    return None


def discard_run(client, run_id: str) -> None:
    """Remove a run whose logging failed half-way, so it never shows as a run."""
    try:
        client.set_terminated(run_id, "FAILED")
        client.delete_run(run_id)
    except Exception:  # the original error matters more than this clean-up's
        pass


def log_batches(client, run_id: str, metrics: list, params: dict[str, str]) -> None:
    from mlflow.entities import Metric, Param

    now = int(time.time() * 1000)
    entities = [Metric(k, v, now, step) for k, v, step in metrics]
    for start in range(0, len(entities), 1000):
        client.log_batch(run_id, metrics=entities[start:start + 1000])
    items = [Param(k, v) for k, v in params.items()]
    for start in range(0, len(items), 100):
        client.log_batch(run_id, params=items[start:start + 100])


def log_files(client, run_id: str, files: dict[str, bytes | str]) -> None:
    with scratch_folder() as folder:
        for name, data in files.items():
            path = folder / name
            path.write_bytes(data.encode() if isinstance(data, str) else data)
        client.log_artifacts(run_id, str(folder))
