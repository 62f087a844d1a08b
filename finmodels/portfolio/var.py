"""Portfolio Value-at-Risk from per-asset forecasts and the assets' co-movement, backtested on distinct dates.

The network forecasts each asset's next-day mean return and volatility. With the assets' correlation `C`
(estimated on returns before the test period, shrunk by Ledoit-Wolf), the portfolio's return is normal with
mean `w'mu` and volatility `sqrt((w*sigma)' C (w*sigma))`; its VaR at `level` over `horizon` days is
`z sigma_p sqrt(h) - mu_p h` and its expected shortfall `phi(z)/(1-level) sigma_p sqrt(h) - mu_p h`, both as
positive losses. Each asset's risk contribution is its Euler share of that VaR; the contributions add up to it.

The backtest runs on the portfolio's own return, one per date (or per block of `horizon` days, blocks not
overlapping), beside two baselines: historical simulation (the empirical quantile of the portfolio's last 250
daily returns) and an EWMA volatility (RiskMetrics, lambda 0.94). EWMA rather than a fitted GARCH: it needs no
extra library, has no parameters to fit per run, and is the industry's reference volatility model. Multi-day VaR
of both baselines scales the one-day figure by the square root of the horizon.

A ticker without a price on a date holds its last price (a return of 0); its volatility forecast is carried
forward from its last window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError
from finmodels.evaluation.backtest import VaRBacktest, var_backtest

VAR_LEVELS = (0.95, 0.975, 0.99)
HISTORY_DAYS = 250  # historical simulation's window
EWMA_LAMBDA = 0.94  # RiskMetrics (1996) daily decay
CORRELATION_DAYS = 500  # days of returns before the test period that estimate the correlation
METHOD_LABELS = {"network": "Neural network", "historical_simulation": f"Historical simulation ({HISTORY_DAYS} days)",
                 "ewma": f"EWMA volatility (lambda {EWMA_LAMBDA})"}


def check_horizon(horizon: int) -> int:
    if int(horizon) != horizon or not 1 <= int(horizon) <= 20:
        raise ConfigError(f"VaR horizon must be a whole number of days from 1 to 20; got {horizon}.")
    return int(horizon)


def normal_var_es(mean, vol, *, level: float, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(VaR, expected shortfall) of a normal return with this daily mean and volatility, as positive losses."""
    from scipy.stats import norm

    z = norm.ppf(level)
    h = check_horizon(horizon)
    mean, vol = np.asarray(mean, dtype="float64"), np.asarray(vol, dtype="float64")
    return z * vol * np.sqrt(h) - mean * h, norm.pdf(z) / (1 - level) * vol * np.sqrt(h) - mean * h


def correlation(returns: pd.DataFrame, *, before=None, days: int = CORRELATION_DAYS) -> pd.DataFrame:
    """Ledoit-Wolf shrunk correlation of the daily returns (dates x tickers) dated before `before`, last `days`.

    A missing day counts as a return of 0 (the price carried forward); a ticker with no variation gets
    correlation 0 with the others.
    """
    from sklearn.covariance import ledoit_wolf

    hist = returns if before is None else returns[returns.index < pd.Timestamp(before)]
    hist = hist.iloc[-days:].fillna(0.0)
    if len(hist) < 2:
        return pd.DataFrame(np.eye(returns.shape[1]), index=returns.columns, columns=returns.columns)
    std = hist.std().replace(0.0, np.nan)
    z = ((hist - hist.mean()) / std).fillna(0.0).to_numpy()
    cov = ledoit_wolf(z, assume_centered=True)[0] if z.shape[1] > 1 else np.ones((1, 1))
    d = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
    corr = cov / d[:, None] / d[None, :]
    np.fill_diagonal(corr, 1.0)
    return pd.DataFrame(corr, index=returns.columns, columns=returns.columns)


def portfolio_moments(weights, mean, vol, corr) -> tuple[float, float]:
    """(mean, volatility) of the portfolio's daily return from each asset's and their correlation."""
    w, m, s = (np.asarray(a, dtype="float64") for a in (weights, mean, vol))
    ws = w * s
    return float(w @ m), float(np.sqrt(max(ws @ np.asarray(corr) @ ws, 0.0)))


