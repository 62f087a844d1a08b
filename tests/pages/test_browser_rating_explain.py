"""A new user's rating run in a real browser (corporate_rating.csv, credit rating): after a change of 'Class to
explain' the row picker read the old line ('Markel Corporation · 2016-03-29 · probability of 'BBB' 0.538') while
the waterfall explained that row's 0.001 of 'CC/C/D'; Streamlit kept the chosen row and the browser kept the line it
showed. The picker now moves to the new class's top row, and the box and the chart name the same probability.

One dense network, 5 epochs. Screenshots (1400x2400) land in tests/screenshots/rating_explain_*.png.
"""

import re
import tempfile

import pytest

from tests.conftest import SHARED_DATASETS
from tests.pages.browser import SCREENSHOTS, app_server, chromium_browser, one_network, wait_idle

DATA = SHARED_DATASETS / "corporate_rating.csv"
TALL = {"width": 1400, "height": 2400}
PROBABILITY = re.compile(r"probability of '(?P<cls>[^']+)' (?P<p>\d\.\d{3})$")


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser


def go(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(f'h1:has-text("{label}")', timeout=60_000)
    wait_idle(page, 300_000)
    assert page.locator('[data-testid="stException"]').count() == 0, label


def selected(page, label: str) -> str:
    """The line the select box labelled `label` shows."""
    return page.locator('[data-testid="stSelectbox"]', has_text=label).first.locator(
        'input[role="combobox"]').input_value()


def choose(page, label: str, option: str) -> None:
    page.locator('[data-testid="stSelectbox"]', has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page, 300_000)


def waterfall_title(page) -> str:
    return page.locator(".js-plotly-plot .gtitle", has_text=" scores ").first.text_content()


def test_a_new_class_moves_the_row_picker_to_its_top_row_and_the_box_names_the_charts_probability(chromium):
    with app_server(env={"FINMODELS_WORKSPACE": tempfile.mkdtemp(prefix="finmodels-rating-explain-")},
                    log="streamlit_rating_explain.log") as (url, _):
        page = chromium.new_context(viewport=TALL).new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        wait_idle(page, 90_000)
        go(page, "Data")
        page.set_input_files('input[type="file"]', str(DATA))
        page.get_by_role("heading", name=DATA.name).wait_for(timeout=90_000)
        wait_idle(page, 90_000)
        if not selected(page, "Target column").startswith("Rating"):
            choose(page, "Target column", "Rating")
        go(page, "Train")
        one_network(page)
        field = page.get_by_label("Max epochs", exact=True)
        field.fill("5")
        field.press("Tab")
        wait_idle(page)
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_text("Held-out test results").wait_for(timeout=600_000)
        wait_idle(page, 90_000)
        go(page, "Explain")
        page.get_by_text("Reason codes").first.wait_for(timeout=300_000)
        wait_idle(page)
        before = selected(page, "Row (explained rows")
        assert PROBABILITY.search(before)["cls"] == "BBB"
        assert re.search(r" · actual \S+, predicted \S+ · ", before)
        choose(page, "Class to explain", "CC/C/D")
        page.get_by_text("highest probability of 'CC/C/D' first").wait_for(timeout=300_000)
        wait_idle(page)
        page.screenshot(path=str(SCREENSHOTS / "rating_explain_class_changed.png"), full_page=True)
        shown = selected(page, "Row (explained rows")
        assert shown != before and PROBABILITY.search(shown)["cls"] == "CC/C/D", shown
        name = shown.split(" · actual ")[0]  # 'line 812 of the file · <company> · <date>', as the picker names it
        assert waterfall_title(page) == f"Why {name} scores {PROBABILITY.search(shown)['p']} (probability)"
        # the new class's top row: the first line of the open list
        page.locator('[data-testid="stSelectbox"]', has_text="Row (explained rows").first.click()
        assert page.get_by_role("option").first.inner_text() == shown
        page.screenshot(path=str(SCREENSHOTS / "rating_explain_picker_open.png"), full_page=True)
        page.keyboard.press("Escape")
        assert page.get_by_text("this is an ordinal model").count() == 1
