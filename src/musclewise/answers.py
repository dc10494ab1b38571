"""Reading an answer to the interview: free answers to number questions ("about a week",
"2-3", "most nights") as the value of their key, and whether an answer contradicts an earlier
one (a front end then asks again).

Pure, like :mod:`musclewise.interview` (which asks the questions): no I/O, no state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol


class NumberQuestion(Protocol):
    """What :func:`parse_answer` reads of a question (an :class:`interview.Question`)."""

    @property
    def key(self) -> str: ...

    @property
    def kind(self) -> str: ...


# ---------------------------------------------------------------------- free answers
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "couple": 2, "pair": 2, "three": 3,
    "few": 3, "several": 4, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "half": 0.5, "no": 0, "zero": 0, "none": 0, "once": 1, "twice": 2, "thrice": 3,
}  # fmt: skip
_DAYS = {
    "second": 1 / 86_400, "sec": 1 / 86_400, "s": 1 / 86_400, "minute": 1 / 1440,
    "min": 1 / 1440, "m": 1 / 1440, "hour": 1 / 24, "hr": 1 / 24, "h": 1 / 24, "day": 1.0,
    "d": 1.0, "night": 1.0, "week": 7.0, "wk": 7.0, "w": 7.0, "fortnight": 14.0,
    "month": 30.0, "mo": 30.0, "year": 365.0, "yr": 365.0, "y": 365.0,
}  # fmt: skip
_PER_WEEK = {
    "every night": 7, "every day": 7, "nightly": 7, "daily": 7, "each night": 7,
    "almost nightly": 6, "nearly every night": 6, "almost every night": 6,
    "most nights": 5, "most days": 5, "every other night": 3.5, "every other day": 3.5,
    "a few times a week": 3, "few times a week": 3, "weekly": 1, "once a week": 1,
    "twice a week": 2, "every week": 1, "fortnightly": 0.5, "every couple of weeks": 0.5,
    "every few weeks": 0.3, "monthly": 0.25, "once a month": 0.25, "rarely": 0.1,
}  # fmt: skip
_FILLER = re.compile(
    r"\b(about|around|roughly|approximately|approx|maybe|perhaps|nearly|almost|just|over|"
    r"under|more than|less than|at least|or so|ish|the last|the past|for|since|i think)\b|~"
)
_NUMBER = r"(\d+(?:[.,]\d+)?|[a-z]+)"
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|–|to|or)\s*{_NUMBER}\s*([a-z]*)$")
_SINGLE = re.compile(rf"^{_NUMBER}?\s*([a-z]*)$")


def _number(word: str) -> float | None:
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    try:
        return float(word.replace(",", "."))
    except ValueError:
        return None


def _unit(word: str) -> float | None:
    word = word.strip()
    if word in _DAYS:
        return _DAYS[word]
    return _DAYS.get(word.removesuffix("s")) if word.endswith("s") else None


def read_amount(text: str, unit_days: float | None = None) -> float:
    """A number from a free answer: "2" → 2, "2-3" → 2.5 (a range: its middle), "a couple" → 2,
    "about a week" → 7 when read in days (``unit_days`` = 1: the unit given converts to days;
    a bare number is in that unit). Raises ``ValueError`` when it is not an amount.

    The reader (:mod:`musclewise.text`) reads numbers inside a description but has no public
    function for one value on its own, so this small parser reads the interview's answers.
    """
    low = " ".join(_FILLER.sub(" ", text.strip().lower().replace("'", "")).split())
    low = " ".join(re.sub(r"\bof\b", " ", low).split())
    low = re.sub(r"^(a|an)\s+(couple|few|half)\b", r"\2", low)
    low = re.sub(r"^half (a|an) ", "half ", low)
    low = re.sub(r"^(\S+) ([a-z]+) or (\S+)$", r"\1 or \3 \2", low)  # "a minute or two"
    low = low.removesuffix(" ago").strip()
    if low in ("today", "just now", "this morning", "tonight"):
        return 0.0
    if low in ("yesterday", "last night"):
        return 1.0
    match = _RANGE.match(low)
    if match:
        a, b = _number(match.group(1)), _number(match.group(2))
        unit = match.group(3)
        value = None if a is None or b is None else (a + b) / 2
    else:
        match = _SINGLE.match(low)
        if not match:
            raise ValueError("give a number, like 2, 2-3 or 'about a week'")
        word, unit = match.group(1), match.group(2)
        if word is None and unit:  # "week" alone: one of it
            word = "1"
        value = _number(word) if word is not None else None
        if value is None and word is not None and _unit(word) is not None:
            value, unit = 1.0, word
    if value is None:
        raise ValueError("give a number, like 2, 2-3 or 'about a week'")
    if unit:
        days = _unit(unit)
        if days is None or unit_days is None:
            raise ValueError(f"'{unit}' is not a unit here; give a number, like 2 or 2-3")
        return value * days / unit_days
    return value


def read_per_week(text: str) -> float:
    """Episodes a week from "most nights", "2-3", "twice a week", "3 a month", "every night"."""
    low = " ".join(text.strip().lower().replace("'", "").split())
    for candidate in (low, re.sub(r"^(about|around|roughly|maybe|most likely)\s+", "", low)):
        for phrase, value in _PER_WEEK.items():
            if candidate in (phrase, f"{phrase} or so"):
                return float(value)
    low = re.sub(r"^(about|around|roughly|maybe|nearly|almost|most likely)\s+", "", low)
    match = re.match(
        r"^(.*?)\s*(?:times?|x)?\s*(?:a|per|each|every|/)\s*(day|night|week|month|year)$", low
    )
    if match:
        count = read_amount(match.group(1) or "1")
        return count * 7.0 / _DAYS[match.group(2)]
    return read_amount(low)


def parse_answer(question: NumberQuestion, text: str) -> Any:
    """A free answer to a number question as the value of its key (``duration_s`` in seconds,
    ``ongoing_days`` in days, ``episodes_per_week``...); raises ``ValueError`` with what to
    type. Choices, yes/no and lists are the front end's to read."""
    if question.kind != "number":
        raise ValueError(f"{question.key} is not a number question")
    key = question.key
    if key == "duration_s":
        compact = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*", text.lower())
        if compact and any(compact.groups()):
            h, m, sec = (float(g or 0) for g in compact.groups())
            return h * 3600 + m * 60 + sec
        value = read_amount(text, unit_days=1 / 86_400) if _has_unit(text) else read_amount(text)
        return round(value, 3)
    if key == "ongoing_days":
        return round(read_amount(text, unit_days=1.0), 3)
    if key == "episodes_per_week":
        return round(read_per_week(text), 3)
    value = read_amount(text)
    if key in WHOLE_NUMBER_KEYS:
        if value != int(value):
            raise ValueError("give a whole number")
        return int(value)
    return value


