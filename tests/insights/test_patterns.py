"""Warning patterns over time, on diaries built for each case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from musclewise.insights.patterns import DETECTORS, EpisodePoint, MedicineStart, detect
from musclewise.knowledge import load_knowledge

TODAY = date(2026, 11, 21)
PATTERNS = load_knowledge().data["patterns"]["patterns"]


def ep(days_ago: int, kind: str = "cramp", site: str = "calf", **findings: Any) -> EpisodePoint:
    return EpisodePoint(TODAY - timedelta(days=days_ago), kind, site, findings)


def found(episodes: list[EpisodePoint], medicines: list[MedicineStart] | None = None) -> set[str]:
    return {f.id for f in detect(episodes, medicines or [], TODAY, PATTERNS)}


def test_every_pattern_has_a_detector_and_back() -> None:
    assert {p["id"] for p in PATTERNS} == set(DETECTORS)


def test_rising_cramps_are_a_trend() -> None:
    episodes = [ep(d) for d in range(84, 56, -7)]  # one a week, early on
    episodes += [ep(d) for d in range(27, 0, -1) if d % 2]  # every other day, lately
    assert "cramps_more_frequent" in found(episodes)


def test_steady_cramps_are_not() -> None:
    episodes = [ep(d) for d in range(84, 0, -7)]
    assert found(episodes) == set()


def test_twitching_for_three_weeks_but_not_one() -> None:
    three = [ep(d, "spasm") for d in range(21, 0, -2)]
    one = [ep(d, "spasm") for d in range(6, 0, -2)]
    assert "twitching_over_two_weeks" in found(three)
    assert "twitching_over_two_weeks" not in found(one)


def test_eyelid_over_a_week() -> None:
    episodes = [ep(d, "spasm", "eyelid") for d in range(10, -1, -1)]
    assert "eyelid_twitch_over_a_week" in found(episodes)


def test_spreading_to_new_muscles() -> None:
    episodes = [ep(60, "spasm", "calf"), ep(50, "spasm", "calf")]
    episodes += [
        ep(10, "spasm", "thigh_front"),
        ep(5, "spasm", "upper_arm"),
        ep(2, "spasm", "back"),
    ]
    assert "spreading" in found(episodes)


def test_weakness_with_cramps_and_twitches_is_urgent() -> None:
    episodes = [ep(5, "cramp"), ep(3, "spasm", weakness=True)]
    results = detect(episodes, [], TODAY, PATTERNS)
    assert results[0].id == "weakness_with_cramps_and_twitches" and results[0].level == "urgent"


def test_waking_most_nights() -> None:
    episodes = [ep(d, onset="during_sleep") for d in range(13, -1, -1) if d % 7 != 3]
    assert "waking_most_nights" in found(episodes)


def test_cramps_after_a_new_medicine() -> None:
    """Steady for five months, then more from the day a statin was started: a step the trend
    does not explain."""
    statin = MedicineStart("atorvastatin", TODAY - timedelta(days=40))
    episodes = [ep(d) for d in range(200, 40, -5)]  # steady, one in five days
    episodes += [ep(d) for d in range(40, 0, -1) if d % 3]  # two days in three after
    assert "after_new_medicine" in found(episodes, [statin])
    assert "after_new_medicine" not in found(episodes, [])


def test_a_medicine_started_during_a_steady_rise_is_not_blamed() -> None:
    """Cramps rise steadily over six months; a statin started half-way changed nothing. The
    eight weeks after hold twice the eight before, but the trend explains it as well: the
    rising-cramps pattern is found, not the medicine's (issue 13)."""
    statin = MedicineStart("atorvastatin", TODAY - timedelta(days=90))
    episodes = []
    for week in range(26):  # from none a week to about twelve a week
        per_week = week * 12 // 25
        episodes += [ep(181 - 7 * week - day) for day in range(per_week)]
    result = found(episodes, [statin])
    assert "cramps_more_frequent" in result and "after_new_medicine" not in result
    began = statin.started_on
    assert began is not None
    before = sum(began - timedelta(days=56) <= e.day < began for e in episodes)
    after = sum(began <= e.day < began + timedelta(days=56) for e in episodes)
    assert after >= 2 * before  # the raw comparison would have blamed it
