"""A run in the analyst's words: headline metric tiles with the best baseline beside each (chosen by the run's
task kind), and one-line descriptions of what was trained and how the training ended."""

from __future__ import annotations

import streamlit as st

from finmodels.delivery.report import COUNT_ROWS
from finmodels.delivery.report import p_value_text as p_value  # '<0.001', as the report writes it
from finmodels.models.baselines import BASELINE_LABELS
from finmodels.evaluation.comparison import below_the_mean
from finmodels.evaluation.metrics import METRIC_LABELS
from finmodels.data.targets import event_name
from finmodels.data.tasks import FORECAST, get_task
from finmodels.explain.units import percent

TILES = {
    "binary": ("roc_auc", "gini", "ks", "pr_auc", "brier"),
    "multiclass": ("accuracy", "macro_f1", "log_loss"),
    "ordinal": ("accuracy", "within_one_notch", "macro_f1"),
    "regression": ("rmse", "mae", "r2", "mape"),
    "forecast": ("rmse", "mae", "directional_accuracy", "r2"),
    "anomaly": ("roc_auc", "pr_auc"),
}
LOWER_IS_BETTER = {"brier", "log_loss", "rmse", "mae", "mape", "mse"}
RETURN_ERRORS = ("rmse", "mae")  # a returns forecast's errors are returns: in percent, like its other figures
DECISION = "decision"  # (run, finmodels.delivery.report.Decision): set on the Evaluate page, read by the Report page


def event_phrase(target: str | None, label) -> str:
    """The risk event in the analyst's words: 'bad' quoted, a code as 'default_payment_next_month = 1'."""
    name = event_name(target, label)
    return name if name != str(label).strip() else f"'{name}'"


def label(name: str) -> str:
    return METRIC_LABELS.get(name, name.replace("_", " ").capitalize())


def tile_names(result) -> list[str]:
    names = [n for n in TILES.get(get_task(result.config.task).kind, ()) if n in result.metrics]
    return names or list(result.metrics)[:5]


def best_baseline(result, name: str) -> tuple[str, float] | None:
    """The best baseline's value of metric `name` and its name, or None without baselines."""
    values = {k: b.metrics[name] for k, b in (result.baselines or {}).items() if name in getattr(b, "metrics", {})}
    if not values:
        return None
    pick = min if name in LOWER_IS_BETTER else max
    key = pick(values, key=values.get)
    return key, values[key]


def number(value: float) -> str:
    """Three significant digits, never in scientific notation: 0.786, 12.3, 4,512, 0.0004."""
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4f}" if size < 1e-3 else f"{value:.3g}"


