"""The stateless HTTP API, in process (FastAPI's TestClient over the real app), and against
the real command line for the same findings."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from musclewise import assess
from musclewise.api import INFERMEDICA_LEVELS, create_app

from ..conftest import run_cli


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_every_public_vignette_assesses_as_the_cli_does(
    client: TestClient, vignettes: list[dict[str, Any]], assessment_schema: dict[str, Any]
) -> None:
    lines = "\n".join(json.dumps(v["answers"]) for v in vignettes).encode()
    done = run_cli("assess", "--json", "-", input=lines)
    assert done.returncode == 0, done.stderr
    from_cli = [json.loads(line) for line in done.stdout.splitlines()]
    for vignette, cli_answer in zip(vignettes, from_cli, strict=True):
        response = client.post("/assess", json=vignette["answers"])
        assert response.status_code == 200, (vignette["id"], response.text)
        body = response.json()
        jsonschema.validate(body, assessment_schema)
        assert body == cli_answer, vignette["id"]


def test_bad_findings_are_a_problem_naming_each_field(client: TestClient) -> None:
    response = client.post("/assess", json={"site": "calf", "pain": 12, "swellling": True})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422 and body["title"] == "Invalid findings"
    fields = {e["field"] for e in body["errors"]}
    assert "pain" in fields
    assert any("swelling" in e["problem"] for e in body["errors"])


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'"calf"', b"[" * 5000, b'{"site": "' + b"x" * 1_100_000 + b'"}'],
)
def test_a_body_that_is_not_one_findings_object_is_refused(client: TestClient, raw: bytes) -> None:
    response = client.post("/assess", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"]


def test_infermedica_evidence_is_an_alias_for_yes_no_findings(client: TestClient) -> None:
    keys = {"site": "calf", "swelling": True, "warmth": True, "long_travel": False}
    evidence = [
        {"id": "swelling", "choice_id": "present"},
        {"id": "warmth", "choice_id": "present"},
        {"id": "long_travel", "choice_id": "absent"},
        {"id": "redness", "choice_id": "unknown"},
    ]
    with_evidence = client.post("/assess", json={"site": "calf", "evidence": evidence}).json()
    assert with_evidence == assess(keys)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"id": "swelling", "choice_id": "yes"}, "evidence[0].choice_id"),
        ({"id": "swellling", "choice_id": "present"}, "evidence[0].id"),
        ({"id": "pain", "choice_id": "present"}, "evidence[0].id"),
        ({"id": "swelling", "choice_id": "present", "extra": 1}, "evidence[0].extra"),
        ({"id": "swelling"}, "evidence[0].choice_id"),
    ],
)
def test_bad_evidence_names_the_item(client: TestClient, item: dict[str, Any], field: str) -> None:
    response = client.post("/assess", json={"evidence": [item]})
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_key_given_twice_is_refused(client: TestClient) -> None:
    body = {"swelling": False, "evidence": [{"id": "swelling", "choice_id": "present"}]}
    response = client.post("/assess", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "swelling"


def test_triage_names_the_level_both_ways(client: TestClient) -> None:
    findings = {"site": "thigh_front", "dark_urine": True, "weakness": True}
    body = client.post("/triage", json=findings).json()
    expected = assess(findings)["triage"]
    assert body["level"] == expected["level"]
    assert body["triage_level"] == INFERMEDICA_LEVELS[expected["level"]]
    assert body["reasons"] == expected["reasons"]
    assert set(INFERMEDICA_LEVELS) == {"emergency", "urgent", "see_doctor", "self_care"}


def test_parse_reads_words_into_findings(client: TestClient) -> None:
    response = client.post(
        "/parse", json={"text": "woke at 3am, left calf locked solid, no swelling"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["findings"]["site"] == "calf"
    assert body["findings"]["swelling"] is False
    assert all({"key", "value", "said"} <= set(u) for u in body["understood"])


@pytest.mark.parametrize("body", [{"text": "asdf qwer zxcv"}, {"text": ""}, {"words": "calf"}])
def test_parse_refuses_what_cannot_be_read(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/parse", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", ["/parse", "/assess"])
def test_unreadable_words_are_refused_with_what_to_do_at_once(
    client: TestClient, path: str
) -> None:
    response = client.post(path, json={"text": "me duele mucho la pierna y no puedo respirar"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "text"
    assert "call emergency services now" in problem["hint"]


def test_the_interview_asks_until_it_should_stop(client: TestClient) -> None:
    answers = {"site": "calf", "pain": 8, "duration_s": 90, "onset": "during_sleep"}
    findings: dict[str, Any] = {}
    unknown: list[str] = []
    asked: list[str] = []
    for _ in range(60):
        body = client.post("/interview/next", json={"findings": findings, "unknown": unknown})
        assert body.status_code == 200, body.text
        step = body.json()
        if step["should_stop"]:
            assert step["question"] is None
            break
        key = step["question"]["key"]
        assert key not in asked
        asked.append(key)
        if step["question"]["type"] == "group":
            # the safety screen: "none of these" is each of its signs answered false
            assert key.startswith("screen:") and step["question"]["choices"]
            findings.update({c["id"]: False for c in step["question"]["choices"]})
        elif key in answers:
            findings[key] = answers[key]
        else:
            unknown.append(key)
    else:
        pytest.fail("the interview never stopped")
    assert asked[0] == "site"
    assert step["assessment"]["kind"] == "cramp"


def test_the_openapi_document_is_3_1_and_lists_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"/assess", "/triage", "/parse", "/interview/next"} <= set(spec["paths"])


def test_the_web_app_serves_the_api_and_its_documentation_offline(tmp_path: Any) -> None:
    from musclewise.web.app import create_app as create_web

    app = create_web(f"sqlite:///{tmp_path / 'diary.sqlite3'}")
    with TestClient(app, base_url="http://127.0.0.1") as web:
        answer = web.post("/api/v1/assess", json={"site": "calf", "pain": 8, "duration_s": 90})
        assert answer.status_code == 200
        assert answer.json() == assess({"site": "calf", "pain": 8, "duration_s": 90})
        assert web.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
        docs = web.get("/api/v1/docs")
        assert docs.status_code == 200
        assert "script-src 'self'" in docs.headers["content-security-policy"]
        assert "<script>" not in docs.text  # no inline script
        for asset in (
            "docs/ui/swagger-ui-bundle.js",
            "docs/ui/swagger-ui.css",
            "docs/start/docs.js",
        ):
            assert asset in docs.text
            assert web.get(f"/api/v1/{asset}").status_code == 200
        # a page of another site cannot post to the API from a browser
        refused = web.post(
            "/api/v1/assess", json={"site": "calf"}, headers={"origin": "https://evil.example"}
        )
        assert refused.status_code == 403
    app.state.web.close()
