"""An example diary to try musclewise on: ``musclewise demo``.

A year (by default) of one person's diary, the same for the same seed and end date:

- a woman born in 1961 who lives in London and runs: easy runs on Tuesdays and Thursdays
  (some weeks), a long run (60 to 120 minutes, hard seven times in ten) once or twice a week
  on whichever day suits her that week, weekends more often, and some weeks a short hard
  session of intervals on a weekday;
- calf cramps at night (pain 6 to 9, one to three minutes, stretching helps), about one
  night in five at first, becoming steadily more common over the months, faster in the later
  ones (three and a half times as many by the end);
- after a hard run (long, or intervals), cramps are about three times as likely the night
  after (the one real trigger: the insights name it), after an easy long run a little more;
- atorvastatin started half-way through, with no effect of its own on the cramps: they rise
  after it only as they were rising anyway, and the insights say they cannot tell the two
  apart;
- her day's context on most days (exercise, caffeine, alcohol, fluids, sleep, stress, screen
  time, heat, cold, long sitting or standing), recorded each evening at 21:00, every yes/no
  question answered "no" as well as "yes", as the diary asks;
- one stressful week (stress 8 to 9, long screen days, little sleep, much coffee) with a
  spell of eyelid twitching: painless, a few seconds each.

:func:`plan_demo` makes the diary as plain data (pure: the clock is an argument);
:func:`fill_demo` writes it through :class:`~musclewise.diary.Diary` in time order, the way
``musclewise log`` and ``musclewise day`` would have as it happened, so every episode is
assessed by the engine with the profile, the medicines and the context known at that moment
(an episode before 21:00 sees the day before's context).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from musclewise.contract import KINDS, TRIAGE_LEVELS
from musclewise.diary import times
from musclewise.diary.api import Diary
from musclewise.diary.errors import DiaryValueError, FieldProblem
from musclewise.errors import UsageError

DEFAULT_SEED = 1961
DEFAULT_MONTHS = 12
MAX_MONTHS = 24
PERSON = "demo"
TIMEZONE = "Europe/London"
PROFILE: dict[str, Any] = {"timezone": TIMEZONE, "sex": "female", "birth_year": 1961}
STATIN = "Atorvastatin 20mg"
DAY_RECORDED_AT = time(21, 0)
"""When the day's context is written (she fills it in each evening)."""

CRAMP_NIGHT = 0.22
"""Cramps a night at the start, without a hard run the day before."""
RISE = 3.5
"""How many times as many cramps a night by the last day: a steady rise over the diary, faster
in its later months (the statin adds nothing of its own)."""
HARD_RUN_FACTOR = 3.0
LONG_EXERCISE_FACTOR = 1.3
HARD_RUNS = 0.7
"""The share of long runs that are hard."""
LONG_RUN_WEEKDAYS = (0, 1, 2, 3, 4, 5, 5, 6, 6, 6)
"""The long run's day, drawn each week (Monday 0): any day, weekends more often."""
SECOND_LONG_RUN = 0.5
"""The share of weeks with a second long run."""
INTERVALS = 0.8
"""The chance of a short hard session (intervals, 30 to 45 minutes) on its weekday."""
DAYS_RECORDED = 0.9
"""The share of days with their context recorded."""


@dataclass(frozen=True, slots=True)
class PlannedEpisode:
    """One episode as ``Diary.add_episode`` takes it."""

    started_at: datetime  # aware
    site: str
    side: str | None
    pain: int
    duration_s: float
    findings: dict[str, Any]
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """The whole example diary, before it is written."""

    start: date
    end: date
    statin_from: date
    stress_week: date
    """The first day of the stressful week."""
    days: dict[date, dict[str, Any]]
    episodes: tuple[PlannedEpisode, ...]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What :func:`fill_demo` wrote."""

    database: str
    person: str
    seed: int
    start: date
    end: date
    days_recorded: int
    episodes: dict[str, int]
    triage: dict[str, int]
    sites: dict[str, int]
    medicines: tuple[tuple[str, date], ...]
    stress_week: date
    knowledge_version: str
    profile: dict[str, Any] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "person": self.person,
            "profile": self.profile,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "days_recorded": self.days_recorded,
            "episodes": {"total": sum(self.episodes.values()), **self.episodes},
            "triage": self.triage,
            "sites": self.sites,
            "medicines": [{"name": n, "started_on": d.isoformat()} for n, d in self.medicines],
            "stress_week": self.stress_week.isoformat(),
            "knowledge_version": self.knowledge_version,
        }


def months_before(end: date, months: int) -> date:
    """The first day of the ``months`` months that end on ``end`` (inclusive)."""
    month_index = end.year * 12 + end.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in (end.day, 30, 29, 28):  # the same day of the month, or the month's last
        try:
            return date(year, month + 1, day) + timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _local(day: date, at: time) -> datetime:
    """A wall-clock time in London as an aware datetime (in UTC)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)


