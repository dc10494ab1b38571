"""The diary's rows read for the library: the frozen records handed out, the rows of a person,
and the findings an episode's row is assessed on (through :mod:`musclewise.diary.merge`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from musclewise.diary.errors import NotFoundError
from musclewise.diary.merge import merged_findings
from musclewise.diary.models import DAY_FIELDS, DayContext, Episode, Medicine, Person
from musclewise.diary.records import DayRecord, EpisodeRecord, MedicineRecord, Profile
from musclewise.diary.validate import EPISODE_COLUMNS


def medicine_key(name: str) -> str:
    from musclewise.medicine_names import name_key

    return name_key(name) or name.strip().lower()


def medicine_rows(session: Session, person_id: int) -> list[Medicine]:
    query = select(Medicine).where(Medicine.person_id == person_id)
    return list(session.scalars(query.order_by(Medicine.id)))


def episode_row(session: Session, person: Person | None, episode_id: int) -> Episode:
    episode = session.get(Episode, episode_id) if person is not None else None
    if episode is None or person is None or episode.person_id != person.id:
        raise no_such_episode(episode_id)
    return episode


def no_such_episode(episode_id: int) -> NotFoundError:
    return NotFoundError(
        f"episode {episode_id}: there is no such episode",
        hint="the list of episodes shows their ids",
        code="episode_missing",
        field="episode",
    )


def episode_findings(
    person: Person,
    episode: Episode,
    day: date,
    medicines: Sequence[MedicineRecord],
    days: Mapping[date, Mapping[str, Any]],
) -> dict[str, Any]:
    own = {k: v for k in EPISODE_COLUMNS if (v := getattr(episode, k)) is not None}
    own.update(episode.findings)
    return merged_findings(
        day,
        own=own,
        birth_year=person.birth_year,
        sex=person.sex,
        pregnant=person.pregnant,
        conditions=[c.condition for c in person.conditions],
        medicines=medicines,
        days=days,
    )


def medicine_record(row: Medicine) -> MedicineRecord:
    return MedicineRecord(row.id, row.name, row.started_on, row.stopped_on)


def profile_record(session: Session, row: Person) -> Profile:
    return Profile(
        name=row.name,
        timezone=row.timezone,
        sex=row.sex,
        birth_year=row.birth_year,
        pregnant=row.pregnant,
        conditions=tuple(c.condition for c in row.conditions),
        medicines=tuple(medicine_record(m) for m in medicine_rows(session, row.id)),
        created_at=row.created_at,
        stored=True,
    )


def episode_record(row: Episode, person: str) -> EpisodeRecord:
    return EpisodeRecord(
        id=row.id,
        person=person,
        started_at=row.started_at.astimezone(UTC),
        tz=row.tz,
        site=row.site,
        side=row.side,
        pain=row.pain,
        duration_s=row.duration_s,
        findings=dict(row.findings),
        notes=row.notes,
        kind=row.kind,
        triage=row.triage,
        assessment=row.assessment,
        knowledge_version=row.knowledge_version,
        created_at=row.created_at.astimezone(UTC),
        updated_at=row.updated_at.astimezone(UTC),
        public_id=row.public_id,
    )


def day_record(context: DayContext) -> DayRecord:
    return DayRecord(
        context.date, {k: v for k in DAY_FIELDS if (v := getattr(context, k)) is not None}
    )
