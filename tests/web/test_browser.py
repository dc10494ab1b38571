"""The web app in a real browser: Debian's Chromium driven by Playwright, against
``musclewise serve`` running in its own process on a SQLite file.

End to end with JavaScript on and off; keyboard only; axe-core (WCAG 2.2 A and AA) on every
page in light and dark; no horizontal scroll at 320 px. Skipped only where Chromium is missing
and ``CI`` is not set (in CI a missing browser fails)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
EMERGENCY = ("I flew back from Sydney yesterday and now my right calf is swollen and red, "
             "and I am short of breath with chest pain")  # fmt: skip
NIGHT_CRAMP = ("Woke up at 3am with my left calf locked solid, agony for about two minutes, "
               "stretching it helped, no swelling")  # fmt: skip

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"the browser tests need {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed (make install does it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``musclewise serve`` in a subprocess, on a SQLite file of its own."""
    folder = tmp_path_factory.mktemp("web")
    port = _free_port()
    exe = shutil.which("musclewise", path=str(Path(sys.executable).parent)) or "musclewise"
    env = {**os.environ, "MUSCLEWISE_DATABASE_URL": f"sqlite:///{folder / 'diary.sqlite3'}"}
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read() if process.stderr else "") from None
                time.sleep(0.1)
        else:
            raise RuntimeError("musclewise serve did not start")
        yield url
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
        # nothing a person typed reaches the server's output
        assert "calf" not in out + err and "Sydney" not in out + err


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _context(browser: Any, *, js: bool = True, scheme: str = "light", width: int = 1280) -> Any:
    return browser.new_context(
        java_script_enabled=js,
        color_scheme=scheme,
        viewport={"width": width, "height": 900},
        accept_downloads=True,
    )


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = _context(browser, js=request.param)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield opened
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems


def go(page: Any, selector: str) -> None:
    """Click and wait for the next page, whether the browser loads it or htmx swaps it in."""
    page.evaluate("document.querySelector('main').setAttribute('data-stale', '')")
    page.click(selector)
    page.wait_for_selector("main:not([data-stale])")
    page.wait_for_load_state()


def _answer_page(page: Any, server: str, text: str) -> None:
    """Describe it, confirm what was understood, answer "No" / "None of these" to each
    warning sign and "Not sure" to the rest, until the answer."""
    page.goto(server + "/assess")
    page.fill("#text", text)
    go(page, "button:has-text('Continue')")
    if page.locator("text=What I understood").count():
        go(page, 'button:has-text("That\'s right, continue")')
    for _ in range(60):
        form = page.locator("form[data-question-kind]")
        if not form.count():
            return
        kind = form.get_attribute("data-question-kind")
        if kind == "group":
            page.check("#answer-none")
        elif kind == "yes_no":
            page.check("#answer-no")
        elif kind in ("choice", "multi"):
            page.check("#answer-not-sure")
        if kind in ("number", "list"):
            go(page, "button[value=not_sure]")
        else:
            go(page, "button[value=answer]")
    raise AssertionError("the interview did not end")


def test_describe_an_emergency(page: Any, server: str) -> None:
    _answer_page(page, server, EMERGENCY)
    panel = page.locator("[data-triage]").first
    assert panel.get_attribute("data-triage") == "emergency"
    assert panel.is_visible()
    assert "999, 112 or 911" in panel.inner_text()
    assert "look after this at home" not in page.content()


def test_describe_a_night_cramp_and_save_it(page: Any, server: str) -> None:
    _answer_page(page, server, NIGHT_CRAMP)
    assert page.locator("[data-triage]").first.get_attribute("data-triage") == "self_care"
    assert page.locator("[data-kind]").first.get_attribute("data-kind") == "cramp"
    assert page.locator("meter").count() == 1
    assert page.locator("ol.sources a[href^='http']").count() >= 1
    go(page, "button:has-text('Save to my diary')")
    assert page.locator("text=Saved to your diary").is_visible()
    assert re.search(r"/diary/[0-9a-f]{32}", page.url)  # its public id