def tile_number(value: float) -> str:
    """A headline tile's figure, one format for every metric: three decimals (0.500, 0.786, -0.079, 12.345), from
    a thousand on a whole number with separators (4,512). `number`'s three significant digits read '0.5' beside
    '0.786'."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"


def delta_colour(name: str, diff: float, *, poor: bool) -> str:
    """st.metric's delta_color for a tile's 'network minus the best baseline': red when the network is worse (lower
    for most metrics, higher for errors and losses), green when better; grey only for a 'better' that is still worse
    than the mean (`poor`: a negative R²), which is never shown as good."""
    lower = name in LOWER_IS_BETTER
    better = diff < 0 if lower else diff > 0
    if poor and better:
        return "off"
    return "inverse" if lower else "normal"


def styled_metrics(table):
    """The metrics table for st.dataframe: 4 significant digits with trailing zeros kept, so the columns line up
    (0.7860 beside 0.7725), counts as whole numbers, p-values as `p_value` ('<0.001', not '5.500e-12'), and a dash
    where a model has no value."""
    import pandas as pd

    styler = table.style.format(lambda v: f"{v:#.4g}".rstrip("."), na_rep="–")
    counts = [r for r in table.index if r in COUNT_ROWS]
    if counts:
        styler = styler.format("{:,.0f}", subset=pd.IndexSlice[counts, :], na_rep="–")
    tests = [r for r in table.index if "p-value" in str(r)]
    if tests:
        styler = styler.format(p_value, subset=pd.IndexSlice[tests, :], na_rep="–")
    return styler


def baseline_name(key: str) -> str:
    """'gradient boosting', as said after 'vs'."""
    return BASELINE_LABELS.get(key, key).lower()


def delta_text(diff: float) -> str:
    """A tile's delta, short enough to show whole in a fifth of the page: two significant digits and at most four
    decimals below 1 ('-0.0046', '+0.017', '+0.0000'), else `number` ('+12.3', '-4,512'), always signed."""
    if abs(diff) >= 1:
        return f"{'+' if diff >= 0 else ''}{number(diff)}"
    decimals = 3 if abs(diff) >= 0.01 else 4
    return f"{diff:+.{decimals}f}"


def baselines_compared(result, names) -> str | None:
    """The line above the tiles that says what their deltas are: 'Under each metric: the network minus the best
    baseline on it, which is gradient boosting for all 5 metrics.' (or each baseline with its metrics); None without
    baselines."""
    best: dict[str, list[str]] = {}
    for name in names:
        base = best_baseline(result, name)
        if base is not None:
            best.setdefault(baseline_name(base[0]), []).append(label(name))
    if not best:
        return None
    if len(best) == 1:
        (which, metrics), = best.items()
        return (f"Under each metric: the network minus the best baseline on it, which is {which}"
                f"{f' for all {len(metrics)} metrics' if len(metrics) > 1 else ''}.")
    return ("Under each metric: the network minus the best baseline on it: "
            + "; ".join(f"{which} on {', '.join(metrics)}" for which, metrics in best.items()) + ".")


def metric_tiles(result) -> None:
    """One st.metric per headline metric; the delta is the network minus the best baseline, which the line above
    the tiles names (a delta's own description was cut to 'vs gradient b...' in a fifth of the page)."""
    names = tile_names(result)
    compared = baselines_compared(result, names)
    if compared:
        st.caption(compared)
    returns = getattr(result, "kind", None) == FORECAST
    for col, name in zip(st.columns(len(names)), names):
        value = result.metrics[name]
        base = best_baseline(result, name)
        poor = below_the_mean(name, value)  # ahead of the baselines or not, never shown as good
        shown, delta = (percent, lambda d: percent(d, sign=True)) if returns and name in RETURN_ERRORS else (
            tile_number, delta_text)
        colour = delta_colour(name, 0.0 if base is None else value - base[1], poor=poor)
        col.metric(label(name), shown(value), delta=None if base is None else delta(value - base[1]),
                   delta_color=colour, delta_arrow="off" if colour == "off" else "auto",
                   delta_description="worse than the mean" if poor else None,
                   help=None if base is None else (f"The best baseline on this metric: "
                                                   f"{BASELINE_LABELS.get(base[0], base[0])} {shown(base[1])}"
                                                   + (". Below 0, the forecast misses the actual values by more than "
                                                      "their own mean would." if poor else "")))


def describe_run(config, weights: dict[str, float] | None = None, *, blended: tuple[str, ...] = ()) -> str:
    """'Dense network (MLP) for 'creditability' (Credit default)', in the analyst's words; a blended run (its
    `weights`, details["blend_weights"]) by its blend: 'Blend of 0.30 × Dense network (MLP) + 0.70 × ... for ...';
    a blend still training (the architectures it `blended`, weights not chosen yet): 'Blend of dense networks (MLP)
    + deep & cross networks (DCN-V2) for ...'. A forecast names its windows: 'LSTM recurrent network for market
    risk (returns), from 20-day windows of the prices'; an anomaly run its rows."""
    from finmodels.models.training.blend import arch_label, network_title

    task = get_task(config.task)
    title = network_title(config.arch, weights) if weights or not blended else (
        "Blend of " + " + ".join(arch_label(a, lower=True, plural=True) for a in blended))
    if config.target:
        return f"{title} for '{config.target}' ({task.label})"
    what = task.label[:1].lower() + task.label[1:]
    if task.kind == FORECAST:
        return f"{title} for {what}, from {config.window}-day windows of the prices"
    return f"{title} for {what}, on the rows themselves (no target)"


def describe_result(result) -> str:
    """`describe_run` of a trained run, named by its blend when it has one."""
    from finmodels.models.training.blend import blend_weights

    return describe_run(result.config, blend_weights(result))


def describe_training(result) -> str:
    """'Dense network (MLP) for ... · 42 epochs (early stopping; best weights kept) · 58.0 s in total, network fit
    39.0 s': what an analyst reads after a run; where the rest of the time went is `time_spent` (an expander)."""
    from finmodels.delivery.runs import run_seconds
    from finmodels.models.training.members import epoch_spread, epochs_per_network

    config = result.config
    epochs = epochs_per_network(result.history)
    full = sum(e >= config.epochs for e in epochs)  # networks that ran every epoch
    how = "stopped by you" if result.stopped_early else "all epochs" if full == len(epochs) else (
        "early stopping" if not full else f"early stopping; {full} of {len(epochs)} ran all {config.epochs} epochs")
    run = f"{epochs[0]} epochs" if len(epochs) == 1 else (
        f"{len(epochs)} cross-fitted networks, {epoch_spread(epochs)} epochs each")
    seconds = run_seconds(result)
    return (f"{describe_result(result)} · {run} ({how}; best weights kept) · {seconds['total']:.1f} s in total, "
            f"network fit {seconds['fit']:.1f} s")


def training_summary(result, *, clock: float | None = None, note: str = "") -> None:
    """The Train page's line under 'Held-out test results' (`describe_training` and `note`), and behind an expander
    where the time went (`time_spent`, with where the live clock stopped)."""
    st.caption(describe_training(result) + note)
    with st.expander("Where the training time went"):
        st.caption(time_spent(result, clock=clock))


CLOCK_SLACK = 1.5  # seconds the live clock may run past a run's total unremarked (its redraws, the result's return)


def time_spent(result, *, clock: float | None = None) -> str:
    """'network fit 39.0 s + preprocessing, scoring and baselines 12.2 s + saving the run 6.8 s = 58.0 s in total':
    each part of finmodels.delivery.runs.run_seconds, adding up to the total the Runs page shows. `clock` is where
    the Train page's live clock stopped (seconds since a worker took the job); when it ran on past the total, the
    line says by how much and why, so the two figures never disagree unexplained."""
    from finmodels.delivery.runs import run_seconds

    seconds = run_seconds(result)
    saving = f" + saving the run {seconds['save']:.1f} s" if "save" in seconds else ""
    line = (f"network fit {seconds['fit']:.1f} s + preprocessing, scoring and baselines {seconds['rest']:.1f} s"
            f"{saving} = {seconds['total']:.1f} s in total")
    if clock is not None and clock - seconds["total"] > CLOCK_SLACK:
        line += (f" (the live clock read {clock:.1f} s: {clock - seconds['total']:.1f} s more, before the training "
                 "began: the worker loading its code for its first run, the data reaching it)")
    return line
