"""The stateless endpoints: ``/assess``, ``/triage``, ``/parse`` and ``/interview/next``
(see the package's docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from musclewise.api.problems import ERRORS
from musclewise.errors import FieldProblem, FindingsError

INFERMEDICA_LEVELS = {
    "emergency": "emergency",
    "urgent": "consultation_24",
    "see_doctor": "consultation",
    "self_care": "self_care",
}
"""musclewise's triage levels as Infermedica's ``triage_level`` names."""
CHOICES = {"present": True, "absent": False, "unknown": None}
"""Infermedica's ``choice_id`` values: present is true, absent false, unknown not known."""
MAX_BODY = 1_000_000
"""The largest request body read, in bytes (a findings object is a few hundred)."""


class Evidence(BaseModel):
    """One piece of Infermedica-style evidence: a yes/no finding and its answer."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="a yes/no key of the findings contract, e.g. 'swelling'")
    choice_id: Literal["present", "absent", "unknown"] = Field(
        description="present (true), absent (false) or unknown (not known)"
    )


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000, description="the person's own words")


class InterviewRequest(BaseModel):
    """The interview so far: what is known, and what was answered "don't know"."""

    model_config = ConfigDict(extra="forbid")
    findings: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list, description="keys answered don't know")


def from_evidence(evidence: list[Evidence]) -> tuple[dict[str, bool], set[str]]:
    """Findings and "don't know" keys from Infermedica-style evidence."""
    from musclewise.findings import FINDINGS_KEYS, validate_findings

    findings: dict[str, bool] = {}
    unknown: set[str] = set()
    problems: list[FieldProblem] = []
    for i, item in enumerate(evidence):
        where = f"evidence[{i}]"
        if item.id not in FINDINGS_KEYS:
            problems.append(FieldProblem(f"{where}.id", f"{item.id!r} is not a findings key"))
            continue
        value = CHOICES[item.choice_id]
        if value is None:
            unknown.add(item.id)
            continue
        try:
            validate_findings({item.id: value})
        except FindingsError:
            problems.append(FieldProblem(f"{where}.id", f"{item.id!r} is not a yes/no finding"))
            continue
        findings[item.id] = value
    if problems:
        raise FindingsError(problems)
    return findings, unknown


def findings_of(body: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Valid findings from a request body that may carry ``evidence`` beside the keys."""
    from musclewise.findings import validate_findings

    given = {k: v for k, v in body.items() if k != "evidence"}
    raw = body.get("evidence", [])
    if not isinstance(raw, list):
        raise FindingsError([FieldProblem("evidence", "must be a list")])
    from pydantic import ValidationError

    evidence: list[Evidence] = []
    problems: list[FieldProblem] = []
    for i, item in enumerate(raw):
        try:
            evidence.append(Evidence.model_validate(item))
        except ValidationError as exc:
            for e in exc.errors():
                where = ".".join(str(p) for p in e["loc"])
                problems.append(
                    FieldProblem(f"evidence[{i}]" + (f".{where}" if where else ""), e["msg"])
                )
    if problems:
        raise FindingsError(problems)
    evidenced, unknown = from_evidence(evidence)
    clash = sorted(k for k in evidenced if k in given)
    if clash:
        raise FindingsError(
            [FieldProblem(k, "is given twice (as a key and as evidence)") for k in clash]
        )
    return validate_findings({**given, **evidenced}), unknown


def assess_findings(findings: Mapping[str, Any]) -> dict[str, Any]:
    from musclewise.assessment import assess_valid

    return dict(assess_valid(findings))


def routes() -> APIRouter:
    """The four stateless endpoints."""
    router = APIRouter()

    findings_body = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "Findings of contract 1.1 (findings.schema.json), "
                        "optionally with `evidence` (Infermedica-style).",
                        "additionalProperties": True,
                    }
                }
            },
        }
    }

    @router.post(
        "/assess", openapi_extra=findings_body, responses=ERRORS, summary="Assess one episode"
    )
    async def assess_endpoint(request: Request) -> dict[str, Any]:
        """Findings in, the assessment of contract 1.1 out (as `musclewise assess`)."""
        findings, _ = findings_of(await json_object(request))
        return assess_findings(findings)

    @router.post(
        "/triage", openapi_extra=findings_body, responses=ERRORS, summary="Triage one episode"
    )
    async def triage_endpoint(request: Request) -> dict[str, Any]:
        """The triage of the assessment alone, with Infermedica's name for its level."""
        findings, _ = findings_of(await json_object(request))
        triage = assess_findings(findings)["triage"]
        return {
            "level": triage["level"],
            "triage_level": INFERMEDICA_LEVELS[triage["level"]],
            "reasons": triage["reasons"],
            "unscreened": triage.get("unscreened", []),
        }

    @router.post("/parse", responses=ERRORS, summary="Read a description into findings")
    async def parse_endpoint(body: ParseRequest) -> dict[str, Any]:
        """The findings read from the person's own words, each with the words it came from."""
        from musclewise.assessment import NOTHING_READ, NOTHING_READ_HINT
        from musclewise.text import merge

        findings, understood = merge({"text": body.text})
        if not understood:
            raise FindingsError([FieldProblem("text", NOTHING_READ)], hint=NOTHING_READ_HINT)
        return {"findings": findings, "understood": understood}

    @router.post("/interview/next", responses=ERRORS, summary="The next question, or stop")
    async def interview_endpoint(body: InterviewRequest) -> dict[str, Any]:
        """The most useful question to ask next (the safety screen first where it matters),
        or ``should_stop`` with the assessment as it stands."""
        from musclewise.assessment import default_engine, resolve_medicines
        from musclewise.interview import next_step

        findings, unknown = findings_of({**body.findings, "evidence": body.evidence})
        unknown |= set(body.unknown)
        findings.pop("text", None)
        medicines = resolve_medicines(findings.get("medications", ()))
        step = next_step(default_engine(), findings, medicines, unknown)
        question = None
        if step.question is not None:
            q = step.question
            question = {
                "key": q.key,
                "type": q.kind,
                "text": q.ask,
                "label": q.label,
                "hint": q.hint,
                "choices": [{"id": v, "label": w} for v, w in q.choices],
            }
        return {
            "should_stop": step.done,
            "question": question,
            "reason": step.reason,
            "assessment": step.assessment,
        }

    return router


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON body, which must be one object."""
    import json

    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise FindingsError([FieldProblem("", f"the body is larger than {MAX_BODY:,} bytes")])
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise FindingsError([FieldProblem("", "the body is not valid JSON")]) from None
    if not isinstance(body, dict):
        raise FindingsError([FieldProblem("", "findings must be a JSON object")])
    return body
