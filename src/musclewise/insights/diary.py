"""Turning a diary into the insights' inputs: the period, its days with their factors, the
episodes on the person's own calendar, and the medicines.

The factors and the thresholds that turn a day's numbers into yes/no are the table
:data:`FACTORS` (documented in ``docs/insights.md``); each medicine of the profile with a start
date is one more factor, present on the days it was taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from musclewise.diary.merge import LOW_FLUIDS_LITRES
from musclewise.insights import patterns, rates

if TYPE_CHECKING:
    from musclewise.diary import Diary, Profile

MEDICINE_PREFIX = "medicine:"


@dataclass(frozen=True, slots=True)
class Factor:
    """One row of the threshold table: a daily-context column and when it counts as "yes"."""

    id: str
    label: str
    """Words for sentences: "On days with <label>", "On days after <label>"."""
    column: str
    rule: str
    """The threshold in words, for the documentation and ``--format json``."""
    op: str
    """``yes`` (a yes/no column), ``>=`` or ``<`` (a number against ``value``)."""
    value: float = 0.0

    def present(self, values: Mapping[str, Any]) -> bool | None:
        """Whether the day had the factor; None when it was not recorded."""
        raw = values.get(self.column)
        if self.id == "low_fluids" and raw is None and values.get("fluids_litres") is not None:
            return bool(values["fluids_litres"] < LOW_FLUIDS_LITRES)
        if self.id == "intense_exercise" and raw is None and values.get("exercise_minutes") == 0:
            return False  # no exercise at all: no intense exercise either
        if raw is None:
            return None
        if self.op == "yes":
            return bool(raw)
        if self.op == ">=":
            return bool(raw >= self.value)
        return bool(raw < self.value)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "column": self.column, "yes_when": self.rule}


FACTORS: tuple[Factor, ...] = (
    Factor("caffeine", "3 or more cups of caffeine", "caffeine_cups", "3 cups or more", ">=", 3),
    Factor("alcohol", "3 or more alcoholic drinks", "alcohol_drinks", "3 drinks or more", ">=", 3),
    Factor("exercise", "an hour or more of exercise", "exercise_minutes", "60 minutes or more",
           ">=", 60),
    Factor("intense_exercise", "intense exercise", "exercise_intense",
           "yes (no on a day with 0 minutes of exercise)", "yes"),
    Factor("heat", "a hot environment", "hot_environment", "yes", "yes"),
    Factor("sweating", "heavy sweating", "heavy_sweating", "yes", "yes"),
    Factor("low_fluids", "low fluids", "fluids_low",
           f"yes, or else fluids_litres under {LOW_FLUIDS_LITRES:g}", "yes"),
    Factor("short_sleep", "short sleep (under 6 hours)", "sleep_hours", "under 6 hours", "<", 6),
    Factor("stress", "stress of 7 or more out of 10", "stress", "7 or more (0-10)", ">=", 7),
    Factor("screen_time", "6 hours or more of screens", "screen_hours", "6 hours or more", ">=", 6),
    Factor("long_sitting", "long sitting or standing", "long_sitting_or_standing", "yes", "yes"),
    Factor("cold", "cold exposure", "cold_exposure", "yes", "yes"),
)  # fmt: skip
"""The daily-context factors compared, and when a day counts as having each."""


@dataclass(frozen=True, slots=True)
class Episode:
    """One logged episode as the insights see it: its local start and what was logged."""

    id: int
    local_start: datetime
    site: str
    side: str | None
    pain: int | None
    duration_s: float | None
    kind: str
    triage: str
    findings: dict[str, Any]
    notes: str | None

    @property
    def day(self) -> date:
        return self.local_start.date()

    def record(self) -> patterns.EpisodePoint:
        """What the pattern detectors and the charts read."""
        return patterns.EpisodePoint(
            self.day, self.kind, self.site, self.findings, hour=self.local_start.hour
        )


@dataclass(frozen=True, slots=True)
class Medicine:
    name: str
    started_on: date | None
    stopped_on: date | None

    def taken_on(self, day: date) -> bool:
        started = self.started_on is None or self.started_on <= day
        return started and (self.stopped_on is None or day < self.stopped_on)

    @property
    def factor_id(self) -> str:
        return f"{MEDICINE_PREFIX}{self.name}"


@dataclass(frozen=True, slots=True)
class DiaryData:
    """Everything the insights read from one person's diary over one period."""

    start: date
    end: date
    sex: str | None
    birth_year: int | None
    pregnant: bool | None
    conditions: tuple[str, ...]
    medicines: tuple[Medicine, ...]
    episodes: tuple[Episode, ...]
    context: Mapping[date, Mapping[str, Any]] = field(default_factory=dict)
    """The recorded context of each day that has one (only the fields recorded)."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def records(self) -> list[patterns.EpisodePoint]:
        return [e.record() for e in self.episodes]

    def medicine_records(self) -> list[patterns.MedicineStart]:
        return [patterns.MedicineStart(m.name, m.started_on) for m in self.medicines]

    def factor_ids(self) -> list[str]:
        """The factors compared: the table's, then each medicine with a start date."""
        meds = [m.factor_id for m in self.medicines if m.started_on is not None]
        return [f.id for f in FACTORS] + list(dict.fromkeys(meds))

    def labels(self) -> dict[str, str]:
        labels = {f.id: f.label for f in FACTORS}
        labels.update({m.factor_id: m.name for m in self.medicines})
        return labels

    def trigger_days(self) -> list[rates.Day]:
        """Every day of the period: its factors (None: not recorded) and its episodes."""
        cramps: Counter[date] = Counter()
        spasms: Counter[date] = Counter()
        for e in self.episodes:
            if e.kind == "cramp":
                cramps[e.day] += 1
            elif e.kind == "spasm":
                spasms[e.day] += 1
        dated = [m for m in self.medicines if m.started_on is not None]
        result = []
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            values = self.context.get(day, {})
            present: dict[str, bool | None] = {f.id: f.present(values) for f in FACTORS}
            for m in dated:
                present[m.factor_id] = present.get(m.factor_id) or m.taken_on(day)
            result.append(rates.Day(day, present, cramps[day], spasms[day]))
        return result


