"""A market-risk run's explanation reads in percent (a new user's finding: '2.3µ' on the importance axis, '0.0664702'
in the waterfall, '0.066470176' in the contributions table, and a reason code 'by 0.01' beside a bar of +0.00613):
the summary, importance, waterfall, per-lag chart, reason codes and contributions table all write a return alike."""

import re

import numpy as np
import pytest

from finmodels.explain.explanation import explain_result
from finmodels.explain.units import percent, percent_ticks, value_text
from finmodels.plots.explanation import plot_importance, plot_lag_attribution, plot_waterfall

SI = re.compile(r"\d[µmn]\b")  # an SI prefix after a number ('450µ', '2.3m')


@pytest.fixture(scope="module")
def explained():
    """A tiny LSTM's explanation on the first 300 days of the shipped S&P 500 index, windows of 10 days."""
    from finmodels.data.samples import load_sample
    from finmodels.models.architectures import LSTMConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target=None, task="market_risk", arch="lstm", window=10, epochs=2, seed=0,
                         hyperparameters=LSTMConfig(units=(4,), dense_units=4))
    run = train(load_sample("sp500_index").head(300), config)
    return explain_result(run, rows=12, background=10, pairs=1)


@pytest.mark.parametrize("value, text, signed", [
    (0.00613, "0.61%", "+0.61%"), (-0.00325, "-0.33%", "-0.33%"), (-0.000101, "-0.010%", "-0.010%"),
    (0.000318, "0.032%", "+0.032%"), (0.0664702, "6.65%", "+6.65%"), (0.00004, "0.0040%", "+0.0040%"),
    (0.0, "0%", "0%"),
])
def test_a_return_reads_in_percent_with_two_decimals_or_two_significant_digits(value, text, signed):
    assert percent(value) == text and percent(value, sign=True) == signed


def test_only_a_forecasts_return_series_are_percent():
    assert value_text("log_range", 0.0664702, "return") == "6.65%"
    assert value_text("volume", 1.5e9, "return") == "1,500,000,000"  # not a return
    assert value_text("return", 0.0213, "probability") == "0.0213"  # not a forecast's explanation


def test_axis_ticks_have_the_decimals_their_steps_need():
    assert percent_ticks([0.0, 0.00045]) == {"tickformat": ".3~%"}  # steps of 0.005%
    assert percent_ticks([0.000318, 0.0064]) == {"tickformat": ".2~%"}
    assert percent_ticks([0.01, -0.04]) == {"tickformat": ".1~%"}


def test_summary_reason_codes_and_contributions_speak_in_percent(explained):
    assert explained.scale == "return"
    summary = explained.summary()
    assert f"base value {percent(explained.base_value)}." in summary and not SI.search(summary)
    assert re.search(r"Additivity error \S+% \(tolerance \S+%\)", summary)
    row = int(np.argmax(explained.values.max(axis=1)))
    table = explained.contributions(row)
    raw = dict(zip(explained.columns, explained.values[row]))
    assert list(table["contribution"]) == [percent(raw[c], sign=True) for c in table["column"]]
    assert list(table["value"]) == [percent(explained.data.iloc[row][c]) for c in table["column"]]
    order = [abs(raw[c]) for c in table["column"]]
    assert order == sorted(order, reverse=True)
    codes = explained.reason_codes(row)
    assert codes, "the row with the largest contribution has a reason"
    top = max(raw, key=raw.get)
    latest = percent(explained.data.iloc[row][top])
    assert codes[0].endswith(f"(latest {latest}) raised predicted next-day return by {percent(raw[top])}")
    assert explained.output_text(explained.predictions[row]) == percent(explained.predictions[row])


def test_charts_label_returns_in_percent(explained):
    importance = plot_importance(explained.importance(), unit=explained.scale)
    assert importance.layout.xaxis.tickformat.endswith("~%")
    assert list(importance.data[0].text) == [percent(v) for v in importance.data[0].x]
    row = 0
    waterfall = plot_waterfall(explained, row).data[0]
    steps = waterfall.x[1:-1]
    assert list(waterfall.text) == [percent(explained.base_value), *[percent(s, sign=True) for s in steps],
                                     percent(explained.predictions[row])]
    assert all(re.fullmatch(r"\w+ = -?[\d.]+%", label) for label in waterfall.y[1:-1] if " = " in label)
    layout = plot_waterfall(explained, row).layout
    assert layout.xaxis.tickformat.endswith("~%") and percent(explained.predictions[row]) in layout.title.text
    heat = plot_lag_attribution(explained).data[0]
    assert heat.colorbar.tickformat.endswith("~%") and heat.hovertemplate.endswith("%{z:.3~%}<extra></extra>")


def test_the_forecast_and_var_backtest_charts_read_returns_in_percent():
    from finmodels.plots import evaluation as ev

    dates = ["2018-01-02", "2018-01-03", "2018-01-04"]
    forecast = ev.plot_forecast(dates, [0.01, -0.02, 0.0], [0.0, 0.0, 0.01])
    assert (forecast.layout.yaxis.tickformat, forecast.layout.yaxis.hoverformat) == (".1%", ".2%")
    assert ev.plot_forecast(dates, [1, 2, 3], [1, 2, 2], unit="price").layout.yaxis.tickformat is None
    backtest = ev.plot_var_backtest(dates, [0.01, -0.05, -0.01], [0.02, 0.02, 0.02])
    assert (backtest.layout.yaxis.tickformat, backtest.layout.yaxis.hoverformat) == (".1%", ".2%")
