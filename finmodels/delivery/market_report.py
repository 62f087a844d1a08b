"""The market parts of a forecast run's HTML report, labelled and formatted as its Evaluate page shows them: the
portfolio VaR backtest against its baselines and the allocation's walk-forward figures.

`ALLOCATION_HEADINGS` and `allocation_text` are the one labelling of the walk-forward table: the Evaluate page heads
its columns with them, and the report writes the same cells ('16.9%', Sharpe '1.47', turnover '7.34'), where it wrote
code names and fractions ('annual_return 0.169').
"""

from __future__ import annotations

import html

import pandas as pd

from finmodels.data.tasks import BINARY, FORECAST
from finmodels.evaluation.backtest_words import clustering_note, same_days_note

# walk-forward statistic -> its heading on the Evaluate page and in the report
ALLOCATION_HEADINGS = {"strategy": "strategy", "annual_return": "annual return", "volatility": "volatility",
                       "sharpe": "Sharpe", "max_drawdown": "max drawdown", "turnover": "turnover per year"}
ALLOCATION_PERCENTS = ("annual_return", "volatility", "max_drawdown")  # shares, shown in percent with one decimal


def allocation_labelled(allocation) -> pd.DataFrame:
    """The walk-forward table's numbers under their readable headings (the Evaluate page formats the cells)."""
    return allocation.table().rename(columns=ALLOCATION_HEADINGS)


def allocation_text(allocation) -> pd.DataFrame:
    """The walk-forward table as text cells: shares in percent with one decimal, Sharpe and turnover in two."""
    table = allocation.table()
    shown = {ALLOCATION_HEADINGS["strategy"]: table["strategy"]}
    for col in list(ALLOCATION_HEADINGS)[1:]:
        fmt = "{:.1%}" if col in ALLOCATION_PERCENTS else "{:.2f}"
        shown[ALLOCATION_HEADINGS[col]] = table[col].map(lambda v, f=fmt: "–" if v != v else f.format(v))
    return pd.DataFrame(shown)


def portfolio_tables(result) -> list[str]:
    """A forecast run's portfolio VaR backtest against its baselines, and an allocation run's walk-forward figures,
    as report sections (none for other runs)."""
    if getattr(result, "kind", BINARY) != FORECAST:
        return []
    from finmodels.delivery.report import backtest_table
    from finmodels.portfolio import allocation_of, portfolio_of

    parts = []
    risk, allocation = portfolio_of(result), allocation_of(result)
    if risk is not None and len(risk.weights) > 1:
        period = "one-day" if risk.horizon == 1 else f"{risk.horizon}-day"
        level = f"{risk.level:.1%}".replace(".0%", "%")
        parts += [f"<h2>Portfolio VaR backtest ({level} {period})</h2>",
                  backtest_table(risk).to_html(index=False, escape=True)]
        notes = [clustering_note(risk.network.result, unit="dates" if risk.horizon == 1 else "periods"),
                 same_days_note(risk)]
        parts += [f"<p class='note'>{html.escape(n)}</p>" for n in notes if n]
    if allocation is not None:
        latest = allocation.latest[allocation.latest > 1e-4].sort_values(ascending=False)
        weights = pd.DataFrame({"ticker": latest.index.astype(str), "weight": latest.map("{:.1%}".format).to_numpy()})
        parts += ["<h2>Asset allocation: monthly walk-forward</h2>",
                  allocation_text(allocation).to_html(index=False, escape=True),
                  "<h3>Latest weights</h3>", weights.to_html(index=False, escape=True)]
    return parts


__all__ = ["ALLOCATION_HEADINGS", "ALLOCATION_PERCENTS", "allocation_labelled", "allocation_text",
           "portfolio_tables"]
