"""The analyst's path in a real browser: upload German credit, train with defaults, see ROC AUC and SHAP."""

import pytest

from finmodels.samples import get_sample
from tests.browser import SCREENSHOTS, CHROMIUM_FLAGS, chromium_path, streamlit_server, wait_idle


@pytest.fixture(scope="module")
def browser_page():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        wait_idle(page)
        yield page
        browser.close()


def nav(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(f'h1:has-text("{label}")', timeout=30_000)
    wait_idle(page)


def test_upload_train_and_see_auc_and_shap(browser_page):
    page = browser_page
    page.screenshot(path=str(SCREENSHOTS / "01_home.png"), full_page=True)

    nav(page, "Data")
    page.set_input_files('input[type="file"]', str(get_sample("german_credit").path))
    page.get_by_role("heading", name="german_credit.csv").wait_for(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(SCREENSHOTS / "02_data.png"), full_page=True)

    nav(page, "Train")
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Held-out test results").wait_for(timeout=120_000)
    wait_idle(page)
    auc_tile = page.locator('[data-testid="stMetric"]', has_text="ROC AUC")
    auc = float(auc_tile.locator('[data-testid="stMetricValue"]').inner_text())
    assert 0.7 < auc <= 1.0
    page.screenshot(path=str(SCREENSHOTS / "03_train.png"), full_page=True)

    nav(page, "Evaluate")
    page.get_by_text("Network against the baselines").wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "04_evaluate.png"), full_page=True)

    nav(page, "Explain")
    page.get_by_text("Which columns drive the model").wait_for(timeout=120_000)
    wait_idle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]')
    assert chart.count() == 1
    assert "status_of_existing_checking_account" in chart.first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "05_explain.png"), full_page=True)