def load(diary: Diary, since: date | None = None, until: date | None = None) -> DiaryData:
    """One consistent read of the diary over ``[since, until]`` (local dates, both inclusive).

    By default the period runs from the first day with an episode or a recorded context to
    today in the person's time zone (or to ``until``)."""
    from musclewise.diary.times import day_bounds

    with diary.snapshot():
        profile = diary.get_profile()
        zone = profile.timezone
        end = until or diary.today()
        lower = day_bounds(since, zone)[0] if since else None
        upper = day_bounds(end, zone)[1]
        records = diary.list_episodes(since=lower, until=upper)
        days = diary.list_days(since, end)
    episodes = tuple(_episode(e) for e in records)
    context = {d.date: d.values for d in days}
    start = since
    if start is None:
        firsts = [e.day for e in episodes[:1]] + [d.date for d in days[:1]]
        start = min(firsts) if firsts else end
    start = min(start, end)
    return _data(profile, start, end, episodes, context)


def _episode(e: Any) -> Episode:
    local = e.local_start
    return Episode(
        id=e.id,
        local_start=local,
        site=e.site,
        side=e.side,
        pain=e.pain,
        duration_s=e.duration_s,
        kind=e.kind,
        triage=e.triage,
        findings=e.given(),
        notes=e.notes,
    )


def _data(
    profile: Profile,
    start: date,
    end: date,
    episodes: Sequence[Episode],
    context: Mapping[date, Mapping[str, Any]],
) -> DiaryData:
    ordered = tuple(sorted((e for e in episodes if start <= e.day <= end), key=_when))
    return DiaryData(
        start=start,
        end=end,
        sex=profile.sex,
        birth_year=profile.birth_year,
        pregnant=profile.pregnant,
        conditions=tuple(profile.conditions),
        medicines=tuple(Medicine(m.name, m.started_on, m.stopped_on) for m in profile.medicines),
        episodes=ordered,
        context={d: v for d, v in context.items() if start <= d <= end},
    )


def _when(e: Episode) -> tuple[datetime, int]:
    return e.local_start, e.id
