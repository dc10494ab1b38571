"""``musclewise.web.auth.current_diary``, the dependency the API's diary endpoints use: a
bearer token opens its account's diary; without ``--accounts`` the local diary opens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from fastapi.testclient import TestClient
from starlette.routing import Mount

from musclewise.accounts import Scope
from musclewise.diary import Diary
from musclewise.web import create_app
from musclewise.web.auth import current_diary, current_scope
from tests.accounts.conftest import PASSWORD, Clock
from tests.accounts.web_helpers import accounts_app, client_of


def _probe(app: Any) -> None:
    """A diary endpoint of the kind the API adds, on the mounted API."""
    [api] = [r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1"]

    @api.app.get("/probe")  # type: ignore[attr-defined]
    def probe(
        diary: Annotated[Diary, Depends(current_diary)],
        scope: Annotated[Scope, Depends(current_scope)],
    ) -> dict[str, Any]:
        return {"account": diary.account, "person": diary.person, "scope": scope.account,
                "episodes": [e.notes for e in diary.list_episodes()]}  # fmt: skip


def test_a_token_opens_its_own_accounts_diary(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        _probe(app)
        for email in ("ann@example.org", "bob@example.org"):
            made = accounts.add(email, PASSWORD)
            with Diary(engine=accounts.engine, account=made.id, person="me") as diary:
                diary.add_episode("calf", pain=2, notes=email)
        ann = accounts.get("ann@example.org")
        _, secret = accounts.create_token(ann.id)
        answer = client.get("/api/v1/probe", headers={"Authorization": f"Bearer {secret}"})
        assert answer.json() == {"account": ann.id, "person": "me", "scope": ann.id,
                                 "episodes": ["ann@example.org"]}  # fmt: skip
        assert client.get("/api/v1/probe").status_code == 401


def test_without_accounts_the_local_diary_opens(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'diary.sqlite3'}")
    _probe(app)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        with Diary(engine=app.state.web.engine) as diary:
            diary.add_episode("calf", pain=2, notes="local")
        answer = client.get("/api/v1/probe").json()
        assert answer == {"account": None, "person": "me", "scope": None, "episodes": ["local"]}
    app.state.web.close()
