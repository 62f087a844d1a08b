"""The least-cost threshold is one threshold with one cost on the Evaluate page and in the report (a new user's finding
at costs 10 / 1 on credit_risk_dataset.csv: the tile said 'Least-cost threshold 0.081', the slider sat at 0.08 and its
text called 0.08 'the least-cost threshold at these costs'; the report said 'expected cost per row 0.359 (least
possible at these costs: 0.356, at threshold 0.081)', a threshold the slider's steps of 0.01 cannot reach)."""

import re

from finmodels.evaluation.threshold_basis import threshold_basis
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
    # chosen on rows outside the test rows (out-of-fold or validation), measured on the test rows
    basis = threshold_basis(run)
    assert not basis.on_test
    least = least_cost_on_grid(basis.labels, basis.scores, costs=costs, step=STEP)
    chosen_cost = decisions_at(basis.labels, basis.scores, least, costs=costs).cost
    cost = decisions_at(y, scores, least, costs=costs).cost
    slider = at.slider(key="evaluate_threshold")
    assert slider.value == least and slider.proto.step == STEP  # the slider reaches it
    tile = metric(at, "Least-cost threshold")
    assert tile.value == f"{least:.2f}"  # before: '0.081' (the exact least-cost score) beside a slider at 0.08
    assert f"Chosen on {basis.phrase()}, where its expected cost is {chosen_cost:.3f} per row" in tile.help
    spent = metric(at, "Expected cost per row")
    assert spent.value == f"{cost:.3f}" and not spent.proto.delta  # at the least-cost threshold: no penalty shown
    assert f"The least-cost threshold {least:.2f} costs {cost:.3f} per test row." in spent.help
    assert any(c.value.startswith(f"The least-cost threshold is chosen on {basis.phrase()}; the figures below are on "
                                  f"the {len(y):,} test rows it was not chosen on") for c in at.caption)
    kept_text = next(c.value for c in at.caption if c.value.startswith("Threshold **"))
    assert kept_text.startswith(f"Threshold **{least:.2f}** (the least-cost threshold at these costs; costs 10 and 1)")
    # no cheaper step on the rows it is chosen on: the least over every step the slider offers
    steps = [round(t * STEP, 10) for t in range(1, round(1 / STEP))]
    assert chosen_cost <= min(decisions_at(basis.labels, basis.scores, t, costs=costs).cost for t in steps) + 1e-12

    at.switch_page("pages/7_Report.py").run()
    at.button(key="report_build").click().run()
    assert not at.exception
    html = at.session_state["report_html"]
    row = re.search(r"<td>expected cost per row on the ([0-9,]+) test rows</td>\s*<td>(.*?)</td>", html)
    assert row.group(1) == f"{len(y):,}" and row.group(2) == f"{cost:.3f}"
    least_row = re.search(r"<td>least-cost threshold at these costs</td>\s*<td>(.*?)</td>", html).group(1)
    assert least_row.startswith(f"{least:.2f}, chosen on the ") and f"(costs {cost:.3f} per test row)" in least_row
    assert f"<td>{least:.2f} (" in html
