"""The what-if editor on Explain and the hyperparameter search on Train, in a real browser on German credit: a row
edited, its new score and decision shown and kept with the run for the report; a search of two small trials
watched, its table shown, its best configuration trained with one click. Screenshots at a tall viewport."""

import re

import pytest

from tests.pages.test_browser import TALL, assert_clean, browser, nav, open_app, shot, train_german  # noqa: F401
from tests.pages.browser import wait_idle
from tests.pages.test_browser_runtime import run_in_address, wait_for_new_run
from tests.pages.text_tiles import browser_tile


@pytest.fixture(scope="module")
def trained(browser):  # noqa: F811
    """German credit with one network trained (test_browser's run is the default ensemble): the what-if and the
    search read what follows a run."""
    return train_german(browser, one=True)


def metric(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text()


def top(page, heading: str) -> None:
    """Scroll Streamlit's own container so `heading` is at the top of the screenshot."""
    page.get_by_text(heading, exact=True).first.evaluate("e => e.scrollIntoView({block: 'start'})")


def set_number(page, label: str, value) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Tab")


def test_a_what_if_changes_the_score_and_says_the_decision_and_the_report_keeps_it(trained):  # noqa: F811
    page = trained
    nav(page, "Explain")
    page.get_by_text("What-if for one row").wait_for(timeout=120_000)
    wait_idle(page)
    set_number(page, "Line of the file (2 to 1,001; line 1 is the header)", 5)
    page.get_by_text("Line 5 of the file: edit any value").wait_for(timeout=30_000)
    wait_idle(page)
    set_number(page, "duration_in_month", 60)
    set_number(page, "credit_amount", 25000)
    page.get_by_role("button", name="Score the what-if").click()
    page.get_by_text("Score after").wait_for(timeout=60_000)
    wait_idle(page)
    assert_clean(page, "Explain after a what-if")
    before, after = float(metric(page, "Score before")), float(metric(page, "Score after"))
    assert before != after and 0 <= before <= 1 and 0 <= after <= 1
    # the run's threshold as every page takes it (set on Evaluate, else its least-cost default), named in the caption
    said = page.get_by_text(re.compile(r"the decision \(threshold \d\.\d\d")).first.inner_text()
    at = float(re.search(r"the decision \(threshold (\d\.\d\d)", said).group(1))
    assert browser_tile(page, "Decision after") == ("bad" if after >= at else "not bad")
    decision = page.locator('[data-testid="stAlert"]', has_text=re.compile("The decision (changes|stays)")).first
    assert decision.inner_text().strip().endswith(f"{browser_tile(page, 'Decision after')}.")
    assert page.get_by_text("outside the training range").count() >= 1  # 25,000 is above the largest amount
    assert page.locator('[data-testid="stPlotlyChart"]', has_text="What-if for line 5 of the file").count() == 1
    assert page.locator('[data-testid="stPlotlyChart"]', has_text="change the decision").count() == 1
    top(page, "What-if for one row")
    shot(page, "10_explain_whatif")
    page.get_by_role("button", name="Keep this what-if with the run").click()
    page.get_by_text("Kept with run").wait_for(timeout=30_000)
    nav(page, "Report")
    assert page.get_by_text("the what-ifs kept with this run").count() == 1
    page.get_by_role("button", name="Build the report").click()
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report").click()
    html = open(download.value.path(), encoding="utf-8").read()
    assert "<h2>What-if analyses</h2>" in html and "duration_in_month: 42 → 60" in html


def test_a_search_of_two_trials_shows_its_table_and_trains_the_best(trained):  # noqa: F811
    page = trained
    nav(page, "Train")
    page.get_by_text("Hyperparameter search (optuna)").click()
    set_number(page, "Trials", 0)
    wait_idle(page)
    page.get_by_role("button", name="Start the search").click()
    page.get_by_text("A search runs 1 to 200 trials; got 0").wait_for(timeout=30_000)
    set_number(page, "Trials", 4)
    set_number(page, "Max epochs per trial", 500)
    wait_idle(page)
    page.get_by_role("button", name="Start the search").click()
    page.get_by_role("button", name="Stop the search").click(timeout=30_000)  # live, while trials run
    page.get_by_text(re.compile(r"of 4 trials complete in .* · search stopped · sampler seed \d+")).wait_for(timeout=60_000)
    wait_idle(page)
    assert_clean(page, "Train after stopping a search")
    set_number(page, "Trials", 2)
    set_number(page, "Max epochs per trial", 3)
    wait_idle(page)
    assert page.get_by_text("the test rows were never used for the choice").count() >= 1
    page.get_by_role("button", name="Start the search").click()
    page.get_by_role("button", name="Stop the search").wait_for(timeout=30_000)
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.reload()  # mid-search: the reloaded tab (a new session in the same area) finds the search still running
    page.get_by_text("2 of 2 trials complete").wait_for(timeout=120_000)  # the stopped search's outcome is gone
    # Streamlit's frontend reloaded on a page's own address (/Train) first probes /Train/_stcore/health and
    # host-config, which 404, then the server's root: the browser logs those two, and nothing else may fail
    assert sorted(url.rsplit("/", 1)[-1] for url in missing) == ["health", "host-config"]
    page.console_errors = [e for e in page.console_errors if "status of 404" not in e]
    wait_idle(page)
    assert_clean(page, "Train after the search")
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the trials' table (drawn on a canvas)
    chart = page.locator('[data-testid="stPlotlyChart"]', has_text="Search: validation loss by trial")
    chart.first.wait_for(timeout=30_000)  # the outcome's chart mounts after its text (the fragment ends, the page reruns)
    wait_idle(page)
    assert chart.count() == 1 and "best so far" in chart.inner_text()
    assert page.get_by_text(re.compile(r"Best: trial \d, validation loss 0\.\d{4}")).count() == 1
    top(page, "Hyperparameter search (optuna)")
    shot(page, "11_train_search")
    before = run_in_address(page)
    page.get_by_role("button", name="Train the best configuration").click()
    wait_for_new_run(page, before, timeout=120)
    wait_idle(page)
    assert_clean(page, "Train after training the best")
    nav(page, "Report")  # the new run is the best trial's, and keeps the search
    assert page.get_by_text("the hyperparameter search kept with this run").count() == 1


@pytest.fixture(autouse=True)
def _tall(trained):  # noqa: F811
    trained.set_viewport_size(TALL)
