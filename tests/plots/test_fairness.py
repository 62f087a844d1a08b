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
