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
    # the lines were drawn across the bars' values ('0.093' on credit_risk_dataset): now under them, each value haloed
    assert {s.layer for s in fig.layout.shapes} == {"below"} and fig.data[0].textfont.shadow == "auto"


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


def test_every_points_label_has_room_above_its_marker(credit_risk_card):
    """A new user's finding 17: on credit_risk_dataset's loan_percent_income, the first bin's points label ('72',
    drawn above its marker) was cut off at the top of the lower chart. The points axis now leaves a quarter of its
    span above the highest point, and the labels are the points shown."""
    card = credit_risk_card
    fig = plot_feature_bins(card.binning_table(), card.points_table(), "loan_percent_income")
    trace = next(t for t in fig.data if t.name == "Points")
    axis = fig.layout["yaxis" + trace.yaxis[1:]]
    values = [v for v in trace.y if v == v]
    span = max(values) - min(values)
    assert span > 10 and list(trace.text) == [f"{v:.0f}" for v in trace.y]
    assert axis.title.text == "Points" and axis.range is not None
    assert axis.range[1] >= max(values) + 0.2 * span and axis.range[0] < min(values)
    assert axis.showgrid is False  # its grid lines crossed the WoE bars beside the WoE axis's own


@pytest.fixture(scope="module")
def credit_risk_card():
    import pandas as pd

    from finmodels.models.scorecard import fit_scorecard
    from tests.conftest import SHARED_DATASETS

    frame = pd.read_csv(SHARED_DATASETS / "credit_risk_dataset.csv")
    return fit_scorecard(frame, frame["loan_status"].to_numpy(), features=["loan_percent_income", "loan_grade"])
