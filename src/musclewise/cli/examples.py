"""The bundled example episode (``musclewise assess --example``, ``make run``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def example_findings() -> dict[str, Any]:
    """A night-time calf cramp in a 66-year-old taking a thiazide and a statin."""
    text = (resources.files("musclewise") / "examples" / "calf-night.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
