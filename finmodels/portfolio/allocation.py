"""Asset allocation: long-only mean-variance weights from the network's return forecasts, rebalanced monthly in a
walk-forward backtest beside equal weight and minimum variance.

Weights solve `max mu'w - (risk_aversion / 2) w' Sigma w` subject to `sum(w) = 1`, `0 <= w <= cap`, with cvxpy
(its default conic solver, Clarabel): a maintained solver, not a hand-written optimiser. Minimum variance solves
`min w' Sigma w` under the same constraints. `Sigma` is the Ledoit-Wolf covariance of the last 250 daily returns
before the rebalance date; `mu` the mean of the network's forecasts for the last 21 trading days up to it, each
made from the window before its own date. So every rebalance uses only data from before that date.

Between rebalances the weights drift with prices. Figures: annual return (compounded), volatility (annualised
standard deviation of daily returns), Sharpe (annualised mean over volatility, no risk-free rate), maximum
drawdown (largest fall from a peak, as a positive share) and turnover (sum of |weight changes| per year,
the first purchase excluded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError

STRATEGY_LABELS = {"strategy": "Mean-variance (network forecasts)", "equal_weight": "Equal weight",
                   "minimum_variance": "Minimum variance"}
PERIODS_PER_YEAR = 252
COVARIANCE_DAYS = 250
FORECAST_DAYS = 21
MIN_HISTORY = 60  # days of returns an asset needs before it can be held
STAT_NAMES = ("annual_return", "volatility", "sharpe", "max_drawdown", "turnover")


def check_allocation(risk_aversion: float, cap: float, assets: int | None = None) -> None:
    """Refuse a risk aversion or cap that cannot work, naming the value and what would."""
    if not risk_aversion > 0:
        raise ConfigError(f"Risk aversion must be positive (e.g. 5); got {risk_aversion}.")
    if not 0 < cap <= 1:
        raise ConfigError(f"The cap per asset must be above 0 and at most 1 (e.g. 0.25); got {cap}.")
    if assets is not None and cap * assets < 1 - 1e-9:
        raise ConfigError(f"A cap of {cap:g} per asset over {assets} assets cannot make 100%; raise the cap to at "
                          f"least {np.ceil(1000 / assets) / 1000:g}.")


def _solve(objective, w, cap: float) -> np.ndarray:
    import cvxpy as cp

    problem = cp.Problem(objective, [cp.sum(w) == 1, w >= 0, w <= cap])
    problem.solve()
    if problem.status not in ("optimal", "optimal_inaccurate") or w.value is None:
        raise DataError(f"The allocation could not be solved ({problem.status}); check the returns for constant or "
                        "duplicate assets.")
    x = np.clip(np.asarray(w.value, dtype="float64"), 0.0, cap)
    return x / x.sum()


def _psd(covariance) -> np.ndarray:
    cov = np.asarray(covariance, dtype="float64")
    return (cov + cov.T) / 2 + 1e-10 * np.eye(len(cov))


def mean_variance_weights(expected, covariance, *, risk_aversion: float = 5.0, cap: float = 1.0) -> np.ndarray:
    """Long-only weights that maximise expected return minus risk_aversion/2 times variance, each at most `cap`."""
    import cvxpy as cp

    mu = np.asarray(expected, dtype="float64")
    check_allocation(risk_aversion, cap, len(mu))
    w = cp.Variable(len(mu))
    objective = cp.Maximize(mu @ w - risk_aversion / 2 * cp.quad_form(w, cp.psd_wrap(_psd(covariance))))
    return _solve(objective, w, cap)


def minimum_variance_weights(covariance, *, cap: float = 1.0) -> np.ndarray:
    """Long-only weights of least variance, each at most `cap`."""
    import cvxpy as cp

    cov = _psd(covariance)
    check_allocation(1.0, cap, len(cov))
    w = cp.Variable(len(cov))
    return _solve(cp.Minimize(cp.quad_form(w, cp.psd_wrap(cov))), w, cap)


def performance(daily, *, turnover: float = 0.0) -> dict[str, float]:
    """Annual return, volatility, Sharpe, maximum drawdown and turnover of a series of daily simple returns."""
    r = np.asarray(daily, dtype="float64")
    years = len(r) / PERIODS_PER_YEAR
    equity = np.cumprod(1 + r)
    vol = float(np.std(r, ddof=1) * np.sqrt(PERIODS_PER_YEAR)) if len(r) > 1 else float("nan")
    return {"annual_return": float(equity[-1] ** (1 / years) - 1) if years > 0 else float("nan"),
            "volatility": vol,
            "sharpe": float(np.mean(r) * PERIODS_PER_YEAR / vol) if vol and np.isfinite(vol) else float("nan"),
            "max_drawdown": float(np.max(1 - equity / np.maximum.accumulate(np.r_[1.0, equity])[1:])),
            "turnover": float(turnover / years) if years > 0 else float("nan")}


def rebalance_dates(dates) -> pd.DatetimeIndex:
    """The first date of each month among `dates`."""
    d = pd.DatetimeIndex(np.sort(np.asarray(dates)))
    first = ~pd.Series(d.to_period("M")).duplicated().to_numpy()
    return d[first]


@dataclass
class AllocationBacktest:
    """The walk-forward backtest of the three strategies: equity curves, weights at each rebalance, figures."""

    equity: pd.DataFrame  # dates x strategy, starting at 1
    weights: dict[str, pd.DataFrame]  # strategy -> rebalance dates x tickers
    stats: dict[str, dict[str, float]]
    risk_aversion: float
    cap: float
    notes: list[str] = field(default_factory=list)

    @property
    def latest(self) -> pd.Series:
        """The strategy's weights at the last rebalance."""
        return self.weights["strategy"].iloc[-1]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{"strategy": STRATEGY_LABELS[k], **v} for k, v in self.stats.items()])

    def to_details(self) -> dict[str, np.ndarray]:
        """Plain arrays for a run's details (which a workspace keeps without pickle); `from_details` rebuilds."""
        out = {"allocation.dates": self.equity.index.to_numpy(), "allocation.tickers": np.asarray(
            self.weights["strategy"].columns, dtype=str), "allocation.rebalances": self.weights["strategy"].index.to_numpy(),
            "allocation.settings": np.asarray([self.risk_aversion, self.cap]),
            "allocation.notes": np.asarray(self.notes, dtype=str)}
        for key in STRATEGY_LABELS:
            out[f"allocation.{key}.equity"] = self.equity[key].to_numpy("float64")
            out[f"allocation.{key}.weights"] = self.weights[key].to_numpy("float64")
            out[f"allocation.{key}.stats"] = np.asarray([self.stats[key][s] for s in STAT_NAMES], dtype="float64")
        return out

    @classmethod
    def from_details(cls, details: dict) -> "AllocationBacktest | None":
        """The allocation of a run's details, or None when the run has none."""
        if "allocation.dates" not in details:
            return None
        dates, rebalances = pd.DatetimeIndex(details["allocation.dates"]), pd.DatetimeIndex(details["allocation.rebalances"])
        tickers = np.asarray(details["allocation.tickers"]).astype(str)
        equity = pd.DataFrame({k: np.asarray(details[f"allocation.{k}.equity"]) for k in STRATEGY_LABELS}, index=dates)
        weights = {k: pd.DataFrame(np.asarray(details[f"allocation.{k}.weights"]), index=rebalances, columns=tickers)
                   for k in STRATEGY_LABELS}
        stats = {k: dict(zip(STAT_NAMES, map(float, np.asarray(details[f"allocation.{k}.stats"]))))
                 for k in STRATEGY_LABELS}
        risk_aversion, cap = map(float, np.asarray(details["allocation.settings"]))
        return cls(equity, weights, stats, risk_aversion, cap,
                   [str(n) for n in np.asarray(details["allocation.notes"]).ravel()])

    def to_json(self) -> dict:
        """The train JSON's `allocation`: latest weights and each strategy's figures."""
        return {"weights": {str(k): float(v) for k, v in self.latest.items() if v > 1e-6},
                "backtest": self.stats, "risk_aversion": self.risk_aversion, "cap": self.cap,
                "rebalances": len(self.weights["strategy"])}


