"""Explanation charts from a hand-made explanation: trace content, axis titles, and the waterfall's arithmetic."""

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.explanation import Explanation
from finmodels.plots.explanation import (
    dependence_view, plot_beeswarm, plot_dependence, plot_importance, plot_lag_attribution, plot_series_totals,
    plot_waterfall, value_positions,
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
    # the columns' own names, as the importance, beeswarm and dependence charts show them
    assert list(w.y) == ["Base value", "duration_in_month = 48", "age_in_years = 22", "1 other column", "Prediction"]
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


@pytest.fixture(scope="module")
def outlier_explanation():
    """200 incomes between 20 and 119 (thousands) and one near 3,000, whose SHAP value follows the value."""
    income = np.r_[20 + np.arange(200) % 100, 2950.0]
    data = pd.DataFrame({"income": income, "age": 20 + np.arange(201) % 50})
    values = np.c_[-income / 10_000, np.zeros(201)]
    return Explanation("DeepExplainer", ["income", "age"], values, 0.2, 0.2 + values.sum(axis=1), data, 50, 0.1,
                       output_name="default probability")


def test_dependence_view_clips_an_outlier_and_says_so_on_the_chart(outlier_explanation):
    fig = plot_dependence(outlier_explanation, "income")
    low, high = fig.layout.xaxis.range
    lo, hi = np.quantile(outlier_explanation.data["income"], [0.01, 0.99])
    assert (low, high) == pytest.approx((lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)))
    assert len(fig.data[0].x) == 200 and max(fig.data[0].x) == 119  # the 2,950 row is left out of the view
    assert fig.layout.title.text == (
        "Effect of income on the default probability<br><sup>Showing the 1st to 99th percentile of income: 1 of 201 "
        "rows lie outside this view (up to 2950).</sup>")


def test_dependence_view_widens_to_every_row_on_request(outlier_explanation):
    fig = plot_dependence(outlier_explanation, "income", clip=None)
    assert len(fig.data[0].x) == 201 and max(fig.data[0].x) == 2950
    assert fig.layout.xaxis.range is None and fig.layout.title.text == "Effect of income on the default probability"
    wider = plot_dependence(outlier_explanation, "income", clip=(0.0, 1.0))
    assert len(wider.data[0].x) == 201 and "<sup>" not in wider.layout.title.text


def test_a_column_without_outliers_is_shown_whole(outlier_explanation, explanation):
    fig = plot_dependence(outlier_explanation, "age")
    assert len(fig.data[0].x) == 201 and fig.layout.xaxis.range is None and "<sup>" not in fig.layout.title.text
    assert plot_dependence(explanation, "duration_in_month").layout.xaxis.range is None


@pytest.mark.parametrize("values,clip,view", [
    ([1.0] * 200 + [900.0], (0.01, 0.99), None),  # one value in most rows: nothing to clip to
    ([-3000.0] + list(range(100)), (0.01, 0.99), pytest.approx((-9.8, 107.8))),  # an outlier below: 0 to 98, +-10%
    (list(range(100)) + [np.nan], (0.05, 0.95), None),
])
def test_dependence_view_cases(values, clip, view):
    assert dependence_view(values, clip) == view


def test_the_subtitle_names_outliers_on_both_sides():
    income = np.r_[-2500.0, np.arange(300) % 100, 4100.0]
    data = pd.DataFrame({"income": income})
    e = Explanation("DeepExplainer", ["income"], (income / 1e4)[:, None], 0.1, 0.1 + income / 1e4, data, 10, 0.1)
    title = plot_dependence(e, "income").layout.title.text
    assert title.endswith("Showing the 1st to 99th percentile of income: 2 of 302 rows lie outside this view (down to "
                          "-2500 and up to 4100).</sup>")
