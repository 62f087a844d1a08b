"""The Governance page on German credit in a real browser (a new user's findings, screenshots 25 and 26): the
protected columns that read like ones are suggested (personal_status_and_sex, age_in_years, foreign_worker), a
column's small groups can be merged on the page, and the merged groups are analysed and said."""

import re
import tempfile

from tests.pages.browser import SCREENSHOTS, app_server, chromium_browser, wait_idle
from tests.pages.test_browser_runtime import load, open_page, press_train

MALE = ["male : single", "male : married/widowed", "male : divorced/separated"]


def test_governance_suggests_protected_columns_and_merges_small_groups():
    workspace = tempfile.mkdtemp(prefix="finmodels-governance-browser-")
    with app_server(env={"FINMODELS_WORKSPACE": workspace}, log="governance_browser.log") as (url, _), \
            chromium_browser() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        page.goto(url)
        page.wait_for_selector('h1:has-text("Risk model studio")', timeout=90_000)
        wait_idle(page)
        load(page, "german_credit")
        press_train(page)
        open_page(page, "Governance")
        chosen = page.locator('[data-testid="stMultiSelect"]', has_text="Protected columns").first
        assert re.findall(r"personal_status_and_sex|age_in_years|foreign_worker", chosen.inner_text()) == [
            "personal_status_and_sex", "age_in_years", "foreign_worker"]
        assert page.get_by_text("Protected column 'personal_status_and_sex' has 2 groups under 30 rows").count() == 1
        picker = page.locator('[data-testid="stMultiSelect"]', has_text="Group 1: values to combine").first
        for value in MALE:
            picker.click()
            page.get_by_role("option", name=f"{value} (").first.click()
            wait_idle(page)
        name = page.get_by_label("Name of group 1")
        name.fill("male")
        name.press("Enter")
        wait_idle(page)
        page.keyboard.press("Escape")
        wait_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        note = page.get_by_text(re.compile(r"Groups of 'personal_status_and_sex' merged by the analyst: 'male : "
                                           r"single', 'male : married/widowed', 'male : divorced/separated' into "
                                           r"'male' \(\d+ rows\)\."))
        note.wait_for(timeout=30_000)
        assert page.get_by_text("Protected column 'personal_status_and_sex' has 2 groups under 30 rows").count() == 0
        assert page.get_by_text("with 2 groups a merge leaves one, so score more rows with this column").count() == 1
        page.screenshot(path=str(SCREENSHOTS / "governance_merged.png"))
