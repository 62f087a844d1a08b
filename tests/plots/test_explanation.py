"""Explanation charts from a hand-made explanation: trace content, axis titles, and the waterfall's arithmetic."""

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.explanation import Explanation
from finmodels.plots.explanation import (
    plot_beeswarm, plot_dependence, plot_importance, plot_lag_attribution, plot_series_totals, plot_waterfall,
    value_positions,
)


@pytest.fixture(scope="module")
def explanation():
    data = pd.DataFrame({"duration_in_month": [6, 48, 12, 24], "purpose": ["car", "radio", "car", "business"],
                         "age_in_years": [67, 22, 49, 45]})
    values = np.array([[-0.05, 0.01, -0.02], [0.12, 0.03, 0.04], [-0.01, 0.01, 0.0], [0.02, -0.03, 0.01]])
    base = 0.3
    return Explanation("DeepExplainer", list(data.columns), values, base, base + values.sum(axis=1), data, 4, 0.1,
                       output_name="default probability")


@pytest.fixture(scope="module")
def sequence_explanation():
    lag_values = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2) / 100 - 0.05
    values = lag_values.sum(axis=1)
    return Explanation("PermutationExplainer", ["return", "volume"], values, 0.0, values.sum(axis=1),
                       pd.DataFrame({"return": [0.01, -0.02], "volume": [1e9, 2e9]}), 10, 0.1, scale="model output",
                       lag_values=lag_values, lags=[3, 2, 1])


def test_importance_bars_largest_on_top(explanation):
    fig = plot_importance(explanation.importance(), top=2)
    assert list(fig.data[0].y) == ["purpose", "duration_in_month"]  # mean |SHAP| 0.02 < 0.05
    assert fig.layout.xaxis.title.text == "Mean |SHAP value| (probability)"


def test_beeswarm_has_one_trace_per_column_with_values_and_a_colour_for_numbers(explanation):
    fig = plot_beeswarm(explanation, top=3)
    assert [t.name for t in fig.data] == list(explanation.importance().index[::-1])
    duration = next(t for t in fig.data if t.name == "duration_in_month")
    np.testing.assert_allclose(duration.x, explanation.values[:, 0])
    assert list(duration.text) == ["6", "48", "12", "24"]
    np.testing.assert_allclose(duration.marker.color, [0.25, 1.0, 0.5, 0.75])  # low..high
    purpose = next(t for t in fig.data if t.name == "purpose")
    assert isinstance(purpose.marker.color, str)  # text has no low or high
    assert sum(bool(t.marker.showscale) for t in fig.data) == 1
    assert fig.layout.xaxis.title.text == "SHAP value (probability)"


def test_value_positions_are_nan_for_text():
    assert np.isnan(value_positions(pd.Series(["a", "b"]))).all()
    np.testing.assert_allclose(value_positions(pd.Series([3.0, 1.0])), [1.0, 0.5])


def test_dependence_scatter_for_numbers_boxes_for_levels(explanation):
    fig = plot_dependence(explanation, "duration_in_month")
    np.testing.assert_allclose(fig.data[0].x, [6, 48, 12, 24])
    np.testing.assert_allclose(fig.data[0].y, explanation.values[:, 0])
    assert fig.layout.yaxis.title.text == "SHAP value (probability)"
    boxes = plot_dependence(explanation, "purpose")
    assert [t.name for t in boxes.data] == ["business", "car", "radio"]  # levels by mean effect, lowest first
    with pytest.raises(KeyError, match="Column 'income' is not in this explanation. Columns are: duration_in"):
        plot_dependence(explanation, "income")


def test_waterfall_runs_from_base_to_prediction(explanation):
    fig = plot_waterfall(explanation, 1, top=2)
    w = fig.data[0]
    assert list(w.y) == ["Base value", "Duration in month = 48", "Age in years = 22", "1 other column", "Prediction"]
    np.testing.assert_allclose(w.x, [0.3, 0.12, 0.04, 0.03, 0.49])
    assert list(w.measure) == ["absolute", "relative", "relative", "relative", "total"]
    assert w.x[0] + sum(w.x[1:-1]) == pytest.approx(w.x[-1])


def test_lag_heatmap_and_series_totals(sequence_explanation):
    heat = plot_lag_attribution(sequence_explanation)
    assert list(heat.data[0].x) == ["t-3", "t-2", "t-1"] and list(heat.data[0].y) == ["return", "volume"]
    np.testing.assert_allclose(heat.data[0].z, np.abs(sequence_explanation.lag_values).mean(axis=0).T)
    one = plot_lag_attribution(sequence_explanation, row=1)
    np.testing.assert_allclose(one.data[0].z, sequence_explanation.lag_values[1].T)
    bars = plot_series_totals(sequence_explanation, row=0)
    np.testing.assert_allclose(bars.data[0].y, sequence_explanation.lag_values[0].sum(axis=0))
    assert bars.layout.yaxis.title.text == "SHAP (model output)"


def test_lag_heatmap_refuses_a_tabular_explanation(explanation):
    with pytest.raises(ValueError, match="no per-lag values"):
        plot_lag_attribution(explanation)


def test_waterfall_of_a_return_keeps_significant_digits(sequence_explanation):
    fig = plot_waterfall(sequence_explanation, 0)
    prediction = sequence_explanation.predictions[0]
    assert fig.layout.title.text == f"Why this row scores {prediction:.3g} (model output)"
    assert fig.data[0].text[1] == f"{sequence_explanation.values[0][0]:+.3g}"


def test_waterfall_axis_leaves_room_for_the_labels_beyond_the_running_total(explanation):
    fig = plot_waterfall(explanation, 1, top=2)
    x = list(fig.data[0].x)
    path = [x[0]]
    for step in x[1:-1]:
        path.append(path[-1] + step)
    low, high = fig.layout.xaxis.range
    assert high > max(path + [x[-1]]) and low <= min(path + [x[-1]] + [0.0])
