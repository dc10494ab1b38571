"""The free-text reader on sentences of our own, written in varied ways (not the vignettes')."""

from __future__ import annotations

import math
from typing import Any

import pytest

from musclewise.text import read_text

CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "Woke up at 3am with my calf locked solid, agony for two minutes, no swelling",
        {"site": "calf", "onset": "during_sleep", "muscle_hard": True, "pain": 9,
         "duration_s": 120, "swelling": False, "sleep_disturbed": True},
    ),
    (
        "Got a charley horse in my left leg last night, maybe 7 out of 10, lasted 30 sec.",
        {"site": "calf", "pain": 7, "duration_s": 30},
    ),
    (
        "My right hamstring cramped while running, about 6/10 for a minute and a half.",
        {"site": "thigh_back", "side": "right", "onset": "during_exercise", "pain": 6,
         "duration_s": 90, "extent": "whole_muscle"},
    ),
    (
        "The ball of my thumb keeps twitching, it didn't hurt at all and I can see it jump.",
        {"site": "hand", "pain": 0, "extent": "part_of_muscle", "visible_twitch": True},
    ),
    (
        "Annoying eye twitch on the left side for the past 5 days, painless.",
        {"site": "eyelid", "ongoing_days": 5, "pain": 0, "extent": "part_of_muscle"},
    ),
    (
        "I get foot cramps most nights. I'm 71 and take furosemide and simvastatin 40mg.",
        {"site": "foot", "episodes_per_week": 6, "onset": "during_sleep", "age": 71,
         "medications": ["furosemide", "simvastatin"]},
    ),
    (
        "Cramps in both calves every couple of weeks, usually after the match.",
        {"side": "both", "episodes_per_week": 0.5, "onset": "after_exercise"},
    ),
    (
        "It's not weak and there's no numbness, but the leg is swollen and warm.",
        {"weakness": False, "numbness_tingling": False, "swelling": True, "warmth": True},
    ),
    (
        "I don't think it's swollen, but my thigh is sore to touch.",
        {"site": "thigh_front", "tenderness": True},
    ),
    (
        "Drank 4 coffees today, it was a really hot day and I barely drank anything else.",
        {"caffeine_cups": 4, "hot_environment": True, "fluids_low": True},
    ),
    (
        "I smoke 20 a day and had 3 pints last night.",
        {"smoker": True, "alcohol_drinks": 3},
    ),
    (
        "I'm 30 weeks pregnant and get calf cramps twice a week at night.",
        {"pregnant": True, "sex": "female", "episodes_per_week": 2, "site": "calf"},
    ),
    (
        "The pain in my shin hasn't stopped for two days and my urine is normal.",
        {"site": "shin", "ongoing_days": 2, "dark_urine": False},
    ),
    (
        "Stretching my calf made no difference, it stayed hard for 15 minutes.",
        {"relieved_by_stretch": False, "duration_s": 900, "muscle_hard": True},
    ),
    (
        "When I walk about 100 metres my calves ache, and standing still for a minute helps.",
        {"onset": "while_walking", "relieved_by_rest": True, "side": "both"},
    ),
    (
        "My dad is 80 and has kidney disease; his hands cramp in the evening.",
        {"age": 80, "sex": "male", "conditions": ["kidney_disease"], "site": "hand"},
    ),
    (
        "I started atorvastatin last month and now my thighs ache and feel weak.",
        {"new_medicine": True, "medications": ["atorvastatin"], "weakness": True},
    ),
    (
        "Sudden chest pain and I'm short of breath, my calf has been swollen since yesterday.",
        {"chest_pain": True, "trouble_breathing": True, "swelling": True, "ongoing_days": 1},
    ),
    (
        "Twitches in my arms, legs and back for 3 months, and my left hand looks thinner.",
        {"ongoing_days": 90, "wasting": True, "extent": "part_of_muscle"},
    ),
    (
        "No fever, no redness, not confused. It was 20 to 30 seconds each time.",
        {"fever": False, "redness": False, "confusion": False, "duration_s": 25},
    ),
    (
        "My lips are tingling and my fingers cramped into a claw after I had surgery.",
        {"perioral_tingling": True, "recent_surgery": True},
    ),
    (
        "Sat at my desk all day, then my neck went into a spasm that lasted a few minutes.",
        {"long_sitting_or_standing": True, "site": "neck", "duration_s": 180},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_reads_what_was_said(text: str, expected: dict[str, Any]) -> None:
    found = read_text(text).findings
    for key, value in expected.items():
        assert key in found, f"{key} not read from {text!r}: {found}"
        if isinstance(value, list):
            assert [v.lower() for v in found[key]] == [str(v).lower() for v in value]
        elif isinstance(value, float | int) and not isinstance(value, bool):
            assert found[key] == pytest.approx(value, rel=0.25), key
        else:
            assert found[key] == value, key


def test_a_hedged_no_is_not_known_but_a_hedged_warning_sign_counts() -> None:
    assert "swelling" not in read_text("I don't think it's swollen").findings
    assert read_text("My calf is maybe a bit swollen").findings["swelling"] is True


def test_what_it_read_keeps_the_words() -> None:
    reading = read_text("Woke me up with my left calf in a knot, 8/10")
    said = {u.key: u.said for u in reading.understood}
    assert said["pain"] == "8/10"
    assert "calf" in said["site"]


def test_nothing_to_read_gives_no_findings() -> None:
    assert read_text("hello there").findings == {}


@pytest.mark.parametrize(
    "text",
    ["my nan hr cramps in her calf", "nan 2 hours of cramp", "inf hours of twitching",
     "infinity minutes of twitching", "cramps for nan minutes"],
)  # fmt: skip
def test_words_python_reads_as_numbers_are_no_quantity(text: str) -> None:
    """ "nan" (a grandmother), "inf" are not numbers: never a quantity, never a crash."""
    found = read_text(text).findings
    for key in ("duration_s", "exercise_minutes", "ongoing_days", "age", "pain"):
        value = found.get(key)
        assert value is None or math.isfinite(value)
