"""The Score page with an uploaded bundle, in a real browser (a new user's findings): the scored rows are named by
their line in the file in the download; 'Explain the other N flagged rows' has a Cancel button that keeps the rows
explained and says how many are and are not; a reload shows the kept results without asking for the bundle again."""

import os
import re
import subprocess
import sys

import pandas as pd

from finmodels.data.samples import sample_bytes
from tests.pages.browser import ROOT, SCREENSHOTS, app_server, chromium_browser, wait_idle

AREA = "score-bundle-browser"


def test_a_bundle_scored_file_can_cancel_explaining_and_survives_a_reload(tmp_path):
    data = tmp_path / "german.csv"
    data.write_bytes(sample_bytes("german_credit"))
    bundle = tmp_path / "german_bundle.zip"
    subprocess.run([sys.executable, "-m", "finmodels", "train", str(data), "--task", "credit_default", "--target",
                    "creditability", "--members", "1", "--blend", "none", "--epochs", "3", "--explain-rows", "0",
                    "--out", str(bundle), "--no-workspace"], cwd=ROOT, env=dict(os.environ), check=True,
                   capture_output=True)
    rows = pd.read_csv(data).drop(columns="creditability")
    big = tmp_path / "big_loans.csv"
    pd.concat([rows] * 3, ignore_index=True).to_csv(big, index=False)  # 3,000 rows
    env = {"FINMODELS_WORKSPACE": str(tmp_path / "workspace")}
    with app_server(env=env, log="score_bundle_browser.log") as (url, _), chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{url}/Score?area={AREA}")
        wait_idle(page, 120_000)
        page.locator('[data-testid="stFileUploader"]').first.locator("input[type=file]").set_input_files(str(bundle))
        page.get_by_text("Loaded: ").wait_for(timeout=60_000)
        wait_idle(page)
        page.get_by_role("slider").first.focus()
        page.keyboard.press("Home")  # threshold 0: every row flagged, 500 explained up front
        wait_idle(page)
        page.locator('[data-testid="stFileUploader"]').last.locator("input[type=file]").set_input_files(str(big))
        page.get_by_text("big_loans.csv: 3,000 rows scored").wait_for(timeout=300_000)
        wait_idle(page, 120_000)
        page.get_by_role("button", name=re.compile(r"Explain the other 2,500 flagged rows")).click()
        page.get_by_role("button", name="Cancel").wait_for(timeout=120_000)
        page.screenshot(path=str(SCREENSHOTS / "score_explaining.png"))
        page.get_by_role("button", name="Cancel").click()
        stopped = page.get_by_text("Explaining stopped:")
        stopped.wait_for(timeout=120_000)
        wait_idle(page)
        found = re.search(r"([\d,]+) of the 3,000 flagged rows have their reason codes \(the highest-scored\); the "
                          r"other ([\d,]+) have none yet", stopped.inner_text())
        explained, left = (int(n.replace(",", "")) for n in found.groups())
        assert explained + left == 3000 and explained >= 500 and left >= 500  # the last chunk was never sent
        assert page.get_by_role("button", name=re.compile(f"Explain the other {left:,} flagged rows")).count() == 1
        assert page.get_by_role("button", name="Cancel").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "score_cancelled.png"))  # before the download's tooltip
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the scored rows (CSV)").click()
        scored = pd.read_csv(download.value.path())
        assert list(scored.columns[:2]) == ["line", "status_of_existing_checking_account"]
        assert list(scored["line"]) == list(range(2, 3002))  # each row's line in the file: the header is line 1
        assert scored["reason codes"].notna().sum() == explained  # the codes written before Cancel are kept
        page.reload()
        page.get_by_text("big_loans.csv: 3,000 rows scored").wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("Bundle german_bundle.zip (").count() == 1
        assert page.get_by_text("The last file scored with this model in your area").count() == 1
        assert page.get_by_role("button", name=re.compile(f"Explain the other {left:,} flagged rows")).count() == 1
        page.screenshot(path=str(SCREENSHOTS / "score_bundle_after_reload.png"))
