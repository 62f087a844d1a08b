"""Fairness charts: the rates per group and the adverse impact ratio against the four-fifths line."""

import numpy as np
import pandas as pd

from finmodels.evaluation.fairness import fairness_report
from finmodels.plots.fairness import plot_adverse_impact, plot_group_rates
from finmodels.plots.style import EVENT_COLOR, NONEVENT_COLOR


def _report(outcomes=True):
    frame = pd.DataFrame({"sex": ["f"] * 40 + ["m"] * 60})
    scores = np.r_[np.linspace(0.0, 0.9, 40), np.linspace(0.0, 0.5, 60)]
    y = np.r_[np.tile([0, 1], 20), np.tile([0, 0, 1], 20)]
    return fairness_report(frame, scores, protected="sex", outcomes=y if outcomes else None, threshold=0.45)


def test_rates_chart_has_one_trace_per_rate_and_one_bar_per_group():
    fig = plot_group_rates(_report())
    assert [t.name for t in fig.data] == ["Approval rate", "True-positive rate", "False-positive rate", "AUC"]
    assert list(fig.data[0].x) == ["m", "f"]
    assert fig.layout.title.text == "Decisions and errors by 'sex' at threshold 0.45"
    assert fig.layout.yaxis.title.text == "Rate"
    assert [t.name for t in plot_group_rates(_report(outcomes=False)).data] == ["Approval rate"]


def test_adverse_impact_chart_marks_groups_under_four_fifths():
    report = _report()
    assert report.reference == "m" and report.flagged == ["f"]
    fig = plot_adverse_impact(report)
    bars = fig.data[0]
    assert list(bars.x) == ["m", "f"] and bars.y[0] == 1.0 and bars.y[1] < 0.8
    assert list(bars.marker.color) == [NONEVENT_COLOR, EVENT_COLOR]
    assert fig.layout.shapes[0].y0 == 0.8
    assert fig.layout.title.text == "Adverse impact ratio by 'sex' (against 'm')"


def test_the_four_fifths_line_is_named_in_the_legend_not_across_the_bars():
    """A new user's finding 18: on credit_risk_dataset by person_age every group's ratio is about 0.96-1.00, and the
    line's name, written at its right end, lay across the last bar. It is now a legend entry above the chart, and
    no text is drawn in the plot area but the bars' own values."""
    import pandas as pd

    from tests.conftest import SHARED_DATASETS

    frame = pd.read_csv(SHARED_DATASETS / "credit_risk_dataset.csv")
    rng = np.random.default_rng(0)
    scores = np.clip(frame["loan_percent_income"].to_numpy() + rng.normal(0, 0.1, len(frame)), 0, 1)
    report = fairness_report(frame, scores, protected="person_age", outcomes=frame["loan_status"].to_numpy(),
                             threshold=0.5)
    fig = plot_adverse_impact(report)
    assert min(fig.data[0].y) > 0.8  # every bar reaches above the line, where its name was written
    assert fig.layout.annotations == ()
    assert [(t.name, t.showlegend) for t in fig.data] == [("Adverse impact ratio", False),
                                                          ("four-fifths rule (0.8)", None)]
    assert fig.data[1].line.dash == "dot" and fig.layout.shapes[0].line.dash == "dot"
    for chart, rows in ((fig, 1), (plot_group_rates(report), 2)):  # four rates wrap onto two rows in half a page
        assert chart.layout.legend.orientation == "h" and chart.layout.legend.y > 1  # above the plot, not beside it
        assert chart.layout.margin.t >= 60 + 28 * rows and chart.layout.title.yanchor == "top"  # room for the title and the legend row under it
