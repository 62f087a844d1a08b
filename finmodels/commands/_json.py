"""What the commands print with `--json`: plain JSON values, with no NaN or infinity (JSON has neither).

`finite` is the workspace's own conversion (`finmodels.runtime.records.plain`): NaN and infinite numbers to null,
tuples and arrays to lists, NumPy scalars to Python numbers, so `json.dumps` writes standard JSON (undefined
metrics, a PSI that could not be computed) and a command prints what the workspace keeps.
"""

from __future__ import annotations

from finmodels.runtime.records import plain as finite

__all__ = ["finite"]
