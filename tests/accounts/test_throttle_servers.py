"""The address limit through real servers: two ``musclewise serve --accounts`` processes on one
SQLite file, behind a "proxy" on 127.0.0.1 (the default ``--forwarded-allow-ips``), so Uvicorn
takes the client's address from ``X-Forwarded-For``. Failed logins spread over both servers
count together (the keyed hash is the same in both); another forwarded address is not
refused; the servers' output holds no address."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from musclewise.accounts import Accounts
from tests.accounts.conftest import PASSWORD, quick_hasher

ATTACKER = "203.0.113.7"
ANN = "198.51.100.23"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(url: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    exe = shutil.which("musclewise", path=str(Path(sys.executable).parent)) or "musclewise"
    process = subprocess.Popen(
        [exe, "serve", "--accounts", "--port", str(port), "--database-url", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"musclewise serve stopped: {process.communicate()[1]}")
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("musclewise serve did not start within a minute")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    with Accounts(url, hasher=quick_hasher()) as accounts:
        accounts.add("ann@example.org", PASSWORD)
    started = [start(url), start(url)]
    output = ""
    try:
        yield started[0][1], started[1][1]
    finally:
        for process, _ in started:
            process.terminate()
            out, err = process.communicate(timeout=20)
            output += out + err
    assert ATTACKER not in output and ANN not in output


def log_in(base: str, address: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(headers={"X-Forwarded-For": address}, timeout=30) as browser:
        page = browser.get(base + "/login")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text[:300]
        return browser.post(base + "/login", data={"csrf": found.group(1), "email": email,
                            "password": password, "next": "/"}, follow_redirects=False)  # fmt: skip


def test_failures_on_two_servers_count_together_per_forwarded_address(
    servers: tuple[str, str],
) -> None:
    a, b = servers
    for n in range(20):  # one password over many e-mails, half on each server
        answer = log_in((a, b)[n % 2], ATTACKER, f"person{n}@example.org", "Summer2026!!")
        assert answer.status_code == 400, answer.status_code
    for base in (a, b):
        refused = log_in(base, ATTACKER, "ann@example.org", PASSWORD)
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 900
    # ann, from her own address through the same proxy, logs in on either
    for base in (a, b):
        assert log_in(base, ANN, "ann@example.org", PASSWORD).status_code == 303
