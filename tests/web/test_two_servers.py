"""Past one machine (issue 12): two ``musclewise serve`` processes on different ports, sharing
one PostgreSQL database (a schema of this test's own), serve one person as if they were one.
The second runs Gunicorn with two Uvicorn workers (``--workers 2``), so a request may land on
any of three processes.

A check started on one is answered on the other; a "Log it" timer started on one is stopped on
the other; Undo works across them; a form's CSRF token from one is accepted by the other (and a
forged one refused by both). Real subprocesses, the real PostgreSQL: with ``CI=true`` they must
run (the PostgreSQL fixture fails rather than skips).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from tests.diary.conftest import migrate, postgres_available, schema_url

__all__ = ["postgres_available"]

TEXT = ("Woke up at 3am with my left calf locked solid, agony for about two minutes, "
        "stretching it helped, no swelling")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(url: str, *options: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    exe = shutil.which("musclewise", path=str(Path(sys.executable).parent)) or "musclewise"
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--database-url", url, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait(process: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"musclewise serve stopped: {process.communicate()[1]}")
        time.sleep(0.2)
    raise RuntimeError("musclewise serve did not start within a minute")


@pytest.fixture(scope="module")
def servers(postgres_available: str) -> Iterator[tuple[str, str]]:
    """Two servers on one new PostgreSQL schema (dropped afterwards): plain Uvicorn, and
    Gunicorn with two workers. Their output must hold nothing a person typed."""
    schema = f"mw_test_two_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_available)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(postgres_available, schema)
    migrate(url)
    started = [_start(url), _start(url, "--workers", "2")]
    try:
        for process, base in started:
            _wait(process, base)
        yield started[0][1], started[1][1]
    finally:
        output = ""
        for process, _ in started:
            process.terminate()
            out, err = process.communicate(timeout=20)
            output += out + err
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        assert "calf" not in output and "stretching" not in output


@pytest.fixture
def browser(servers: tuple[str, str]) -> Iterator[httpx.Client]:
    """One person's browser: one cookie jar for both servers (cookies ignore the port)."""
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has a form with its CSRF token"
    return found.group(1)


def _location(response: httpx.Response, pattern: str) -> re.Match[str]:
    assert response.status_code == 303, (response.status_code, response.text[:300])
    found = re.fullmatch(pattern, response.headers["location"])
    assert found, response.headers["location"]
    return found


def test_a_csrf_token_of_one_server_is_accepted_by_the_other(
    servers: tuple[str, str], browser: httpx.Client
) -> None:
    a, b = servers
    token = _token(browser.get(a + "/check"))
    started = browser.post(b + "/check", data={"csrf": token})
    _location(started, r"/check/[\w-]+")
    forged = token.split(".")[0] + "." + "0" * 32
    for server in (a, b):
        refused = browser.post(server + "/check", data={"csrf": forged})
        assert refused.status_code == 403


