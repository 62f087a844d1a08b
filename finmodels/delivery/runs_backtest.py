"""What the Runs page's side-by-side comparison adds for market-risk runs (new user trial 6, finding 10): each run's
VaR backtest figures that matter (VaR level, window, test period, Christoffersen independence p, Basel zone) as
rows under its metrics, counts as whole numbers, and the validation-loss chart's title when the compared runs'
losses cannot be compared (different files, targets or tasks: a loss is on its own data's scale, and a price model's
is a likelihood, negative on an index).
"""

from __future__ import annotations

import pandas as pd

from finmodels.data.tasks import FORECAST
from finmodels.evaluation.backtest_words import INDEPENDENCE

COUNT_METRICS = ("var_exceptions",)  # metrics that count days: '5', not '5.0000'
LOSS_TITLE = "Validation loss per epoch, by run"


def count_cell(value) -> str | None:
    """A count of days as a whole number ('5'); None when `value` is not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return "–" if number != number else f"{number:,.0f}"


def _backtest_figures(result) -> dict[str, str]:
    from finmodels.delivery.report import p_value_text, zone_text
    from finmodels.portfolio import backtest_of, portfolio_of

    config = result.config
    backtest = backtest_of(result) if getattr(result, "kind", None) == FORECAST else None
    if backtest is None:
        return {}
    risk = portfolio_of(result)
    dates = getattr(risk, "dates", None) if risk is not None else None
    period = (f"{pd.Timestamp(dates[0]):%Y-%m-%d} to {pd.Timestamp(dates[-1]):%Y-%m-%d}"
              if dates is not None and len(dates) else "–")
    horizon = getattr(config, "horizon", 1) or 1
    return {"VaR level": f"{backtest.level:.1%}".replace(".0%", "%") + (" one-day" if horizon == 1 else
                                                                      f" {horizon}-day"),
            "window (days)": f"{config.window}", "test period": period,
            "test days": f"{backtest.days:,}", "expected exceptions": f"{backtest.expected:.2f}",
            INDEPENDENCE: p_value_text(backtest.christoffersen_p_value), "Basel zone": zone_text(backtest.zone)}


def backtest_rows(records) -> pd.DataFrame:
    """One row per backtest figure, one column per run (`column_name`'s), '–' for a run without a VaR backtest;
    empty when none of the runs has one."""
    from finmodels.delivery.runs import column_name

    figures = [_backtest_figures(r.result) for r in records]
    names = list(dict.fromkeys(k for f in figures for k in f))
    if not names:
        return pd.DataFrame()
    return pd.DataFrame({column_name(r): [f.get(n, "–") for n in names] for r, f in zip(records, figures)},
                        index=names)


def loss_title(records) -> str:
    """The loss chart's title: a warning in it when the runs are of different files, targets or tasks, whose losses
    are on different scales (a market-risk loss is a likelihood, negative on an index, about 0.3 on stocks)."""
    keys = {(r.data_name, r.result.config.target, r.result.config.task) for r in records}
    if len(keys) <= 1:
        return LOSS_TITLE
    what = [name for name, i in (("files", 0), ("targets", 1), ("tasks", 2)) if len({k[i] for k in keys}) > 1]
    return (f"{LOSS_TITLE}: runs of different {' and '.join(what) or 'data'}, "
            "whose losses cannot be compared (each on its own data's scale)")


__all__ = ["COUNT_METRICS", "INDEPENDENCE", "LOSS_TITLE", "backtest_rows", "count_cell", "loss_title"]