def walk_forward(expected: pd.DataFrame, returns: pd.DataFrame, *, risk_aversion: float = 5.0, cap: float = 0.25,
                 covariance_days: int = COVARIANCE_DAYS, forecast_days: int = FORECAST_DAYS,
                 on_rebalance=None) -> AllocationBacktest:
    """Rebalance monthly over the dates of `expected` (the network's forecast mean return, dates x tickers, each
    made before its date) using `returns` (daily log returns, dates x tickers, the whole history).

    At each rebalance date only returns dated before it and forecasts up to it are read. An asset needs
    `MIN_HISTORY` days of returns to be held; when fewer assets than 1/cap qualify, the cap is raised to 1/N for
    that rebalance (and said in the notes). `on_rebalance(i, n)` reports progress.
    """
    from sklearn.covariance import ledoit_wolf

    check_allocation(risk_aversion, cap)
    dates = pd.DatetimeIndex(expected.index).sort_values()
    returns = returns.sort_index()
    simple = np.expm1(returns.reindex(columns=expected.columns))
    tickers = list(expected.columns)
    rebalances = rebalance_dates(dates)
    if len(rebalances) < 2:
        raise DataError(f"The test period ({dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}) spans fewer than 2 months; "
                        "a monthly walk-forward backtest needs a longer price history.")
    names = tuple(STRATEGY_LABELS)
    held = {k: np.zeros(len(tickers)) for k in names}
    daily = {k: [] for k in names}
    turnover = dict.fromkeys(names, 0.0)
    weights = {k: [] for k in names}
    notes, raised = [], 0
    period = np.searchsorted(rebalances, dates, side="right") - 1  # which rebalance each test date follows
    for i, d in enumerate(rebalances):
        past = simple[simple.index < d].iloc[-covariance_days:]
        ok = (past.notna().sum() >= MIN_HISTORY).to_numpy() & expected.loc[:d].iloc[-1].notna().to_numpy()
        if not ok.any():
            raise DataError(f"No asset has {MIN_HISTORY} days of returns before {d:%Y-%m-%d}; the allocation needs a "
                            "longer history.")
        cov = ledoit_wolf(past.loc[:, ok].fillna(0.0).to_numpy())[0]
        mu = expected.loc[:d].iloc[-forecast_days:].loc[:, ok].mean().fillna(0.0).to_numpy()
        c = max(cap, 1 / ok.sum())
        raised += c > cap
        new = {"strategy": mean_variance_weights(mu, cov, risk_aversion=risk_aversion, cap=c),
               "equal_weight": np.full(ok.sum(), 1 / ok.sum()),
               "minimum_variance": minimum_variance_weights(cov, cap=c)}
        for k in names:
            full = np.zeros(len(tickers))
            full[ok] = new[k]
            if i:
                turnover[k] += float(np.abs(full - held[k]).sum())
            held[k] = full
            weights[k].append(full)
        for day in dates[period == i]:
            r = simple.loc[day].fillna(0.0).to_numpy() if day in simple.index else np.zeros(len(tickers))
            for k in names:
                growth = held[k] * (1 + r)
                daily[k].append(float(growth.sum() - 1))
                held[k] = growth / growth.sum() if growth.sum() > 0 else held[k]
        if on_rebalance is not None:
            on_rebalance(i, len(rebalances))
    if raised:
        notes.append(f"At {raised} rebalance{'s' if raised > 1 else ''} fewer than {int(np.ceil(1 / cap))} assets had "
                     f"{MIN_HISTORY} days of history, so the cap was raised to 1/N.")
    used = dates[period >= 0]
    equity = pd.DataFrame({k: np.cumprod(1 + np.asarray(daily[k])) for k in names}, index=used)
    stats = {k: performance(daily[k], turnover=turnover[k]) for k in names}
    frames = {k: pd.DataFrame(weights[k], index=rebalances, columns=tickers) for k in names}
    notes.insert(0, f"{len(rebalances)} monthly rebalances from {rebalances[0]:%Y-%m-%d}; risk aversion "
                    f"{risk_aversion:g}, at most {cap:.0%} in one asset; solved with cvxpy.")
    return AllocationBacktest(equity, frames, stats, risk_aversion, cap, notes)
