"""A bounded history of the runs trained in one session: kept side by side, compared, the oldest released.

A Streamlit server is one process for every user, and each run holds a Keras model and a copy of its rows.
Keeping every retrain would grow memory without bound, so the history keeps the last `limit` runs and
drops its references to older ones (the model and its data are then freed by the garbage collector).
"""

from __future__ import annotations

import gc
import itertools
import math
import time
from dataclasses import dataclass, field

import pandas as pd
from finmodels.models.training.blend import blend_weights, run_title
from finmodels.models.training.members import epochs_per_network, epochs_summary

RUNS_LIMIT = 5


@dataclass(frozen=True)
class RunRecord:
    """One finished run and how to name it in a table."""

    number: int
    data_name: str
    result: object = field(repr=False)
    created: float = field(default_factory=time.time)

    @property
    def label(self) -> str:
        config = self.result.config
        weights = blend_weights(self.result)
        network = " + ".join(weights) if weights else config.arch  # a blend by its architectures: 'mlp + dcn'
        return f"Run {self.number} · {network} · {config.task}"


class RunHistory:
    """The last `limit` runs of a session, newest last."""

    def __init__(self, limit: int = RUNS_LIMIT):
        if limit < 1:
            raise ValueError(f"A run history keeps at least one run; got limit={limit}.")
        self.limit = limit
        self._records: list[RunRecord] = []
        self._next = itertools.count(1)
        self.released = 0

    def add(self, result, *, data_name: str) -> RunRecord:
        """Keep `result` as the newest run; release the oldest beyond the limit. Returns its record."""
        record = RunRecord(next(self._next), data_name, result)
        self._records.append(record)
        dropped = len(self._records) - self.limit
        if dropped > 0:
            del self._records[:dropped]
            self.released += dropped
            gc.collect()
        return record

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self):
        return iter(list(self._records))

    @property
    def records(self) -> list[RunRecord]:
        return list(self._records)

    def get(self, number: int) -> RunRecord:
        for record in self._records:
            if record.number == number:
                return record
        kept = ", ".join(str(r.number) for r in self._records) or "none"
        raise KeyError(f"Run {number} is not kept (the last {self.limit} runs are kept: {kept}).")

    def latest(self) -> RunRecord | None:
        return self._records[-1] if self._records else None


def run_seconds(result) -> dict[str, float]:
    """Where a run's time went, in tenths of a second that add up: the network's fit ('fit'), the rest of its training
    (preprocessing, scoring, baselines: 'rest'), keeping it in the workspace ('save', left out for a run kept before
    that was timed) and 'total', their sum: the one total the Train page, the Runs page and the live clock show."""
    seconds = result.seconds
    fit, save = round(float(seconds.get("fit", math.nan)), 1), round(float(seconds.get("save", 0.0)), 1)
    total = round(float(seconds.get("total", math.nan)) + float(seconds.get("save", 0.0)), 1)
    parts = {"fit": fit, "rest": round(total - fit - save, 1)}
    return {**parts, "save": save, "total": total} if "save" in seconds else {**parts, "total": total}


def comparison_frame(records: list[RunRecord], *, metrics: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per run: its network (a blend by its weights), data, main settings, epochs, seconds and test metrics.

    `metrics` limits the metric columns; by default every metric any of the runs reports, in first-seen order.
    """
    rows = []
    for record in records:
        result, config = record.result, record.result.config
        hyper = config.hyper
        row = {
            "run": record.label,
            "network": run_title(result),
            "data": record.data_name,
            "target": config.target,
            "layers": ", ".join(str(u) for u in getattr(hyper, "units", ())) or "-",
            "dropout": getattr(hyper, "dropout", float("nan")),
            "learning rate": result.settings.learning_rate if result.settings else config.learning_rate,
            "batch size": result.settings.batch_size if result.settings else config.batch_size,
            "schedule": result.settings.lr_schedule if result.settings else config.lr_schedule,
            "epochs run": epochs_summary(result.history),
            "networks": len(epochs_per_network(result.history)),
            "seconds": run_seconds(result)["total"],
        }
        names = metrics or tuple(result.metrics)
        row.update({name: result.metrics.get(name, float("nan")) for name in names})
        rows.append(row)
    return pd.DataFrame(rows).set_index("run") if rows else pd.DataFrame()


def loss_histories(records: list[RunRecord], *, key: str = "val_loss") -> dict[str, list[float]]:
    """The per-epoch `key` (validation loss by default) of each run, keyed by its label, for overlaying."""
    return {r.label: list(r.result.history.get(key) or r.result.history.get("loss", [])) for r in records}
