"""A bounded history of the runs trained in one session: kept side by side, compared, the oldest released.

A Streamlit server is one process for every user, and each run holds a Keras model and a copy of its rows.
Keeping every retrain would grow memory without bound, so the history keeps the last `limit` runs and
drops its references to older ones (the model and its data are then freed by the garbage collector).
"""

from __future__ import annotations

import gc
import itertools
import math
import re
import time
from dataclasses import dataclass, field

import pandas as pd

from finmodels.models.training.blend import (
    arch_label,
    blend_weights,
    run_title,
    weights_text,
)
from finmodels.models.training.members import epochs_per_network, epochs_summary

RUNS_LIMIT = 5
# A returns forecast's RMSE and MAE are returns: read in percent, as on its Evaluate tiles and table and in its report
# (`finmodels.delivery.report.percent_rows`); a comparison names the unit in the column, 'rmse (%)'.
RETURN_METRICS = ("rmse", "mae")
PERCENT = " (%)"


def in_percent(task: str | None, metric: str | None) -> bool:
    """True for a metric the task reports as a return, shown in percent: a forecast's (market risk) RMSE and MAE;
    a regression's errors stay in the target's own units."""
    from finmodels.data.tasks import FORECAST, TASKS

    return metric in RETURN_METRICS and task in TASKS and TASKS[task].kind == FORECAST


def shown_metric(task: str | None, metric: str, value: float | None) -> tuple[str, float | None]:
    """(name, value) of a run's metric as a comparison shows it: 'rmse (%)' and 0.812 for a forecast's RMSE of
    0.00812, else as it is."""
    if not in_percent(task, metric):
        return metric, value
    return metric + PERCENT, None if value is None else value * 100


@dataclass(frozen=True)
class RunRecord:
    """One finished run and how to name it in a table."""

    number: int
    data_name: str
    result: object = field(repr=False)
    created: float = field(default_factory=time.time)

    @property
    def label(self) -> str:
        """The run's name, the same on every page and every visit (`result_name`); a run no workspace kept (no id)
        by its number in the session, 'Run 2 · Dense network (MLP) · Credit default'."""
        name = result_name(self.result)
        run_id = getattr(self.result, "run_id", None)
        return name if run_id and not str(run_id).startswith("local-") else f"Run {self.number} · {name}"


def network_name(arch: str, blend: tuple[str, ...] | list[str] = ()) -> str:
    """A run's network in a few words: its architecture's label ('LSTM recurrent network'), or a blend of several by
    their short names ('Blend: dense + deep & cross'); `network_title` gives the blend's weights."""
    if len(blend) < 2:
        return arch_label(arch)
    short = [re.sub(r" networks?$", "", arch_label(a, lower=True).split(" (")[0]) for a in blend]
    return f"Blend: {' + '.join(short)}"


def run_name(run_id: str | None, *, arch: str, task: str, blend: tuple[str, ...] | list[str] = ()) -> str:
    """What a run is called wherever it is listed, the same on every page and visit: its short id, network and
    task, '6a2fd3cf · Blend: dense + deep & cross · Credit rating' (without the id for a run no workspace kept)."""
    from finmodels.data.tasks import TASKS

    task_label = TASKS[task].label if task in TASKS else task
    kept = run_id and not str(run_id).startswith("local-")
    return " · ".join(([str(run_id)[:8]] if kept else []) + [network_name(arch, blend), task_label])


def result_name(result) -> str:
    """`run_name` of a trained run or one read back from the workspace."""
    config = result.config
    return run_name(getattr(result, "run_id", None), arch=config.arch, task=config.task,
                    blend=list(blend_weights(result)))


def summary_name(summary) -> str:
    """`run_name` of a run as the workspace lists it (a RunSummary, whose network is its title: a blend's
    architectures named in their order, 'Blend of 0.25 × Dense network (MLP) + 0.75 × Deep & cross ...')."""
    from finmodels.models.architectures import ARCHITECTURES

    title = summary.network or ""
    found = sorted((title.find(spec.label), key) for key, spec in ARCHITECTURES.items()
                   if title.startswith("Blend of ") and spec.label in title)
    return run_name(summary.run_id, arch=summary.arch, task=summary.task, blend=[key for _, key in found])


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