def _clock(rng: random.Random, first_minute: int, last_minute: int) -> time:
    minute = rng.randint(first_minute, last_minute)
    return time(minute // 60 % 24, minute % 60)


def _day_context(
    rng: random.Random, day: date, stressed: bool, hard_run: bool | None, intervals: bool
) -> dict[str, Any]:
    """One day's context; ``hard_run``: a long run that day (True hard, False easy);
    ``intervals``: a short hard session."""
    weekday = day.weekday()  # Monday 0
    summer = day.month in (6, 7, 8)
    winter = day.month in (12, 1, 2)
    values: dict[str, Any] = {}
    if hard_run is not None:
        values["exercise_minutes"] = float(rng.randrange(60, 121, 5))
        values["exercise_intense"] = hard_run
        values["notes"] = f"long run, {rng.randint(12, 22)} km"
    elif intervals:
        values["exercise_minutes"] = float(rng.randrange(30, 50, 5))
        values["exercise_intense"] = True
        values["notes"] = "intervals"
    elif weekday in (1, 3) and not stressed and rng.random() < 0.7:
        values["exercise_minutes"] = float(rng.randrange(30, 46, 5))
        values["exercise_intense"] = False
    elif rng.random() < 0.6:
        values["exercise_minutes"] = float(rng.randrange(10, 35, 5))  # walking
        values["exercise_intense"] = False
    else:
        values["exercise_minutes"] = 0.0  # a rest day
    if stressed:
        values.update(
            caffeine_cups=float(rng.randint(4, 6)),
            stress=rng.randint(8, 9),
            sleep_hours=rng.choice([4.5, 5.0, 5.5, 6.0]),
            screen_hours=float(rng.randint(9, 12)),
            fluids_litres=round(rng.uniform(1.2, 2.4), 1),
        )
    else:
        values.update(
            caffeine_cups=float(rng.choice([1, 2, 2, 3, 3, 4])),
            stress=rng.randint(2, 5),
            sleep_hours=rng.choice([6.5, 7.0, 7.0, 7.5, 7.5, 8.0]),
            fluids_litres=round(rng.uniform(1.2, 2.4), 1),
        )
        if rng.random() < 0.7:
            values["screen_hours"] = float(rng.randint(2, 5))
    if rng.random() < 0.8:
        friday_or_saturday = weekday in (4, 5)
        drinks = rng.randint(1, 3) if friday_or_saturday else int(rng.random() < 0.2)
        values["alcohol_drinks"] = float(drinks)
    # the yes/no questions, answered "no" as well as "yes"
    values["hot_environment"] = rng.random() < (0.3 if summer else 0.03)
    values["cold_exposure"] = rng.random() < (0.25 if winter else 0.03)
    values["heavy_sweating"] = hard_run is not None and (
        values["hot_environment"] or rng.random() < 0.3)  # fmt: skip
    values["long_sitting_or_standing"] = rng.random() < 0.15
    return values


def _night_cramps(rng: random.Random, morning: date, mean: float) -> list[PlannedEpisode]:
    """The calf cramps (sometimes a foot) of the night that ends on ``morning``: ``mean`` a
    night (Poisson, at most three)."""
    count, product, limit = 0, rng.random(), math.exp(-mean)
    while product > limit and count < 3:
        count += 1
        product *= rng.random()
    if not count:
        return []
    minutes = sorted(rng.sample(range(30, 330), count))  # 00:30 to 05:30
    episodes = []
    for minute in minutes:
        findings: dict[str, Any] = {"onset": "during_sleep", "extent": "whole_muscle"}
        if rng.random() < 0.9:
            findings["relieved_by_stretch"] = True
        if rng.random() < 0.8:
            findings["muscle_hard"] = True
        side = rng.choices(["left", "right", "both"], [45, 40, 15])[0]
        episodes.append(
            PlannedEpisode(
                started_at=_local(morning, time(minute // 60, minute % 60)),
                site="calf" if rng.random() < 0.93 else "foot",
                side=side,
                pain=rng.randint(6, 9),
                duration_s=float(rng.randrange(60, 181, 15)),
                findings=findings,
                notes=rng.choice([None, None, None, "woke me up", "had to stand on it"]),
            )
        )
    return episodes


def _after_run_cramp(rng: random.Random, day: date) -> PlannedEpisode:
    return PlannedEpisode(
        started_at=_local(day, _clock(rng, 11 * 60, 17 * 60)),
        site=rng.choice(["calf", "calf", "foot"]),
        side=rng.choice(["left", "right"]),
        pain=rng.randint(5, 7),
        duration_s=float(rng.randrange(30, 91, 15)),
        findings={"onset": "after_exercise", "extent": "whole_muscle", "relieved_by_stretch": True},
        notes="after the long run",
    )


def _twitches(rng: random.Random, day: date, spell_day: int) -> list[PlannedEpisode]:
    """A day of the eyelid-twitching spell (``spell_day``: 1 on its first day)."""
    side = "left" if rng.random() < 0.85 else "right"
    minutes = sorted(rng.sample(range(9 * 60, 22 * 60 + 30), rng.randint(2, 5)))
    return [
        PlannedEpisode(
            started_at=_local(day, time(minute // 60, minute % 60)),
            site="eyelid",
            side=side,
            pain=0,
            duration_s=float(rng.randint(2, 20)),
            findings={
                "extent": "part_of_muscle",
                "visible_twitch": True,
                "onset": "at_rest",
                "ongoing_days": spell_day,
            },
            notes="at the screen" if rng.random() < 0.2 else None,
        )
        for minute in minutes
    ]


def _long_run_days(rng: random.Random) -> set[int]:
    """The week's long-run days (Monday 0): one, and some weeks two, never back to back."""
    days = {rng.choice(LONG_RUN_WEEKDAYS)}
    if rng.random() < SECOND_LONG_RUN:
        second = rng.choice(LONG_RUN_WEEKDAYS)
        if all(abs(second - d) > 1 for d in days):
            days.add(second)
    return days


def plan_demo(
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    end: date | None = None,
    *,
    now: datetime | None = None,
) -> DemoPlan:
    """The example diary as data: the same for the same ``seed``, ``months`` and ``end``
    (default: today in London). Nothing after ``now`` (default: the clock) is planned: with
    ``end`` today, the diary stops at this moment (today's context comes at 21:00)."""
    clock = now or times.now()
    last = end or clock.astimezone(ZoneInfo(TIMEZONE)).date()
    if not 1 <= months <= MAX_MONTHS:
        raise DiaryValueError([FieldProblem("months", f"{months} is not from 1 to {MAX_MONTHS}")])
    if last > clock.astimezone(ZoneInfo(TIMEZONE)).date():
        raise DiaryValueError([FieldProblem("end", f"{last} is in the future in {TIMEZONE}")])
    rng = random.Random(seed)
    first = months_before(last, months)
    total = (last - first).days + 1
    statin_from = first + timedelta(days=total // 2)
    earliest = total // 5  # the stressful week and its twitching end before the statin
    stress_week = first + timedelta(days=rng.randint(earliest, max(earliest, total // 2 - 14)))
    days: dict[date, dict[str, Any]] = {}
    episodes: list[PlannedEpisode] = []
    long_run_days = _long_run_days(rng)
    interval_day = rng.choice([d for d in range(5) if d not in long_run_days])
    previous: dict[str, Any] = {}
    for offset in range(total):
        day = first + timedelta(days=offset)
        if day.weekday() == 0:
            long_run_days = _long_run_days(rng)  # each week, the day that suits her
            interval_day = rng.choice([d for d in range(5) if d not in long_run_days])
        stressed = 0 <= (day - stress_week).days < 7
        hard_run: bool | None = None
        if day.weekday() in long_run_days and not stressed and rng.random() < 0.9:
            hard_run = rng.random() < HARD_RUNS
        intervals = (hard_run is None and not stressed and day.weekday() == interval_day
                     and rng.random() < INTERVALS)  # fmt: skip
        context = _day_context(rng, day, stressed, hard_run, intervals)
        # the night before this day: cramps steadily more likely over the months (the statin
        # adds nothing of its own), and more likely after a hard run
        chance = CRAMP_NIGHT * (1 + (RISE - 1) * (offset / max(total - 1, 1)) ** 2)
        if previous.get("exercise_intense"):
            chance *= HARD_RUN_FACTOR
        elif previous.get("exercise_minutes", 0) >= 60:
            chance *= LONG_EXERCISE_FACTOR
        episodes += _night_cramps(rng, day, chance)
        if hard_run is not None and rng.random() < 0.15:
            episodes.append(_after_run_cramp(rng, day))
        spell_day = (day - stress_week).days  # twitching from the second stressful day
        if 1 <= spell_day <= 7 and rng.random() < 0.9:
            episodes += _twitches(rng, day, spell_day)
        if rng.random() < DAYS_RECORDED or stressed or hard_run is not None:
            days[day] = context
        previous = context
    kept = tuple(e for e in episodes if e.started_at <= clock)
    recorded = {d: v for d, v in days.items() if _local(d, DAY_RECORDED_AT) <= clock}
    return DemoPlan(first, last, statin_from, stress_week, recorded, kept)


def fill_demo(
    diary: Diary,
    *,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    end: date | None = None,
) -> DemoSummary:
    """Write the example diary (:func:`plan_demo`) as the diary's person, in one transaction,
    through the diary's own API. Refuses (:class:`UsageError`) a database that holds any
    diary, so nothing real is ever mixed with it."""
    people = diary.people()
    if people:
        raise UsageError(
            f"the database {diary.display_url} already holds a diary (of "
            f"{', '.join(people)}); the demo only fills an empty database",
            hint="use another database (a new SQLite file, or an empty PostgreSQL schema)",
            code="demo_database_not_empty",
            field="database_url",
        )
    plan = plan_demo(seed, months, end)
    actions: list[tuple[datetime, int, Any]] = [
        (_local(day, DAY_RECORDED_AT), 1, (day, values)) for day, values in plan.days.items()
    ]
    actions += [(e.started_at, 0, e) for e in plan.episodes]
    actions.sort(key=lambda action: (action[0], action[1]))
    kinds: Counter[str] = Counter()
    triage: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    version = ""
    with diary.transaction():
        diary.set_profile(PROFILE)
        diary.add_medicine(STATIN, plan.statin_from)
        for _, _, item in actions:
            if isinstance(item, PlannedEpisode):
                record = diary.add_episode(
                    item.site, pain=item.pain, duration_s=item.duration_s, side=item.side,
                    started_at=item.started_at, findings=item.findings, notes=item.notes,
                )  # fmt: skip
                kinds[record.kind] += 1
                triage[record.triage] += 1
                sites[record.site] += 1
                version = record.knowledge_version
            else:
                day, values = item
                diary.set_day(day, values)
    return DemoSummary(
        database=diary.display_url,
        person=diary.person,
        seed=seed,
        start=plan.start,
        end=plan.end,
        days_recorded=len(plan.days),
        episodes=_ordered(kinds, KINDS),
        triage=_ordered(triage, TRIAGE_LEVELS),
        sites=dict(sites.most_common()),
        medicines=((STATIN, plan.statin_from),),
        stress_week=plan.stress_week,
        knowledge_version=version,
        profile=dict(PROFILE),
    )


def _ordered(counts: Mapping[str, int], order: tuple[str, ...]) -> dict[str, int]:
    return {key: counts[key] for key in order if counts.get(key)}
