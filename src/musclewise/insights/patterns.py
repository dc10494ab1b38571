"""Warning patterns that only show over time (``knowledge/data/patterns.yaml``).

Each detector reads the diary's episodes (dates in the person's own time zone) and medicines,
and reports the patterns whose thresholds are met, each with its level, its sources and the
numbers that triggered it. Pure: no clock (``today`` is given), no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple


class EpisodePoint(NamedTuple):
    """What the detectors need of one episode."""

    day: date
    kind: str
    site: str | None
    findings: Mapping[str, Any]
    hour: int | None = None
    """The local hour it started, for the time-of-day chart."""


class MedicineStart(NamedTuple):
    name: str
    started_on: date | None


class PatternFinding(NamedTuple):
    id: str
    level: str
    text: str
    sources: tuple[str, ...]
    evidence: dict[str, float]


Detector = Callable[
    [Sequence[EpisodePoint], Sequence[MedicineStart], date, date, Mapping[str, float]],
    dict[str, float] | None,
]


def _since(episodes: Sequence[EpisodePoint], today: date, days: float) -> list[EpisodePoint]:
    start = today - timedelta(days=int(days) - 1)
    return [e for e in episodes if start <= e.day <= today]


class Trend(NamedTuple):
    """The one trend of a kind of episode: the warning pattern "more frequent" and the report's
    table both read it, so they cannot disagree (issue 14, item 14)."""

    direction: str
    """``rising``, ``falling``, ``no clear change`` or ``too few to tell``."""
    weeks: int
    early_per_week: float
    """Episodes a week over the first four weeks of the window."""
    late_per_week: float
    """...and over the last four."""
    p_value: float | None


TREND_WEEKS = 26
"""The trend looks at up to this many weeks before ``today``."""


def trend(
    episodes: Sequence[EpisodePoint], kind: str, today: date, start: date,
    p: Mapping[str, float],
) -> Trend:  # fmt: skip
    """A Poisson trend in the weekly counts of ``kind`` over up to :data:`TREND_WEEKS` weeks
    (statsmodels GLM): ``rising`` when the slope is above 0 at ``p["alpha"]`` and the last four
    weeks hold at least ``p["min_ratio"]`` times the first four; ``falling`` the other way
    round; ``too few to tell`` under ``p["min_weeks"]`` weeks or 5 episodes."""
    weeks = min((today - start).days // 7, int(TREND_WEEKS))
    if weeks < p["min_weeks"]:
        return Trend("too few to tell", max(weeks, 0), 0.0, 0.0, None)
    first = today - timedelta(days=7 * weeks - 1)
    counts = [0] * weeks
    for e in episodes:
        if e.kind == kind and first <= e.day <= today:
            counts[(e.day - first).days // 7] += 1
    early, late = sum(counts[:4]) / 4, sum(counts[-4:]) / 4
    if sum(counts) < 5:
        return Trend("too few to tell", weeks, early, late, None)
    import numpy as np
    import statsmodels.api as sm

    x = sm.add_constant(np.arange(weeks, dtype=float))
    fit = sm.GLM(np.array(counts, dtype=float), x, family=sm.families.Poisson()).fit()
    slope, p_value = float(fit.params[1]), float(fit.pvalues[1])
    direction = "no clear change"
    if p_value < p["alpha"]:
        if slope > 0 and late > 0 and late >= p["min_ratio"] * max(early, 0.25):
            direction = "rising"
        elif slope < 0 and early > 0 and early >= p["min_ratio"] * max(late, 0.25):
            direction = "falling"
    return Trend(direction, weeks, early, late, p_value)


def cramps_more_frequent(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    """The cramps' :func:`trend` is rising."""
    found = trend(episodes, "cramp", today, start, p)
    if found.direction != "rising":
        return None
    return {"weeks": found.weeks, "early_per_week": found.early_per_week,
            "late_per_week": found.late_per_week, "p_value": found.p_value or 0.0}  # fmt: skip


