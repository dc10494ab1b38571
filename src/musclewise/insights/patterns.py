"""Warning patterns that only show over time (``knowledge/data/patterns.yaml``).

Each detector reads the diary's episodes (dates in the person's own time zone) and medicines,
and reports the patterns whose thresholds are met, each with its level, its sources and the
numbers that triggered it. Pure: no clock (``today`` is given), no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple


class EpisodeRecord(NamedTuple):
    """What the detectors need of one episode."""

    day: date
    kind: str
    site: str | None
    findings: Mapping[str, Any]
    hour: int | None = None
    """The local hour it started, for the time-of-day chart."""


class MedicineRecord(NamedTuple):
    name: str
    started_on: date | None


class PatternFinding(NamedTuple):
    id: str
    level: str
    text: str
    sources: tuple[str, ...]
    evidence: dict[str, float]


Detector = Callable[
    [Sequence[EpisodeRecord], Sequence[MedicineRecord], date, date, Mapping[str, float]],
    dict[str, float] | None,
]


def _since(episodes: Sequence[EpisodeRecord], today: date, days: float) -> list[EpisodeRecord]:
    start = today - timedelta(days=int(days) - 1)
    return [e for e in episodes if start <= e.day <= today]


def cramps_more_frequent(
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    """A Poisson trend in weekly cramp counts (statsmodels GLM), and a real rise."""
    weeks = min((today - start).days // 7, 26)
    if weeks < p["min_weeks"]:
        return None
    first = today - timedelta(days=7 * weeks - 1)
    counts = [0] * weeks
    for e in episodes:
        if e.kind == "cramp" and first <= e.day <= today:
            counts[(e.day - first).days // 7] += 1
    early, late = sum(counts[:4]) / 4, sum(counts[-4:]) / 4
    if late == 0 or late < p["min_ratio"] * max(early, 0.25):
        return None
    import numpy as np
    import statsmodels.api as sm

    x = sm.add_constant(np.arange(weeks, dtype=float))
    fit = sm.GLM(np.array(counts, dtype=float), x, family=sm.families.Poisson()).fit()
    slope, p_value = float(fit.params[1]), float(fit.pvalues[1])
    if slope <= 0 or p_value >= p["alpha"]:
        return None
    return {"weeks": weeks, "early_per_week": early, "late_per_week": late, "p_value": p_value}


def frequent_cramps(
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
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
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
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
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    run = _run_length([e.day for e in episodes if e.kind == "spasm"], today, p["recent_days"])
    return {"days": run} if run > p["days"] else None


def eyelid_twitch_over_a_week(
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    days = [e.day for e in episodes if e.kind == "spasm" and e.site == "eyelid"]
    run = _run_length(days, today, p["recent_days"], gap=3)
    return {"days": run} if run > p["days"] else None


def spreading(
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
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
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
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
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
    recent = _since(episodes, today, p["days"])
    kinds = {e.kind for e in recent}
    weak = any(e.findings.get("weakness") is True for e in recent)
    return {"days": p["days"]} if weak and {"cramp", "spasm"} <= kinds else None


def after_new_medicine(
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
    today: date,
    start: date,
    p: Mapping[str, float],
) -> dict[str, float] | None:
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
            found = {"before": before, "after": after, "ratio": ratio}
            if worst is None or ratio > worst["ratio"]:
                worst = found
    return worst


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
    episodes: Sequence[EpisodeRecord],
    medicines: Sequence[MedicineRecord],
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
