"""Reading numbers typed into the web app's forms (one way for every page): blank is None, a
decimal comma is a point, and anything else out of range is a problem naming the field."""

from __future__ import annotations

import math
from typing import Any

from starlette.datastructures import FormData

from musclewise.errors import FieldProblem


def number(
    form: FormData | Any,
    name: str,
    problems: list[FieldProblem],
    message: str,
    *,
    whole: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> Any:
    """The number in field ``name`` (an ``int`` when ``whole``), None when it is blank; when it
    is not a number, not whole or out of ``low``..``high``, adds ``message`` for the field to
    ``problems`` and returns None."""
    raw = str(form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(FieldProblem(name, message))
        return None
    if (
        not math.isfinite(value)
        or (whole and value != int(value))
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        problems.append(FieldProblem(name, message))
        return None
    return int(value) if whole else value
