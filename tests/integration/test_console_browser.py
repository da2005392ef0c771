"""The operations console in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by Selenium) against a real `radar serve` on a home with a
published week. It enters a wrong key then the right one, finds a host, sees its weeks
and its list, changes a filter, downloads the week's CSV and saves a screenshot
(`RADAR_CONSOLE_SCREENSHOT=docs/console.png` also writes it there, for the README)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import insert

from radar.settings import Settings
from radar.store import Streamer, open_store
from tests.integration.console_home import WEEK, published_home
from tests.integration.servers import running_server

KEY = "browser-key-123"
MARKUP_NAME = "<b>粗体</b>主播"
"""A host name that is markup: the page must show it as text."""
SCREENSHOT_TO = "RADAR_CONSOLE_SCREENSHOT"
WAIT_SECONDS = 20
MIN_FIT = 0.5
"""The server's cut: the batch's, at which the small demo's hosts have lists."""


def chromium_paths() -> tuple[str, str]:
    """Debian's chromium and chromedriver, or a skip saying how to install them."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip(
            "chromium and chromedriver are not installed: `apt-get install chromium "
            "chromium-driver` (.ci/run installs them when it runs as root)"
        )
    return browser, driver


def headless_chromium(downloads: Path) -> WebDriver:
    """Headless Chromium that saves downloads into `downloads` and keeps its console log."""
    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1360,1900",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


@pytest.fixture(scope="module")
def base_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real `radar serve` on a home with a published week and a host named in markup."""
    chromium_paths()  # skip before training anything
    trained_home: Path = request.getfixturevalue("trained_home")
    home = published_home(trained_home, tmp_path_factory.mktemp("console-browser") / "home")
    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.begin() as connection:
        connection.execute(insert(Streamer).values(streamer_id="h9999", name=MARKUP_NAME))
    engine.dispose()
    with running_server(home, RADAR_API_KEYS=KEY, RADAR_MIN_FIT=str(MIN_FIT)) as base:
        yield base


def wait_for(browser: WebDriver, what: str, condition: Callable[[WebDriver], object]) -> object:
    """`condition(browser)` once truthy, or a failure naming `what` and the page's message."""
    try:
        return WebDriverWait(browser, WAIT_SECONDS).until(condition)
    except Exception:
        said = {name: text_of(browser, name) for name in ("message", "batch-facts", "list-state")}
        pytest.fail(f"the console never showed {what}: it says {said}")


def text_of(browser: WebDriver, element_id: str) -> str:
    return browser.find_element(By.ID, element_id).text


def list_rows(browser: WebDriver) -> list[str]:
    """The list's rows as shown, read in one go (the page may be replacing them)."""
    rows: list[str] = browser.execute_script(
        "return [...document.querySelectorAll('#list tbody tr')].map(row => row.innerText)"
    )
    return rows


def set_control(browser: WebDriver, element_id: str, value: str) -> None:
    """Type `value` into a filter control and leave it (which fires its change event)."""
    control = browser.find_element(By.ID, element_id)
    control.clear()
    control.send_keys(value)
    browser.find_element(By.ID, "host-title").click()


def sign_in(browser: WebDriver, key: str) -> None:
    field = browser.find_element(By.ID, "api-key")
    field.clear()
    field.send_keys(key)
    browser.find_element(By.ID, "key-submit").click()


