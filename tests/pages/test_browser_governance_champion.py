"""Governance in a real browser after two runs, the first promoted (new user's trial 4, findings 4 and 5): the page
names the run it analyses and warns that the champion is another run; 'Open the champion here' makes the champion
the current run, and the document it writes names that run as the champion. Screenshots: governance_other_run.png,
governance_champion_opened.png."""

import re
import tempfile

from tests.pages.browser import SCREENSHOTS, app_server, chromium_browser, wait_idle
from tests.pages.test_browser_runtime import load, open_page, press_train, run_in_address


def test_governance_names_its_run_and_opens_the_champion():
    workspace = tempfile.mkdtemp(prefix="finmodels-governance-champion-")
    with app_server(env={"FINMODELS_WORKSPACE": workspace}, log="governance_champion.log") as (url, _), \
            chromium_browser() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        page.goto(url)
        page.wait_for_selector('h1:has-text("Risk model studio")', timeout=90_000)
        wait_idle(page)
        load(page, "german_credit")
        press_train(page)
        first = run_in_address(page)
        open_page(page, "Runs")
        page.get_by_role("button", name="Promote to champion").click()
        wait_idle(page)
        press_train(page)
        second = run_in_address(page)
        assert first and second and first != second
        open_page(page, "Governance")
        page.get_by_text(re.compile(r"Analysing Dense network \(MLP\) for 'creditability'")).wait_for(timeout=30_000)
        assert page.get_by_text(f"run {second[:8]}").count() >= 1 or second[:8] in page.inner_text("body")
        warning = page.get_by_text("This is not the area's champion")
        assert warning.count() == 1 and first[:8] in warning.inner_text()
        page.wait_for_timeout(1500)
        wait_idle(page)
        page.screenshot(path=str(SCREENSHOTS / "governance_other_run.png"))
        page.get_by_role("button", name="Open the champion here").click()
        page.get_by_text(f"Opened the champion, run {first[:8]}").wait_for(timeout=60_000)
        wait_idle(page)
        assert run_in_address(page) == first
        assert page.get_by_text("This is not the area's champion").count() == 0
        assert "the champion of this area" in page.inner_text("body")
        page.get_by_role("button", name="Write the model document").click()
        page.get_by_role("button", name="Download the model document (HTML)").wait_for(timeout=180_000)
        wait_idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the model document (HTML)").click()
        text = open(download.value.path(), encoding="utf-8").read()
        assert f"Model document: Credit default model · run {first[:8]}" in text
        assert "yes: the champion of area" in text.replace("&#x27;", "'")
        (SCREENSHOTS / "governance_champion_document.html").write_text(text, encoding="utf-8")
        page.wait_for_timeout(1500)
        wait_idle(page)
        page.screenshot(path=str(SCREENSHOTS / "governance_champion_opened.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
