"""The sequence path: windows of daily returns from a price file -> next-day return and its volatility.

A price file is read as a panel (`finmodels.data.panels`: one series per ticker, long or wide). Windows never cross
tickers and are split by one date for all tickers (no look-ahead), scaled on training windows only, fitted with a
Gaussian negative log-likelihood, and scored by forecast metrics beside naive and plain baselines. The portfolio
(equal weight, or the config's holdings) is the unit of market risk: its VaR from the per-asset forecasts is
backtested on distinct dates beside historical simulation and EWMA (`finmodels.portfolio`); an asset allocation
run adds the monthly walk-forward allocation. Stage notes ('Fitting the network...') go to the `note` method of
the object whose `on_epoch` is given (the worker's Channel, the command line's progress printer).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from finmodels.data.tasks import FORECAST
from finmodels.models.architectures import get_architecture
from finmodels.models.seeds import set_seed
from finmodels.models.training.config import TrainConfig
from finmodels.models.training.fitloop import fit_network
from finmodels.models.training.result import TrainingResult

_GAUSSIAN = []

# From this many training windows (a panel of many tickers) the default batch grows: at 64 windows a step an epoch of
# 376,000 windows is 5,900 steps. With 1,024 an LSTM epoch took about 8 s here, and the 500-ticker benchmark
# (python -m finmodels.bench --panel) trained end to end in 150 s (16 epochs).
LARGE_PANEL_WINDOWS = 50_000
LARGE_PANEL_BATCH, LARGE_PANEL_LR = 1024, 3e-3
PREDICT_CHUNK = 65_536


def stage_hook(on_epoch):
    """The `note(text)` of the object `on_epoch` belongs to, or a no-op: how training reports its stages."""
    note = getattr(getattr(on_epoch, "__self__", None), "note", None)
    return note if callable(note) else (lambda text: None)


def _predict(model, x: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(model.predict_on_batch(x[i:i + PREDICT_CHUNK]))
                           for i in range(0, len(x), PREDICT_CHUNK)])


def gaussian_nll():
    """Loss for a two-column output (mean, log variance): the negative log-likelihood of a normal return.

    Registered by name so a saved forecast model loads in safe mode without code from the file.
    """
    if _GAUSSIAN:
        return _GAUSSIAN[0]
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="finmodels", name="gaussian_nll")
    def _gaussian_nll(y_true, y_pred):
        mean, log_var = y_pred[:, 0], ops.clip(y_pred[:, 1], -12.0, 12.0)
        y = ops.reshape(ops.cast(y_true, mean.dtype), ops.shape(mean))
        return ops.mean(0.5 * (log_var + ops.square(y - mean) / ops.exp(log_var)))

    _GAUSSIAN.append(_gaussian_nll)
    return _gaussian_nll


def forecast_outputs(raw: np.ndarray, target_scale: float, level: float) -> dict[str, np.ndarray]:
    """Forecast mean return, volatility and the normal VaR at `level` (a positive loss) from the network's output."""
    from scipy.stats import norm

    mean = raw[:, 0] * target_scale
    vol = np.sqrt(np.exp(np.clip(raw[:, 1], -12.0, 12.0))) * target_scale
    return {"forecast": mean, "volatility": vol, "var": norm.ppf(level) * vol - mean}


