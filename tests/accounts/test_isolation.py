"""Isolation: two accounts, each with a diary; account B, logged in (pages) or with its token
(API), tries every route of the app on account A's ids and objects. Each answers 404, and no
answer ever holds A's data. The routes are walked from the app itself, so a new page or
endpoint is covered the day it is added (a path parameter this test does not know is given A's
episode's public id, and must answer 404 too). Runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from musclewise.diary import Diary
from tests.accounts.conftest import PASSWORD, Clock
from tests.accounts.web_helpers import accounts_app, client_of, form, log_in
from tests.web.helpers import token

MARK = "ANNSECRET"
"""In A's notes, day and person names: it must appear in no answer given to B."""
FORGETTING = {"/log/{key}/cancel"}
"""Routes that forget a thing and answer 303 whether or not it was there (a second cancel is
harmless): for B they forget nothing of A's (checked at the end), and show nothing."""
PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")


def _routes(app: Any) -> list[tuple[str, set[str], bool]]:
    """Every route of the app and of the apps it mounts: (path, methods, is_api)."""
    found: list[tuple[str, set[str], bool]] = []
    for route in app.routes:
        if isinstance(route, APIRoute | Route) and not isinstance(route, Mount):
            found.append((route.path, set(route.methods or ()) - {"HEAD"}, False))
        elif isinstance(route, Mount) and route.path.startswith("/api"):
            for inner in route.routes:
                if isinstance(inner, APIRoute | Route) and not isinstance(inner, Mount):
                    path = route.path + inner.path
                    found.append((path, set(inner.methods or ()) - {"HEAD"}, True))
    return found


def test_account_b_sees_and_changes_nothing_of_account_a(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts):
        ann = accounts.add("ann@example.org", PASSWORD)
        bob = accounts.add("bob@example.org", PASSWORD)
        accounts.add_person(ann.id, f"Lily {MARK}")
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            diary.set_profile({"birth_year": 1961})
            diary.add_medicine("atorvastatin")
            kept = diary.add_episode("calf", pain=6, notes=f"{MARK} calf at night")
            doomed = diary.add_episode("foot", pain=2, notes=f"{MARK} foot")
            day = diary.today()
            diary.set_day(day, {"caffeine_cups": 3, "notes": f"{MARK} day"})
        with Diary(engine=accounts.engine, account=bob.id, person="me") as diary:
            diary.add_episode("hand", pain=1, notes="bob's own")
        _, ann_token = accounts.create_token(ann.id, f"token {MARK}")
        share, _ = accounts.create_share(ann.id, "me", days=7, label=f"Dr {MARK}")

        with client_of(app) as a, client_of(app) as b:
            log_in(a, "ann@example.org")
            check = a.post("/check", data={"csrf": token(a.get("/check").text)})
            check_key = check.url.path.split("/")[2]
            timer = a.post("/log", data={"csrf": token(a.get("/log").text)})
            timer_key = timer.url.path.split("/")[2]
            undone = form(a, "/account", f"/diary/{doomed.public_id}/delete")
            undo_token = str(undone.url.params["undo"])
            assert check_key and timer_key and undo_token

            log_in(b, "bob@example.org")
            csrf = token(b.get("/account").text)
            _, bob_secret = accounts.create_token(bob.id)
            bearer = {"Authorization": f"Bearer {bob_secret}"}
            a_ids = {
                "episode_id": kept.public_id, "share_id": str(share.id),
                "token_id": str(accounts.tokens(ann.id)[0].id), "token": undo_token,
            }  # fmt: skip
            tried: list[str] = []
            for path, methods, is_api in _routes(app):
                if path.startswith("/share/"):
                    continue  # a doctor's link: anyone holding it may read (tested elsewhere)
                names = PARAM.findall(path)
                owned = False
                url = path
                for name in names:
                    if name in ("fmt",):
                        value = "jsonl"
                    elif name == "date" or name.endswith("_date"):
                        value = day.isoformat()
                    elif name == "key":
                        value, owned = (check_key if path.startswith("/check") else timer_key), True
                    elif name in a_ids and not is_api:
                        value, owned = a_ids[name], True
                    else:  # the API names episodes (and anything new) by opaque ids
                        value, owned = kept.public_id, True
                    url = PARAM.sub(value, url, count=1)
                for method in sorted(methods):
                    if not names and method != "GET":
                        continue  # B acting on its own diary: not A's concern
                    if is_api:
                        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
                        answer = b.request(method, url, headers=bearer, **body)
                    else:
                        body = {"data": {"csrf": csrf}} if method != "GET" else {}
                        answer = b.request(method, url, follow_redirects=False, **body)
                    tried.append(f"{method} {path}")
                    assert MARK not in answer.text, f"{method} {path} showed A's data to B"
                    if owned and path not in FORGETTING:
                        assert answer.status_code == 404, (method, path, answer.status_code)
            assert len(tried) >= 25, tried
            # B's session is no API token, and A's token is not B's
            assert b.get("/api/v1/openapi.json").status_code == 200
            assert b.post("/api/v1/assess", json={"site": "calf"}).status_code == 401
            wiped = b.post("/settings/delete-everything",
                           data={"csrf": csrf, "confirm": "delete everything"})  # fmt: skip
            assert wiped.status_code == 200 and MARK not in wiped.text  # B's own data only
            assert a.get("/account").status_code == 200, "A's login is untouched"
            assert a.get(f"/log/{timer_key}").status_code == 200, "A's timer runs on"
            assert a.get(f"/check/{check_key}").status_code == 200, "A's check goes on"

        # A's diary is whole (B's deletes, edits and undos touched nothing of it)
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            assert [e.notes for e in diary.list_episodes()] == [f"{MARK} calf at night"]
            assert diary.get_day(day) is not None and diary.get_profile().birth_year == 1961
        assert accounts.token_scope(ann_token).account == ann.id
        assert accounts.shares(ann.id)[0].revoked_at is None