def test_log_it_with_the_timer(page: Any, server: str) -> None:
    page.goto(server + "/")
    go(page, "button:has-text('Log it')")
    assert page.locator("h1").inner_text() == "Timing your episode"
    page.select_option("#site", "hand")
    page.check("#side-right")
    page.select_option("#pain", "5")
    go(page, "button:has-text('It stopped')")
    assert page.locator("text=Saved to your diary").is_visible()
    assert "5 out of 10" in page.inner_text("main")


def test_diary_edit_delete_and_undo(page: Any, server: str) -> None:
    page.goto(server + "/")
    go(page, "button:has-text('Log it')")
    page.select_option("#site", "foot")
    go(page, "button:has-text('It stopped')")
    go(page, "a:has-text('Change')")
    page.fill("#pain", "12")
    go(page, "button:has-text('Save changes')")
    assert page.locator(".error-summary").is_visible()
    page.fill("#pain", "3")
    page.fill("#notes", "after a long walk")
    go(page, "button:has-text('Save changes')")
    assert "3 out of 10" in page.inner_text("main")
    go(page, "button:has-text('Delete')")
    assert page.locator("text=The episode was deleted").is_visible()
    go(page, "button:has-text('Undo')")
    assert "after a long walk" in page.inner_text("main")
    page.goto(server + "/diary?site=foot")
    assert page.locator("tbody tr").count() >= 1


def test_the_day_form(page: Any, server: str) -> None:
    page.goto(server + "/day")
    page.fill("#caffeine_cups", "4")
    page.fill("#sleep_hours", "6")
    page.check("#hot_environment")
    go(page, "button:has-text('Save the day')")
    assert page.locator("text=was saved").is_visible()
    assert page.input_value("#caffeine_cups") == "4.0"


def test_insights_report_and_import(page: Any, server: str, tmp_path: Path) -> None:
    for site in ("calf", "calf", "thigh_back"):
        page.goto(server + "/")
        go(page, "button:has-text('Log it')")
        page.select_option("#site", site)
        go(page, "button:has-text('It stopped')")
    page.goto(server + "/insights")
    charts = page.locator("figure.chart img")
    assert charts.count() >= 4
    for i in range(charts.count()):
        assert len(charts.nth(i).get_attribute("alt") or "") > 10
        assert charts.nth(i).evaluate("img => img.naturalWidth") > 0
    page.goto(server + "/report")
    with page.expect_download() as download:
        page.click("a:has-text('Download the PDF')")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        assert "episodes" in text.lower()
    page.goto(server + "/transfer")
    with page.expect_download() as exported:
        page.click("a:has-text('Spreadsheet (CSV)')")
    lines = Path(exported.value.path()).read_text("utf-8").splitlines()
    columns = lines[0].split(",")
    cells = lines[1].split(",")
    cells[columns.index("pain")] = "eleven"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(cells)]) + "\n", "utf-8")
    page.set_input_files("#file", str(bad))
    go(page, "button:has-text('Check the file')")
    summary = page.locator(".error-summary").inner_text()
    assert "line 3" in summary and "pain" in summary


