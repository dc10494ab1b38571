"""The diary API on a real SQLite file and on the real PostgreSQL: every endpoint, paging,
idempotency across app processes, bad input, and report jobs run by the server's thread
(SQLite) or by a real ``musclewise worker`` process (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from musclewise.api import create_app

from ..conftest import run_cli


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    app = create_app(db_url)
    with TestClient(app) as opened:
        yield opened
    app.state.diaries.close()


def _at(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(microsecond=0).isoformat()


def _log(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/episodes", json={"site": "calf", **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_episodes_are_created_read_changed_listed_and_deleted(client: TestClient) -> None:
    client.put("/profile", json={"timezone": "Europe/London"})
    response = client.post("/episodes", json={
        "site": "calf", "pain": 7, "duration_s": 90, "side": "left", "started_at": _at(5),
        "findings": {"onset": "during_sleep"}, "notes": "woke me",
    })  # fmt: skip
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["location"].endswith(f"/episodes/{made['id']}")
    assert made["kind"] == "cramp" and made["triage_level"] == "self_care"
    assert made["assessment"]["kind"] == "cramp"
    one = client.get(f"/episodes/{made['id']}").json()
    assert one == made
    changed = client.patch(f"/episodes/{made['id']}", json={"pain": 3, "notes": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["pain"] == 3 and changed.json()["notes"] is None
    twitch = _log(client, site="eyelid", pain=0, duration_s=20, started_at=_at(2),
                  findings={"visible_twitch": True})  # fmt: skip
    listed = client.get("/episodes").json()
    assert [e["id"] for e in listed["items"]] == [twitch["id"], made["id"]]  # newest first
    assert "assessment" not in listed["items"][0] or listed["items"][0]["assessment"] is None
    assert [e["id"] for e in client.get("/episodes?site=eyelid").json()["items"]] == [twitch["id"]]
    assert [e["id"] for e in client.get("/episodes?kind=cramp").json()["items"]] == [made["id"]]
    assert client.delete(f"/episodes/{made['id']}").status_code == 204
    gone = client.get(f"/episodes/{made['id']}")
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    for missing in ("999999", "abc", "-1"):
        assert client.get(f"/episodes/{missing}").status_code == 404
        assert client.patch(f"/episodes/{missing}", json={"pain": 1}).status_code == 404
        assert client.delete(f"/episodes/{missing}").status_code == 404


def test_paging_by_cursor_gives_every_episode_once(client: TestClient) -> None:
    same = _at(30)
    made = [_log(client, site=site, started_at=same)["id"] for site in ("calf", "foot", "hand")]
    made += [_log(client, started_at=_at(h))["id"] for h in (1, 2, 3, 4)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "/episodes?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query).json()
        seen += [e["id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor:  # an instant and public ids only: nothing of the diary's internal ids
            import base64
            import json

            when, served = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            assert isinstance(when, str) and set(served) <= set(made)
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    assert pages == 4
    bad = client.get("/episodes?cursor=not-a-cursor")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_days_profile_and_medicines(client: TestClient) -> None:
    profile = client.put("/profile", json={"birth_year": 1960, "sex": "female",
                                           "timezone": "Europe/London",
                                           "conditions": ["diabetes"]})  # fmt: skip
    assert profile.status_code == 200, profile.text
    assert client.get("/profile").json()["conditions"] == ["diabetes"]
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    put = client.put(f"/days/{day}", json={"caffeine_cups": 4, "stress": 6})
    assert put.status_code == 200, put.text
    assert client.put(f"/days/{day}", json={"stress": None}).json() == {
        "date": day, "caffeine_cups": 4.0,
    }  # fmt: skip
    assert client.get(f"/days/{day}").json()["caffeine_cups"] == 4
    assert client.get("/days/2001-01-01").status_code == 404
    added = client.post("/medicines", json={"name": "Lipitor"})
    assert added.status_code == 201, added.text
    assert "statin" in " ".join(added.json()["classes"]).lower()
    assert [m["name"] for m in client.get("/medicines").json()] == ["Lipitor"]
    stopped = client.post("/medicines/stop", json={"name": "Lipitor"})
    assert stopped.status_code == 200 and stopped.json()["stopped_on"]
    assert client.post("/medicines/stop", json={"name": "Lipitor"}).status_code == 404
    unknown = client.post("/medicines", json={"name": "Zorblaxiquine"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "medicine"
    kept = client.post("/medicines", json={"name": "Zorblaxiquine", "unknown_ok": True})
    assert kept.status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/episodes", {"site": "knee_cap"}, "site"),
        ("post", "/episodes", {"site": "calf", "pain": 12}, "pain"),
        ("post", "/episodes", {"site": "calf", "pain": "7"}, "pain"),
        ("post", "/episodes", {"site": "calf", "duration_s": -1}, "duration_s"),
        ("post", "/episodes", {"site": "calf", "side": "up"}, "side"),
        ("post", "/episodes", {"site": "calf", "started_at": "yesterday"}, "started_at"),
        ("post", "/episodes", {"site": "calf", "started_at": "2026-01-01T10:00:00"}, "started_at"),
        ("post", "/episodes", {"site": "calf", "started_at": "2999-01-01T10:00:00Z"}, "started_at"),
        ("post", "/episodes", {"site": "calf", "notes": "x" * 6000}, "notes"),
        ("post", "/episodes", {"site": "calf", "findings": {"swellling": True}}, "swellling"),
        ("post", "/episodes", {"site": "calf", "colour": "red"}, "colour"),
        ("post", "/episodes", {}, "site"),
        ("put", "/days/2026-01-01", {"stress": 11}, "stress"),
        ("put", "/days/2026-01-01", {"coffee": 2}, "coffee"),
        ("put", "/days/2999-01-01", {"stress": 1}, "date"),
        ("put", "/days/yesterday", {"stress": 1}, "day"),
        ("put", "/profile", {"sex": "other"}, "sex"),
        ("put", "/profile", {"birth_year": 1700}, "birth_year"),
        ("put", "/profile", {"timezone": "Mars/Olympus"}, "timezone"),
        ("put", "/profile", {"conditions": ["flu"]}, "conditions[0]"),
        ("post", "/medicines", {"name": ""}, "medicine"),
        ("post", "/medicines", {"name": "Lipitor", "started_on": "2999-01-01"}, "started_on"),
        ("post", "/reports", {"format": "docx"}, "format"),
        ("post", "/reports", {"since": "2026-05-02", "until": "2026-05-01"}, "until"),
        ("get", "/episodes?limit=0", None, "limit"),
        ("get", "/episodes?since=0", None, "since"),
        ("get", "/episodes?kind=ache", None, "kind"),
        ("get", "/export?format=xlsx", None, "format"),
        ("get", "/episodes?site=knee_cap", None, "site"),
        ("get", "/episodes?triage=fine", None, "triage"),
        ("get", "/episodes?until=2026-13-01", None, "until"),
        ("get", "/episodes?since=2026-05-02&until=2026-05-01", None, "until"),
        ("get", "/insights?since=1800-01-01", None, "since"),
        ("get", "/insights?since=1990-01-01", None, "since"),
        ("get", "/insights?since=2026-05-02&until=2026-05-01", None, "until"),
        ("post", "/reports", {"since": "yesterday"}, "since"),
        ("put", "/profile", {"pregnant": "yes"}, "pregnant"),
        ("put", "/profile", {"name": ""}, "name"),
        ("post", "/medicines", {"name": "Lipitor", "unknown_ok": "yes"}, "unknown_ok"),
        ("post", "/medicines/stop", {"stopped_on": "2026-01-01"}, "name"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    client: TestClient, method: str, path: str, body: Any, field: str
) -> None:
    response = client.request(method.upper(), path, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert any(
        field in (e["field"], e["problem"].split("'")[1:2][0] if "'" in e["problem"] else None)
        for e in errors
    ), errors


def test_an_idempotency_key_answers_the_first_answer_across_app_processes(
    client: TestClient, db_url: str
) -> None:
    body = {"site": "calf", "pain": 6, "started_at": _at(3)}
    key = {"Idempotency-Key": "log-3f2a"}
    first = client.post("/episodes", json=body, headers=key)
    assert first.status_code == 201
    other = create_app(db_url)  # another app process on the same database
    with TestClient(other) as second_client:
        again = second_client.post("/episodes", json=body, headers=key)
    other.state.diaries.close()
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(client.get("/episodes").json()["items"]) == 1
    clash = client.post("/episodes", json={**body, "pain": 7}, headers=key)
    assert clash.status_code == 422
    assert clash.json()["errors"][0]["field"] == "Idempotency-Key"
    medicine = {"Idempotency-Key": "med-1"}
    assert (
        client.post("/medicines", json={"name": "furosemide"}, headers=medicine).status_code == 201
    )
    assert (
        client.post("/medicines", json={"name": "furosemide"}, headers=medicine).status_code == 201
    )
    assert len(client.get("/medicines").json()) == 1
    no_key = client.post("/medicines", json={"name": "furosemide"})
    assert no_key.status_code == 422  # without a key, a second add is refused as a duplicate
    bad = client.post("/episodes", json=body, headers={"Idempotency-Key": "k" * 300})
    assert bad.status_code == 422


def test_insights_and_exports(client: TestClient) -> None:
    assert client.get("/insights").status_code == 404  # nothing recorded yet
    for hours in (4, 30, 60):
        _log(client, pain=5, duration_s=60, started_at=_at(hours))
    insights = client.get("/insights")
    assert insights.status_code == 200, insights.text
    by_kind = {c["kind"]: c["episodes"] for c in insights.json()["counts"]["by_kind"]}
    assert by_kind["cramp"] == 3
    fhir = client.get("/export?format=fhir")
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    assert fhir.json()["resourceType"] == "Bundle"
    csv = client.get("/export?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.count("\nepisode,") == 3
    lines = client.get("/export?format=jsonl").text.splitlines()
    assert sum('"record":"episode"' in line for line in lines) == 3


def _ask(client: TestClient, fmt: str) -> tuple[str, dict[str, Any]]:
    response = client.post("/reports", json={"format": fmt})
    assert response.status_code == 202, response.text
    assert response.headers["retry-after"] == "2"
    location = response.headers["location"]
    assert location.startswith("/jobs/")
    return location, response.json()


def test_report_jobs(client: TestClient, db_url: str, tmp_path: Any) -> None:
    _log(client, pain=7, duration_s=90, started_at=_at(5))
    location, job = _ask(client, "pdf")
    assert job["state"] == "queued" and job["result"] is None
    if db_url.startswith("sqlite"):
        client.app.state.diaries.dispatcher.wait()  # type: ignore[attr-defined]
    else:
        waiting = client.get(location)
        assert waiting.json()["state"] == "queued"  # nothing runs it yet
        assert waiting.headers["retry-after"] == "2"
        done = run_cli("worker", "--once", "--database-url", db_url)
        assert done.returncode == 0, done.stderr
    polled = client.get(location).json()
    assert polled["state"] == "done", polled
    result = client.get(polled["result"])
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/pdf"
    assert result.content.startswith(b"%PDF")
    assert client.get("/jobs/0123456789abcdef0123456789abcdef").status_code == 404
    assert client.get("/jobs/" + "x" * 300).status_code == 404


def test_a_report_of_an_empty_diary_fails_with_a_reason(client: TestClient, db_url: str) -> None:
    location, _ = _ask(client, "json")
    if db_url.startswith("sqlite"):
        client.app.state.diaries.dispatcher.wait()  # type: ignore[attr-defined]
    else:
        assert run_cli("worker", "--once", "--database-url", db_url).returncode == 0
    job = client.get(location).json()
    assert job["state"] == "failed" and "nothing recorded" in job["error"]
    assert client.get(location + "/result").status_code == 409


def test_the_web_app_serves_the_api_on_its_own_diary(db_url: str) -> None:
    from musclewise.web import create_app as create_web

    app = create_web(db_url)
    with TestClient(app, base_url="http://127.0.0.1") as web:
        made = web.post("/api/v1/episodes", json={"site": "calf", "pain": 4})
        assert made.status_code == 201, made.text
        assert made.headers["location"] == f"/api/v1/episodes/{made.json()['id']}"
        assert web.get(made.headers["location"]).json()["pain"] == 4
        job = web.post("/api/v1/reports", json={"format": "json"})
        assert job.headers["location"].startswith("/api/v1/jobs/")
    app.state.web.close()


def test_one_key_sent_twice_at_the_same_moment_creates_once(db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    apps = [create_app(db_url), create_app(db_url)]
    body = {"site": "foot", "pain": 5, "started_at": _at(1)}
    clients = [TestClient(a) for a in apps]
    try:
        for c in clients:  # each app's first request alone (FastAPI builds its models lazily)
            assert c.post("/episodes", json={}).status_code == 422
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(
                lambda c: c.post("/episodes", json=body, headers={"Idempotency-Key": "same"}),
                clients,
            ))  # fmt: skip
        assert [a.status_code for a in answers] == [201, 201]
        assert answers[0].json() == answers[1].json()
        assert len(clients[0].get("/episodes").json()["items"]) == 1
    finally:
        for app in apps:
            app.state.diaries.close()


def test_an_expired_job_is_gone(client: TestClient, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    _log(client, pain=3)
    location, job = _ask(client, "json")
    engine = create_engine(db_url)
    with engine.begin() as connection:  # as if a day had passed
        connection.execute(
            text("UPDATE job SET expires_at = :past WHERE id = :id"),
            {"past": datetime.now(UTC) - timedelta(minutes=1), "id": job["id"]},
        )
    assert client.get(location).status_code == 404
    assert client.get(location + "/result").status_code == 404
    from musclewise.diary.service import remove_expired

    assert remove_expired(engine) == 1  # what the worker does every hour
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM job")).scalar() == 0
    engine.dispose()


def test_the_worker_is_for_postgresql_only(tmp_path: Any) -> None:
    done = run_cli("worker", "--once", "--database-url", f"sqlite:///{tmp_path / 'd.sqlite3'}")
    assert done.returncode == 2
    assert b"PostgreSQL" in done.stderr


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"site": "knee_cap"}, "site"),
        ({"site": None}, "site"),
        ({"started_at": "noon"}, "started_at"),
        ({"started_at": "2999-01-01T00:00:00+00:00"}, "started_at"),
        ({"duration_s": "long"}, "duration_s"),
        ({"swelling": "yes"}, "swelling"),
        ({"notes": "x" * 6000}, "notes"),
    ],
)
def test_bad_changes_to_an_episode_are_refused_and_change_nothing(
    client: TestClient, changes: dict[str, Any], field: str
) -> None:
    made = _log(client, pain=4, duration_s=30, started_at=_at(2))
    response = client.patch(f"/episodes/{made['id']}", json=changes)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert client.get(f"/episodes/{made['id']}").json() == made


def test_the_workers_help_imports_no_database_and_no_queue() -> None:
    import json
    import subprocess
    import sys

    probe = (
        "import sys\nsys.argv = ['musclewise', 'worker', '--help']\n"
        "from musclewise.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "import json\nsys.stderr.write('@@' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, timeout=120)  # fmt: skip
    assert "--once" in done.stdout
    modules = set(json.loads(done.stderr.rsplit("@@", 1)[1]))
    assert not modules & {"sqlalchemy", "procrastinate", "musclewise.diary", "musclewise.jobs"}
