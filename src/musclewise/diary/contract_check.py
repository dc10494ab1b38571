"""Stored assessments checked against the public contract (``assessment.schema.json``, 1.1).

An import may bring assessments made elsewhere; each is checked before it is stored, so that
every stored assessment can be shown and exported again. The schema is turned once into
msgspec types (the subset of JSON Schema it uses: objects with required properties, arrays,
``enum``, ``const``, strings with a minimum length, numbers with bounds), so that a check
costs microseconds, not the milliseconds of a general validator: imports stay fast.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

import msgspec

from musclewise.diary.errors import DiaryValueError, FieldProblem

ASSESSMENT_MAX_CHARS = 200_000
"""The longest stored assessment accepted (one made by musclewise is about 3,000 characters)."""


def _type(schema: dict[str, Any], name: str, counter: list[int]) -> Any:
    if "const" in schema:
        return Literal[schema["const"]]
    if "enum" in schema:
        return Literal[tuple(schema["enum"])]
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", ()))
        fields: list[Any] = []
        for key, sub in schema.get("properties", {}).items():
            typed = _type(sub, key, counter)
            fields.append((key, typed) if key in required else (key, typed, msgspec.UNSET))
        fields.sort(key=len)  # required fields (no default) first
        counter[0] += 1
        return msgspec.defstruct(f"_{name.title()}{counter[0]}", fields)
    if kind == "array":
        return list[_type(schema.get("items", {}), name, counter)]  # type: ignore[misc]
    if kind == "string":
        low = schema.get("minLength")
        return Annotated[str, msgspec.Meta(min_length=low)] if low else str
    if kind in ("number", "integer"):
        bounds = {k: schema[j] for k, j in (("ge", "minimum"), ("le", "maximum")) if j in schema}
        base = float if kind == "number" else int
        return Annotated[base, msgspec.Meta(**bounds)] if bounds else base
    if kind == "boolean":
        return bool
    return Any


@cache
def _assessment_type() -> Any:
    text = resources.files("musclewise.contract").joinpath("assessment.schema.json").read_text()
    return _type(json.loads(text), "assessment", [0])


@cache
def _decoder() -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(_assessment_type())


def _problem(exc: msgspec.MsgspecError) -> DiaryValueError:
    message = str(exc)
    message = message.replace("Object missing required field", "is missing the field")
    return DiaryValueError(
        [FieldProblem("assessment", f"does not follow the assessment contract ({message})")]
    )


def _too_long(size: int) -> DiaryValueError:
    return DiaryValueError([FieldProblem(
        "assessment", f"is too long ({size:,} characters; at most {ASSESSMENT_MAX_CHARS:,})")])  # fmt: skip


def check_assessment_text(text: str | bytes) -> None:
    """Check an assessment given as JSON text; raises :class:`DiaryValueError` (``assessment``)."""
    if len(text) > ASSESSMENT_MAX_CHARS:
        raise _too_long(len(text))
    try:
        _decoder().decode(text)
    except msgspec.ValidationError as exc:
        raise _problem(exc) from None
    except msgspec.DecodeError:
        raise DiaryValueError([FieldProblem("assessment", "is not valid JSON")]) from None
    except RecursionError:
        raise DiaryValueError([FieldProblem("assessment", "is nested too deeply")]) from None


def check_assessment(assessment: object) -> None:
    """Check a decoded assessment; raises :class:`DiaryValueError` (``assessment``)."""
    try:
        size = len(json.dumps(assessment))
    except (TypeError, ValueError, RecursionError):
        raise DiaryValueError([FieldProblem("assessment", "is not JSON data")]) from None
    if size > ASSESSMENT_MAX_CHARS:
        raise _too_long(size)
    try:
        msgspec.convert(assessment, _assessment_type(), strict=True)
    except msgspec.ValidationError as exc:
        raise _problem(exc) from None
