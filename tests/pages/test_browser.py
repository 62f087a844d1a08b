"""The analyst's whole journey in a real browser on German credit, with a screenshot of every page.

Timings (Train pressed -> metrics shown, page switches) are measured and written to
tests/screenshots/timings.json and printed; they are never asserted (STYLE: benchmarks, not timed tests).
"""

import json
import time

import pandas as pd
import pytest

from finmodels.data.samples import get_sample
from tests.pages.browser import SCREENSHOTS, CHROMIUM_FLAGS, chromium_path, streamlit_server, wait_idle

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def browser_page():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector('h1:has-text("Risk model studio")', timeout=60_000)
        wait_idle(page)
        TIMINGS["first load (s)"] = time.perf_counter() - start
        yield page
        browser.close()
        (SCREENSHOTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2))
        print("\nbrowser timings:", json.dumps({k: round(v, 2) for k, v in TIMINGS.items()}))


def nav(page, label: str, *, heading: str | None = None, name: str | None = None) -> float:
    """Open a page from the sidebar; returns the seconds until its script finished."""
    start = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(f'h1:has-text("{heading or label}")', timeout=30_000)
    wait_idle(page)
    seconds = time.perf_counter() - start
    TIMINGS[name or f"switch to {label} (s)"] = seconds
    return seconds


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_whole_journey_on_german_credit(browser_page, tmp_path):
    page = browser_page
    page.get_by_role("button", name="Load sample").wait_for(timeout=30_000)  # the home page has rendered
    shot(page, "01_home")

    nav(page, "Data")
    page.set_input_files('input[type="file"]', str(get_sample("german_credit").path))
    page.get_by_role("heading", name="german_credit.csv").wait_for(timeout=30_000)
    wait_idle(page)
    shot(page, "02_data")

    nav(page, "Train")
    start = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Held-out test results").wait_for(timeout=120_000)
    TIMINGS["train pressed -> metrics shown (s)"] = time.perf_counter() - start
    wait_idle(page)
    auc_tile = page.locator('[data-testid="stMetric"]', has_text="ROC AUC")
    auc = float(auc_tile.locator('[data-testid="stMetricValue"]').inner_text())
    assert 0.7 < auc <= 1.0
    shot(page, "03_train")

    nav(page, "Evaluate")
    evaluate_auc = page.locator('[data-testid="stMetric"]', has_text="ROC AUC").locator('[data-testid="stMetricValue"]')
    assert float(evaluate_auc.inner_text()) == auc
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2
    shot(page, "04_evaluate")

    nav(page, "Explain")
    page.get_by_text("Which columns drive the model").wait_for(timeout=120_000)
    wait_idle(page)
    importance = page.locator('[data-testid="stPlotlyChart"]').first
    assert "status_of_existing_checking_account" in importance.inner_text()
    shot(page, "05_explain")
    page.get_by_text("Reason codes").wait_for(timeout=30_000)
    assert page.get_by_text("raised default probability").count() >= 1
    page.get_by_text("Reason codes").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "05b_explain_row.png"))

    nav(page, "Score")
    new_file = tmp_path / "new_applications.csv"
    german = pd.read_csv(get_sample("german_credit").path)
    german.drop(columns="creditability").sample(150, random_state=1).to_csv(new_file, index=False)
    page.set_input_files('input[type="file"]', str(new_file))
    page.get_by_text("new_applications.csv: 150 rows scored").wait_for(timeout=120_000)
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the scored rows (CSV)").click()
    scored = pd.read_csv(download.value.path())
    assert len(scored) == 150 and "probability of 'bad'" in scored.columns and "reason codes" in scored.columns
    shot(page, "06_score")

    nav(page, "Runs")
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 1
    shot(page, "07_runs")

    nav(page, "Report")
    page.get_by_role("button", name="Build the report").click()
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report").click()
    html = open(download.value.path(), encoding="utf-8").read()
    assert html.startswith("<!DOCTYPE html>") and "Metrics against the baselines" in html
    shot(page, "08_report")

    nav(page, "Home", heading="Risk model studio")
    for label in ("Data", "Train", "Evaluate", "Explain", "Score", "Runs", "Report"):  # warm: a switch after first load
        nav(page, label, name=f"revisit {label} (s)")
