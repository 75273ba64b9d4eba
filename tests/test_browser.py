"""The web app in a real browser: Debian's chromium, driven by Selenium through
/usr/bin/chromedriver, against `attrib serve`'s app on uvicorn in a thread (a deterministic
keyword predictor, so the labels are known).

Skipped only when chromium or chromedriver is not installed (`make setup` installs them where it
can: root with apt-get). Screenshots of the main states go to `$ATTRIB_SCREENSHOTS` when set,
else to a temporary folder.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake import ARTICLE, EXPECTED, KeywordPredictor

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
    "apt-get install chromium chromium-driver, or `make setup` as root",
)
# Closed network: without these chromium hangs on connection attempts (and it runs as root).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
MAX_CHARS = 3_000
WAIT = 30  # seconds an expected page state may take before the test fails (never asserted on)
PAYLOAD = (
    'Kim said <script>window.__pwned = "script"</script> was harmless.\n\n'
    "Officials said <img src=x onerror=\"window.__pwned = 'img'\"> may load. "
    '"><svg onload="window.__pwned = \'svg\'"></svg>\n'
)


class GatedPredictor(KeywordPredictor):
    """Keyword labels; while `hold` is set each call waits for `release`, so a test can look at
    the page during a long analysis."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = threading.Event()
        self.release = threading.Event()

    def predict_batch(self, sentences: list[str], contexts: Any, **options: object) -> list[Any]:
        if self.hold.is_set():
            self.release.wait(WAIT)
        return super().predict_batch(sentences, contexts)


@pytest.fixture(scope="module")
def predictor() -> GatedPredictor:
    return GatedPredictor()


@pytest.fixture(scope="module")
def server(predictor: GatedPredictor) -> Iterator[str]:
    import uvicorn

    from attrib.webapp import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(predictor, max_chars=MAX_CHARS), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(WAIT)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1400,1000")
    # Commands never wait for a page load, so a test can watch the page while the server works;
    # every navigation below waits for its own result explicitly.
    options.page_load_strategy = "none"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)  # no selenium-manager
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ATTRIB_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shot(driver: Any, folder: Path, name: str, full: bool = False) -> None:
    """A PNG of the viewport, or of the whole page (`full`), into the screenshots folder."""
    if full:
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
        (folder / f"{name}.png").write_bytes(base64.b64decode(data["data"]))
    else:
        driver.save_screenshot(str(folder / f"{name}.png"))


def wait(driver: Any, condition: Callable[[Any], Any], what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(condition, message=f"waiting for {what}")


def loaded(driver: Any) -> None:
    wait(
        driver,
        lambda d: (
            d.execute_script("return document.readyState") == "complete"
            and d.execute_script("return !!document.getElementById('app')")
        ),
        "the page",
    )


def navigate(driver: Any, action: Callable[[], None]) -> None:
    """Run `action` (a click that submits) and wait until the next page has loaded."""
    old = driver.execute_script("return document.documentElement")
    action()

    def replaced(d: Any) -> bool:
        try:
            return not old.tag_name  # raises once the old document is gone
        except Exception:
            return True

    wait(driver, replaced, "the next page")
    loaded(driver)


def open_form(driver: Any, server: str) -> None:
    driver.get(server + "/")
    loaded(driver)


def paste(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "text")
    driver.execute_script("arguments[0].value = arguments[1]", box, text)  # typing is slow and adds nothing


def analyse(driver: Any, server: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    open_form(driver, server)
    paste(driver, text)
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "form.paste button[type=submit]").click)


def marks(driver: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, ".article .s[data-index]")


def console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


# ---------------------------------------------------------------- tests