def frequent_cramps(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    span = min(p["days"], (today - start).days + 1)
    if span < 14:
        return None
    days = {e.day for e in _since(episodes, today, span) if e.kind == "cramp"}
    per_week = len(days) / span * 7
    return {"per_week": per_week} if per_week >= p["per_week"] else None


def waking_most_nights(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    nights = {
        e.day
        for e in _since(episodes, today, p["days"])
        if e.kind == "cramp"
        and (e.findings.get("onset") == "during_sleep" or e.findings.get("sleep_disturbed"))
    }
    return {"nights": len(nights)} if len(nights) >= p["nights"] else None


def _run_length(days: Sequence[date], today: date, recent: float, gap: int = 7) -> int:
    """Days from the start of the latest run of episodes (gaps under ``gap`` days) to its end,
    if the run is still going (its last episode within ``recent`` days); else 0."""
    ordered = sorted(set(days))
    if not ordered or (today - ordered[-1]).days > recent:
        return 0
    first = ordered[-1]
    for earlier in reversed(ordered[:-1]):
        if (first - earlier).days > gap:
            break
        first = earlier
    return (ordered[-1] - first).days


def twitching_over_two_weeks(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    run = _run_length([e.day for e in episodes if e.kind == "spasm"], today, p["recent_days"])
    return {"days": run} if run > p["days"] else None


def eyelid_twitch_over_a_week(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    days = [e.day for e in episodes if e.kind == "spasm" and e.site == "eyelid"]
    run = _run_length(days, today, p["recent_days"], gap=3)
    return {"days": run} if run > p["days"] else None


def spreading(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    window = int(p["window_days"])
    recent_start = today - timedelta(days=window - 1)
    before = {e.site for e in episodes if e.site and e.day < recent_start}
    recent = {e.site for e in episodes if e.site and recent_start <= e.day <= today}
    new = recent - before
    if not before or len(new) < p["min_new_sites"]:
        return None
    return {"sites_before": len(before), "sites_now": len(recent), "new_sites": len(new)}


def weakness_or_wasting(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    hits = [
        e
        for e in _since(episodes, today, p["days"])
        if e.findings.get("weakness") is True or e.findings.get("wasting") is True
    ]
    return {"episodes": len(hits)} if hits else None


def weakness_with_cramps_and_twitches(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    recent = _since(episodes, today, p["days"])
    kinds = {e.kind for e in recent}
    weak = any(e.findings.get("weakness") is True for e in recent)
    return {"days": p["days"]} if weak and {"cramp", "spasm"} <= kinds else None


def after_new_medicine(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    """Cramps rose after a medicine was started (the eight weeks after against the eight
    before), and the rise holds against a smooth trend over the diary
    (:func:`medicine_against_trend`): a rise the trend explains as well is not this pattern
    (the rising-cramps pattern, and the medicine's line in the insights, say what it is)."""
    worst: dict[str, float] | None = None
    before_days, after_days = int(p["before_days"]), int(p["after_days"])
    for medicine in medicines:
        began = medicine.started_on
        if began is None or began - timedelta(days=before_days) < start or began > today:
            continue  # the diary must cover the time before it
        after_span = min(after_days, (today - began).days + 1)
        if after_span < 14:
            continue
        cramps = [e.day for e in episodes if e.kind == "cramp"]
        before = sum(began - timedelta(days=before_days) <= d < began for d in cramps)
        after = sum(began <= d < began + timedelta(days=after_span) for d in cramps)
        rate_before = (before + 0.5) / before_days
        rate_after = after / after_span
        ratio = rate_after / rate_before
        if after >= p["min_after"] and ratio >= p["min_ratio"]:
            against_trend = medicine_against_trend(episodes, medicine, start, today)
            if against_trend >= ALPHA:
                continue  # the rise cannot be told apart from a steady change: not this pattern
            found = {"before": before, "after": after, "ratio": ratio,
                     "p_value_against_trend": against_trend}  # fmt: skip
            if worst is None or ratio > worst["ratio"]:
                worst = found
    return worst


ALPHA = 0.05
"""A medicine's rise must hold against the trend at this level (as the triggers do)."""


def medicine_against_trend(
    episodes: Sequence[EpisodePoint], medicine: MedicineStart, start: date, today: date
) -> float:
    """The one-sided p-value of more cramps while taking ``medicine`` than a smooth trend over
    the diary explains (:func:`musclewise.insights.triggers.medicine_test`): a raw before and
    after comparison never names a medicine."""
    from collections import Counter

    from musclewise.insights.rates import Day
    from musclewise.insights.triggers import medicine_test

    cramps = Counter(e.day for e in episodes if e.kind == "cramp")
    began = medicine.started_on
    assert began is not None
    days = [
        Day(day, {"medicine": began <= day}, cramps=cramps[day])
        for day in (start + timedelta(days=i) for i in range((today - start).days + 1))
    ]
    return medicine_test(days, "medicine", "cramp")[3]


DETECTORS: dict[str, Detector] = {
    "cramps_more_frequent": cramps_more_frequent,
    "frequent_cramps": frequent_cramps,
    "waking_most_nights": waking_most_nights,
    "twitching_over_two_weeks": twitching_over_two_weeks,
    "eyelid_twitch_over_a_week": eyelid_twitch_over_a_week,
    "spreading": spreading,
    "weakness_or_wasting": weakness_or_wasting,
    "weakness_with_cramps_and_twitches": weakness_with_cramps_and_twitches,
    "after_new_medicine": after_new_medicine,
}


def detect(
    episodes: Sequence[EpisodePoint],
    medicines: Sequence[MedicineStart],
    today: date,
    patterns: Sequence[Mapping[str, Any]],
    *,
    start: date | None = None,
) -> list[PatternFinding]:
    """Every pattern of the knowledge base that the diary shows, most urgent first.

    ``start`` is the first day of the diary (default: the first episode's day).
    """
    if not episodes:
        return []
    first = start or min(e.day for e in episodes)
    found = []
    for pattern in patterns:
        detector = DETECTORS[pattern["id"]]
        evidence = detector(episodes, medicines, today, first, pattern["params"])
        if evidence is not None:
            found.append(
                PatternFinding(
                    pattern["id"],
                    pattern["level"],
                    pattern["text"],
                    tuple(pattern["sources"]),
                    evidence,
                )
            )
    order = {"emergency": 0, "urgent": 1, "see_doctor": 2, "self_care": 3}
    return sorted(found, key=lambda f: order[f.level])
