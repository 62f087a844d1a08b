import numpy as np

from finmodels.explain import explain_result, group_values
from finmodels.plots.explanation import plot_importance


def test_group_values_sums_expanded_inputs():
    values = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    columns, summed = group_values(values, {"age": [0], "purpose": [1, 2]})
    assert columns == ["age", "purpose"]
    np.testing.assert_allclose(summed, [[1.0, 5.0], [0.5, -0.5]])


def test_explanation_is_in_the_20_original_german_columns(german_run, german):
    e = explain_result(german_run, rows=50, background=50)
    features = [c for c in german.columns if c != "creditability"]
    assert sorted(e.columns) == sorted(features)
    assert e.values.shape == (50, 20)
    assert list(e.data.columns) == e.columns and e.data["purpose"].dtype != float  # original, unscaled values
    importance = e.importance()
    assert importance.iloc[0] > 0 and importance.is_monotonic_decreasing
    # expected gradients are approximately additive: base + contributions close to the prediction
    assert e.additivity_error < 0.2


def test_importance_chart_lists_the_top_columns_largest_on_top(german_run):
    e = explain_result(german_run, rows=20, background=20)
    fig = plot_importance(e.importance(), top=5)
    assert list(fig.data[0].y)[::-1] == [str(c) for c in e.importance().index[:5]]
    assert fig.layout.xaxis.title.text.startswith("Mean |SHAP value|")
