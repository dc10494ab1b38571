"""The free-text reader: a person's own description in, findings of contract 1 out.

>>> from musclewise.text import read_text
>>> read_text("woke up with my left calf locked solid, 8/10, no swelling").findings["site"]
'calf'

The reader is loaded only when a text is read (``musclewise assess --site calf`` never loads
it); its lexicon is compiled once and cached between runs (see :mod:`.reader`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from musclewise.text.reader import Reading, Understood

__all__ = ["describe", "merge", "read_answer", "read_text", "understood_line"]

ONSET_WORDS = {
    "during_sleep": "at night (woke you)",
    "at_rest": "at rest",
    "during_exercise": "during exercise",
    "after_exercise": "after exercise",
    "while_walking": "while walking",
}


def read_text(text: str) -> Reading:
    """Read one description into findings, with the words each finding came from."""
    from musclewise.text.reader import read

    return read(text)


def read_answer(key: str, text: str) -> Any | None:
    """A free answer to the interview's question about ``key`` ("about a week", "2-3", "most
    nights"), read with the same reader; None when nothing in it fits the key."""
    from musclewise.text.reader import read_answer as read_one

    return read_one(key, text)


def merge(findings: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Findings with ``text`` read into them (explicit keys win), and what was understood.

    Each understood item is ``{key, value, said}``, plus ``overridden: true`` when a key given
    explicitly took its place.
    """
    given = {k: v for k, v in findings.items() if k != "text"}
    reading = read_text(findings["text"])
    merged = {**reading.findings, **given}
    understood = []
    for u in reading.understood:
        item: dict[str, Any] = {"key": u.key, "value": u.value, "said": u.said}
        if u.key in given:
            item["overridden"] = True
        understood.append(item)
    return merged, understood


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"about {seconds:g} seconds"
    if seconds < 5400:
        return f"about {seconds / 60:.3g} minutes"
    if seconds < 172_800:
        return f"about {seconds / 3600:.3g} hours"
    return f"about {seconds / 86_400:.3g} days"


def describe(key: str, value: Any) -> str:
    """One finding in a few words: "calf", "pain 8/10", "about 2 minutes", "no swelling"."""
    from musclewise.interview import label_of

    if key == "side":
        return "both sides" if value == "both" else f"{value} side"
    if key in ("site", "extent", "sex"):
        return str(value).replace("_", " ")
    if key in ("pain", "stress"):
        return f"{key} {value}/10"
    if key == "duration_s":
        return _duration(float(value))
    if key == "onset":
        return ONSET_WORDS.get(value, str(value))
    if key == "episodes_per_week":
        return f"{value:g} times a week"
    if key == "ongoing_days":
        return "started today" if value == 0 else f"going on {value:g} days"
    if key == "age":
        return f"age {value}"
    if key in ("medications", "conditions"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(v).replace("_", " ") for v in items)
    label = label_of(key)
    if isinstance(value, bool):
        return label if value else f"no {label}"
    return f"{label} {value:g}" if isinstance(value, int | float) else f"{label} {value}"


def understood_line(understood: list[dict[str, Any]] | list[Understood]) -> str:
    """ "calf, left side, pain 8/10, ..." for the items read from a text (not overridden)."""
    parts = []
    for u in understood:
        if isinstance(u, Mapping):
            if u.get("overridden"):
                continue
            parts.append(describe(u["key"], u["value"]))
        else:
            parts.append(describe(u.key, u.value))
    return ", ".join(parts)
