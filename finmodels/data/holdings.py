"""Holdings files: which assets a portfolio holds, and how much of each.

A holdings file has a ticker column and either weights (shares of the portfolio, adding up to 1, or to 100 for
percentages) or quantities (units held, valued at each ticker's last price in the price file). `read_holdings`
turns it into weights per ticker; without a file the portfolio is equal weight (`equal_weights`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.sequences import TICKER_NAMES, _find
from finmodels.data.tidying import rows_phrase
from finmodels.errors import DataError

WEIGHT_NAMES = ("weight", "weights", "w", "allocation", "share", "portfolio_weight", "pct", "percent")
QUANTITY_NAMES = ("quantity", "qty", "shares", "units", "position", "holding", "holdings", "amount")
SUM_TOLERANCE = 0.005


@dataclass(frozen=True)
class Holdings:
    """Portfolio weights per ticker (adding up to 1) and where they came from: 'weight', 'quantity' or 'equal'."""

    weights: pd.Series
    source: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        return {str(k): float(v) for k, v in self.weights.items()}


def equal_weights(tickers) -> pd.Series:
    """1/N in each ticker: the default portfolio."""
    tickers = sorted(map(str, tickers))
    return pd.Series(np.full(len(tickers), 1.0 / len(tickers)), index=tickers, name="weight")


def read_holdings(frame: pd.DataFrame, *, tickers=None, last_prices: pd.Series | None = None,
                  normalise: bool = False, normalise_hint: str = "; on the command line --normalise-holdings"
                  ) -> Holdings:
    """Weights per ticker from a holdings file; every problem is reported at once (`DataError`).

    `tickers` are the price file's series: a ticker the holdings name outside them is refused. Quantities are
    valued at `last_prices`. Weights that do not add up to 1 (or 100) are refused with their sum, unless
    `normalise` divides each by the sum; `normalise_hint` says how to ask for that where the message is read.
    """
    ticker = _find(frame.columns, TICKER_NAMES)
    weight = _find(frame.columns, WEIGHT_NAMES)
    quantity = _find(frame.columns, QUANTITY_NAMES)
    columns = ", ".join(map(str, frame.columns))
    problems = []
    if ticker is None:
        problems.append(f"No ticker column found in the holdings file (looked for {', '.join(TICKER_NAMES)}). "
                        f"Columns are: {columns}. Name the column 'ticker'.")
    if weight is None and quantity is None:
        problems.append(f"No weight or quantity column found in the holdings file (looked for "
                        f"{', '.join(WEIGHT_NAMES + QUANTITY_NAMES)}). Columns are: {columns}. Add a 'weight' or "
                        "'quantity' column.")
    if problems:
        raise DataError(problems)
    column = weight if weight is not None else quantity
    names = frame[ticker].astype(str).str.strip()
    raw = frame[column]
    values = pd.to_numeric(raw.astype(str).str.rstrip("%").str.replace(",", ""), errors="coerce")
    rows = lambda mask: rows_phrase((np.flatnonzero(np.asarray(mask)) + 2).tolist(), limit=5)  # noqa: E731
    bad = values.isna().to_numpy()
    if bad.any():
        problems.append(f"Column '{column}' has {int(bad.sum())} values that are not numbers ({rows(bad)}, e.g. "
                        f"{raw[bad].iloc[0]!r}). Give every ticker a number.")
    dup = names.duplicated(keep=False).to_numpy()
    if dup.any():
        problems.append(f"Column '{ticker}' repeats {', '.join(sorted(set(names[dup])))} ({rows(dup)}). List each "
                        "ticker once.")
    if tickers is not None:
        known = set(map(str, tickers))
        unknown = ~names.isin(known).to_numpy()
        if unknown.any():
            problems.append(f"The holdings name {int(unknown.sum())} ticker{'s' if unknown.sum() > 1 else ''} not in "
                            f"the price file: {', '.join(names[unknown].iloc[:10])} ({rows(unknown)}). Tickers "
                            f"in the price file: {', '.join(sorted(known)[:10])}{' ...' if len(known) > 10 else ''}. "
                            "Fix the names or add their prices.")
    if problems:
        raise DataError(problems)
    notes = []
    if weight is None:
        if last_prices is None:
            raise DataError(f"Column '{quantity}' holds quantities; valuing them needs the price file's last prices.")
        value = values.to_numpy() * last_prices.reindex(names).to_numpy()
        total = float(np.sum(value))
        if not total > 0:
            raise DataError(f"The quantities in column '{quantity}' are worth {total:,.2f} at the last prices; a "
                            "portfolio needs a positive value.")
        notes.append(f"Quantities in column '{quantity}' valued at each ticker's last price: {total:,.2f} in all.")
        return Holdings(pd.Series(value / total, index=names.to_numpy(), name="weight"), "quantity", notes)
    w = values.to_numpy("float64")
    total = float(w.sum())
    if abs(total - 100) <= 100 * SUM_TOLERANCE and abs(total - 1) > SUM_TOLERANCE:
        w, total = w / 100, total / 100
        notes.append(f"Weights in column '{weight}' read as percentages.")
    if abs(total - 1) > SUM_TOLERANCE:
        if not normalise:
            raise DataError(f"The weights in column '{weight}' add up to {total:.4g}, not 1 ({rows(np.ones(len(w), bool))}). "
                            f"Fix them, or normalise them so they add up to 1 (each divided by {total:.4g}"
                            f"{normalise_hint}).")
        if total <= 0:
            raise DataError(f"The weights in column '{weight}' add up to {total:.4g}; they cannot be normalised.")
        notes.append(f"Weights in column '{weight}' added up to {total:.4g}; each was divided by it.")
    return Holdings(pd.Series(w / total, index=names.to_numpy(), name="weight"), "weight", notes)
