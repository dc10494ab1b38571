"""What the diary hands out: frozen records, never the ORM objects behind them.

Each record has ``to_dict()``, a JSON-ready dict (dates and times in ISO 8601, times in UTC
with the zone kept beside them) that is also what ``--format json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class MedicineRecord:
    """One medicine as typed, with when it was started and stopped (if known)."""

    id: int
    name: str
    started_on: date | None
    stopped_on: date | None

    def taken_on(self, day: date) -> bool:
        """Taken that day: started on or before it (or unknown), and not yet stopped."""
        started = self.started_on is None or self.started_on <= day
        return started and (self.stopped_on is None or day < self.stopped_on)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "started_on": _iso(self.started_on),
            "stopped_on": _iso(self.stopped_on),
        }


@dataclass(frozen=True, slots=True)
class Profile:
    """The person: ``stored`` is False until something about them has been written."""

    name: str
    timezone: str
    sex: str | None = None
    birth_year: int | None = None
    pregnant: bool | None = None
    conditions: tuple[str, ...] = ()
    medicines: tuple[MedicineRecord, ...] = ()
    created_at: datetime | None = None
    stored: bool = False

    def current_medicines(self, day: date) -> list[MedicineRecord]:
        return [m for m in self.medicines if m.taken_on(day)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "timezone": self.timezone,
            "sex": self.sex,
            "birth_year": self.birth_year,
            "pregnant": self.pregnant,
            "conditions": list(self.conditions),
            "medicines": [m.to_dict() for m in self.medicines],
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    """One episode as stored: what was given, and the assessment made of it."""

    id: int
    person: str
    started_at: datetime  # UTC
    tz: str
    site: str
    side: str | None
    pain: int | None
    duration_s: float | None
    findings: dict[str, Any]
    notes: str | None
    kind: str
    triage: str
    assessment: dict[str, Any]
    knowledge_version: str
    created_at: datetime
    updated_at: datetime
    public_id: str = field(default="", compare=False)
    """The opaque id that names the episode outside this process (pages of an account, the
    API): 128 random bits, so it reveals nothing about other episodes or accounts."""

    @property
    def local_start(self) -> datetime:
        """When it started, on the clock of the zone it happened in."""
        return self.started_at.astimezone(ZoneInfo(self.tz))

    def given(self) -> dict[str, Any]:
        """The findings of the episode itself: its columns and the other keys given."""
        own = {
            "site": self.site,
            "side": self.side,
            "pain": self.pain,
            "duration_s": self.duration_s,
        }
        return {**{k: v for k, v in own.items() if v is not None}, **self.findings}

    def to_dict(self, *, assessment: bool = True) -> dict[str, Any]:
        result = {
            "id": self.id,
            "person": self.person,
            "started_at": _iso(self.started_at),
            "tz": self.tz,
            "local_start": _iso(self.local_start),
            "site": self.site,
            "side": self.side,
            "pain": self.pain,
            "duration_s": self.duration_s,
            "findings": self.findings,
            "notes": self.notes,
            "kind": self.kind,
            "triage": self.triage,
            "knowledge_version": self.knowledge_version,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }
        if assessment:
            result["assessment"] = self.assessment
        return result


@dataclass(frozen=True, slots=True)
class DayRecord:
    """The context of one day: only the fields that were recorded are in ``values``."""

    date: date
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), **self.values}


@dataclass(frozen=True, slots=True)
class Change:
    """How one episode's assessment changed when it was assessed again."""

    id: int
    kind_before: str
    kind_after: str
    triage_before: str
    triage_after: str
    version_before: str
    version_after: str


@dataclass(frozen=True, slots=True)
class ReassessReport:
    """What ``reassess`` did: how many episodes it checked and what changed."""

    checked: int
    updated: int
    knowledge_version: str
    changes: tuple[Change, ...] = ()

    @property
    def changed_kind(self) -> int:
        return sum(c.kind_before != c.kind_after for c in self.changes)

    @property
    def changed_triage(self) -> int:
        return sum(c.triage_before != c.triage_after for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "updated": self.updated,
            "changed_kind": self.changed_kind,
            "changed_triage": self.changed_triage,
            "knowledge_version": self.knowledge_version,
            "changes": [
                {
                    "id": c.id,
                    "kind": [c.kind_before, c.kind_after],
                    "triage": [c.triage_before, c.triage_after],
                    "knowledge_version": [c.version_before, c.version_after],
                }
                for c in self.changes
                if c.kind_before != c.kind_after or c.triage_before != c.triage_after
            ],
        }
