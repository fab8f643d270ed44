"""Fixtures: one live `suivi serve` on the demo data, one headless Chromium, both per session.

The browser is required, never skipped: CI installs Debian's `chromium` and `chromium-driver`.
Selenium is handed both paths so it never tries to fetch a driver.
"""

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver import Chrome
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.wait import WebDriverWait

from tests.commands import command_env, run_suivi
from tests.databases import create_database, drop_database
from tests.test_live_server import serving

WINDOW = (1280, 900)
PAGE_SECONDS = 30
# Schemes that name no server: inline images, blobs a page made, the blank page.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


@pytest.fixture(scope="session")
async def live_database_url(admin_url: str) -> AsyncIterator[str]:
    """The live server's database, of its own and loaded by `suivi demo`; its URL."""
    url = await create_database(admin_url, prefix="suivi_browser")
    try:
        loaded = await asyncio.to_thread(run_suivi, "demo", database_url=url)
        assert loaded.returncode == 0, loaded.stderr
        yield url
    finally:
        await drop_database(admin_url, url)


@pytest.fixture(scope="session")
async def live_server(live_database_url: str) -> AsyncIterator[str]:
    """`suivi serve` on 127.0.0.1 over `live_database_url`; its URL."""
    async with serving(command_env(live_database_url)) as base:
        yield base


def _required(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"`{program}` is not installed: the browser tests need Debian's `{package}` "
            "(apt-get install -y chromium chromium-driver).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chrome]:
    """Headless Chromium, started once and shared by every browser test."""
    options = webdriver.ChromeOptions()
    options.binary_location = _required("chromium", "chromium")
    for argument in (
        "--headless=new",
        # CI runs as root, where Chromium's sandbox cannot start.
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=_required("chromedriver", "chromium-driver"))
    try:
        driver = Chrome(service=service, options=options)
    except WebDriverException as exc:
        pytest.fail(f"Chromium did not start: {exc.msg}", pytrace=False)
    driver.set_page_load_timeout(PAGE_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: Chrome) -> Chrome:
    """The session's Chromium, its logs emptied of what earlier tests left."""
    chromium.get("about:blank")
    console_errors(chromium)
    requested_urls(chromium)
    return chromium


def _log(driver: Chrome, kind: str) -> list[dict[str, Any]]:
    # Selenium leaves get_log unannotated.
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def console_errors(driver: Chrome) -> list[str]:
    """The console's errors since the last call (reading the log empties it)."""
    return [entry["message"] for entry in _log(driver, "browser") if entry["level"] == "SEVERE"]


def requested_urls(driver: Chrome) -> list[str]:
    """Every URL the browser requested since the last call, from the performance log."""
    urls = []
    for entry in _log(driver, "performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def foreign(urls: list[str], base_url: str) -> list[str]:
    """The URLs among `urls` that reach anything but the server at `base_url`."""
    origin = urlsplit(base_url)
    reached = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            reached.append(url)
    return reached


def assert_clean(driver: Chrome, base_url: str) -> list[str]:
    """No console error and no request to another host since the logs were last read; the URLs."""
    errors = console_errors(driver)
    urls = requested_urls(driver)
    assert not errors, f"console errors: {errors}"
    assert urls, "the performance log recorded no request"
    assert not foreign(urls, base_url), f"requests to other hosts: {foreign(urls, base_url)}"
    return urls


def open_page(driver: Chrome, base_url: str, path: str) -> int:
    """Load `path` from the live server, wait until it has loaded; its HTTP status."""
    driver.get(base_url + path)
    WebDriverWait(driver, PAGE_SECONDS).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    status = driver.execute_script(
        "const [navigation] = performance.getEntriesByType('navigation');"
        "return navigation ? navigation.responseStatus : null;"
    )
    assert isinstance(status, int), f"{path}: no navigation timing"
    return status
