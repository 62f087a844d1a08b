"""Which runner does the model work: chosen by `FINMODELS_RUNNER`.

- `local` (default): `pool.LocalRunner`, warm worker processes on this machine, one per core
  (`FINMODELS_WORKERS`), each recycled after `FINMODELS_RECYCLE_AFTER` jobs or past `FINMODELS_WORKER_MB`.
- `ray`: `ray_runner.RayRunner` on a local Ray instance started for the dashboard.
- `ray://HOST:PORT`: the same on a running Ray cluster, through Ray Client.
"""

from __future__ import annotations

import os

from finmodels.errors import ConfigError

RUNNER_ENV = "FINMODELS_RUNNER"


def make_runner(spec: str | None = None, **options):
    """A runner for `spec` (default: $FINMODELS_RUNNER, else 'local')."""
    spec = (spec or os.environ.get(RUNNER_ENV) or "local").strip()
    if spec == "local":
        from finmodels.runtime.pool import LocalRunner

        return LocalRunner(**options)
    if spec == "ray" or spec.startswith("ray://"):
        from finmodels.runtime.ray_runner import RayRunner

        return RayRunner(None if spec == "ray" else spec, **{k: v for k, v in options.items()
                                                             if k in ("workers", "recycle_after")})
    raise ConfigError(f"Unknown runner '{spec}' in {RUNNER_ENV}. Use 'local', 'ray', or 'ray://HOST:PORT' for a "
                      "running Ray cluster.")
