"""Driving the web app through plain form posts, as a browser without JavaScript does."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from fastapi.testclient import TestClient

TOKEN = re.compile(r'name="csrf" value="([^"]+)"')
QUESTION = re.compile(r'data-question="([^"]+)" data-question-kind="([^"]+)"')
TRIAGE = re.compile(r'data-triage="([a-z_]+)"')
KIND = re.compile(r'data-kind="([a-z_]+)"')


def token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def post(client: TestClient, page: str, path: str, data: Mapping[str, Any] | None = None) -> Any:
    """Post a form of ``page`` (its token included) and follow the 303."""
    return client.post(path, data={"csrf": token(page), **(data or {})}, follow_redirects=True)


def triage_of(page: str) -> str | None:
    found = TRIAGE.search(page)
    return found.group(1) if found else None


def kind_of(page: str) -> str | None:
    found = KIND.search(page)
    return found.group(1) if found else None


def choices(page: str) -> list[str]:
    values = re.findall(r'name="answer" value="([^"]+)"', page)
    return [html.unescape(v) for v in values if not v.startswith("__")]


def answer_from(
    page: str, key: str, kind: str, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    """The form data answering this question from ``answers`` ("Not sure" when a key is
    missing), and the findings and "not sure" keys it means."""
    if kind == "group":
        keys = choices(page)
        ticked = [k for k in keys if answers.get(k) is True]
        if ticked:  # a checklist: every sign not ticked is a "no" (interview.answer_group)
            return {"answer": ticked}, {k: k in ticked for k in keys}, set()
        if all(answers.get(k) is False for k in keys):
            return {"answer": "__none__"}, dict.fromkeys(keys, False), set()
        return {"answer": "__not_sure__"}, {}, set(keys)
    if key not in answers:
        if kind in ("number", "list"):
            return {"action": "not_sure"}, {}, {key}
        return {"answer": "__not_sure__"}, {}, {key}
    value = answers[key]
    if kind == "yes_no":
        return {"answer": "yes" if value else "no"}, {key: value}, set()
    if kind == "choice":
        return {"answer": value}, {key: value}, set()
    if kind == "multi":
        return {"answer": list(value) or "__none__"}, {key: list(value)}, set()
    if kind == "list":
        return {"text_answer": ", ".join(value)}, {key: list(value)}, set()
    if key == "duration_s":
        return {"number": repr(float(value)), "unit": "seconds"}, {key: float(value)}, set()
    return {"number": str(value)}, {key: value}, set()


def run_interview(
    client: TestClient, answers: Mapping[str, Any], limit: int = 80
) -> tuple[str, dict[str, Any]]:
    """Start "Answer questions" and answer every question from ``answers``; returns the answer
    page and the findings the answers gave."""
    start = client.get("/check")
    page = post(client, start.text, "/check").text
    findings: dict[str, Any] = {}
    for _ in range(limit):
        found = QUESTION.search(page)
        if not found:
            return page, findings
        key, kind = found.groups()
        form = re.search(r'<form method="post" action="(/check/[^"/]+)"', page)
        assert form
        data, added, _ = answer_from(page, key, kind, answers)
        findings.update(added)
        page = post(client, page, form.group(1), {"key": key, **data}).text
    raise AssertionError("the interview did not end")
