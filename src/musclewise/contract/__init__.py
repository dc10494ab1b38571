"""The names the public interchange format (contract 1.1, the JSON Schemas beside this file)
fixes, defined once for the whole package: every other module imports them from here, and a
test checks them against the schemas.

- :data:`TRIAGE_LEVELS`, least serious first, and :data:`LEVEL_RANK` (``self_care`` 0 to
  ``emergency`` 3): compare levels by rank, never by their names;
- :data:`KINDS`: what an episode is (a cramp, a spasm or twitch, something else);
- :data:`SITES`: where it is; :data:`CONDITIONS`: the long-term conditions a person may have.
"""

from __future__ import annotations

from typing import Literal, get_args

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
KINDS: tuple[str, ...] = get_args(Kind)
SITES: tuple[str, ...] = get_args(Site)
CONDITIONS: tuple[str, ...] = get_args(Condition)

__all__ = [
    "CONDITIONS",
    "KINDS",
    "LEVEL_RANK",
    "SITES",
    "TRIAGE_LEVELS",
    "Condition",
    "Kind",
    "Level",
    "Site",
]