def test_keyboard_only(browser: Any, server: str) -> None:
    """Describe it with Tab, typing and Enter alone; every focused element is visibly marked."""
    context = _context(browser)
    page = context.new_page()
    page.goto(server + "/")
    page.bring_to_front()  # the page has the focus (another test's page may have had it)

    def tab_to(selector: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            # read the style once the focus has settled on its element (under load the key's
            # focus change can still be on its way when the next script runs)
            page.wait_for_function(
                "document.activeElement === document.body"
                " || document.activeElement.matches(':focus')"
            )
            focused = page.evaluate_handle("document.activeElement")
            outline = page.evaluate(
                "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth,"
                " s.boxShadow, s.backgroundColor]; }",
                focused,
            )
            tag = page.evaluate("el => el.tagName", focused)
            if tag != "BODY":
                visible = (outline[0] != "none" and outline[1] != "0px") or outline[2] != "none"
                assert visible, f"focus not visible on {tag}: {outline}"
            if page.evaluate("(args) => args[0].matches(args[1])", [focused, selector]):
                return
        raise AssertionError(f"{selector} not reached with Tab")

    def enter() -> None:
        page.evaluate("document.querySelector('main').setAttribute('data-stale', '')")
        page.keyboard.press("Enter")
        page.wait_for_selector("main:not([data-stale])")

    tab_to("a[href='/assess']")
    enter()
    tab_to("#text")
    page.keyboard.type(NIGHT_CRAMP)
    tab_to("button[type=submit]")
    enter()
    assert page.locator("h1").inner_text() == "What I understood"
    tab_to("button[type=submit]")
    enter()
    tab_to("#answer")  # the first choice (or the box) of the first question
    if page.evaluate("['radio', 'checkbox'].includes(document.activeElement.type)"):
        page.keyboard.press("Space")
    else:
        page.keyboard.type("2")
    tab_to("button[value=answer]")
    enter()
    assert page.locator("text=Question 2").count() or page.locator("[data-triage]").count()
    page.goto(server + "/")
    tab_to("button.button--log")
    enter()
    assert page.locator("h1").inner_text() == "Timing your episode"
    tab_to("form[action$='/stop'] button")
    enter()
    assert page.locator("text=Saved to your diary").is_visible()
    context.close()


def test_logging_offline_is_queued_and_sent_later(browser: Any, server: str) -> None:
    """The service worker shows the offline page when the server cannot be reached, keeps an
    episode logged there, and sends it (once) when the server answers again."""
    context = _context(browser)
    page = context.new_page()
    page.goto(server + "/offline")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    before = page.goto(server + "/diary?site=shin")
    assert before is not None
    assert "No episodes" in page.inner_text("main")
    context.set_offline(True)
    page.goto(server + "/diary")
    assert page.locator("h1").inner_text() == "You are offline"
    page.select_option("#site", "shin")
    page.select_option("#pain", "4")
    page.click("button:has-text('Log it')")
    page.wait_for_selector("text=Kept on this device")
    context.set_offline(False)
    for _ in range(50):  # the worker sends the queue as soon as a request gets through
        page.goto(server + "/diary?site=shin")
        if page.locator("tbody tr").count():
            break
        page.wait_for_timeout(100)
    assert page.locator("tbody tr").count() == 1
    page.goto(server + "/diary?site=shin")
    assert page.locator("tbody tr").count() == 1  # sent once
    context.close()


PAGES = ["/", "/log", "/assess", "/check", "/diary", "/day", "/profile", "/insights", "/report",
         "/transfer", "/knowledge", "/settings", "/offline"]  # fmt: skip


def _more_pages(page: Any, server: str) -> list[str]:
    """Pages reached by a flow: a question, an answer, a timer, an episode and its edit."""
    found: list[str] = []
    page.goto(server + "/check")
    go(page, "button:has-text('Start')")
    found.append(page.url)
    page.goto(server + "/")
    go(page, "button:has-text('Log it')")
    go(page, "button:has-text('It stopped')")
    episode = page.url.split("?")[0]
    found += [episode, episode + "/edit"]
    page.goto(server + "/")
    go(page, "button:has-text('Log it')")
    found.append(page.url)  # a timer left running
    page.goto(server + "/assess")
    page.fill("#text", NIGHT_CRAMP)
    go(page, "button:has-text('Continue')")
    found.append(page.url)  # what was understood
    go(page, 'button:has-text("That\'s right, continue")')
    found.append(page.url)  # the first question after a text: the safety screen, if any
    _answer_page(page, server, NIGHT_CRAMP)
    found.append(page.url)
    _answer_page(page, server, EMERGENCY)
    found.append(page.url)
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_and_320px_on_every_page(browser: Any, server: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = _context(browser, scheme=scheme)
    page = context.new_page()
    urls = [server + p for p in PAGES] + _more_pages(page, server)
    narrow = _context(browser, scheme=scheme, width=320)
    small = narrow.new_page()
    failures = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.get_attribute("html", "lang") == "en"
        assert page.title()
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        if results.violations_count:
            failures.append(f"{url} ({scheme}):\n{results.generate_report()}")
        small.goto(url)
        width = small.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            failures.append(f"{url} at 320 px: {width[0]} px wide")
    context.close()
    narrow.close()
    assert not failures, "\n".join(failures)
