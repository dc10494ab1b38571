"""Simulated diaries with planted triggers of known size, to prove the analysis finds them.

Each day, each factor is present with its own probability; the expected number of episodes
is a base rate multiplied by the planted rate ratio of every factor present (on the same day
or, for a lagged effect, the day before); the count is Poisson. With ``burst_shape``, every
week also has a multiplier of its own (gamma, mean 1): bad weeks and quiet weeks, as real
diaries have, which no factor explains. Deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from musclewise.insights.rates import Day

if TYPE_CHECKING:
    from musclewise.diary import Diary


def _free(taken: set[tuple[str, datetime]], site: str, at: datetime) -> datetime:
    """``at``, or the next free minute: two episodes of one site never start at one moment."""
    while (site, at) in taken:
        at += timedelta(minutes=1)
    taken.add((site, at))
    return at


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means of a diary
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate(
    days: int,
    prevalence: Mapping[str, float],
    effects: Mapping[tuple[str, int], float],
    *,
    base_rate: float = 0.3,
    twitch_rate: float = 0.1,
    seed: int = 0,
    start: date = date(2026, 1, 1),
    burst_shape: float | None = None,
) -> list[Day]:
    """A diary of ``days`` days; ``effects`` maps (factor, lag) to the planted cramp rate ratio.

    ``burst_shape`` (say 1): the weekly multiplier's gamma shape; smaller is burstier."""
    rng = random.Random(seed)
    present = [{f: rng.random() < p for f, p in prevalence.items()} for _ in range(days)]
    weeks = [1.0] * (days // 7 + 1)
    if burst_shape is not None:
        weeks = [rng.gammavariate(burst_shape, 1.0 / burst_shape) for _ in weeks]
    diary = []
    for i in range(days):
        week = weeks[i // 7]
        mean = base_rate * week
        for (factor, lag), ratio in effects.items():
            if i - lag >= 0 and present[i - lag].get(factor):
                mean *= ratio
        diary.append(
            Day(
                start + timedelta(days=i),
                dict(present[i]),
                cramps=_poisson(rng, mean),
                spasms=_poisson(rng, twitch_rate * week),
            )
        )
    return diary


def fill_diary(
    diary: Diary,
    days: int = 182,
    *,
    seed: int = 0,
    end: date | None = None,
    cramps_a_day: float = 0.3,
    twitches_a_day: float = 0.1,
    intense_ratio: float = 3.0,
) -> None:
    """Write a plausible diary through the Diary API (one transaction): a profile, medicines,
    the context of most days, and episodes assessed as they are logged.

    Planted effects, so the insights have something to find: cramps ``intense_ratio`` times as
    often the night after intense exercise and twice as often once a statin is started (two thirds of
    the way through); eyelid twitching twice as often on days with 3 or more cups of coffee.
    The last day is ``end`` (default: yesterday in the person's time zone)."""
    from zoneinfo import ZoneInfo

    rng = random.Random(seed)
    zone = "Europe/London"
    with diary.transaction():
        diary.set_profile({"timezone": zone, "birth_year": 1958, "sex": "female"},
                          add_conditions=["hypothyroidism"])  # fmt: skip
        last = end or diary.today() - timedelta(days=1)
        first = last - timedelta(days=days - 1)
        statin_from = first + timedelta(days=days * 2 // 3)
        diary.add_medicine("bendroflumethiazide 2.5mg", first - timedelta(days=400))
        diary.add_medicine("levothyroxine", first - timedelta(days=900))
        diary.add_medicine("Lipitor 20mg", statin_from)
        tz = ZoneInfo(zone)
        intense_before = False
        taken: set[tuple[str, datetime]] = (
            set()
        )  # a site and a start: one episode (the diary's rule)
        for offset in range(days):
            day = first + timedelta(days=offset)
            intense = rng.random() < 0.25
            caffeine = rng.choice([0, 1, 1, 2, 2, 3, 4, 5])
            if rng.random() < 0.9:
                minutes = rng.choice([0, 0, 20, 30, 45, 60, 90]) if not intense else 75
                diary.set_day(day, {
                    "exercise_minutes": minutes,
                    "exercise_intense": intense,
                    "caffeine_cups": caffeine,
                    "alcohol_drinks": rng.choice([0, 0, 0, 1, 2, 3, 4]),
                    "sleep_hours": rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5]),
                    "stress": rng.randint(0, 9),
                    "screen_hours": rng.choice([1, 2, 3, 4, 5, 6, 7, 8]),
                    "fluids_litres": rng.choice([1.0, 1.2, 1.5, 1.8, 2.0, 2.5]),
                    "hot_environment": rng.random() < 0.15,
                    "long_sitting_or_standing": rng.random() < 0.3,
                })  # fmt: skip
            mean = cramps_a_day * (intense_ratio if intense_before else 1.0)
            mean *= 2.0 if day >= statin_from else 1.0
            for _ in range(_poisson(rng, mean)):
                hour = rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 6, 22, 23, 15])
                at = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=tz)
                at_night = hour < 7 or hour >= 22
                site = rng.choice(["calf", "calf", "calf", "calf", "foot", "thigh_back"])
                at = _free(taken, site, at)
                findings: dict[str, object] = {
                    "muscle_hard": True,
                    "relieved_by_stretch": rng.random() < 0.8,
                    "extent": "whole_muscle",
                    "onset": "during_sleep" if at_night else "at_rest",
                }
                diary.add_episode(site, pain=rng.randint(4, 9), started_at=at,
                                  duration_s=rng.choice([30, 60, 90, 120, 180, 300]),
                                  side=rng.choice(["left", "right", "left"]), findings=findings,
                                  notes=rng.choice([None, None, None, "woke me up", "stretched it out"]))  # fmt: skip
            mean = twitches_a_day * (2.0 if caffeine >= 3 else 1.0)
            for _ in range(_poisson(rng, mean)):
                at = datetime.combine(day, time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=tz)
                at = _free(taken, "eyelid", at)
                diary.add_episode("eyelid", pain=0, duration_s=rng.choice([2, 5, 10, 20]),
                                  started_at=at, side=rng.choice(["left", "right"]),
                                  findings={"visible_twitch": True, "extent": "part_of_muscle"})  # fmt: skip
            intense_before = intense