def comparison_frame(records: list[RunRecord], *, metrics: tuple[str, ...] | None = None,
                     metrics_first: bool = False) -> pd.DataFrame:
    """One row per run: its network (a blend by its weights), data, main settings, epochs, seconds and test metrics.

    `metrics` limits the metric columns; by default every metric any of the runs reports, in first-seen order. A
    forecast's RMSE and MAE are in percent, in their own columns ('rmse (%)', `shown_metric`).
    `metrics_first` puts the metrics before the settings, each task's headline metric first (ROC AUC for credit
    default), so a table narrower than its columns shows them without scrolling sideways.
    """
    from finmodels.data.tasks import TASKS

    rows, heads, names = [], [], []
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
        headline = TASKS[config.task].headline_metric if config.task in TASKS else None
        own = metrics or tuple(result.metrics)
        shown = dict(shown_metric(config.task, name, result.metrics.get(name, float("nan"))) for name in own)
        heads += [shown_metric(config.task, headline, None)[0]] if headline in own else []
        names += list(shown)
        row.update(shown)
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows).set_index("run")
    if metrics_first:
        first = list(dict.fromkeys(heads + names))  # every compared task's headline metric, then the others
        frame = frame[first + [c for c in frame.columns if c not in first]]
    return frame


# The settings a side-by-side comparison shows under the metrics, in this order (comparison_frame's names).
SETTINGS = ("data", "task", "target", "network", "blend weights", "networks", "epochs run", "layers", "dropout",
            "learning rate", "batch size", "schedule", "seconds in total")


def column_name(record: RunRecord) -> str:
    """A run as a column of `comparison_by_run`: its short id (or its number in the session) and its file,
    '6a2fd3cf · german_credit.csv'."""
    run_id = getattr(record.result, "run_id", None)
    kept = run_id and not str(run_id).startswith("local-")
    return f"{str(run_id)[:8] if kept else f'Run {record.number}'} · {record.data_name}"


def comparison_by_run(records: list[RunRecord], *, label=str) -> pd.DataFrame:
    """The runs side by side, one column each ('6a2fd3cf · german_credit.csv'), the rows the test metrics (each
    compared task's headline metric first, a forecast's RMSE in percent) then the settings, each named by `label`: data,
    task, network (a blend by its short name and its weights apart), networks, epochs, layers, learning rate ...,
    and seconds in total. Values are text (metrics to 4 decimals, settings to 4 significant digits), '–' where a run has none, so that a
    page 1,400 pixels wide shows every run's column without scrolling sideways, however many metrics there are."""
    from finmodels.data.tasks import TASKS

    frame = comparison_frame(records, metrics_first=True)
    if frame.empty:
        return frame
    frame = frame.rename(columns={"seconds": "seconds in total"})
    frame["network"] = [network_name(r.result.config.arch, list(blend_weights(r.result))) for r in records]
    frame["blend weights"] = [weights_text(blend_weights(r.result)) or "-" for r in records]
    frame["task"] = [TASKS[t].label if t in TASKS else t for t in (r.result.config.task for r in records)]
    frame["seconds in total"] = [f"{v:,.1f}" for v in frame["seconds in total"]]  # to the tenth, as the Train page
    metrics = [c for c in frame.columns if c not in SETTINGS and c not in ("data", "target")]
    table = frame[metrics + list(SETTINGS)].T
    table.columns = [column_name(r) for r in records]
    table.index = [label(name) for name in [*metrics, *SETTINGS]]
    shown = table.apply(lambda col: col.map(_cell))
    shown.iloc[:len(metrics)] = table.iloc[:len(metrics)].apply(lambda col: col.map(_metric_cell))
    from finmodels.delivery.runs_backtest import COUNT_METRICS, backtest_rows, count_cell

    shown = shown.astype(object)
    for i, name in enumerate(metrics):  # counts of days whole: 'VaR exceptions 5', not '5.0000'
        if name in COUNT_METRICS:
            shown.iloc[i] = [count_cell(v) for v in table.iloc[i]]
    extra = backtest_rows(records)  # a market-risk run's VaR level, window, period, independence test, zone
    return pd.concat([shown.iloc[:len(metrics)], extra, shown.iloc[len(metrics):]]) if len(extra) else shown


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _metric_cell(value) -> str:
    """A metric to four decimals in every run's column ('0.4990', not '0.499' beside '0.7495'), so they line up."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 1e4:
        return f"{value:.4f}"
    return _cell(value)


def default_compared(runs: list, file: str | None, *, limit: int = 4) -> list[str]:
    """The run ids a comparison starts with: the newest `limit` runs (`runs` are newest first) of `file`, the data
    loaded, or of the newest run's file when none of the runs is of it; never runs of two files mixed."""
    files = [r.file for r in runs]
    chosen = file if file in files else (files[0] if files else None)
    return [r.run_id for r in runs if r.file == chosen][:limit]


def loss_histories(records: list[RunRecord], *, key: str = "val_loss") -> dict[str, list[float]]:
    """The per-epoch `key` (validation loss by default) of each run, keyed by its label, for overlaying."""
    return {r.label: list(r.result.history.get(key) or r.result.history.get("loss", [])) for r in records}
