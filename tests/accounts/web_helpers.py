"""Driving the web app with accounts: an app on a test database, logging in, posting forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from musclewise.accounts import Accounts
from musclewise.web import create_app
from tests.accounts.conftest import PASSWORD, Clock, quick_hasher
from tests.web.helpers import token

LINK = re.compile(r'id="new-link" value="([^"]+)"')
NEW_TOKEN = re.compile(r'id="new-token" value="([^"]+)"')


@contextmanager
def accounts_app(
    url: str, clock: Clock, *, registration: bool = True, base_url: str = "http://127.0.0.1"
) -> Iterator[tuple[Any, Accounts]]:
    app = create_app(url, accounts=True, registration=registration,
                     accounts_options={"hasher": quick_hasher(), "clock": clock})  # fmt: skip
    try:
        yield app, app.state.auth.accounts
    finally:
        app.state.web.close()


def client_of(
    app: Any, base_url: str = "http://127.0.0.1", address: str = "testclient"
) -> TestClient:
    """A browser on the app; ``address``: its IP address (the ASGI scope's client)."""
    return TestClient(app, base_url=base_url, client=(address, 50000))


def log_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/") -> Any:
    page = client.get("/login").text
    return client.post("/login", data={"csrf": token(page), "email": email,
                                       "password": password, "next": next},
                       follow_redirects=False)  # fmt: skip


def form(client: TestClient, page_path: str, path: str, data: dict[str, Any] | None = None,
         follow: bool = True) -> Any:  # fmt: skip
    page = client.get(page_path).text
    return client.post(path, data={"csrf": token(page), **(data or {})}, follow_redirects=follow)


def new_link(page: str) -> str:
    found = LINK.search(page)
    assert found, "the page shows no new link"
    return found.group(1)


def new_token(page: str) -> str:
    found = NEW_TOKEN.search(page)
    assert found, "the page shows no new token"
    return found.group(1)
