"""Next-day forecasts from a fitted market-risk run and a price file: each asset's expected return, volatility,
VaR and expected shortfall for the day after the file ends, and the portfolio's, with risk contributions.

The network reads each ticker's last window; the co-movement is the correlation of the file's last 250 days of
returns (Ledoit-Wolf), as for the backtest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError
from finmodels.portfolio.var import correlation, normal_var_es, portfolio_moments, risk_contributions

FORECAST_CORRELATION_DAYS = 250


@dataclass
class NextDayForecast:
    """Per asset (`assets`: ticker, last_date, last_price, weight, expected_return, volatility, var, es) and for
    the portfolio (`portfolio`: expected_return, volatility, var, es), over `horizon` days at `level`."""

    as_of: pd.Timestamp
    level: float
    horizon: int
    assets: pd.DataFrame
    portfolio: dict[str, float]
    contributions: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"as_of": f"{self.as_of:%Y-%m-%d}", "level": self.level, "horizon": self.horizon,
                "portfolio": self.portfolio,
                "assets": self.assets.assign(last_date=self.assets["last_date"].dt.strftime("%Y-%m-%d"))
                .to_dict("records")}


def _parts(source):
    model, pre = getattr(source, "model", None), getattr(source, "preprocessor", None)
    config = source.config if hasattr(source, "config") else source.train_config()
    if model is None:
        raise ConfigError("This run's network is not in this process; attach it first "
                          "(finmodels.runtime.worker.attached) or load its bundle.")
    if not hasattr(pre, "series"):
        raise ConfigError("Next-day forecasts need a market risk or asset allocation run (a price-window model); "
                          "this run scores table rows.")
    return model, pre, config


def forecast_next(source, frame: pd.DataFrame, *, weights: dict[str, float] | pd.Series | None = None,
                  level: float | None = None, horizon: int | None = None) -> NextDayForecast:
    """Forecast the day after `frame` ends, per asset and for the portfolio.

    `source` is a TrainingResult with its model, or a loaded bundle. `weights` (ticker -> weight) default to the
    run's holdings, else equal weight over the file's tickers; `level` and `horizon` default to the run's.
    """
    from scipy.stats import norm

    from finmodels.data.panels import to_long
    from finmodels.data.sequences import daily_channels, latest_windows

    model, pre, config = _parts(source)
    level = float(level if level is not None else config.var_level)
    horizon = int(horizon if horizon is not None else getattr(config, "horizon", 1))
    long, _ = to_long(frame, price=None)
    days = daily_channels(long, pre.series)
    x, table = latest_windows(days, window=pre.window, channels=pre.series.channels)
    raw = np.asarray(model.predict_on_batch(pre.scale(x)))
    mean = raw[:, 0] * pre.target_scale
    vol = np.sqrt(np.exp(np.clip(raw[:, 1], -12.0, 12.0))) * pre.target_scale
    var, es = normal_var_es(mean, vol, level=level, horizon=horizon)
    tickers = table["ticker"].tolist()
    if weights is None:
        weights = getattr(config, "holdings", None) or {t: 1 / len(tickers) for t in tickers}
    w = pd.Series(dict(weights), dtype="float64")
    from finmodels.data.holdings import read_holdings

    read_holdings(pd.DataFrame({"ticker": w.index, "weight": w.to_numpy()}), tickers=tickers)  # names unknown ones
    w = w.reindex(tickers).fillna(0.0)
    table = table.assign(weight=w.to_numpy(), expected_return=mean * horizon, volatility=vol * np.sqrt(horizon),
                         var=var, es=es)
    returns = days.pivot(index="date", columns="ticker", values="return").reindex(columns=tickers)
    corr = correlation(returns, days=FORECAST_CORRELATION_DAYS)
    mu_p, sigma_p = portfolio_moments(w.to_numpy(), mean, vol, corr.to_numpy())
    p_var, p_es = normal_var_es(mu_p, sigma_p, level=level, horizon=horizon)
    as_of = pd.Timestamp(table["last_date"].max())
    stale = table[table["last_date"] < as_of]
    notes = [f"Next {'day' if horizon == 1 else f'{horizon} days'} after {as_of:%Y-%m-%d}; VaR at {level:.1%}."]
    if len(stale):
        notes.append(f"{len(stale)} ticker{'s' if len(stale) > 1 else ''} end before {as_of:%Y-%m-%d} "
                     f"({', '.join(stale['ticker'].iloc[:5])}); their forecast starts from their own last day.")
    z = norm.ppf(level)
    return NextDayForecast(
        as_of, level, horizon, table,
        {"expected_return": float(mu_p * horizon), "volatility": float(sigma_p * np.sqrt(horizon)), "var": float(p_var),
         "es": float(p_es), "z": float(z)},
        risk_contributions(w, pd.Series(mean, index=tickers), pd.Series(vol, index=tickers), corr, level=level,
                           horizon=horizon), notes)
