"""A description as the reader sees it: its tokens and sentences (:class:`Doc`), the concept
mentions found in it, the candidate findings, and what was read (:class:`Reading`), with the
constants the pipeline and the rules share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from musclewise.findings import WARNING_SIGNS

DAY = 86_400.0
HOUR = 3_600.0
SCORE = re.compile(r"^(\d{1,2}(?:\.\d)?)/10$")
DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
AGE_RANGE = (1, 120)
SYMPTOM_MARKERS = frozenset({"_cramp", "_twitch", "_symptom", "_not_cramp", "muscle_hard"})
SENTENCE_ENDS = frozenset({".", "!", "?"})
CLAUSE_BREAKS = frozenset(
    {"now", "but", "then", "since", "so", "and", "i", "i'm", "my", "cramp", "cramps"}
)
"""Words that begin a clause or name the episode: a habit word or a medicine before one does not
reach past it ("wine most nights", but "on furosemide, leg cramps every night")."""
PUNCTUATION = frozenset({".", "!", "?", ",", ";", ":", "(", ")", "-", '"', "'"})
WARNING = frozenset(WARNING_SIGNS)
MAX_TEXT = 20_000
"""Characters read from one description (the contract allows 5,000; the rest is ignored)."""
CUE_WINDOW = 4
"""A cue reaches this many words that are not part of a mention (NegEx's sentence scope is too
wide for the long sentences people write)."""
FOLLOWING_WINDOW = 3
LAYERS = ("findings", "markers", "sites")
PERSONS = frozenset({"_female", "_male", "_child", "_little"})
"""Markers of the person a description is about ("my son", "my kid"): an age may follow."""
FEVER_C, FEVER_F = 38.0, 100.4
"""A high temperature: 38C or above (NHS), 100.4F."""
BODY_C, BODY_F = (34.0, 43.0), (93.0, 110.0)
"""Numbers that can be a body temperature, in Celsius and Fahrenheit."""


@dataclass(frozen=True)
class Understood:
    """One finding read from the text, and the words it was read from."""

    key: str
    value: Any
    said: str


@dataclass
class Reading:
    """What was read from a text: findings of the contract, and each with its words."""

    findings: dict[str, Any] = field(default_factory=dict)
    understood: list[Understood] = field(default_factory=list)


@dataclass
class Candidate:
    key: str
    value: Any
    weight: float
    start: int
    said: str


@dataclass
class Mention:
    concept: str
    start: int
    end: int
    sent: int
    negated: bool
    hedged: bool
    text: str


@dataclass
class Doc:
    """A description as tokens: their text, lower case, keys, and sentences."""

    text: str
    starts: list[int]
    ends: list[int]
    raw: list[str]
    lower: list[str]
    keys: list[str]
    sents: list[tuple[int, int]]
    sent_of: list[int]

    def __len__(self) -> int:
        return len(self.lower)

    def span(self, start: int, end: int) -> str:
        start, end = max(0, start), min(len(self.lower), end)
        if start >= end:
            return ""
        return self.text[self.starts[start] : self.ends[end - 1]]

    def sentence(self, i: int) -> tuple[int, int]:
        return self.sents[self.sent_of[i]]


def longest(
    spans: list[tuple[str, int, int]], weight: dict[str, int] | None = None
) -> list[tuple[str, int, int]]:
    """Non-overlapping spans, the longest first, then the heavier concept, then the first."""
    weight = weight or {}
    taken: set[int] = set()
    kept = []
    for span in sorted(spans, key=lambda s: (s[1] - s[2], -weight.get(s[0], 1), s[1])):
        if not any(i in taken for i in range(span[1], span[2])):
            kept.append(span)
            taken.update(range(span[1], span[2]))
    kept.sort(key=lambda s: (s[1], s[2]))
    return kept
