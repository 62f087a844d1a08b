"""The runtime in a real browser: runs that survive a reload and a restart of the server, two analysts training at
once in separate workers, a worker killed mid-fit, and the web process's memory.

Figures (seconds, ratios, megabytes) are printed and written to tests/screenshots/runtime.json; they are
measured, never asserted (STYLE: benchmarks, not timed tests). What is asserted is behaviour: the same run comes
back, the message names what happened, the server answers.
"""

import json
import re
import tempfile
import time
import urllib.request
from contextlib import contextmanager

import psutil
import pytest

from finmodels.data.samples import get_sample
from tests.pages.browser import SCREENSHOTS, app_server, chromium_browser, free_port, one_network, wait_idle
from tests.pages.test_browser import selected

FIGURES: dict[str, float] = {}
WORKSPACE = tempfile.mkdtemp(prefix="finmodels-browser-workspace-")


@contextmanager
def server(port: int | None = None):
    """`streamlit run app.py` with this module's workspace; yields (url, process)."""
    port = port or free_port()
    with app_server(port=port, env={"FINMODELS_WORKSPACE": WORKSPACE, "FINMODELS_WORKERS": "2"},
                    log=f"streamlit_runtime_{port}.log") as found:
        yield found


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser
        (SCREENSHOTS / "runtime.json").write_text(json.dumps(FIGURES, indent=2))
        print("\nruntime figures:", json.dumps({k: round(v, 2) for k, v in FIGURES.items()}))


def session(chromium, url: str, *, heading: str = "Risk model studio"):
    context = chromium.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector(f'h1:has-text("{heading}")', timeout=90_000)
    wait_idle(page)
    return page


def open_page(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(f'h1:has-text("{label}")', timeout=60_000)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def load(page, sample: str) -> None:
    open_page(page, "Data")
    page.set_input_files('input[type="file"]', str(get_sample(sample).path))
    page.get_by_role("heading", name=get_sample(sample).path.name).wait_for(timeout=60_000)
    wait_idle(page)


def run_in_address(page) -> str:
    return page.url.split("run=")[1].split("&")[0] if "run=" in page.url else ""


def wait_for_new_run(page, before: str, *, timeout: float = 600) -> None:
    """Wait until the page shows a run other than `before` (the address names the current run)."""
    deadline = time.monotonic() + timeout
    while run_in_address(page) in ("", before):
        assert time.monotonic() < deadline, "no new run was shown"
        page.wait_for_timeout(50)
    # .first: while the page reruns, the old run's heading can still be there beside the new one (seen in CI)
    page.get_by_text("Held-out test results").first.wait_for(timeout=60_000)


def press_train(page) -> float:
    """Press Train with one network and wait for the new run's metrics; returns the seconds between the two (this
    module's runs are of the runtime, not the default ensemble: test_browser trains that)."""
    open_page(page, "Train")
    one_network(page)
    before = run_in_address(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for_new_run(page, before)
    seconds = time.perf_counter() - start
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    return seconds


def auc_on(page) -> float:
    tile = page.locator('[data-testid="stMetric"]', has_text="ROC AUC").first
    return float(tile.locator('[data-testid="stMetricValue"]').inner_text())


def rss_mb(proc) -> float:
    return psutil.Process(proc.pid).memory_info().rss / 2**20


def test_a_run_survives_a_reload_of_the_tab_and_a_restart_of_the_server(chromium):
    port = free_port()
    with server(port) as (url, _):
        page = session(chromium, url)
        load(page, "german_credit")
        press_train(page)
        FIGURES["German: train pressed -> metrics, warm pool (s)"] = press_train(page)
        auc = auc_on(page)
        address = page.url
        assert "area=" in address and "run=" in address and "data=upload" in address  # an upload
        page.reload()
        page.get_by_text("Held-out test results").wait_for(timeout=60_000)
        wait_idle(page)
        assert auc_on(page) == auc  # the same run, after a reload
        start = time.perf_counter()
        open_page(page, "Explain")
        page.get_by_text("Reason codes").first.wait_for(timeout=120_000)
        FIGURES["Explain opened after a reload: SHAP of the test rows (s)"] = time.perf_counter() - start
        reload_while_training(page)  # the same server and area: no second server start for it
    with server(port) as (url, _):  # a new server process on the same workspace
        page = session(chromium, address, heading="Train")
        # the upload was kept in the old server's memory only (never on disk): the data is asked for again...
        assert page.get_by_text("No data loaded yet").count() == 1
        open_page(page, "Evaluate")  # ...but the run came back from the workspace
        assert auc_on(page) == auc
        open_page(page, "Runs")
        assert page.get_by_text(address.split("run=")[1].split("&")[0][:8]).count() >= 1


def pick(page, box: str, option: str) -> None:
    page.locator('[data-testid="stSelectbox"]', has_text=box).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def reload_while_training(page) -> None:
    """A new user's trial: a tab reloaded while a market risk run trained showed the data's suggested task (asset
    allocation, its risk aversion and cap) above that run's results; a tab reloaded while German credit trained, its
    address still naming that market run, showed the market run's results under German credit's live progress."""
    load(page, "sp500_10stocks")
    open_page(page, "Train")
    assert selected(page, "Task") == "Asset allocation (expected returns)"  # what the price file suggests
    pick(page, "Task", "Market risk (returns)")
    pick(page, "Network", "LSTM recurrent network")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"Epoch \d+ of at most 100")).wait_for(timeout=120_000)
    page.reload()
    page.wait_for_selector('h1:has-text("Train")', timeout=60_000)
    wait_idle(page)
    assert selected(page, "Task") == "Market risk (returns)"
    assert page.get_by_text("Risk aversion").count() == 0 and page.get_by_text("Most in one asset").count() == 0
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.screenshot(path=str(SCREENSHOTS / "train_market_after_reload.png"))
    page.get_by_text("Held-out test results").wait_for(timeout=300_000)  # the run ends; the form still says it
    assert page.get_by_text(re.compile(r"^LSTM recurrent network for market risk \(returns\), from 20-day windows "
                                       "of the prices")).count() == 1
    assert selected(page, "Task") == "Market risk (returns)"
    market = run_in_address(page)
    load(page, "german_credit")
    open_page(page, "Train")
    one_network(page)  # the Network box starts on the blend again for another task; this module trains one
    # slow on purpose: still training after the reload, until Stop
    for label, value in (("Hidden layer sizes", "256, 256"), ("Batch size", 8), ("Max epochs", 1000),
                         ("Early stopping patience", 200)):
        field = page.get_by_label(label, exact=True)
        field.fill(str(value))
        field.press("Tab")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_role("button", name="Stop", exact=True).wait_for(timeout=120_000)  # the job is queued or training
    # the reload, its address naming the market run as the new user's did (whatever run loading data left in it)
    page.goto(re.sub(r"&run=[^&]*", "", page.url) + f"&run={market}")
    page.wait_for_selector('h1:has-text("Train")', timeout=60_000)
    stop = page.get_by_role("button", name="Stop", exact=True)
    stop.wait_for(timeout=60_000)
    wait_idle(page)
    shown = stop.is_visible(), page.get_by_text("Held-out test results").count()
    assert shown == (True, 0)  # still training, and no other file's results under it
    page.screenshot(path=str(SCREENSHOTS / "train_credit_after_reload.png"))
    stop.click()
    page.get_by_text("Held-out test results").wait_for(timeout=300_000)
    assert page.get_by_text("not on the loaded").count() == 0  # German credit's own run, once it ends
    page.set_viewport_size({"width": 1400, "height": 1600})


