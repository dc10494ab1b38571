"""The web app keeps no state in its process (issue 12): what lives between requests is in the
``web_state`` table, expires, is forgotten by "delete everything", and the CSRF secret is the
same for every app on one database (or set by ``MUSCLEWISE_SECRET_KEY``). Real SQLite files
through the ASGI app; the cross-process test on PostgreSQL is ``test_two_servers.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.datastructures import FormData

from musclewise.diary.web_state import WebState
from musclewise.errors import FieldProblem
from musclewise.web import create_app, forms


def _client(url: str) -> TestClient:
    return TestClient(create_app(url), base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'diary.sqlite3'}"


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    with _client(url) as c:
        yield c
    c.app.state.web.close()  # type: ignore[attr-defined]


def _token(client: TestClient, page: str = "/check") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
    assert found
    return found.group(1)


def _rows(client: TestClient) -> dict[str, str]:
    with client.app.state.web.engine.connect() as connection:  # type: ignore[attr-defined]
        return dict(connection.execute(select(WebState.id, WebState.kind)).all())


def test_a_check_lives_in_the_database_and_survives_a_new_app(url: str, client: TestClient) -> None:
    token = _token(client)
    key = client.post("/check", data={"csrf": token}).headers["location"].split("/")[2]
    assert _rows(client)[key] == "check"
    with _client(url) as other:  # another process on the same diary
        other.cookies.update(client.cookies)
        assert other.get(f"/check/{key}").status_code == 200
        assert other.post("/check", data={"csrf": token}).status_code == 303, "same secret"
    other.app.state.web.close()  # type: ignore[attr-defined]


def test_an_expired_check_is_gone_and_deleted_when_another_is_added(client: TestClient) -> None:
    token = _token(client)
    key = client.post("/check", data={"csrf": token}).headers["location"].split("/")[2]
    engine = client.app.state.web.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            update(WebState).where(WebState.id == key)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )  # fmt: skip
    assert client.get(f"/check/{key}").status_code == 404
    client.post("/log", data={"csrf": token})
    assert key not in _rows(client), "expired rows are deleted as new ones are added"


def test_a_timer_is_not_a_check(client: TestClient) -> None:
    token = _token(client)
    key = client.post("/log", data={"csrf": token}).headers["location"].split("/")[2]
    assert client.get(f"/check/{key}").status_code == 404
    assert client.post(f"/log/{key}/cancel", data={"csrf": token}).status_code == 303
    assert key not in _rows(client), "a cancelled timer is forgotten at once"


def test_delete_everything_forgets_checks_timers_and_undo_records(client: TestClient) -> None:
    token = _token(client)
    client.post("/check", data={"csrf": token})
    client.post("/log", data={"csrf": token})
    logged = client.post("/log/quick", data={"csrf": token, "site": "calf",
                                             "idempotency_key": "k1"})  # fmt: skip
    episode = logged.headers["location"].split("/")[2].split("?")[0]
    client.post(f"/diary/{episode}/delete", data={"csrf": token})
    assert {"check", "timer", "undo", "logged", "secret"} <= set(_rows(client).values())
    done = client.post("/settings/delete-everything",
                       data={"csrf": token, "confirm": "delete everything"})  # fmt: skip
    assert done.status_code == 303
    assert set(_rows(client).values()) == {"secret"}


def test_the_secret_setting_signs_tokens_for_every_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSCLEWISE_SECRET_KEY", "a long random string from the deployment")
    one, two = (_client(f"sqlite:///{tmp_path / f'{n}.sqlite3'}") for n in ("one", "two"))
    with one, two:
        token = _token(one)
        two.cookies.update(one.cookies)
        assert two.post("/check", data={"csrf": token}).status_code == 303
        assert "secret" not in _rows(two).values(), "no secret is stored when one is set"
    monkeypatch.delenv("MUSCLEWISE_SECRET_KEY")
    with _client(f"sqlite:///{tmp_path / 'three.sqlite3'}") as three:
        three.cookies.update(one.cookies)
        assert three.post("/check", data={"csrf": token}).status_code == 403
    for c in (one, two, three):
        c.app.state.web.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("", {}, None),
        ("7", {"whole": True, "low": 0, "high": 10}, 7),
        ("1,5", {}, 1.5),
        ("11", {"whole": True, "low": 0, "high": 10}, "problem"),
        ("2.5", {"whole": True}, "problem"),
        ("nan", {}, "problem"),
        ("inf", {"whole": True}, "problem"),
        ("-1", {"low": 0}, "problem"),
        ("ten", {}, "problem"),
    ],
)
def test_form_numbers_are_read_one_way(raw: str, options: dict[str, Any], expected: Any) -> None:
    problems: list[FieldProblem] = []
    value = forms.number(FormData({"pain": raw}), "pain", problems, "Enter the pain", **options)
    if expected == "problem":
        assert value is None
        assert problems == [FieldProblem("pain", "Enter the pain")]
    else:
        assert value == expected and type(value) is type(expected) and not problems


def test_the_csrf_cookie_is_secure_over_https_and_the_api_sets_none(url: str) -> None:
    app = create_app(url)
    with TestClient(app, base_url="https://127.0.0.1") as https:
        cookie = https.get("/check").headers["set-cookie"]
        assert cookie.startswith("mw_csrf=") and "Secure" in cookie and "HttpOnly" in cookie
        answer = https.post("/api/v1/assess", json={"site": "calf"})
        assert answer.status_code == 200 and "set-cookie" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"
    with TestClient(app, base_url="http://127.0.0.1") as plain:
        assert "Secure" not in plain.get("/check").headers["set-cookie"]
    app.state.web.close()


def test_htmx_navigation_is_given_the_address_to_show(client: TestClient) -> None:
    page = client.get("/diary?site=calf", headers={"HX-Request": "true"})
    assert page.headers["hx-push-url"] == "/diary?site=calf"
    assert "hx-push-url" not in client.get("/diary").headers
    static = client.get("/static/icon.svg")
    assert "no-store" not in static.headers.get("cache-control", "")
    assert "set-cookie" not in static.headers
