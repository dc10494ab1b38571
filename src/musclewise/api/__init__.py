"""The stateless HTTP API for integrators, ``/api/v1``: a thin shell over the library.

Four endpoints, each taking JSON and holding no state between calls (so any number of app
processes can serve them):

- ``POST /assess``: findings of contract 1.1 in, an assessment of contract 1.1 out (the same
  as ``musclewise assess --format json``);
- ``POST /parse``: ``{"text"}`` in, the findings read from it with the words they came from;
- ``POST /triage``: findings in, the level with its reasons and the unscreened warning signs,
  also as Infermedica's level names;
- ``POST /interview/next``: the findings so far in, the next question (the safety screen
  included) or ``should_stop`` with the assessment out.

Findings may also be given as Infermedica-style evidence (:data:`CHOICES`):
``{"evidence": [{"id": "swelling", "choice_id": "present"}]}``, where ``id`` is a yes/no key of
the contract. Every error is an RFC 9457 problem (``application/problem+json``) that names each
field and its problem in the same words as the command line; bad findings are a 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from musclewise.errors import FieldProblem, FindingsError, MusclewiseError

PREFIX = "/api/v1"
PROBLEM_JSON = "application/problem+json"
INFERMEDICA_LEVELS = {
    "emergency": "emergency",
    "urgent": "consultation_24",
    "see_doctor": "consultation",
    "self_care": "self_care",
}
"""musclewise's triage levels as Infermedica's ``triage_level`` names."""
CHOICES = {"present": True, "absent": False, "unknown": None}
MAX_BODY = 1_000_000
"""The largest request body read, in bytes (a findings object is a few hundred)."""
"""Infermedica's ``choice_id`` values: present is true, absent false, unknown not known."""


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


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "problem"],
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
            },
        },
    },
}
"""An RFC 9457 problem with the field-by-field ``errors`` of musclewise."""
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "The findings or the request are not valid: each field and its problem.",
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
    },
    400: {
        "description": "The request was understood but refused.",
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
    },
}


def _problem(status: int, title: str, detail: str, errors: list[FieldProblem]) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [{"field": p.key, "problem": p.problem} for p in errors],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _from_evidence(evidence: list[Evidence]) -> tuple[dict[str, bool], set[str]]:
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


def _findings(body: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
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
    from_evidence, unknown = _from_evidence(evidence)
    clash = sorted(k for k in from_evidence if k in given)
    if clash:
        raise FindingsError(
            [FieldProblem(k, "is given twice (as a key and as evidence)") for k in clash]
        )
    return validate_findings({**given, **from_evidence}), unknown


def _assess(findings: Mapping[str, Any]) -> dict[str, Any]:
    from musclewise.assessment import assess_valid

    return assess_valid(findings)


def create_app() -> FastAPI:
    """The API as its own ASGI application (the web app mounts it at :data:`PREFIX`)."""
    app = FastAPI(
        title="musclewise API",
        version="1",
        summary="Tell a muscle cramp from a twitch or a mimic, and triage it, with sources.",
        description=(
            "Health information, not a diagnosis. Findings and assessments follow the "
            "musclewise contract 1.1 (`musclewise.assessment/1`). Errors are RFC 9457 problems. "
            "Infermedica-style evidence (`{id, choice_id: present|absent|unknown}`) is accepted "
            "beside the findings keys; triage levels map as emergency = emergency, urgent = "
            "consultation_24, see_doctor = consultation, self_care = self_care."
        ),
        docs_url=None,
        redoc_url=None,
    )
    _docs(app)

    @app.exception_handler(FindingsError)
    async def _bad_findings(_: Request, exc: FindingsError) -> JSONResponse:
        return _problem(422, "Invalid findings", exc.message, exc.problems)

    @app.exception_handler(MusclewiseError)
    async def _refused(_: Request, exc: MusclewiseError) -> JSONResponse:
        return _problem(400, "Request refused", exc.message, [])

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI's own refusals (a body that does not parse, a wrong method or path)
        response = _problem(exc.status_code, str(exc.detail), str(exc.detail), [])
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            FieldProblem(".".join(str(p) for p in e.get("loc", ())[1:]), str(e.get("msg", "")))
            for e in exc.errors()
        ]
        return _problem(422, "Invalid request", "; ".join(map(str, problems)), problems)

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

    @app.post(
        "/assess", openapi_extra=findings_body, responses=ERRORS, summary="Assess one episode"
    )
    async def assess_endpoint(request: Request) -> dict[str, Any]:
        """Findings in, the assessment of contract 1.1 out (as `musclewise assess`)."""
        findings, _ = _findings(await _json_object(request))
        return _assess(findings)

    @app.post(
        "/triage", openapi_extra=findings_body, responses=ERRORS, summary="Triage one episode"
    )
    async def triage_endpoint(request: Request) -> dict[str, Any]:
        """The triage of the assessment alone, with Infermedica's name for its level."""
        findings, _ = _findings(await _json_object(request))
        triage = _assess(findings)["triage"]
        return {
            "level": triage["level"],
            "triage_level": INFERMEDICA_LEVELS[triage["level"]],
            "reasons": triage["reasons"],
            "unscreened": triage.get("unscreened", []),
        }

    @app.post("/parse", responses=ERRORS, summary="Read a description into findings")
    async def parse_endpoint(body: ParseRequest) -> dict[str, Any]:
        """The findings read from the person's own words, each with the words it came from."""
        from musclewise.text import merge

        findings, understood = merge({"text": body.text})
        if not understood:
            raise FindingsError([FieldProblem("text", "nothing could be read from it")])
        return {"findings": findings, "understood": understood}

    @app.post("/interview/next", responses=ERRORS, summary="The next question, or stop")
    async def interview_endpoint(body: InterviewRequest) -> dict[str, Any]:
        """The most useful question to ask next (the safety screen first where it matters),
        or ``should_stop`` with the assessment as it stands."""
        from musclewise.assessment import default_engine, resolve_medicines
        from musclewise.interview import next_step

        findings, unknown = _findings({**body.findings, "evidence": body.evidence})
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

    return app


DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'"
)
"""The documentation page's policy: Swagger UI sets styles inline; every file is local."""


def _docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the ``swagger-ui-bundle`` package, so it works offline and
    under a strict Content-Security-Policy (no CDN, no inline script)."""
    from pathlib import Path

    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/ui", StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.mount(
        "/docs/start", StaticFiles(directory=Path(__file__).with_name("static")), name="api-docs"
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>musclewise API</title>"
        '<link rel="stylesheet" href="docs/ui/swagger-ui.css"></head>'
        '<body><div id="swagger-ui"></div>'
        '<script src="docs/ui/swagger-ui-bundle.js"></script>'
        '<script src="docs/start/docs.js"></script></body></html>'
    )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})


async def _json_object(request: Request) -> dict[str, Any]:
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