def _has_unit(text: str) -> bool:
    return bool(re.search(r"[a-z]", _FILLER.sub(" ", text.lower())))


WHOLE_NUMBER_KEYS = frozenset({"pain", "stress", "age", "muscles_involved"})
"""Number keys the contract takes as whole numbers."""


# ---------------------------------------------------------------------- contradictions
def contradiction(findings: Mapping[str, Any], key: str, value: Any) -> str | None:
    """What an answer contradicts among the earlier answers, in words; ``None`` if nothing."""
    after = {**findings, key: value}

    def said(k: str) -> Any:
        return after.get(k)

    checks = (
        (
            said("pain") == 0 and said("severe_unrelenting_pain") is True,
            "no pain at all, and also severe pain that does not let up",
        ),
        (
            said("relieved_by_stretch") is True and said("severe_unrelenting_pain") is True,
            "stretching eases it, and also the pain does not let up",
        ),
        (
            isinstance(said("duration_s"), int | float)
            and isinstance(said("ongoing_days"), int | float)
            and said("duration_s") > (said("ongoing_days") + 1) * 86_400,
            "one episode lasts longer than the time it has been going on",
        ),
        (
            said("sex") == "male" and (said("pregnant") is True or said("postpartum") is True),
            "male, and also pregnant or recently given birth",
        ),
        (
            said("muscles_involved") == 1 and said("spreading") is True,
            "one muscle only, and also spreading to others",
        ),
    )
    for holds, words in checks:
        if holds:
            return f"That does not fit an earlier answer: {words}. Please check this answer."
    return None
