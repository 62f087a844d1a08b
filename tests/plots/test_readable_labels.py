"""Chart text a new user found cut or overlapping: the scorecard's largest information value ('0.65-' at the plot's
edge), the confusion matrix's long class names (rotated across each other) and the correlation heatmap's column
names (slanted over their neighbours)."""

import pandas as pd

from finmodels.plots.data import plot_correlation
from finmodels.plots.evaluation import plot_confusion_matrix
from finmodels.plots.scorecard import plot_iv
from finmodels.plots.style import wrap_label


def test_the_largest_information_value_has_room_for_its_label():
    table = pd.DataFrame({"feature": ["status_of_existing_checking_account", "credit_history", "job"],
                          "iv": [0.654, 0.342, 0.008], "strength": ["strong", "strong", "not predictive"]})
    fig = plot_iv(table)
    low, high = fig.layout.xaxis.range
    assert low == 0 and high >= 0.654 * 1.15  # '0.654' printed beside the bar fits inside the axis
    small = plot_iv(table.assign(iv=[0.05, 0.03, 0.01]))
    assert small.layout.xaxis.range[1] >= 0.3  # the 0.3 line stays in view


def test_long_class_names_are_wrapped_level_in_the_confusion_matrix():
    labels = ["not (default_payment_next_month = 1)", "default_payment_next_month = 1"]
    fig = plot_confusion_matrix([[2816, 1857], [275, 1052]], labels)
    assert fig.layout.xaxis.tickangle == 0
    assert list(fig.layout.xaxis.ticktext) == ["not<br>(default_payment_next_month<br>= 1)",
                                               "default_payment_next_month<br>= 1"]
    assert list(fig.layout.yaxis.ticktext) == list(fig.layout.xaxis.ticktext)
    assert list(fig.data[0].x) == labels  # the cells and their hover keep the full names
    assert wrap_label("bad") == "bad"


def test_correlation_column_names_stand_upright_with_room_below():
    names = ["LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1", "default_payment_next_month"]
    frame = pd.DataFrame({n: [1.0, 2.0, 3.0, 5.0, 4.0][::1 if i % 2 else -1] for i, n in enumerate(names)})
    fig = plot_correlation(frame, names)
    assert fig.layout.xaxis.tickangle == -90 and fig.layout.xaxis.automargin
    assert list(fig.layout.xaxis.ticktext) == names
    assert fig.layout.height >= 180 + 22 * len(names) + 7 * len("default_payment_next_month")
