"""The names the public interchange format (contract 1.1, the JSON Schemas beside this file)
fixes, defined once for the whole package: every other module imports them from here, and a
test checks them against the schemas.

- :data:`TRIAGE_LEVELS`, least serious first, and :data:`LEVEL_RANK` (``self_care`` 0 to
  ``emergency`` 3): compare levels by rank, never by their names;
- :data:`KINDS`: what an episode is (a cramp, a spasm or twitch, something else);
- :data:`SITES`: where it is; :data:`CONDITIONS`: the long-term conditions a person may have.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, get_args

Level = Literal["self_care", "see_doctor", "urgent", "emergency"]
Kind = Literal["cramp", "spasm", "other"]
Site = Literal[
    "calf", "shin", "thigh_front", "thigh_back", "foot", "toes", "hand", "fingers", "forearm",
    "upper_arm", "shoulder", "neck", "back", "abdomen", "chest", "eyelid", "face", "jaw",
    "leg", "arm", "knee", "hip_or_buttock", "other",
]  # fmt: skip
Condition = Literal[
    "hypothyroidism", "kidney_disease", "diabetes", "peripheral_artery_disease",
    "lumbar_stenosis", "neuropathy", "multiple_sclerosis", "fibromyalgia", "cirrhosis",
    "anxiety", "heart_disease", "hypoparathyroidism",
]  # fmt: skip

TRIAGE_LEVELS: tuple[str, ...] = get_args(Level)
"""The triage levels, least serious first."""
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(TRIAGE_LEVELS)}
"""How serious each level is: 0 (self-care) to 3 (emergency)."""
URGENT_FROM = TRIAGE_LEVELS[2]
"""The least serious level that sends a person to get help now (urgent; emergency above it)."""


def is_urgent(level: str) -> bool:
    """Whether ``level`` sends a person to get help now (urgent or emergency): the one place
    that groups the levels so, for every shell."""
    return LEVEL_RANK[level] >= LEVEL_RANK[URGENT_FROM]


KINDS: tuple[str, ...] = get_args(Kind)
SITES: tuple[str, ...] = get_args(Site)
CONDITIONS: tuple[str, ...] = get_args(Condition)

__all__ = [
    "CONDITIONS",
    "KINDS",
    "LEVEL_RANK",
    "SITES",
    "TRIAGE_LEVELS",
    "URGENT_FROM",
    "Condition",
    "Kind",
    "Level",
    "Site",
    "is_urgent",
]


class TriageRequired(TypedDict):
    """The keys an assessment's ``triage`` always has (``assessment.schema.json``)."""

    level: str
    """One of :data:`TRIAGE_LEVELS`."""
    reasons: list[dict[str, Any]]
    """Each with ``text`` and ``sources`` (and the ``rule`` that gave it)."""


class Triage(TriageRequired, total=False):
    """An assessment's ``triage``."""

    unscreened: list[str]
    """The warning signs nobody was asked about (contract 1.1)."""


class AssessmentRequired(TypedDict):
    """The keys every assessment of contract 1.1 has (``assessment.schema.json``)."""

    contract: str
    kind: str
    probabilities: dict[str, float]
    suspected: list[dict[str, Any]]
    triage: Triage
    factors: list[dict[str, Any]]
    relief: list[dict[str, Any]]
    prevention: list[dict[str, Any]]
    explanation: list[str]
    missing: list[str]
    knowledge_version: str


class Assessment(AssessmentRequired, total=False):
    """An assessment of contract 1.1: what ``assess`` returns and the JSON every shell writes.
    A test checks its keys against the schema."""

    understood: list[dict[str, Any]]