def risk_contributions(weights: pd.Series, mean: pd.Series, vol: pd.Series, corr: pd.DataFrame, *,
                       level: float, horizon: int = 1) -> pd.DataFrame:
    """Each asset's Euler contribution to the portfolio VaR: ticker, weight, volatility, contribution, share.

    contribution_i = w_i (z sqrt(h) (Sigma w)_i / sigma_p - mu_i h); the contributions add up to the VaR, and
    `share` is each one's fraction of it (a hedge has a negative share). Sorted by contribution, largest first.
    """
    from scipy.stats import norm

    tickers = list(weights.index)
    w = weights.to_numpy("float64")
    m = mean.reindex(tickers).fillna(0.0).to_numpy("float64")
    s = vol.reindex(tickers).to_numpy("float64")
    cov = s[:, None] * corr.loc[tickers, tickers].to_numpy() * s[None, :]
    sigma = float(np.sqrt(max(w @ cov @ w, 0.0)))
    h = check_horizon(horizon)
    marginal = cov @ w / sigma if sigma > 0 else np.zeros_like(w)
    contribution = w * (norm.ppf(level) * np.sqrt(h) * marginal - m * h)
    total = contribution.sum()
    table = pd.DataFrame({"ticker": tickers, "weight": w, "volatility": s, "contribution": contribution,
                          "share": contribution / total if total else np.nan})
    return table.sort_values("contribution", ascending=False, ignore_index=True)


@dataclass
class PortfolioBacktest:
    """One method's portfolio VaR against the portfolio's realised return, per date (or block of days)."""

    key: str
    dates: np.ndarray  # the first day of each period
    returns: np.ndarray  # realised portfolio return over the period (simple)
    var: np.ndarray
    es: np.ndarray
    result: VaRBacktest

    @property
    def label(self) -> str:
        return METHOD_LABELS.get(self.key, self.key)

    def summary(self) -> dict:
        """The figures of the train JSON: days, exceptions, Kupiec and Christoffersen p-values, Basel zone."""
        r = self.result
        return {"days": r.days, "exceptions": r.exceptions, "expected_exceptions": round(r.expected, 3),
                "kupiec_p": r.kupiec_p_value, "christoffersen_p": r.christoffersen_p_value, "zone": r.zone,
                "last_250_zone": r.last_250_zone}


def _backtest(key: str, dates, returns, var, es, level: float) -> PortfolioBacktest:
    return PortfolioBacktest(key, np.asarray(dates), np.asarray(returns), np.asarray(var), np.asarray(es),
                             var_backtest(returns, var, level=level))