def test_the_form_loads(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    open_form(browser, server)
    assert "attrib" in browser.title
    for field in ("text", "file", "url"):
        label = browser.find_element(By.CSS_SELECTOR, f"label[for={field}]")
        assert label.is_displayed() and label.text
    assert not browser.find_elements(By.ID, "report-data")
    assert not browser.find_element(By.ID, "error").is_displayed()
    shot(browser, shots, "01-form")
    assert console_errors(browser) == []  # nothing blocked by the CSP, nothing missing


def test_a_pasted_article_is_analysed_and_highlighted(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    analyse(browser, server, ARTICLE)
    found = marks(browser)
    assert [(m.get_attribute("data-attribution"), m.get_attribute("data-certainty")) for m in found] == [
        (a, c) for _, a, c in EXPECTED
    ]
    for mark, (text, attribution, certainty) in zip(found, EXPECTED, strict=True):
        classes = mark.get_attribute("class").split()
        assert attribution in classes and certainty in classes
        assert text in mark.text and mark.is_displayed()
    # Highlighting is painted: an on-record sentence has a background, an unattributed one none.
    colour = browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", found[1])
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
    badge = found[2].find_element(By.CSS_SELECTOR, "sup .badge")
    assert badge.text == "U"  # a second cue besides colour
    assert browser.find_element(By.ID, "filters").is_displayed()  # the script ran
    assert browser.find_element(By.ID, "filter-status").text == f"Showing all {len(EXPECTED)} sentences."
    assert (
        browser.execute_script("return document.getElementById('app').getAttribute('aria-busy')") == "false"
    )
    shot(browser, shots, "02-report", full=True)
    assert console_errors(browser) == []


def test_filters_hide_and_show_sentences(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    analyse(browser, server, ARTICLE)
    anonymous = [i for i, (_, a, _) in enumerate(EXPECTED) if a == "anonymous"]
    browser.find_element(By.CSS_SELECTOR, 'input[data-filter="attribution"][value="anonymous"]').click()
    shown = [m.is_displayed() for m in marks(browser)]
    assert shown == [i not in anonymous for i in range(len(EXPECTED))]
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.row[data-index]")
    assert [r.is_displayed() for r in rows] == shown  # the sentence table follows the filter
    assert browser.find_element(By.ID, "filter-status").text == f"Showing 5 of {len(EXPECTED)} sentences."
    # The certainty filters combine with it; the checkbox answers the keyboard too.
    speculative = browser.find_element(By.CSS_SELECTOR, 'input[data-filter="certainty"][value="speculative"]')
    speculative.send_keys(" ")
    assert not speculative.is_selected()
    shown = [m.is_displayed() for m in marks(browser)]
    assert shown == [a != "anonymous" and c != "speculative" for _, a, c in EXPECTED]
    browser.execute_script("document.getElementById('article').scrollIntoView()")
    shot(browser, shots, "03-filtered")
    browser.find_element(By.ID, "show-all").click()
    assert all(m.is_displayed() for m in marks(browser))
    assert all(box.is_selected() for box in browser.find_elements(By.CSS_SELECTOR, "input[data-filter]"))


def test_clicking_a_source_highlights_its_sentences(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    analyse(browser, server, ARTICLE)
    button = browser.find_element(
        By.XPATH, "//tr[contains(@class,'source')]//button[.='Defense Minister Kim']"
    )
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    linked = [
        int(m.get_attribute("data-index")) for m in marks(browser) if "linked" in m.get_attribute("class")
    ]
    assert linked == [1, 5]  # "Defense Minister Kim" and "Kim" are one source
    assert button.get_attribute("aria-pressed") == "true"
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.row.linked")
    assert [int(r.get_attribute("data-index")) for r in rows] == [1, 5]
    assert (
        "Highlighted 2 sentences resting on Defense Minister Kim"
        in browser.find_element(By.ID, "filter-status").text
    )
    browser.execute_script("document.getElementById('article').scrollIntoView()")
    shot(browser, shots, "04-source-highlight")
    sbs = browser.find_element(By.XPATH, "//tr[contains(@class,'source')]//button[.='SBS']")
    sbs.click()  # another source replaces the highlight
    linked = [
        int(m.get_attribute("data-index")) for m in marks(browser) if "linked" in m.get_attribute("class")
    ]
    assert linked == [3] and button.get_attribute("aria-pressed") == "false"
    sbs.click()  # and clicking it again clears it
    assert not browser.find_elements(By.CSS_SELECTOR, ".linked")


def test_sentence_details_by_mouse_and_keyboard(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    analyse(browser, server, ARTICLE)
    found = marks(browser)
    found[3].click()
    panel = browser.find_element(By.ID, "detail-body")
    text = panel.text
    assert "Sentence 4 of 7" in text and EXPECTED[3][0] in text
    assert "SBS, a government source" in text
    assert "[according_to: SBS] → [anonymous: a government source]" in text
    assert "82%" in text  # the probabilities
    meters = panel.find_elements(By.TAG_NAME, "meter")
    assert len(meters) == 5 + 3 and float(meters[0].get_attribute("value")) == pytest.approx(0.82)
    shot(browser, shots, "05-details")
    # One Tab stop for the article (roving tabindex); the arrow keys move along it.
    assert [m.get_attribute("tabindex") for m in found].count("0") == 1
    found[3].send_keys(Keys.ARROW_RIGHT)
    active = browser.switch_to.active_element
    assert active.get_attribute("data-index") == "4"
    assert "Sentence 5 of 7" in panel.text and "The delegation reportedly asked" in panel.text
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", active)
    assert outline != "none"  # focus is visible
    active.send_keys(Keys.END)
    assert browser.switch_to.active_element.get_attribute("data-index") == "6"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "detail-h"  # into the panel
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert browser.switch_to.active_element.get_attribute("data-index") == "6"  # and back
    # Filtered-out sentences are skipped by the arrow keys.
    browser.find_element(By.CSS_SELECTOR, 'input[data-filter="attribution"][value="reportedly"]').click()
    found[3].click()
    browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    assert browser.switch_to.active_element.get_attribute("data-index") == "5"


def test_script_and_onerror_payloads_stay_inert(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    analyse(browser, server, PAYLOAD)
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert browser.find_elements(By.CSS_SELECTOR, "main svg[onload], .article svg") == []
    scripts = browser.execute_script(
        "return Array.from(document.scripts, s => s.getAttribute('src') || s.type)"
    )
    assert scripts == ["/static/app.js", "application/json"]
    text = marks(browser)[0].text
    assert '<script>window.__pwned = "script"</script>' in text  # shown as text, not run
    marks(browser)[1].click()  # the details panel shows it as text too
    assert "<img src=x onerror=" in browser.find_element(By.ID, "detail-body").text
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    shot(browser, shots, "06-payload-inert")


def test_empty_and_oversized_input_show_the_error(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    analyse(browser, server, "   \n ")
    error = browser.find_element(By.ID, "error")
    assert error.is_displayed() and error.text == "the text is empty"
    assert error.get_attribute("role") == "alert"
    assert browser.switch_to.active_element.get_attribute("id") == "error"  # focus goes to it
    assert not browser.find_elements(By.ID, "report-data")
    shot(browser, shots, "07-error-empty")

    long = "Kim said the talks went well. " * 120
    analyse(browser, server, long)
    error = browser.find_element(By.ID, "error")
    assert error.is_displayed()
    assert "the text is longer than 3,000 characters (the limit of this server)" in error.text
    assert browser.find_element(By.ID, "text").get_attribute("value").strip() == long.strip()  # kept
    shot(browser, shots, "08-error-oversized")


class DevTools:
    """A DevTools connection of our own to the page: while a form submission is pending,
    chromedriver holds back its commands (even DevTools ones sent through it); this does not."""

    def __init__(self, driver: Any) -> None:
        import json
        import urllib.request

        import websocket  # websocket-client, a dependency of selenium

        address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json/list", timeout=WAIT) as reply:
            pages = [t for t in json.load(reply) if t["type"] == "page" and t["url"] == driver.current_url]
        # No Origin header: chromium refuses DevTools connections from other origins.
        self.socket = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=WAIT, suppress_origin=True
        )
        self.calls = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        import json

        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.calls:
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self) -> None:
        self.socket.close()


def test_progress_is_shown_while_the_server_works(
    browser: Any, server: str, predictor: GatedPredictor, shots: Path
) -> None:
    from selenium.webdriver.common.by import By

    open_form(browser, server)
    paste(browser, ARTICLE)
    old = browser.execute_script("return document.documentElement")
    devtools = DevTools(browser)
    predictor.hold.set()  # the server holds the analysis until the page has been checked
    try:
        # A real mouse click, sent through DevTools: WebDriver's click may wait for the page load.
        button = browser.find_element(By.CSS_SELECTOR, "form.paste button[type=submit]")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        x, y = devtools.evaluate(
            "(r => [r.x + r.width / 2, r.y + r.height / 2])"
            "(document.querySelector('form.paste button[type=submit]').getBoundingClientRect())",
        )
        for kind in ("mousePressed", "mouseReleased"):
            devtools.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
        state = (
            "[document.getElementById('status').className,"
            " document.getElementById('status-text').textContent,"
            " document.getElementById('app').getAttribute('aria-busy'),"
            " getComputedStyle(document.querySelector('.spinner')).display,"
            " !!document.getElementById('report-data')]"
        )
        status, message, busy, spinner, report = devtools.evaluate(state)
        assert "busy" in status and busy == "true" and spinner != "none" and not report
        assert message == "Analysing 7 sentences…"
        data = devtools.send("Page.captureScreenshot")
        (shots / "09-busy.png").write_bytes(base64.b64decode(data["data"]))
    finally:
        predictor.hold.clear()
        predictor.release.set()
        devtools.close()
    wait(browser, lambda d: d.execute_script("return !!document.getElementById('report-data')"), "the report")
    loaded(browser)
    predictor.release.clear()
    assert old != browser.execute_script("return document.documentElement")
    assert len(marks(browser)) == len(EXPECTED)
    assert not browser.find_element(By.ID, "status").is_displayed()


def test_downloads(browser: Any, server: str, downloads: Path) -> None:
    from selenium.webdriver.common.by import By

    analyse(browser, server, ARTICLE)
    for fmt, name, start in (
        ("markdown", "attrib-report.md", "# Sourcing report: Seoul weighs arms for Kyiv"),
        ("json", "attrib-report.json", "{"),
        ("html", "attrib-report.html", "<!DOCTYPE html>"),
    ):
        browser.find_element(By.CSS_SELECTOR, f'.downloads button[value="{fmt}"]').click()
        target = downloads / name
        wait(browser, lambda d, t=target: t.exists() and t.stat().st_size > 0, f"the {fmt} download")
        assert target.read_text(encoding="utf-8").startswith(start)
    assert '"attribution": "anonymous"' in (downloads / "attrib-report.json").read_text(encoding="utf-8")
    assert marks(browser)  # downloading leaves the page as it was


def test_phone_layout(browser: Any, server: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 844)
    try:
        analyse(browser, server, ARTICLE)
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1]  # nothing wider than the phone: no sideways scrolling
        detail = browser.find_element(By.ID, "detail")
        assert not detail.is_displayed()  # a bottom sheet, shown on demand
        shot(browser, shots, "10-phone-report")
        mark = marks(browser)[2]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
        mark.click()
        assert detail.is_displayed() and "Sentence 3 of 7" in detail.text
        shot(browser, shots, "11-phone-details")
        browser.find_element(By.ID, "detail-close").click()
        assert not detail.is_displayed()
        open_form(browser, server)
        box, button = browser.find_element(By.ID, "text"), browser.find_element(By.ID, "file")
        assert box.rect["width"] > 300 and button.rect["y"] > box.rect["y"]  # one column
    finally:
        browser.set_window_size(1400, 1000)
