"""The least-cost threshold is one threshold with one cost on the Evaluate page and in the report (a new user's finding
at costs 10 / 1 on credit_risk_dataset.csv: the tile said 'Least-cost threshold 0.081', the slider sat at 0.08 and its
text called 0.08 'the least-cost threshold at these costs'; the report said 'expected cost per row 0.359 (least
possible at these costs: 0.356, at threshold 0.081)', a threshold the slider's steps of 0.01 cannot reach)."""

import re

from finmodels.evaluation.thresholds import CostMatrix, decisions_at, least_cost_on_grid
from tests.pages.test_pages import page

STEP = 0.01  # the slider's (finmodels.evaluation.thresholds.THRESHOLD_STEP)


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def test_the_tile_the_slider_the_text_and_the_report_name_one_least_cost_threshold(credit_state):
    state = dict(credit_state)
    run = state["run"]
    y, scores = run.y_test, run.test_scores
    at = page("pages/3_Evaluate.py", state)
    at.number_input(key="evaluate_fn_cost").set_value(10.0).run()
    assert not at.exception
    costs = CostMatrix(10, 1)
    least = least_cost_on_grid(y, scores, costs=costs, step=STEP)
    cost = decisions_at(y, scores, least, costs=costs).cost
    slider = at.slider(key="evaluate_threshold")
    assert slider.value == least and slider.proto.step == STEP  # the slider reaches it
    tile = metric(at, "Least-cost threshold")
    assert tile.value == f"{least:.2f}"  # before: '0.081' (the exact least-cost score) beside a slider at 0.08
    assert f"Expected cost {cost:.3f} per row" in tile.help
    spent = metric(at, "Expected cost per row")
    assert spent.value == f"{cost:.3f}" and not spent.proto.delta  # at the least cost: no penalty shown
    assert f"{cost:.3f} per row, at threshold {least:.2f}" in spent.help
    kept_text = next(c.value for c in at.caption if c.value.startswith("Threshold **"))
    assert kept_text.startswith(f"Threshold **{least:.2f}** (the least-cost threshold at these costs; costs 10 and 1)")
    # no cheaper step: the least cost is the least over every step the slider offers
    steps = [round(t * STEP, 10) for t in range(1, round(1 / STEP))]
    assert cost <= min(decisions_at(y, scores, t, costs=costs).cost for t in steps) + 1e-12

    at.switch_page("pages/7_Report.py").run()
    at.button(key="report_build").click().run()
    assert not at.exception
    html = at.session_state["report_html"]
    row = re.search(r"<td>expected cost per row</td>\s*<td>(.*?)</td>", html).group(1)
    # before: '0.359 (least possible at these costs: 0.356, at threshold 0.081)'
    assert row == (f"{cost:.3f} (least possible at these costs, in the threshold's steps of 0.01: {cost:.3f}, at "
                   f"threshold {least:.2f})")
    assert f"<td>{least:.2f} (" in html
