"""Layout a new user saw broken on a phone (375 px), in Debian's Chromium against
``musclewise serve`` on the demo diary: table headings broken in the middle of a word."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.test_browser import CHROMIUM, _free_port

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    subprocess.run([sys.executable, "-m", "musclewise", "demo", "--database-url", url],
                   check=True, capture_output=True)  # fmt: skip
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "musclewise", "serve", "--port", str(port), "--database-url", url],
        env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                assert process.poll() is None, "musclewise serve stopped"
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


WORD_LINES = """(cells) => cells.map((cell) => {
  const words = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /[^\\s-]+/g; let m;  // a break after a hyphen is a real break
    while ((m = re.exec(node.data)) !== null) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
      words.push([m[0], tops.size]);
    }
  }
  return words;
}).flat()"""


@pytest.mark.parametrize("path", ["/insights", "/diary"])
def test_no_table_word_is_broken_across_lines_on_a_phone(demo_server: str, path: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 900})
            page.goto(demo_server + path)
            words: list[Any] = page.locator("main table th, main table td").evaluate_all(WORD_LINES)
            assert words
            broken = [w for w, lines in words if lines > 1]
            assert not broken, f"words broken across lines: {broken}"
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
        finally:
            browser.close()


def test_the_report_link_beside_the_download_button_is_not_split(demo_server: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 900})
            page.goto(demo_server + "/report")
            link = page.locator('main a[href="/report/view"]')
            lines = link.evaluate(
                "(a) => new Set(Array.from(a.getClientRects()).map((r) => Math.round(r.top))).size"
            )
            assert lines == 1, "the link's words run over two lines beside the button"
        finally:
            browser.close()
