"""The sequence path: windows of daily returns from a price file -> next-day return and its volatility.

Windows are split by date (no look-ahead), scaled on training windows only, fitted with a Gaussian
negative log-likelihood, and scored by forecast metrics and a VaR backtest beside naive and plain baselines.
"""

from __future__ import annotations

import time

import numpy as np

from finmodels.data.tasks import FORECAST
from finmodels.models.architectures import get_architecture
from finmodels.models.seeds import set_seed
from finmodels.models.training.config import TrainConfig
from finmodels.models.training.fitloop import fit_network
from finmodels.models.training.result import TrainingResult

_GAUSSIAN = []


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
    """Windows of daily returns -> next-day return and its volatility; metrics, naive forecast and VaR backtest."""
    from scipy.stats import norm

    from finmodels.evaluation.backtest import var_backtest
    from finmodels.evaluation.metrics import forecast_metrics
    from finmodels.data.sequences import daily_channels, detect_series_columns, fit_sequence_preprocessor, make_windows
    from finmodels.data.splits import chronological_split

    series = detect_series_columns(frame, price=config.target or None)
    windows = make_windows(daily_channels(frame, series), window=int(config.window), channels=series.channels)
    split = chronological_split(windows.dates, test_size=config.test_size, valid_size=config.valid_size)
    pre = fit_sequence_preprocessor(windows, split.train, series=series, window=int(config.window))
    x = pre.scale(windows.x)
    y = windows.y
    scaled = y / pre.target_scale

    set_seed(config.seed)
    settings = config.resolved(len(split.train), sequence=True)
    model = get_architecture(config.arch).build(config.hyper, input_shape=x.shape[1:], n_outputs=2,
                                                output_activation="linear")
    history, fit_seconds, stopped = fit_network(model, gaussian_nll(), config, (x[split.train], scaled[split.train]),
                                                (x[split.valid], scaled[split.valid]), on_epoch=on_epoch,
                                                should_stop=should_stop, settings=settings)
    test = split.test
    out = forecast_outputs(np.asarray(model.predict_on_batch(x[test])), pre.target_scale, config.var_level)
    metrics = forecast_metrics(y[test], out["forecast"])
    backtest = var_backtest(y[test], out["var"], level=config.var_level)
    metrics.update(backtest.metrics())
    naive_var = norm.ppf(config.var_level) * windows.window_std[test]
    details = {"dates": windows.dates[test], "tickers": windows.tickers[test], "actual": y[test],
               "naive": windows.last_return[test], "naive_var": naive_var, **out,
               "train_end": windows.dates[split.train].max()}

    base = {}
    if baselines:
        from finmodels.models.baselines import fit_forecast_baselines

        flat = x.reshape(len(x), -1)
        base = fit_forecast_baselines(flat[split.train], y[split.train], flat[test], y[test], seed=config.seed,
                                      naive=windows.last_return[test], naive_var=naive_var, level=config.var_level)
    return TrainingResult(
        config=config, model=model, preprocessor=pre, frame=frame, y=y, event_label="", split=split,
        history=history, test_scores=out["forecast"], metrics=metrics, baselines=base,
        seconds={"fit": fit_seconds, "total": time.perf_counter() - started}, stopped_early=stopped, kind=FORECAST,
        target_stats=(0.0, pre.target_scale), details=details, backtest=backtest, settings=settings,
        notes=[f"Windows of {config.window} days from '{series.price}'"
               + (f", one series per '{series.ticker}'" if series.ticker else "")
               + f"; split by date: training targets up to {str(windows.dates[split.train].max())[:10]}, "
               f"test from {str(windows.dates[test].min())[:10]}."],
    )