def test_two_analysts_train_at_once_in_their_own_workers_and_the_web_process_stays_small(chromium):
    with server() as (url, proc):
        first, second = session(chromium, url), session(chromium, url)
        for page in (first, second):
            load(page, "taiwan_default")
        FIGURES["web process after start (MB)"] = rss_mb(proc)
        press_train(first)  # warm: each worker has traced its epoch once
        alone = press_train(first)
        FIGURES["Taiwan: one analyst alone (s)"] = alone
        for page in (first, second):
            open_page(page, "Train")
            one_network(page)
        before = [run_in_address(page) for page in (first, second)]
        started = time.perf_counter()
        for page in (first, second):
            page.get_by_role("button", name="Train", exact=True).click()
        finished = []
        for page, old in zip((first, second), before):
            wait_for_new_run(page, old)
            finished.append(time.perf_counter() - started)
        FIGURES["Taiwan: two analysts at once, slower one (s)"] = max(finished)
        FIGURES["Taiwan: two at once / one alone"] = max(finished) / alone
        assert 0.6 < auc_on(first) < 0.9 and 0.6 < auc_on(second) < 0.9
        load(first, "german_credit")
        before = rss_mb(proc)
        for _ in range(10):
            press_train(first)
        FIGURES["web process before 10 German trainings (MB)"] = before
        FIGURES["web process after 10 German trainings (MB)"] = rss_mb(proc)
        FIGURES["web process growth over 10 trainings (MB)"] = rss_mb(proc) - before
        assert "tensorflow" not in " ".join(psutil.Process(proc.pid).cmdline())


def busiest_worker(proc) -> psutil.Process:
    workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
               if "spawn_main" in " ".join(p.cmdline()) and "resource_tracker" not in " ".join(p.cmdline())]
    for worker in workers:
        worker.cpu_percent(None)
    time.sleep(1.0)
    return max(workers, key=lambda w: w.cpu_percent(None))


def test_a_worker_killed_mid_fit_is_a_message_and_the_server_and_other_runs_go_on(chromium):
    with server() as (url, proc):
        page = session(chromium, url)
        load(page, "german_credit")
        press_train(page)
        load(page, "taiwan_default")
        open_page(page, "Train")
        page.get_by_role("textbox", name="Hidden layer sizes").fill("512, 512, 512")
        page.get_by_role("spinbutton", name="Max epochs").fill("500")
        page.get_by_role("spinbutton", name="Early stopping patience").fill("100")
        page.get_by_role("button", name="Train", exact=True).click()
        # epochs are running: 'Epoch 3 of at most 500 · ...', or 'Network 1 of 10 (cross-fitted) · ... at most 500 per
        # network · ...' if the form's ensemble were the default again
        page.get_by_text(re.compile(r"at most 500 (per network )?·")).first.wait_for(timeout=300_000)
        busiest_worker(proc).kill()
        message = page.get_by_text("stopped before it finished")
        message.wait_for(timeout=120_000)
        text = message.inner_text()
        assert text.startswith("The worker process running the training on taiwan_default.csv stopped before it "
                               "finished")
        assert "Nothing already saved was lost" in text
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
        open_page(page, "Runs")
        assert page.get_by_text("german_credit.csv").count() >= 1  # the run trained before is still there
        page.screenshot(path=str(SCREENSHOTS / "runtime_worker_killed_runs.png"), full_page=True)
        load(page, "german_credit")
        assert 0.6 < (press_train(page) and auc_on(page)) <= 1.0  # a fresh worker took over