SCENARIOS = ("null", "confounded", "weekday", "lag_streaks", "drift_medicine", "recording")
"""The diaries of issue 13, each with known truth (:func:`scenario`)."""
REAL = ("factor_0", 0)
"""The planted trigger of most scenarios (rate ratio :data:`REAL_RATIO`, the same day)."""
REAL_RATIO = 2.5
OTHER_FACTORS = {f"factor_{i}": 0.3 for i in range(9)}
"""With the scenario's own factors, about as many as the real threshold table."""


class Scenario(NamedTuple):
    diary: list[Day]
    factors: list[str]
    real: tuple[str, int] | None
    """The planted trigger (cramps), or None."""
    watched: tuple[str, int] | None
    """The no-effect comparison the scenario is about (None: any)."""
    medicines: tuple[str, ...] = ()


def scenario(name: str, days: int, rate: float, seed: int) -> Scenario:
    """One simulated diary of a scenario of issue 13, ``rate`` cramps a day at baseline.

    - ``null``: twelve factors, none with an effect.
    - ``confounded``: caffeine (on half the days) raises cramps 2.5 times; alcohol, with no
      effect, goes with it (on 7 caffeine days in 10, 2 in 10 otherwise).
    - ``weekday``: cramps on weekdays twice the weekend; caffeine, with no effect, mostly on
      weekdays (6 in 10 against 1 in 10); a real trigger as well.
    - ``lag_streaks``: yesterday's exercise is the trigger (2.5 times), and exercise runs in
      streaks (a day like the day before 8 times in 10), so today's exercise travels with it.
    - ``drift_medicine``: cramps drift up to twice as many over the diary; a statin started
      half-way has no effect; a real trigger as well.
    - ``recording``: "no" answers are left blank on half the days with cramps; a real trigger
      as well (which the analysis then must not name either: it cannot be trusted).
    """
    rng = random.Random(f"{name}/{days}/{rate}/{seed}")
    start = date(2026, 1, 5)
    present: list[dict[str, bool | None]] = []
    previous_exercise = rng.random() < 0.3
    for i in range(days):
        day = start + timedelta(days=i)
        values: dict[str, bool | None] = {f: rng.random() < p for f, p in OTHER_FACTORS.items()}
        weekday = day.weekday() < 5
        if name == "weekday":
            values["caffeine"] = rng.random() < (0.6 if weekday else 0.1)
        else:
            values["caffeine"] = rng.random() < (0.5 if name == "confounded" else 0.3)
        chance = (0.7 if values["caffeine"] else 0.2) if name == "confounded" else 0.3
        values["alcohol"] = rng.random() < chance
        if name == "lag_streaks":
            stay = rng.random() < 0.8
            previous_exercise = previous_exercise if stay else rng.random() < 0.3
            values["exercise"] = previous_exercise
        else:
            values["exercise"] = rng.random() < 0.3
        present.append(values)
    factors = list(present[0])
    medicines: tuple[str, ...] = ()
    if name == "drift_medicine":
        medicines = ("medicine:statin",)
        for i, values in enumerate(present):
            values["medicine:statin"] = i >= days // 2
    real: tuple[str, int] | None = REAL
    watched: tuple[str, int] | None = None
    if name == "null":
        real = None
    elif name == "confounded":
        real, watched = ("caffeine", 0), ("alcohol", 0)
    elif name == "weekday":
        watched = ("caffeine", 0)
    elif name == "lag_streaks":
        real, watched = ("exercise", 1), ("exercise", 0)
    elif name == "drift_medicine":
        watched = ("medicine:statin", 0)
    diary = []
    for i, values in enumerate(present):
        day = start + timedelta(days=i)
        mean = rate
        if name == "weekday" and day.weekday() >= 5:
            mean /= 2
        if name == "drift_medicine":
            mean *= 1 + i / max(days - 1, 1)
        if real is not None:
            factor, lag = real
            if i - lag >= 0 and present[i - lag][factor]:
                mean *= REAL_RATIO
        cramps = _poisson(rng, mean)
        recorded: dict[str, bool | None] = dict(values)
        if name == "recording" and cramps and rng.random() < 0.5:
            recorded = {f: (v if v or f in medicines else None) for f, v in values.items()}
        diary.append(Day(day, recorded, cramps=cramps, spasms=_poisson(rng, 0.1)))
    return Scenario(diary, factors + list(medicines), real, watched, medicines)