def historical_var(history: np.ndarray, positions: np.ndarray, *, level: float, horizon: int = 1,
                   days: int = HISTORY_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """(VaR, ES) at each position of a daily return series from the `days` returns before it (empirical
    quantile; ES is the mean loss beyond it), scaled by sqrt(horizon)."""
    var, es = np.empty(len(positions)), np.empty(len(positions))
    for i, t in enumerate(positions):
        past = history[max(0, t - days):t]
        q = np.quantile(past, 1 - level)
        var[i] = -q
        es[i] = -past[past <= q].mean()
    scale = np.sqrt(check_horizon(horizon))
    return var * scale, es * scale


def ewma_var(history: np.ndarray, positions: np.ndarray, *, level: float, horizon: int = 1,
             lam: float = EWMA_LAMBDA, seed_days: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """(VaR, ES) at each position from the RiskMetrics variance s2_t = lam s2_(t-1) + (1-lam) r_(t-1)^2 (zero mean),
    seeded with the first `seed_days` returns' variance."""
    variance = np.empty(len(history) + 1)
    variance[0] = np.mean(history[:seed_days] ** 2)
    for t in range(len(history)):
        variance[t + 1] = lam * variance[t] + (1 - lam) * history[t] ** 2
    return normal_var_es(0.0, np.sqrt(variance[np.asarray(positions)]), level=level, horizon=horizon)


@dataclass
class PortfolioRisk:
    """A portfolio's VaR forecasts and their backtests (the network and the baselines), each asset's risk
    contribution on the last test date, and each asset's own backtest."""

    weights: pd.Series
    level: float
    horizon: int
    dates: np.ndarray  # test dates
    returns: np.ndarray  # the portfolio's daily return on each test date
    backtests: dict[str, PortfolioBacktest]
    contributions: pd.DataFrame
    assets: pd.DataFrame  # ticker, days, exceptions, kupiec_p, christoffersen_p, zone of each asset's own VaR
    notes: list[str] = field(default_factory=list)

    @property
    def network(self) -> PortfolioBacktest:
        return self.backtests["network"]

    def table(self) -> pd.DataFrame:
        """One row per method: exceptions, expected, Kupiec and Christoffersen p-values, zone."""
        return pd.DataFrame([{"method": b.label, **b.summary()} for b in self.backtests.values()])

    def to_details(self) -> dict[str, np.ndarray]:
        """Plain arrays for a run's details (which a workspace keeps without pickle); `from_details` rebuilds."""
        out = {"portfolio.tickers": np.asarray(self.weights.index, dtype=str),
               "portfolio.weights": self.weights.to_numpy("float64"), "portfolio.dates": self.dates,
               "portfolio.returns": self.returns, "portfolio.horizon": np.asarray(self.horizon),
               "portfolio.notes": np.asarray(self.notes, dtype=str),
               "portfolio.contribution_tickers": self.contributions["ticker"].to_numpy(dtype=str),
               "portfolio.contribution_volatility": self.contributions["volatility"].to_numpy("float64"),
               "portfolio.contribution": self.contributions["contribution"].to_numpy("float64")}
        for key, b in self.backtests.items():
            out.update({f"portfolio.{key}.dates": b.dates, f"portfolio.{key}.returns": b.returns,
                        f"portfolio.{key}.var": b.var, f"portfolio.{key}.es": b.es})
        return out

    @classmethod
    def from_details(cls, details: dict, *, level: float) -> "PortfolioRisk | None":
        """The portfolio of a run's details (None when the run has none); backtests are recomputed from the arrays."""
        if "portfolio.weights" not in details:
            return None
        weights = pd.Series(np.asarray(details["portfolio.weights"], dtype="float64"),
                            index=np.asarray(details["portfolio.tickers"]).astype(str))
        backtests = {key: _backtest(key, details[f"portfolio.{key}.dates"], details[f"portfolio.{key}.returns"],
                                    details[f"portfolio.{key}.var"], details[f"portfolio.{key}.es"], level)
                     for key in METHOD_LABELS if f"portfolio.{key}.var" in details}
        c = np.asarray(details["portfolio.contribution"], dtype="float64")
        tickers = np.asarray(details["portfolio.contribution_tickers"]).astype(str)
        contributions = pd.DataFrame({"ticker": tickers, "weight": weights.reindex(tickers).to_numpy(),
                                      "volatility": np.asarray(details["portfolio.contribution_volatility"]),
                                      "contribution": c, "share": c / c.sum() if c.sum() else np.nan})
        assets = pd.DataFrame()
        if {"dates", "tickers", "actual", "var"} <= set(details):
            assets = asset_backtests(pd.DataFrame({"ticker": np.asarray(details["tickers"]).astype(str),
                                                   "actual": details["actual"], "var": details["var"]}), level=level)
        return cls(weights, level, int(np.asarray(details["portfolio.horizon"])), np.asarray(details["portfolio.dates"]),
                   np.asarray(details["portfolio.returns"]), backtests, contributions, assets,
                   [str(n) for n in np.asarray(details["portfolio.notes"]).ravel()])

    def to_json(self) -> dict:
        """The train JSON's `portfolio`: weights, the network's var_backtest, the baselines', contributions."""
        return {"weights": {str(k): float(v) for k, v in self.weights.items()}, "level": self.level,
                "horizon": self.horizon, "var_backtest": self.network.summary(),
                "baselines": {k: b.summary() for k, b in self.backtests.items() if k != "network"},
                "risk_contributions": {str(r.ticker): float(r.share) for r in self.contributions.itertuples()}}


def _blocks(n: int, horizon: int) -> list[np.ndarray]:
    return [np.arange(s, s + horizon) for s in range(0, n - horizon + 1, horizon)]


def portfolio_risk(forecasts: pd.DataFrame, returns: pd.DataFrame, weights: pd.Series, *, level: float,
                   horizon: int = 1) -> PortfolioRisk:
    """Backtest the portfolio VaR of the network's per-asset forecasts and of the baselines over the test dates.

    `forecasts` has one row per test window: date, ticker, forecast (mean daily log return), volatility, var
    and actual. `returns` are every date's log returns, dates x tickers (`Panel.returns()`); the correlation and
    the baselines read only the dates before each forecast. `weights` (ticker -> weight) must add up to 1.
    """
    if level not in VAR_LEVELS and not 0.5 < level < 1:
        raise ConfigError(f"VaR level must be between 0.5 and 1 (e.g. 0.99); got {level}.")
    h = check_horizon(horizon)
    tickers = list(weights.index)
    missing = [t for t in tickers if t not in returns.columns]
    if missing:
        raise DataError(f"The portfolio holds {', '.join(missing[:10])}, which have no returns in the price file.")
    returns = returns[tickers].sort_index()
    test_dates = pd.DatetimeIndex(np.sort(pd.unique(forecasts["date"])))
    start = test_dates[0]
    simple = np.expm1(returns.fillna(0.0))
    port = simple.to_numpy() @ weights.to_numpy("float64")  # daily rebalanced to the weights
    daily = pd.Series(port, index=returns.index)
    at = returns.index.get_indexer(test_dates)
    if (at < 0).any():
        raise DataError("Some forecast dates are not dates of the price file.")
    if at[0] < 2:
        raise DataError("The test period starts on the file's first days; there is no history to estimate the "
                        "assets' co-movement. Use a longer price history.")
    corr = correlation(returns, before=start)
    mean = forecasts.pivot(index="date", columns="ticker", values="forecast").reindex(test_dates, columns=tickers)
    vol = forecasts.pivot(index="date", columns="ticker", values="volatility").reindex(test_dates, columns=tickers)
    fallback = returns[returns.index < start].std()
    vol = vol.ffill().fillna(fallback).fillna(fallback.mean())
    mean = mean.fillna(0.0)
    w = weights.to_numpy("float64")
    ws = vol.to_numpy() * w[None, :]
    c = corr.to_numpy()
    sigma_p = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", ws, c, ws), 0.0, None))
    mu_p = mean.to_numpy() @ w

    blocks = _blocks(len(test_dates), h)
    first = np.array([b[0] for b in blocks], dtype=int)
    realised = np.array([np.prod(1 + daily.to_numpy()[at[b]]) - 1 for b in blocks])
    block_dates = test_dates[first].to_numpy()
    backtests = {}
    var, es = normal_var_es(mu_p[first], sigma_p[first], level=level, horizon=h)
    backtests["network"] = _backtest("network", block_dates, realised, var, es, level)
    history = daily.to_numpy()
    var, es = historical_var(history, at[first], level=level, horizon=h)
    backtests["historical_simulation"] = _backtest("historical_simulation", block_dates, realised, var, es, level)
    var, es = ewma_var(history, at[first], level=level, horizon=h)
    backtests["ewma"] = _backtest("ewma", block_dates, realised, var, es, level)

    contributions = risk_contributions(weights, mean.iloc[-1], vol.iloc[-1], corr, level=level, horizon=h)
    held = (f"Portfolio of {len(tickers)} assets; correlation from {min(CORRELATION_DAYS, int(at[0]))} days of "
            f"returns before {start:%Y-%m-%d} (Ledoit-Wolf); backtested" if len(tickers) > 1
            else "One series, so no portfolio and no correlation to estimate: its own VaR, backtested")
    notes = [f"{held} on {len(blocks)} " + (f"periods of {h} days" if h > 1 else "dates") + f" from {start:%Y-%m-%d}."]
    if at[0] < HISTORY_DAYS:
        notes.append(f"Historical simulation has {int(at[0])} days of history at the first test date, fewer than "
                     f"{HISTORY_DAYS}.")
    return PortfolioRisk(weights, level, h, test_dates.to_numpy(), history[at], backtests, contributions,
                         asset_backtests(forecasts, level=level), notes)


def asset_backtests(forecasts: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Each asset's own one-day VaR backtest on its test dates: ticker, days, exceptions, p-values, zone."""
    rows = []
    for ticker, g in forecasts.groupby("ticker", sort=True):
        bt = var_backtest(g["actual"].to_numpy(), g["var"].to_numpy(), level=level)
        rows.append({"ticker": ticker, "days": bt.days, "exceptions": bt.exceptions,
                     "expected_exceptions": round(bt.expected, 2), "kupiec_p": bt.kupiec_p_value,
                     "christoffersen_p": bt.christoffersen_p_value, "zone": bt.zone})
    return pd.DataFrame(rows)
