"""SHAP charts of a Taiwan run (first 5,000 rows) with EDUCATION set to 'categorical', as a new user's trial set it.
The dependence view drew EDUCATION on a number axis (1, 1.5, 2 ...) and hid codes 4 to 6 as outliers ('Showing
the 1st to 99th percentile'); importance showed 20 of 23 columns and the beeswarm 12 without saying which were
left out; the Data page's heatmap still correlated EDUCATION's codes."""

import numpy as np
import pytest

from finmodels.plots.data import plot_correlation
from finmodels.plots.explanation import plot_beeswarm, plot_dependence, plot_importance

TARGET = "default_payment_next_month"


@pytest.fixture(scope="module")
def taiwan(taiwan_5k):
    return taiwan_5k


@pytest.fixture(scope="module")
def explained(taiwan_coded_run):
    from finmodels.explain.explanation import explain_result

    return taiwan_coded_run, explain_result(taiwan_coded_run, rows=400, seed=0)


def test_a_categorical_code_is_drawn_per_level_with_every_row(explained):
    from ui.explain_views import level_columns

    run, explanation = explained
    assert level_columns(run) == ("EDUCATION",)
    fig = plot_dependence(explanation, "EDUCATION", categories=level_columns(run))
    codes = explanation.data["EDUCATION"]
    levels = [str(v) for v in sorted(codes.unique())]
    assert [t.name for t in fig.data] == levels  # the codes in their order, spelt '2' (level_text), not 2.0
    assert sum(len(t.y) for t in fig.data) == len(explanation.data)  # no row trimmed as an outlier
    assert fig.layout.xaxis.type == "category" and list(fig.layout.xaxis.categoryarray) == levels
    counts = codes.value_counts()
    assert list(fig.layout.xaxis.ticktext) == [
        f"{v}<br>{counts[int(v)]:,} row{'s' if counts[int(v)] != 1 else ''}" for v in levels]
    i = explanation.columns.index("EDUCATION")
    two = next(t for t in fig.data if t.name == "2")
    np.testing.assert_allclose(sorted(two.y), sorted(explanation.values[(codes == 2).to_numpy(), i]))
    assert "percentile" not in fig.layout.title.text
    assert fig.layout.title.subtitle.text.startswith(
        "EDUCATION is read as categories in this run (its codes have no order): one box per level")
    thin = [v for v in levels if counts[int(v)] < 20]
    assert thin and f"Under 20 explained rows: {', '.join(thin)}, thin evidence" in fig.layout.title.subtitle.text
    for trace in fig.data:  # quartiles of fewer than 5 rows mean nothing: their dots alone
        assert trace.line.width == (2 if len(trace.y) >= 5 else 0)


def test_a_number_is_still_a_scatter_in_its_bulk(explained):
    run, explanation = explained
    from ui.explain_views import level_columns

    fig = plot_dependence(explanation, "LIMIT_BAL", categories=level_columns(run))
    assert fig.data[0].type == "scatter" and fig.layout.xaxis.type != "category"


def test_importance_and_beeswarm_name_the_columns_they_leave_out(explained):
    _, explanation = explained
    ranked = list(explanation.importance().index)
    assert len(ranked) == 23
    fig = plot_importance(explanation.importance(), unit=explanation.scale)
    assert len(fig.data[0].y) == 20
    rest = ranked[20:]
    assert fig.layout.title.subtitle.text == (
        f"The 20 most important of 23 columns; the other 3, less important: {', '.join(rest)}.")
    assert len(plot_importance(explanation.importance(), top=None).data[0].y) == 23
    assert not plot_importance(explanation.importance(), top=None).layout.title.subtitle.text
    swarm = plot_beeswarm(explanation)
    assert len(swarm.data) == 12
    note = swarm.layout.title.subtitle.text.replace("<br>", " ")
    assert note == f"The 12 most important of 23 columns; the other 11, less important: {', '.join(ranked[12:])}."
    every = plot_beeswarm(explanation, top=None, categories=("EDUCATION",))
    assert len(every.data) == 23
    assert every.layout.title.subtitle.text == "Grey dots: EDUCATION, categories with no low or high."
    codes = next(t for t in every.data if t.name == "EDUCATION")
    assert isinstance(codes.marker.color, str)  # codes have no low or high: grey, as text
    assert not isinstance(next(t for t in every.data if t.name == "MARRIAGE").marker.color, str)


def test_the_heatmap_leaves_out_a_column_set_to_categorical(taiwan):
    columns = [c for c in taiwan.columns if c != "ID"]
    plain = plot_correlation(taiwan, columns)
    assert "EDUCATION" in plain.data[0].y  # before: the codes' correlation, with no order to it
    fig = plot_correlation(taiwan, columns, categorical=("EDUCATION",))
    assert list(fig.data[0].y) == [c for c in plain.data[0].y if c != "EDUCATION"]
    assert fig.layout.title.subtitle.text == "Left out, set to 'categorical' (codes without an order): EDUCATION."
