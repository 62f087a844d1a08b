"""Scorecard charts: information value per feature and one feature's bins."""

import pytest

from finmodels.errors import ConfigError
from finmodels.plots.scorecard import plot_feature_bins, plot_iv


@pytest.fixture(scope="module")
def model(german):
    from finmodels.models.scorecard import fit_scorecard

    y = (german["creditability"] == "bad").astype(int).to_numpy()
    return fit_scorecard(german, y, features=["duration_in_month", "status_of_existing_checking_account",
                                              "telephone"])


def test_iv_bars_strongest_on_top_with_the_usual_lines(model):
    fig = plot_iv(model.iv_table())
    assert list(fig.data[0].y) == ["telephone", "duration_in_month", "status_of_existing_checking_account"]
    assert fig.layout.xaxis.title.text == "Information value (IV)"
    assert [s.x0 for s in fig.layout.shapes] == [0.02, 0.1, 0.3]


def test_one_features_bins(model):
    fig = plot_feature_bins(model.binning_table(), model.points_table(), "duration_in_month")
    assert [t.name for t in fig.data] == ["Rows", "Event rate", "WoE", "Points"]
    assert fig.data[0].x[0].startswith("(-inf") and "Missing" not in fig.data[0].x
    assert sum(fig.data[0].y) == 1000
    assert fig.layout.title.text.startswith("Scorecard bins of 'duration_in_month' (IV 0.")
    with_empty = plot_feature_bins(model.binning_table(), model.points_table(), "duration_in_month", empty=True)
    assert list(with_empty.data[0].x[-2:]) == ["Special", "Missing"]
    with pytest.raises(ConfigError, match="Unknown feature 'age'. The scorecard has: duration_in_month, "):
        plot_feature_bins(model.binning_table(), model.points_table(), "age")