def tour_the_console(browser: WebDriver, base: str, downloads: Path) -> Path:
    """Everything an operator does on the console, checked step by step; returns the
    downloaded CSV."""
    browser.get(base + "/")
    assert "API 密钥" in text_of(browser, "message")
    assert not browser.find_element(By.ID, "data").is_displayed()  # no data without a key

    sign_in(browser, "not-the-key")
    wait_for(browser, "that the key is wrong", lambda b: "密钥不正确" in text_of(b, "message"))
    assert not browser.find_element(By.ID, "data").is_displayed()

    sign_in(browser, KEY)
    wait_for(browser, "the model", lambda b: "v1" in text_of(b, "model-facts"))
    assert "训练时间" in text_of(browser, "model-facts")
    wait_for(
        browser,
        "the week's hosts",
        lambda b: b.find_elements(By.CSS_SELECTOR, "#batch-hosts tbody tr"),
    )
    assert WEEK in text_of(browser, "batch-facts")
    listed = browser.execute_script(  # the first host with a list at the cut
        "return [...document.querySelectorAll('#batch-hosts tbody tr')]"
        ".find(row => !row.cells[2].innerText.includes('未达')).cells[0].innerText"
    )

    query = browser.find_element(By.ID, "host-query")
    query.send_keys("粗体")
    browser.find_element(By.ID, "search-submit").click()
    wait_for(browser, "the markup host", lambda b: MARKUP_NAME in text_of(b, "search-results"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#search-results b")  # text, not markup

    query.clear()
    query.send_keys(listed)
    browser.find_element(By.ID, "search-submit").click()
    wait_for(browser, "the host's list", lambda b: len(list_rows(b)) > 0)
    assert listed in text_of(browser, "host-title")
    wait_for(
        browser,
        "the host's weeks",
        lambda b: b.find_elements(By.CSS_SELECTOR, "#host-weeks svg rect"),
    )
    assert "主播主要在聊" in text_of(browser, "host-summary")
    rows = list_rows(browser)
    assert all("%" in row for row in rows) and any("“" in row for row in rows)  # fit, quotes

    set_control(browser, "min-fit", "100")
    wait_for(
        browser, "the closest products", lambda b: "未达阈值的最接近商品" in text_of(b, "list")
    )
    assert browser.find_elements(By.CSS_SELECTOR, "#list tr.below-cut")
    assert "没有商品达到 100%" in text_of(browser, "list-state")

    set_control(browser, "min-fit", "0")
    set_control(browser, "top-k", "3")
    wait_for(
        browser,
        "a list of three",
        lambda b: len(list_rows(b)) == 3 and "100%" not in text_of(b, "list-state"),
    )
    assert "0%" in text_of(browser, "list-state")

    category = browser.execute_script(  # the third product's category, a filter away
        "return document.querySelectorAll('#list tbody tr')[2].cells[2].innerText"
    )
    set_control(browser, "categories", category)
    wait_for(
        browser,
        f"a list of {category} only",
        lambda b: all(
            c == category
            for c in b.execute_script(
                "return [...document.querySelectorAll('#list tbody tr')]"
                ".map(row => row.cells[2].innerText)"
            )
        ),
    )
    assert list_rows(browser)
    set_control(browser, "categories", "")

    browser.find_element(By.ID, "download-csv").click()
    csv_file = downloads / f"recommendations-{WEEK}.csv"
    deadline = time.monotonic() + WAIT_SECONDS
    while not (csv_file.is_file() and csv_file.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert csv_file.is_file(), f"no CSV downloaded: {sorted(downloads.iterdir())}"
    return csv_file


def save_screenshot(browser: WebDriver, path: Path) -> Path:
    """The whole page as a PNG at `path` (and at $RADAR_CONSOLE_SCREENSHOT when set)."""
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1360, max(900, min(int(height) + 40, 4000)))
    assert browser.save_screenshot(str(path)), "the screenshot was not written"
    extra = os.environ.get(SCREENSHOT_TO)
    if extra:
        shutil.copyfile(path, extra)
    return path


def test_an_operator_finds_a_host_filters_its_list_and_downloads_the_week(
    base_url: str, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = headless_chromium(downloads)
    try:
        csv_file = tour_the_console(browser, base_url, downloads)
        header = csv_file.read_bytes().decode("utf-8-sig").splitlines()[0]
        assert header.startswith("week,streamer_id,streamer_name,rank,product_id")
        shot = save_screenshot(browser, tmp_path / "console.png")
        assert shot.read_bytes().startswith(b"\x89PNG")
        problems = [
            entry["message"]
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and "401" not in entry["message"]  # the wrong key
        ]
        assert not problems, problems  # no script error, no blocked asset
    finally:
        browser.quit()
