"""Errors as RFC 9457 problems (``application/problem+json``), naming each field and its
problem in the command line's words."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from musclewise.errors import FieldProblem, FindingsError, MusclewiseError, UsageError

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "hint": {"type": "string", "description": "What to do about it, when there is advice."},
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


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    422: _error("The findings or the request are not valid: each field and its problem."),
    400: _error("The request was understood but refused."),
}
DIARY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: _error("Not in this diary (or the job has expired)."),
    503: _error("The diary's database cannot be used just now."),
}
CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    **DIARY_ERRORS,
    409: _error("A request with this Idempotency-Key is still being answered."),
}


class NotFound(UsageError):
    """Not in the diary: answered 404."""


class Conflict(MusclewiseError):
    """A request that clashes with another one under way: answered 409."""


class Unavailable(MusclewiseError):
    """Something the request needs cannot be reached just now (the job queue): answered 503."""


def problem(
    status: int, title: str, detail: str, errors: list[FieldProblem], hint: str = ""
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [{"field": p.key, "problem": p.problem} for p in errors],
    }
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:60] + "..."


def _words(error: Any) -> str:
    """Pydantic's complaint in the command line's words (``diary/validate.py``)."""
    kind = str(error.get("type", ""))
    value = _shown(error.get("input"))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field this accepts"
    if kind.startswith("int_"):
        return f"{value} is not a whole number"
    if kind.startswith("float_"):
        return f"{value} is not a number"
    if kind.startswith("bool_"):
        return f"{value} is not true or false"
    if kind.startswith("string_type"):
        return f"{value} is not text"
    if kind in ("literal_error", "enum"):
        allowed = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{value} is not allowed; use one of: {allowed}"
    if kind.startswith("datetime_") or kind == "timezone_aware":
        return (f"{value} is not a date and time with its UTC offset "
                "(ISO 8601, e.g. 2026-12-05T07:30:00+01:00)")  # fmt: skip
    if kind.startswith("date_"):
        return f"{value} is not a date (YYYY-MM-DD)"
    if kind == "greater_than_equal":
        return f"{value} is below the minimum {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{value} is above the maximum {ctx.get('le')}"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else str(error.get("msg", ""))
    return str(error.get("msg", ""))


def _field(loc: tuple[Any, ...]) -> str:
    """``("body", "findings", "pain")`` → ``findings.pain``; a header by its own name."""
    where, *rest = loc or ("",)
    if where == "header" and rest:
        return "-".join(w.capitalize() for w in str(rest[0]).split("-"))
    parts = ""
    for part in rest:
        parts += f"[{part}]" if isinstance(part, int) else (f".{part}" if parts else str(part))
    return parts


def install(app: FastAPI) -> None:
    """The exception handlers that turn every error into a problem."""

    @app.exception_handler(FindingsError)
    async def bad_findings(_: Request, exc: FindingsError) -> JSONResponse:
        from musclewise.diary.errors import DiaryValueError

        title = "Invalid value" if isinstance(exc, DiaryValueError) else "Invalid findings"
        return problem(422, title, exc.message, exc.problems, exc.hint)

    @app.exception_handler(MusclewiseError)
    async def refused(_: Request, exc: MusclewiseError) -> JSONResponse:
        from musclewise.diary.errors import DatabaseError, NotFoundError

        if isinstance(exc, NotFound | NotFoundError):
            return problem(404, "Not found", exc.message, [])
        if isinstance(exc, Conflict):
            return problem(409, "Conflict", exc.message, [])
        if isinstance(exc, Unavailable):
            return problem(503, "Unavailable", exc.message, [])
        if isinstance(exc, DatabaseError):
            return problem(503, "Diary unavailable", "the diary's database cannot be used", [])
        return problem(400, "Request refused", exc.message, [])

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI's own refusals (a body that does not parse, a wrong method or path)
        response = problem(exc.status_code, str(exc.detail), str(exc.detail), [])
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not those of one route
            response.headers["Allow"] = ", ".join(_methods(request))
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [FieldProblem(_field(tuple(e.get("loc", ()))), _words(e)) for e in exc.errors()]
        return problem(422, "Invalid request", "; ".join(map(str, problems)), problems)


def _methods(request: Request) -> list[str]:
    from starlette.routing import Match

    found: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            found |= set(getattr(route, "methods", None) or ())
    return sorted(found)
