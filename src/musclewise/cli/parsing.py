"""Small parsers for command-line values (durations like ``2m`` or ``1m30s``)."""

from __future__ import annotations

import re

from musclewise.errors import UsageError

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")


def parse_duration(text: str, option: str = "--duration") -> float:
    """Seconds in ``90``, ``90s``, ``2m``, ``1m30s``, ``1.5 min``, ``2 hours``."""
    cleaned = text.strip().lower().replace(",", " ")
    if not cleaned:
        raise UsageError(f"{option}: give a duration such as 90s, 2m or 1m30s")
    total, pos = 0.0, 0
    for m in _PART.finditer(cleaned):
        if cleaned[pos : m.start()].strip():
            break
        number, unit = float(m.group(1)), m.group(2) or "s"
        if unit not in _UNITS:
            raise UsageError(f"{option}: unknown unit '{unit}' in '{text}'; use s, m, h or d")
        total += number * _UNITS[unit]
        pos = m.end()
    if pos == 0 or cleaned[pos:].strip():
        raise UsageError(f"{option}: '{text}' is not a duration; use for example 90s, 2m or 1m30s")
    return total


def split_list(text: str) -> list[str]:
    """``"furosemide, Lipitor"`` → ``["furosemide", "Lipitor"]``."""
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


YES_WORDS = frozenset({"yes", "y", "true"})
NO_WORDS = frozenset({"no", "n", "false"})


def set_value(raw: str) -> object:
    """The value of ``--set KEY=VALUE``: yes/no words (any case) as true/false, else JSON,
    else the text as it is (the findings check then names the key if it is not allowed)."""
    import json

    word = raw.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return raw