def test_a_check_started_on_one_server_is_answered_on_the_other(
    servers: tuple[str, str], browser: httpx.Client
) -> None:
    a, b = servers
    token = _token(browser.get(a + "/assess"))
    read = browser.post(a + "/assess", data={"csrf": token, "text": TEXT})
    key = _location(read, r"/check/([\w-]+)/understood").group(1)
    understood = browser.get(f"{b}/check/{key}/understood")
    assert understood.status_code == 200
    kept = re.findall(r'name="keep" value="([^"]+)"', understood.text)
    assert "site" in kept
    confirmed = browser.post(f"{b}/check/{key}/understood", data={"csrf": token, "keep": kept})
    _location(confirmed, f"/check/{key}")
    first = browser.get(f"{a}/check/{key}")
    assert first.status_code == 200, "the confirmation made on b is seen by a"
    asked = re.search(r'name="key" value="([^"]+)"', first.text)
    assert asked
    answered = browser.post(
        f"{b}/check/{key}", data={"csrf": token, "key": asked.group(1), "action": "not_sure"}
    )
    _location(answered, f"/check/{key}")
    second = browser.get(f"{a}/check/{key}")
    now_asked = re.search(r'name="key" value="([^"]+)"', second.text)
    assert now_asked and now_asked.group(1) != asked.group(1), "b's answer moved a on"
    back = browser.post(f"{a}/check/{key}/back", data={"csrf": token})
    _location(back, f"/check/{key}")
    again = re.search(r'name="key" value="([^"]+)"', browser.get(f"{b}/check/{key}").text)
    assert again and again.group(1) == asked.group(1), "going back on a is seen by b"
    _location(browser.post(f"{b}/check/{key}/stop", data={"csrf": token}), f"/check/{key}/answer")
    answer = browser.get(f"{a}/check/{key}/answer")
    assert answer.status_code == 200
    saved = browser.post(f"{a}/check/{key}/save", data={"csrf": token})
    episode = _location(saved, r"/diary/(\w+)\?saved=1(&differs=1)?").group(1)
    twice = browser.post(f"{b}/check/{key}/save", data={"csrf": token})
    _location(twice, f"/diary/{episode}")  # b knows it was saved: no second episode
    shown = browser.get(f"{b}/diary/{episode}")
    assert shown.status_code == 200 and "Calf" in shown.text


def test_a_timer_started_on_one_server_is_stopped_on_the_other(
    servers: tuple[str, str], browser: httpx.Client
) -> None:
    a, b = servers
    token = _token(browser.get(b + "/log"))
    key = _location(browser.post(a + "/log", data={"csrf": token}), r"/log/([\w-]+)").group(1)
    assert browser.get(f"{b}/log/{key}").status_code == 200
    stopped = browser.post(f"{b}/log/{key}/stop", data={"csrf": token, "site": "foot", "pain": "4"})
    episode = _location(stopped, r"/diary/(\w+)\?saved=1").group(1)
    assert browser.get(f"{a}/diary/{episode}").status_code == 200
    again = browser.post(f"{a}/log/{key}/stop", data={"csrf": token, "site": "foot", "pain": "4"})
    assert again.status_code == 404, "a timer is stopped once, whichever server is asked"
    assert browser.get(f"{a}/log/{key}").status_code == 404


def test_undo_on_one_server_of_a_deletion_on_the_other(
    servers: tuple[str, str], browser: httpx.Client
) -> None:
    a, b = servers
    token = _token(browser.get(a + "/log"))
    logged = browser.post(a + "/log/quick",
                          data={"csrf": token, "site": "hand", "pain": "3", "minutes_ago": "30"})  # fmt: skip
    episode = _location(logged, r"/diary/(\w+)\?saved=1").group(1)
    deleted = browser.post(f"{a}/diary/{episode}/delete", data={"csrf": token})
    undo = _location(deleted, r"/diary\?undo=([\w-]+)").group(1)
    assert browser.get(f"{b}/diary/{episode}").status_code == 404
    restored = browser.post(f"{b}/diary/undo/{undo}", data={"csrf": token})
    back = _location(restored, r"/diary/(\w+)").group(1)
    page = browser.get(f"{a}/diary/{back}")
    assert page.status_code == 200 and "Hand" in page.text
    assert browser.post(f"{a}/diary/undo/{undo}", data={"csrf": token}).status_code == 404


def test_an_offline_log_replayed_to_the_other_server_is_saved_once(
    servers: tuple[str, str], browser: httpx.Client
) -> None:
    a, b = servers
    token = _token(browser.get(a + "/offline"))
    form = {"csrf": token, "site": "thigh_back", "pain": "6", "minutes_ago": "10",
            "idempotency_key": uuid.uuid4().hex}  # fmt: skip
    first = _location(browser.post(a + "/log/quick", data=form), r"/diary/(\w+)\?saved=1")
    form["minutes_ago"] = "9"  # a replay a minute later: only the key says it is the same
    again = _location(browser.post(b + "/log/quick", data=form), r"/diary/(\w+)\?saved=1")
    assert again.group(1) == first.group(1)
