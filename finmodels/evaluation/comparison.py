"""The gaps in a forecast run's table of the network against its baselines, said: which model has no VaR figure and
why, so a page shows an empty cell with a footnote, never a bare 'None'."""

from __future__ import annotations

import math

import pandas as pd

from finmodels.evaluation.labels import BASELINE_LABELS, METRIC_LABELS

VAR_ROWS = tuple(METRIC_LABELS[k] for k in ("var_exceptions", "kupiec_p_value"))


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def var_gaps(table: pd.DataFrame, *, tickers: int, dates: int | None = None,
             stock_days: int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """`table` (`comparison_table`'s, a forecast run's) with only VaR figures comparable with the network's, and the
    notes that say why each empty VaR cell is empty.

    A baseline that forecasts the next return alone (linear regression, gradient boosting) has no spread around it,
    hence no VaR to backtest. With several `tickers` the network's VaR is its portfolio's, backtested on `dates`
    distinct dates, while the naive forecast's is each stock's own, pooled over `stock_days`: counts of different
    things, so the naive's are left out of the row and said in the note."""
    rows = [r for r in VAR_ROWS if r in table.index]
    if not rows:
        return table, []
    table = table.copy()
    notes = []
    naive = BASELINE_LABELS["naive"]
    if tickers > 1 and naive in table.columns and not math.isnan(table.at[rows[0], naive]):
        exceptions = int(table.at[rows[0], naive])
        table.loc[rows, naive] = float("nan")
        notes.append(f"The network's VaR is backtested on the portfolio of {tickers} assets, on its {dates:,} dates; "
                     f"the naive forecast's VaR on each stock alone, {exceptions:,} exceptions in {stock_days:,} "
                     "stock-days pooled. These counts do not compare, so the naive's are left out here: the "
                     "portfolio backtest below sets the network against historical simulation and EWMA on the same "
                     "dates.")
    none = [c for c in table.columns if table[c].loc[rows].isna().all() and c != naive]
    if none:
        names = _joined([none[0], *(n.lower() for n in none[1:])])
        notes.insert(0, f"{names} forecast{'s' if len(none) == 1 else ''} the next return only, not how far "
                        "it may fall, so there is no VaR to backtest: "
                        f"{'its' if len(none) == 1 else 'their'} VaR cells are empty.")
    return table, notes


def below_the_mean(name: str, value: float) -> bool:
    """Whether metric `name` at `value` says the model does worse than predicting the mean of the actual values (an
    R² below 0): a tile should not show it as good, however far ahead of the baselines it is."""
    return name == "r2" and value < 0
