"""The Data and Runs pages in a real browser (real server + chromium, 1400x2400) after a new user's second trial:

- Taiwan's checks: the code-like columns, rare codes and negative codes (screenshot /work/trial/data_after.png
  when that folder exists, else tests/screenshots/data_after.png);
- the risk-event radio of a file uploaded after another shows that file's default from its first drawing
  (German credit after Taiwan: 'bad', never 'good');
- the Runs page compares the runs of the data loaded, a column per run named by its file (runs_after.png).
"""

from pathlib import Path

import pytest

from finmodels.__main__ import main
from tests.conftest import SHARED_DATASETS
from tests.pages.browser import (
    IDLE,
    SCREENSHOTS,
    app_server,
    chromium_browser,
    wait_idle,
)

TALL = {"width": 1400, "height": 2400}
AREA = "data-checks"
TRIAL = Path("/work/trial")


def shot(page, name: str) -> None:
    page.screenshot(path=str((TRIAL if TRIAL.is_dir() else SCREENSHOTS) / name))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    workspace = str(tmp_path_factory.mktemp("data-checks-workspace"))
    env = {"FINMODELS_WORKSPACE": workspace}
    with pytest.MonkeyPatch.context() as patch:  # two German runs and one of another file, from the terminal
        patch.setenv("FINMODELS_WORKSPACE", workspace)
        patch.chdir(tmp_path_factory.mktemp("cli"))
        for arch in ("mlp", "dcn"):
            assert main(["train", str(SHARED_DATASETS / "german_credit.csv"), "--task", "credit_default", "--arch",
                         arch, "--epochs", "2", "--members", "1", "--blend", "none", "--area", AREA,
                         "--explain-rows", "0"]) == 0
        assert main(["train", str(SHARED_DATASETS / "sp500_index_2001_2018.csv"), "--task", "market_risk", "--arch",
                     "lstm", "--epochs", "1", "--window", "5", "--area", AREA, "--explain-rows", "0"]) == 0
    with chromium_browser() as browser, app_server(env=env, log="streamlit_data_checks.log") as (url, _):
        tab = browser.new_context(viewport=TALL).new_page()
        tab.goto(f"{url}/Data?area={AREA}")
        wait_idle(tab, 90_000)
        yield tab


def upload(page, name: str) -> None:
    page.set_input_files('input[type="file"]', str(SHARED_DATASETS / name))
    page.get_by_role("heading", name=name).wait_for(timeout=90_000)
    wait_idle(page, 90_000)


def chosen_event(page) -> str:
    return page.locator('[data-testid="stRadio"]').first.locator("label:has(input:checked)").inner_text().strip()


def go(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(f'h1:has-text("{label}")', timeout=60_000)
    wait_idle(page, 90_000)


def test_taiwan_checks_name_code_columns_rare_codes_and_negative_codes(page):
    upload(page, "taiwan_default.csv")
    text = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "Columns 'SEX' (1, 2), 'EDUCATION' (0 to 6: 7 values) and 'MARRIAGE' (0 to 3: 4 values)" in text
    assert "Column 'EDUCATION' has codes used by fewer than 1% of its rows: 0 in 14 lines" in text
    assert "Column 'PAY_0' is 0 or more in 72% of its rows but has -2 in 2,759 lines" in text
    page.get_by_role("heading", name="Checks").scroll_into_view_if_needed()
    shot(page, "data_after.png")


def test_a_file_after_another_shows_its_own_risk_event_from_the_start(page):
    upload(page, "taiwan_default.csv")
    assert chosen_event(page) == "default_payment_next_month = 1"
    go(page, "Train")
    go(page, "Data")
    page.set_input_files('input[type="file"]', str(SHARED_DATASETS / "german_credit.csv"))
    seen = []  # the radio's choice each time the caption for German is on the page, until the script is idle
    while True:
        idle = page.locator(IDLE).count() > 0
        if "'bad' in 30.0% of rows." in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts():
            seen.append(chosen_event(page))
            if idle:
                break
    assert set(seen) == {"bad"}


def test_the_runs_page_compares_the_runs_of_the_loaded_file(page):
    go(page, "Runs")
    chosen = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert chosen.count("german_credit.csv") == 2 and "sp500_index" not in chosen
    table = page.locator('[data-testid="stDataFrame"]').nth(1)
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the grid draws its canvas after it scrolls in: a picture, not an assertion
    shot(page, "runs_after.png")
