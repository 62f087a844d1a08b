"""Starting the real Streamlit server and Debian's Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def chromium_path() -> str:
    """Debian's chromium; under CI a missing browser fails the run instead of skipping it."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is not installed; .ci/run must install it (apt-get install chromium).")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(*, port: int | None = None, env: dict[str, str] | None = None, log: str = "streamlit.log"):
    """Run `streamlit run app.py` on a loopback port (a free one unless given), with `env` added to the environment,
    until the block ends; its output goes to tests/screenshots/`log`. Yields (base URL, process)."""
    port = port or free_port()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_file = open(SCREENSHOTS / log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log_file.name}") from None
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_file.close()


@contextmanager
def streamlit_server():
    """Run `streamlit run app.py` on a free loopback port until the block ends; yields the base URL."""
    with app_server() as (url, _):
        yield url


@contextmanager
def chromium_browser():
    """Debian's Chromium, headless, until the block ends; the screenshots folder is made first."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)


def one_network(page) -> None:
    """On the Train page, set the form to one network and no blend ("Cross-fitted networks" 1, "Blend with" none):
    the browser tests of what follows a run; test_browser's run keeps the default ensemble and asserts on it."""
    field = page.get_by_label("Cross-fitted networks", exact=True)
    field.wait_for()
    blend = page.locator('[data-testid="stSelectbox"]', has_text="Blend with")
    if not blend.count():  # the Network box is on the default blend (its own choice): the dense network alone
        page.locator('[data-testid="stSelectbox"]', has_text="Network").first.click()
        page.get_by_role("option", name="Dense network (MLP)", exact=True).click()
        wait_idle(page)
        blend.first.wait_for()
    field.fill("1")
    field.press("Tab")
    assert field.input_value() == "1"
    blend.first.click()
    page.get_by_role("option", name="none (Dense network (MLP) alone)", exact=True).click()
    wait_idle(page)
