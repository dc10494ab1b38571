"""``make screenshots``: every page of the web app at 1280 and 375 px wide, as PNG files.

Runs the app on a demo diary in a temporary folder and drives Debian's Chromium with
Playwright (a development dependency): ``python -m musclewise.web.screenshots FOLDER``.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1280, 375)
MAX_HEIGHT = 2400
"""Long pages (the knowledge base, a full diary) are cut at this height."""
PAGES = {
    "home": "/",
    "describe": "/assess",
    "questions": "/check",
    "diary": "/diary",
    "day": "/day",
    "profile": "/profile",
    "insights": "/insights",
    "report": "/report",
    "transfer": "/transfer",
    "knowledge": "/knowledge",
    "settings": "/settings",
}
NIGHT_CRAMP = ("Woke up at 3am with my left calf locked solid, agony for about two minutes, "
               "stretching it helped, no swelling")  # fmt: skip
EMERGENCY = ("I flew back from Sydney yesterday and now my right calf is swollen and red, "
             "and I am short of breath with chest pain")  # fmt: skip


def _serve(url: str) -> tuple[Any, str]:
    import uvicorn

    from musclewise.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(url), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _flow_pages(page: Any, base: str) -> dict[str, str]:
    """URLs reached through the flows: a question, two answers, a timer, an episode."""

    def click(selector: str) -> None:  # waits for the next page, loaded or swapped by htmx
        page.evaluate("document.querySelector('main').setAttribute('data-stale', '')")
        page.click(selector)
        page.wait_for_selector("main:not([data-stale])")
        page.wait_for_load_state()

    found: dict[str, str] = {}
    for name, text in (("answer-self-care", NIGHT_CRAMP), ("answer-emergency", EMERGENCY)):
        page.goto(base + "/assess")
        page.fill("#text", text)
        click("button:has-text('Continue')")
        if name == "answer-self-care":
            found["understood"] = page.url
        click('button:has-text("That\'s right, continue")')
        for _ in range(60):
            form = page.locator("form[data-question-kind]")
            if not form.count():
                break
            kind = form.get_attribute("data-question-kind")
            if kind == "group":
                page.check("#answer-none")
            elif kind == "yes_no":
                page.check("#answer-no")
            elif kind in ("choice", "multi"):
                page.check("#answer-not-sure")
            click(
                "button[value=not_sure]" if kind in ("number", "list") else "button[value=answer]"
            )
        found[name] = page.url
    page.goto(base + "/assess")
    page.fill("#text", NIGHT_CRAMP)
    click("button:has-text('Continue')")
    click('button:has-text("That\'s right, continue")')
    found["safety-screen"] = page.url  # the first question after a text, left unanswered
    page.goto(base + "/check")
    click("button:has-text('Start')")
    found["question"] = page.url  # left unanswered
    page.goto(base + "/")
    click("button:has-text('Log it')")
    found["timer"] = page.url  # left running
    page.goto(base + "/diary")
    found["episode"] = base + str(page.locator("tbody a").first.get_attribute("href"))
    return found


def main(folder: str) -> None:
    from playwright.sync_api import sync_playwright

    from musclewise.diary import Diary
    from musclewise.diary.demo import PERSON, fill_demo

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        with Diary(url, person=PERSON) as diary:
            fill_demo(diary)
        server, base = _serve(url)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                pages = {name: base + path for name, path in PAGES.items()}
                pages.update(_flow_pages(page, base))
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    for name, address in pages.items():
                        page.goto(address)
                        page.wait_for_load_state("networkidle")
                        height = min(MAX_HEIGHT, page.evaluate("document.body.scrollHeight"))
                        clip: Any = {"x": 0, "y": 0, "width": width, "height": height}
                        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True,
                                        clip=clip)  # fmt: skip
                browser.close()
        finally:
            server.should_exit = True
    print(f"wrote {len(pages) * len(WIDTHS)} screenshots to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
