"""An API token opens its account's first person, or the person its ``X-Musclewise-Person``
header names (a parent's script logging a child's cramps); never another account's person.
Runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

from tests.accounts.conftest import PASSWORD, Clock
from tests.accounts.web_helpers import accounts_app, client_of

HEADER = "X-Musclewise-Person"


def test_a_token_opens_the_person_its_request_names(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts):
        ann = accounts.add("ann@example.org", PASSWORD)
        bob = accounts.add("bob@example.org", PASSWORD)
        accounts.add_person(ann.id, "Zoë")
        accounts.add_person(bob.id, "Max")
        _, secret = accounts.create_token(ann.id)
        bearer = {"Authorization": f"Bearer {secret}"}
        zoe = {**bearer, HEADER: quote("Zoë")}
        with client_of(app) as api:
            made = api.post("/api/v1/episodes", json={"site": "calf", "pain": 7}, headers=zoe)
            assert made.status_code == 201, made.text
            mine = api.post("/api/v1/episodes", json={"site": "eyelid", "pain": 0},
                            headers={**bearer, HEADER: "me"})  # fmt: skip
            assert mine.status_code == 201, mine.text

            def sites(headers: dict[str, str]) -> list[str]:
                listed = api.get("/api/v1/episodes", headers=headers)
                assert listed.status_code == 200, listed.text
                return [e["site"] for e in listed.json()["items"]]

            assert sites(zoe) == ["calf"]
            assert sites(bearer) == ["eyelid"]  # no header: the account's first person
            episode = made.json()["id"]
            assert api.get(f"/api/v1/episodes/{episode}", headers=zoe).status_code == 200
            assert api.get(f"/api/v1/episodes/{episode}", headers=bearer).status_code == 404

            for other in ("Max", "nobody", ""):  # another account's person, or none at all
                refused = api.get("/api/v1/episodes", headers={**bearer, HEADER: other})
                assert refused.status_code == 404, other
                problem = refused.json()
                assert problem["errors"][0]["field"] == HEADER.lower()
                assert refused.headers["content-type"] == "application/problem+json"
                assert "Max" not in refused.text and "Zoë" not in refused.text
            # the header never stands in for the token
            assert api.get("/api/v1/episodes", headers={HEADER: "me"}).status_code == 401