def train_forecast(frame, config: TrainConfig, *, on_epoch, should_stop, baselines: bool, started: float):
    """Windows of daily returns -> next-day return and its volatility; metrics, baselines, portfolio VaR backtest
    (and, for asset allocation, the walk-forward allocation)."""
    from scipy.stats import norm

    from finmodels.data.panels import read_panel
    from finmodels.data.sequences import fit_sequence_preprocessor, make_windows
    from finmodels.data.splits import chronological_split
    from finmodels.evaluation.backtest import var_backtest
    from finmodels.evaluation.metrics import forecast_metrics

    note = stage_hook(on_epoch)
    note("Reading the price file as one series per ticker...")
    panel = read_panel(frame, price=config.target or None, window=int(config.window))
    series = panel.series
    note(f"Cutting windows of {config.window} days from {len(panel.tickers):,} series...")
    windows = make_windows(panel.days, window=int(config.window), channels=series.channels)
    split = chronological_split(windows.dates, test_size=config.test_size, valid_size=config.valid_size)
    pre = fit_sequence_preprocessor(windows, split.train, series=series, window=int(config.window))
    x = pre.scale(windows.x)
    y = windows.y
    scaled = y / pre.target_scale

    set_seed(config.seed)
    settings = _fit_settings(config, len(split.train))
    model = get_architecture(config.arch).build(config.hyper, input_shape=x.shape[1:], n_outputs=2,
                                                output_activation="linear")
    note(f"Fitting the network on {len(split.train):,} windows...")
    history, fit_seconds, stopped = fit_network(model, gaussian_nll(), config, (x[split.train], scaled[split.train]),
                                                (x[split.valid], scaled[split.valid]), on_epoch=on_epoch,
                                                should_stop=should_stop, settings=settings)
    test = split.test
    note(f"Forecasting {len(test):,} test windows...")
    out = forecast_outputs(_predict(model, x[test]), pre.target_scale, config.var_level)
    metrics = forecast_metrics(y[test], out["forecast"])
    backtest = var_backtest(y[test], out["var"], level=config.var_level)
    naive_var = norm.ppf(config.var_level) * windows.window_std[test]
    details = {"dates": windows.dates[test], "tickers": windows.tickers[test].astype(str), "actual": y[test],
               "naive": windows.last_return[test], "naive_var": naive_var, **out,
               "labels": windows.labels(test).astype(str), "train_end": windows.dates[split.train].max()}
    notes = [f"Windows of {config.window} days from '{series.price}'"
             + (f", one series per '{series.ticker}'" if series.ticker else "")
             + f"; split by date: training targets up to {str(windows.dates[split.train].max())[:10]}, "
             f"test from {str(windows.dates[test].min())[:10]}.", *panel.notes]

    note("Backtesting the portfolio's VaR beside historical simulation and EWMA...")
    risk = _portfolio(panel, details, config)
    details.update(risk.to_details())  # plain arrays, kept by the workspace; finmodels.portfolio.portfolio_of rebuilds
    notes += risk.notes
    if len(panel.tickers) > 1:  # stock-days of many tickers pooled are not a backtest: the portfolio's dates are
        backtest = risk.network.result
    metrics.update(backtest.metrics())
    if config.task == "asset_allocation":
        notes += _allocation(panel, details, config, note)

    base = {}
    if baselines:
        from finmodels.models.baselines import fit_forecast_baselines

        note("Fitting the baselines...")
        flat = x.reshape(len(x), -1)
        base = fit_forecast_baselines(flat[split.train], y[split.train], flat[test], y[test], seed=config.seed,
                                      naive=windows.last_return[test], naive_var=naive_var, level=config.var_level)
    return TrainingResult(
        config=config, model=model, preprocessor=pre, frame=panel.frame, y=y, event_label="", split=split,
        history=history, test_scores=out["forecast"], metrics=metrics, baselines=base,
        seconds={"fit": fit_seconds, "total": time.perf_counter() - started}, stopped_early=stopped, kind=FORECAST,
        target_stats=(0.0, pre.target_scale), details=details, backtest=backtest, settings=settings, notes=notes,
    )


def _fit_settings(config: TrainConfig, train_windows: int):
    """The fit's settings for this many training windows: a large panel's default batch and learning rate grow."""
    settings = config.resolved(train_windows, sequence=True)
    if train_windows >= LARGE_PANEL_WINDOWS and config.batch_size is None and config.learning_rate is None:
        settings = dataclasses.replace(settings, batch_size=LARGE_PANEL_BATCH, learning_rate=LARGE_PANEL_LR)
    return settings


def _allocation(panel, details: dict, config: TrainConfig, note) -> list[str]:
    """An asset allocation run's monthly walk-forward allocation from the test forecasts, added to `details`;
    returns its notes (one series: nothing to allocate between)."""
    if len(panel.tickers) < 2:
        return ["One series only: there is nothing to allocate between."]
    from finmodels.portfolio.allocation import walk_forward

    note("Walk-forward allocation: mean-variance, equal weight and minimum variance, monthly...")
    expected = pd.DataFrame({"date": details["dates"], "ticker": details["tickers"],
                             "forecast": details["forecast"]}).pivot(index="date", columns="ticker", values="forecast")
    allocation = walk_forward(expected, panel.returns(), risk_aversion=config.risk_aversion, cap=config.cap)
    details.update(allocation.to_details())
    return list(allocation.notes)


def _portfolio(panel, details: dict, config: TrainConfig):
    """The portfolio's VaR backtest: the config's holdings, else equal weight over the panel's tickers."""
    from finmodels.data.holdings import equal_weights
    from finmodels.data.panels import check_tickers
    from finmodels.portfolio.var import portfolio_risk

    if config.holdings:
        weights = pd.Series(dict(config.holdings), dtype="float64")
        check_tickers(weights.index, panel)
    else:
        weights = equal_weights(panel.tickers)
    forecasts = pd.DataFrame({k: details[k] for k in ("dates", "tickers", "forecast", "volatility", "var", "actual")})
    forecasts = forecasts.rename(columns={"dates": "date", "tickers": "ticker"})
    return portfolio_risk(forecasts, panel.returns(), weights, level=config.var_level, horizon=int(config.horizon))
