"""A new tab keeps the analyst's work, in a real browser on the real server (a new user's two findings):

- an area page's address typed in a new tab (`/Evaluate`, `/Report`, without `?data=` or `?run=`, even without
  `?area=`) shows the upload and the latest run the other tab made, not 'No data loaded yet';
- the explanation computed on Explain is kept with the run: the Report opened in a new tab, and after a restart of
  the server, lists it and its HTML holds the reason codes Explain showed.

German credit (/work/shared/datasets' file, shipped as a sample), uploaded; a small blend of 2 + 2 networks, 5 epochs.
Screenshots (1400x2400) go to tests/screenshots/area_tabs_*.png.
"""

import html
import re
import tempfile

import pytest

from finmodels.data.samples import get_sample
from tests.pages.browser import SCREENSHOTS, app_server, chromium_browser, free_port, wait_idle

TALL = {"width": 1400, "height": 2400}
WORKSPACE = tempfile.mkdtemp(prefix="finmodels-area-tabs-")


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser


def opened(context, url: str, heading: str):
    """A new tab of `context` (the same browser: its cookies) on `url`, once its script has run."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(f'h1:has-text("{heading}")', timeout=90_000)
    wait_idle(page, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0, heading
    return page


def nav(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(f'h1:has-text("{label}")', timeout=60_000)
    wait_idle(page, timeout=300_000)
    assert page.locator('[data-testid="stException"]').count() == 0, label


def query(page, key: str) -> str:
    found = re.search(rf"[?&]{key}=([^&]+)", page.url)
    return found.group(1) if found else ""


def reason_codes(page) -> list[str]:
    """The reason codes the Explain page shows beside the chosen row's waterfall."""
    return page.locator('[data-testid="stColumn"]', has_text="Reason codes").last.locator("li").all_inner_texts()


def report_html(page) -> str:
    page.get_by_role("button", name="Build the report").click()
    wait_idle(page, timeout=120_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report").click()
    return open(download.value.path(), encoding="utf-8").read()


def test_a_new_tab_shows_the_areas_upload_run_and_explanation_and_the_report_keeps_it(chromium):
    port = free_port()
    with app_server(port=port, env={"FINMODELS_WORKSPACE": WORKSPACE}, log="streamlit_area_tabs.log") as (url, _):
        context = chromium.new_context(viewport=TALL, accept_downloads=True)
        first = opened(context, url, "Risk model studio")
        written = first.locator("[data-testid='stElementContainer']:has(script.area-cookie)")
        assert written.count() == 1 and not written.is_visible()  # the cookie's writer leaves no line in the sidebar
        nav(first, "Data")
        first.set_input_files('input[type="file"]', str(get_sample("german_credit").path))
        first.get_by_role("heading", name="german_credit.csv").wait_for(timeout=60_000)
        wait_idle(first)
        nav(first, "Train")
        for label, value in (("Cross-fitted networks", 2), ("Max epochs", 5)):
            field = first.get_by_label(label, exact=True)
            field.fill(str(value))
            field.press("Tab")
            wait_idle(first)
        first.get_by_role("button", name="Train", exact=True).click()
        first.get_by_text("Held-out test results").wait_for(timeout=600_000)
        wait_idle(first)
        area, run = query(first, "area"), query(first, "run")
        assert area and len(run) == 32
        nav(first, "Explain")
        first.get_by_text("Reason codes").first.wait_for(timeout=300_000)
        wait_idle(first)
        shown = reason_codes(first)
        assert len(shown) >= 1  # the highest-scored row's

        # typed in a new tab of the same browser: no area, no data, no run in the address
        evaluate = opened(context, f"{url}/Evaluate", "Evaluate")
        assert evaluate.get_by_text("No data loaded yet").count() == 0
        assert query(evaluate, "area") == area and query(evaluate, "run") == run
        assert query(evaluate, "data") == query(first, "data")
        note = evaluate.locator('[data-testid="stAlert"]', has_text="opened without a data set or run").inner_text()
        assert "german_credit.csv" in note and run[:8] in note
        evaluate.screenshot(path=str(SCREENSHOTS / "area_tabs_evaluate.png"), full_page=True)

        report = opened(context, f"{url}/Report", "Report")
        assert report.get_by_text("what drives the model, with reason codes").count() == 1
        assert report.get_by_text("not yet what drives the model").count() == 0
        report.screenshot(path=str(SCREENSHOTS / "area_tabs_report.png"), full_page=True)
        page = report_html(report)
        assert "<h2>What drives the model</h2>" in page
        assert all(html.escape(code) in page for code in shown), shown  # the very reason codes Explain showed

        # an area's address without data or run, as a bookmark of it reads
        explain = opened(context, f"{url}/Explain?area={area}", "Explain")
        explain.get_by_text("Reason codes").first.wait_for(timeout=60_000)
        assert reason_codes(explain) == shown
        assert explain.get_by_text("Computing SHAP values").count() == 0

        # a colleague's link opens their area in its tab, and this browser's next tab is still its own area
        colleague = opened(context, f"{url}/Runs?area=colleague-{area[-5:]}", "Runs")
        assert query(colleague, "area") == f"colleague-{area[-5:]}"
        assert colleague.locator("script.area-cookie").count() == 0
        assert [c["value"] for c in context.cookies() if c["name"] == "finmodels_area"] == [area]
        own = opened(context, f"{url}/Evaluate", "Evaluate")
        assert query(own, "area") == area and query(own, "run") == run
        context.close()

    with app_server(port=port, env={"FINMODELS_WORKSPACE": WORKSPACE}, log="streamlit_area_tabs_2.log") as (url, _):
        # a restart forgets the upload (it never reached the disk); the run and its explanation are kept
        context = chromium.new_context(viewport=TALL, accept_downloads=True)
        report = opened(context, f"{url}/Report?area={area}", "Report")
        assert query(report, "run") == run
        assert report.get_by_text("what drives the model, with reason codes").count() == 1
        note = report.locator('[data-testid="stAlert"]', has_text="opened without a data set or run").inner_text()
        assert "no longer holds german_credit.csv" in note
        report.screenshot(path=str(SCREENSHOTS / "area_tabs_report_restart.png"), full_page=True)
        page = report_html(report)  # built from the run and its kept explanation alone (it raised without the data)
        assert "<h2>What drives the model</h2>" in page and all(html.escape(code) in page for code in shown)
        assert "<td>rows used</td>" in page and "<td>1000</td>" in page
        train = opened(context, f"{url}/Train?area={area}", "Train")
        said = train.locator('[data-testid="stAlert"]', has_text="No data loaded yet").inner_text()
        assert "runs are kept" in said and "german_credit.csv" in said
        train.screenshot(path=str(SCREENSHOTS / "area_tabs_train_restart.png"), full_page=True)
        context.close()
