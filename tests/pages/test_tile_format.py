"""Headline metric tiles read alike (a new user saw KS '0.5' beside AUC '0.786') and colour a worse network red,
R² included (its pill was grey when the network was worse than the baseline)."""

import pytest

from ui.results import delta_colour, tile_number


@pytest.mark.parametrize("value, text", [(0.5, "0.500"), (0.7864, "0.786"), (-0.07925, "-0.079"), (0.53, "0.530"),
                                         (12.3456, "12.346"), (0.0004, "0.000"), (4512.4, "4,512"), (1.0, "1.000")])
def test_every_tile_has_three_decimals(value, text):
    assert tile_number(value) == text


@pytest.mark.parametrize("name, diff, poor, colour", [
    ("r2", -0.026, True, "normal"),  # worse than the baseline and than the mean: red (was 'off', grey)
    ("r2", 0.01, True, "off"),  # ahead of the baseline but still below the mean: never green
    ("r2", 0.01, False, "normal"),
    ("ks", -0.02, False, "normal"),
    ("rmse", 0.002, False, "inverse"),  # a larger error is worse: red
    ("brier", -0.01, False, "inverse"),
])
def test_a_worse_network_is_red_whatever_the_metric(name, diff, poor, colour):
    assert delta_colour(name, diff, poor=poor) == colour


def test_the_evaluate_pages_tiles_all_have_three_decimals(credit_state):
    from tests.pages.test_pages import page

    at = page("pages/3_Evaluate.py", credit_state)
    assert not at.exception
    run = credit_state["run"]
    shown = {m.label: m.value for m in at.metric}
    for name, key in (("ROC AUC", "roc_auc"), ("KS", "ks"), ("Brier score", "brier"), ("Gini", "gini")):
        assert shown[name] == f"{run.metrics[key]:.3f}", name
