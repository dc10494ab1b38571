"""The diary as a library: one :class:`Diary` per database and person.

>>> with Diary("sqlite:///diary.sqlite3") as diary:               # doctest: +SKIP
...     diary.set_profile({"birth_year": 1960, "timezone": "Europe/London"})
...     episode = diary.add_episode("calf", pain=7, duration_s=90, findings={"onset": "during_sleep"})
...     episode.kind, episode.triage
('cramp', 'self_care')

Every public method that writes runs in ONE transaction, and so does a block of calls inside
``with diary.transaction():``. Values are checked before anything is written
(:class:`~musclewise.diary.errors.DiaryValueError` names each bad field). Episodes are assessed
by :func:`musclewise.assessment.assess_valid` with the profile, the medicines taken that day
and the day's context merged in (see :meth:`Diary.findings_for`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Unpack, cast

from sqlalchemy import JSON, Select, Table, Text, bindparam, delete, func, insert, select
from sqlalchemy import cast as sa_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from musclewise.contract import KINDS, TRIAGE_LEVELS
from musclewise.diary import database, times
from musclewise.diary.errors import DiaryValueError, FieldProblem, NotFoundError, same_start_error
from musclewise.diary.merge import assess_merged
from musclewise.diary.models import (
    DayContext,
    Episode,
    Medicine,
    Person,
    PersonCondition,
)
from musclewise.diary.records import (
    Change,
    DayRecord,
    EpisodeRecord,
    MedicineRecord,
    Profile,
    ReassessReport,
)
from musclewise.diary.restore import (
    AssessmentText,
    CheckedEpisode,
    RestoredFields,
    assessment_head,
    check_restored_episode,
)
from musclewise.diary.rows import (
    day_record,
    episode_findings,
    episode_record,
    episode_row,
    medicine_key,
    medicine_record,
    medicine_rows,
    no_such_episode,
    profile_record,
)
from musclewise.diary.session import DiarySession
from musclewise.diary.validate import (
    DAY_SPECS,
    EPISODE_COLUMNS,
    check_aware,
    check_conditions,
    check_episode_findings,
    check_fields,
    check_medicine_name,
    check_new_episode,
    check_notes,
    check_profile,
)

if TYPE_CHECKING:
    from musclewise.medicines import MedicineMatch

EDITABLE = ("site", "side", "pain", "duration_s", "started_at", "notes")
RESTORE_LOOKUP = 500
"""How many start times one query of :meth:`Diary.restore_episodes` looks up."""


class Diary(DiarySession):
    """A person's diary in a database (SQLite file or PostgreSQL).

    ``url``: a SQLAlchemy URL, else ``MUSCLEWISE_DATABASE_URL``, else the default SQLite file.
    ``person``: whose diary; by default the only person in the database, or ``"me"`` in an
    empty one (created on the first write). ``migrate``: bring an empty or older schema to
    head when opening; by default only for SQLite (PostgreSQL is migrated explicitly by
    ``musclewise db upgrade``). ``create``: False refuses a SQLite file that does not exist
    (nothing is created: for reads). ``new_person``: False refuses a ``person`` the database
    does not hold when it holds someone else (:class:`NotFoundError` with the names closest
    to it; :meth:`add_person` adds one). Use it as a context manager, or call :meth:`close`.
    """

    # ------------------------------------------------------------------ profile

    def get_profile(self) -> Profile:
        with self._read() as session:
            row = self._find_person(session)
            if row is None:
                return Profile(name=self.person, timezone=times.local_zone_name())
            return profile_record(session, row)

    def set_profile(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        conditions: Iterable[str] | None = None,
        add_conditions: Iterable[str] = (),
        remove_conditions: Iterable[str] = (),
    ) -> Profile:
        """Change the person's fields (``name``, ``timezone``, ``sex``, ``birth_year``,
        ``pregnant``; None clears one) and conditions (``conditions`` replaces them all).
        ``created_at`` in ``values`` restores when the person was created (imports)."""
        this_year = times.now().year
        given = dict(values or {})
        created_at = given.pop("created_at", None)
        if created_at is not None:
            created_at = times.check_not_future(check_aware(created_at, "created_at"), "created_at")
        checked = check_profile(given, this_year)
        replace = check_conditions(conditions) if conditions is not None else None
        add = check_conditions(add_conditions)
        remove = check_conditions(remove_conditions)
        with self._write() as session:
            row = self._person_row(session)
            sex = checked.get("sex", row.sex)
            pregnant = checked.get("pregnant", row.pregnant)
            if pregnant and sex == "male":
                raise DiaryValueError([FieldProblem("pregnant", "cannot be true when sex is male")])
            new_name = checked.get("name")
            taken = select(Person.id).where(Person.name == new_name, self._in_scope())
            if new_name and new_name != row.name and session.scalars(taken).first():
                raise DiaryValueError(
                    [FieldProblem("name", f"'{new_name}' already has a diary here")]
                )
            for key, value in checked.items():
                setattr(row, key, value)
            if created_at is not None:
                row.created_at = created_at
            current = {c.condition for c in row.conditions}
            wanted = set(replace) if replace is not None else current
            wanted = (wanted | set(add)) - set(remove)
            row.conditions = [c for c in row.conditions if c.condition in wanted] + [
                PersonCondition(condition=c) for c in sorted(wanted - current)
            ]
            session.flush()
            if new_name:
                self._person_name = new_name
            session.expire(row, ["conditions"])
            return profile_record(session, row)

    def add_medicine(
        self, name: str, started_on: date | None = None, *, allow_unknown: bool = False
    ) -> tuple[MedicineRecord, MedicineMatch]:
        """Start a medicine (name as typed). Unknown names are refused with the closest known
        name as a suggestion, unless ``allow_unknown``; returns how the name was read."""
        from musclewise.assessment import resolve_medicines

        typed = check_medicine_name(name)
        match = resolve_medicines([typed])[0]
        if match.how == "unknown" and not allow_unknown:
            guess = f" — did you mean '{match.suggestion}'?" if match.suggestion else ""
            raise DiaryValueError(
                [FieldProblem("medicine", f"'{typed}' is not a medicine musclewise knows{guess}")],
                hint="check the spelling, or keep the name as typed (it then counts as an "
                "unknown medicine)",
                code="medicine_unknown",
            )
        with self._write() as session:
            row = self._person_row(session)
            if started_on is not None:
                times.check_day(started_on, row.timezone, "started_on")
            key = medicine_key(typed)
            for other in medicine_rows(session, row.id):
                if other.stopped_on is None and medicine_key(other.name) == key:
                    raise DiaryValueError(
                        [FieldProblem("medicine", f"'{typed}' is already a current medicine")],
                        hint="stop it first to record a new course",
                        code="medicine_current",
                    )
            medicine = Medicine(
                person_id=row.id, name=typed, started_on=started_on, current_key=key
            )
            try:
                with session.begin_nested():
                    session.add(medicine)
            except IntegrityError:  # another process added it a moment ago
                raise DiaryValueError(
                    [FieldProblem("medicine", f"'{typed}' is already a current medicine")],
                    hint="stop it first to record a new course",
                    code="medicine_current",
                ) from None
            return medicine_record(medicine), match

    def stop_medicine(self, name: str, on: date | None = None) -> MedicineRecord:
        """Record that a current medicine was stopped on ``on`` (today by default)."""
        typed = check_medicine_name(name)
        with self._write() as session:
            row = self._find_person(session)
            current = (
                [m for m in medicine_rows(session, row.id) if m.stopped_on is None]
                if (row is not None)
                else []
            )
            key = medicine_key(typed)
            found = [m for m in current if medicine_key(m.name) == key]
            if not found or row is None:
                import difflib

                names = [m.name for m in current]
                close = difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
                guess = f" — did you mean '{close[0]}'?" if close else ""
                listed = ", ".join(names) if names else "none"
                raise NotFoundError(
                    f"medicine: '{typed}' is not a current medicine{guess} (current: {listed})"
                )
            stopped = on or times.today(row.timezone)
            times.check_day(stopped, row.timezone, "stopped_on")
            medicine = found[0]
            if medicine.started_on is not None and stopped < medicine.started_on:
                raise DiaryValueError(
                    [FieldProblem("stopped_on", f"{stopped} is before it was started "
                                                f"({medicine.started_on})")]
                )  # fmt: skip
            medicine.stopped_on = stopped
            medicine.current_key = None
            session.flush()
            return medicine_record(medicine)

    def restore_medicine(
        self, name: str, started_on: date | None = None, stopped_on: date | None = None
    ) -> tuple[MedicineRecord, bool]:
        """Write a medicine exactly as given (imports): the name is not looked up. Returns the
        record and whether it was new (the same name and dates already there: not added)."""
        typed = check_medicine_name(name)
        with self._write() as session:
            row = self._person_row(session)
            for field, day in (("started_on", started_on), ("stopped_on", stopped_on)):
                if day is not None:
                    times.check_day(day, row.timezone, field)
            if started_on and stopped_on and stopped_on < started_on:
                raise DiaryValueError(
                    [FieldProblem("stopped_on", f"{stopped_on} is before started_on")]
                )
            key = medicine_key(typed) if stopped_on is None else None
            for other in medicine_rows(session, row.id):
                same = (other.name, other.started_on, other.stopped_on) == (
                    typed, started_on, stopped_on
                )  # fmt: skip
                if same or (key is not None and other.current_key == key):
                    return medicine_record(other), False  # the same course, or taken already
            medicine = Medicine(
                person_id=row.id, name=typed, started_on=started_on, stopped_on=stopped_on,
                current_key=key,
            )  # fmt: skip
            try:
                with session.begin_nested():
                    session.add(medicine)
            except IntegrityError:  # another import wrote it a moment ago
                other = session.scalars(
                    select(Medicine).where(
                        Medicine.person_id == row.id, Medicine.current_key == key
                    )
                ).one()
                return medicine_record(other), False
            return medicine_record(medicine), True

    # ------------------------------------------------------------------ episodes

    def add_episode(
        self,
        site: str,
        *,
        pain: int | None = None,
        duration_s: float | None = None,
        side: str | None = None,
        started_at: datetime | None = None,
        findings: Mapping[str, Any] | None = None,
        notes: str | None = None,
    ) -> EpisodeRecord:
        """Record an episode (now, by default), assess it, and store both."""
        extra, when, cleaned_notes, seconds = check_new_episode(
            site, pain=pain, duration_s=duration_s, side=side, started_at=started_at,
            findings=findings, notes=notes,
        )  # fmt: skip
        with self._write() as session:
            row = self._person_row(session)
            stamp = times.now()
            episode = Episode(
                person_id=row.id,
                started_at=when,
                tz=row.timezone,
                site=site,
                side=side,
                pain=pain,
                duration_s=seconds,
                findings=extra,
                notes=cleaned_notes,
                created_at=stamp,
                updated_at=stamp,
            )
            self._assess_into(session, row, episode)
            try:
                with session.begin_nested():
                    session.add(episode)
            except IntegrityError:
                raise same_start_error(site) from None
            return episode_record(episode, row.name)

    def restore_episode(
        self, site: str, **fields: Unpack[RestoredFields]
    ) -> tuple[EpisodeRecord, bool]:
        """Write an episode as it was exported: its own zone, times and stored assessment
        (assessed now only when there is none). An episode of the same site that started at
        the same instant is already there: it is returned, and False says nothing was added."""
        checked = check_restored_episode(site, **fields)
        with self._write() as session:
            row = self._person_row(session)
            same = select(Episode).where(
                Episode.person_id == row.id,
                Episode.site == checked.site,
                Episode.started_at == checked.started_at,
            )
            existing = session.scalars(same).first()
            if existing is not None:
                return episode_record(existing, row.name), False
            columns = self._restored_columns(session, row, checked, times.now())
            if isinstance(columns["assessment"], AssessmentText):
                columns["assessment"] = columns["assessment"].decoded()
            episode = Episode(**columns)
            try:
                with session.begin_nested():
                    session.add(episode)
            except IntegrityError:  # another import wrote it a moment ago
                existing = session.scalars(same).one()
                return episode_record(existing, row.name), False
            return episode_record(episode, row.name), True

    def restore_episodes(self, episodes: Sequence[CheckedEpisode]) -> list[bool]:
        """Write many episodes checked by :func:`check_restored_episode` (imports), as
        :meth:`restore_episode` does one, in a few statements: one query for those already
        there and one multi-row INSERT. Returns, for each, whether it was added (False: an
        episode of the same site and start is in the diary, or earlier in ``episodes``).
        Ids are given in the order of ``episodes``."""
        if not episodes:
            return []
        table = cast(Table, Episode.__table__)
        with self._write() as session:
            row = self._person_row(session)
            session.flush()
            there: set[tuple[str, datetime]] = set()
            instants = sorted({e.started_at for e in episodes})
            for start in range(0, len(instants), RESTORE_LOOKUP):
                chunk = instants[start : start + RESTORE_LOOKUP]
                # the range lets PostgreSQL scan the index for these times only (with IN
                # alone, before ANALYZE, it reads every episode of the person each time)
                query = select(table.c.site, table.c.started_at).where(
                    table.c.person_id == row.id,
                    table.c.started_at >= chunk[0],
                    table.c.started_at <= chunk[-1],
                    table.c.started_at.in_(chunk),
                )
                there.update((site, when) for site, when in session.execute(query))
            stamp = times.now()
            added: list[bool] = []
            rows: list[dict[str, Any]] = []
            for episode in episodes:
                key = (episode.site, episode.started_at)
                added.append(key not in there)
                if key not in there:
                    there.add(key)
                    columns = self._restored_columns(session, row, episode, stamp)
                    stored = columns.pop("assessment")
                    columns["assessment_json"] = (
                        stored.text
                        if isinstance(stored, AssessmentText)
                        else json.dumps(stored)  # as SQLAlchemy's JSON type writes it
                    )
                    rows.append(columns)
            if rows and database.is_sqlite(self.url):
                # SQLite: BEGIN IMMEDIATE let no other writer in since the query above
                text = bindparam("assessment_json", type_=Text())
                session.execute(insert(table).values(assessment=text), rows)
            elif rows:
                # PostgreSQL: another import may have written some of them since the query;
                # the unique index skips those, and they are counted as already there
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                text = bindparam("assessment_json", type_=Text())
                statement = (
                    pg_insert(table)
                    .values(assessment=sa_cast(text, JSON()))
                    .on_conflict_do_nothing(index_elements=["person_id", "site", "started_at"])
                    .returning(table.c.site, table.c.started_at)
                )
                written = {
                    (site, when.astimezone(UTC))
                    for site, when in session.execute(statement, rows).all()
                }
                added = [
                    new and (e.site, e.started_at) in written
                    for new, e in zip(added, episodes, strict=True)
                ]
            return added

    def _restored_columns(
        self, session: Session, person: Person, checked: CheckedEpisode, stamp: datetime
    ) -> dict[str, Any]:
        """The columns of a restored episode's row (assessed now if it has no assessment;
        ``assessment`` as given: a dict or an :class:`AssessmentText`)."""
        created = checked.created_at or stamp
        values: dict[str, Any] = {
            "person_id": person.id,
            "started_at": checked.started_at,
            "tz": checked.tz or person.timezone,
            "site": checked.site,
            "side": checked.side,
            "pain": checked.pain,
            "duration_s": checked.duration_s,
            "findings": checked.findings,
            "notes": checked.notes,
            "created_at": created,
            "updated_at": checked.updated_at or created,
        }
        assessment = checked.assessment
        if assessment is None:
            episode = Episode(**values)  # transient: only read by the assessment
            self._assess_into(session, person, episode)
            assessment = episode.assessment
        if isinstance(assessment, AssessmentText):
            kind, triage, version = assessment.kind, assessment.triage, assessment.knowledge_version
        else:
            kind, triage, version = assessment_head(assessment)
        values.update(assessment=assessment, kind=kind, triage=triage, knowledge_version=version)
        return values

    def get_episode(self, episode_id: int) -> EpisodeRecord:
        with self._read() as session:
            row = self._find_person(session)
            return episode_record(episode_row(session, row, episode_id), self.person)

    def list_episodes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        site: str | None = None,
        kind: str | None = None,
        triage: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[EpisodeRecord]:
        """Episodes that started in ``[since, until)``, oldest first, filtered as asked."""
        return list(
            self.iter_episodes(
                since=since, until=until, site=site, kind=kind, triage=triage, limit=limit,
                newest_first=newest_first,
            )
        )  # fmt: skip

    def iter_episodes(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        site: str | None = None,
        kind: str | None = None,
        triage: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        batch: int = 500,
    ) -> Iterator[EpisodeRecord]:
        """Like :meth:`list_episodes`, streamed in batches (for exports of any size)."""
        problems = []
        if site is not None:
            from musclewise.findings import SITES

            if site not in SITES:
                problems.append(FieldProblem("site", f"{site!r} is not allowed; use one of: "
                                                     f"{', '.join(SITES)}"))  # fmt: skip
        if kind is not None and kind not in KINDS:
            problems.append(FieldProblem("kind", f"{kind!r} is not allowed; use one of: "
                                                 f"{', '.join(KINDS)}"))  # fmt: skip
        if triage is not None and triage not in TRIAGE_LEVELS:
            problems.append(FieldProblem("triage", f"{triage!r} is not allowed; use one of: "
                                                   f"{', '.join(TRIAGE_LEVELS)}"))  # fmt: skip
        if limit is not None and limit < 1:
            problems.append(FieldProblem("limit", "must be 1 or more"))
        if problems:
            raise DiaryValueError(problems)
        with self._read() as session:
            row = self._find_person(session)
            if row is None:
                return
            query: Select[tuple[Episode]] = select(Episode).where(Episode.person_id == row.id)
            if since is not None:
                query = query.where(Episode.started_at >= check_aware(since, "since"))
            if until is not None:
                query = query.where(Episode.started_at < check_aware(until, "until"))
            if site is not None:
                query = query.where(Episode.site == site)
            if kind is not None:
                query = query.where(Episode.kind == kind)
            if triage is not None:
                query = query.where(Episode.triage == triage)
            order = (
                (Episode.started_at.desc(), Episode.id.desc())
                if newest_first
                else (Episode.started_at, Episode.id)
            )
            query = query.order_by(*order)
            if limit is not None:
                query = query.limit(limit)
            for episode in session.scalars(query.execution_options(yield_per=batch)):
                yield episode_record(episode, row.name)

    def edit_episode(
        self, episode_id: int, changes: Mapping[str, Any], *, unset: Iterable[str] = ()
    ) -> EpisodeRecord:
        """Change an episode and assess it again. ``changes`` holds its fields (``site``,
        ``side``, ``pain``, ``duration_s``, ``started_at``, ``notes``) and any other findings
        key; ``unset`` names fields or findings keys to forget."""
        columns = {k: v for k, v in changes.items() if k in EDITABLE}
        extra = {k: v for k, v in changes.items() if k not in EDITABLE}
        forget = list(unset)
        problems = [
            FieldProblem(k, "is required and cannot be unset")
            for k in forget
            if k in ("site", "started_at")
        ]
        problems += [FieldProblem(k, "is both changed and unset") for k in forget if k in changes]
        if problems:
            raise DiaryValueError(problems)
        with self._write() as session:
            row = self._find_person(session)
            episode = episode_row(session, row, episode_id)
            assert row is not None
            findings = {k: v for k, v in episode.findings.items() if k not in forget}
            findings.update(extra)
            own = {k: getattr(episode, k) for k in EPISODE_COLUMNS}
            own.update({k: v for k, v in columns.items() if k in EPISODE_COLUMNS})
            for key in forget:
                if key in own:
                    own[key] = None
                elif key == "notes":
                    episode.notes = None
                elif key not in episode.findings:
                    raise DiaryValueError([FieldProblem(key, "is not set on this episode")])
            check_episode_findings(own, findings)
            if "started_at" in columns:
                episode.started_at = times.check_not_future(
                    check_aware(columns["started_at"], "started_at"), "started_at"
                )
            if "notes" in columns:
                episode.notes = check_notes(columns["notes"])
            for key, value in own.items():
                setattr(
                    episode,
                    key,
                    float(value) if key == "duration_s" and value is not None else value,
                )
            episode.findings = findings
            clash = select(Episode.id).where(
                Episode.person_id == row.id, Episode.site == episode.site,
                Episode.started_at == episode.started_at, Episode.id != episode.id,
            )  # fmt: skip
            with session.no_autoflush:
                if session.scalars(clash).first() is not None:
                    raise same_start_error(episode.site)
            self._assess_into(session, row, episode)
            episode.updated_at = times.now()
            session.flush()
            return episode_record(episode, row.name)

    def delete_episode(self, episode_id: int) -> None:
        with self._write() as session:
            row = self._find_person(session)
            session.delete(episode_row(session, row, episode_id))

    def reassess(self, ids: Sequence[int] | None = None) -> ReassessReport:
        """Assess episodes again (all of them without ``ids``) with the current knowledge base
        and profile, in one transaction; the report says what changed."""
        from musclewise.knowledge import load_knowledge

        version = load_knowledge().version
        changes: list[Change] = []
        checked = updated = 0
        with self._write() as session:
            row = self._find_person(session)
            if row is None:
                if ids:
                    raise NotFoundError(f"episode {ids[0]}: there is no such episode")
                return ReassessReport(0, 0, version)
            query = select(Episode).where(Episode.person_id == row.id).order_by(Episode.id)
            if ids is None:
                episodes: list[Episode] = list(session.scalars(query))
            else:
                wanted = list(dict.fromkeys(ids))
                found: dict[int, Episode] = {}
                for start in range(0, len(wanted), RESTORE_LOOKUP):
                    chunk = wanted[start : start + RESTORE_LOOKUP]
                    found.update(
                        (e.id, e) for e in session.scalars(query.where(Episode.id.in_(chunk)))
                    )
                missing = [i for i in wanted if i not in found]
                if missing:
                    raise no_such_episode(missing[0])
                episodes = [found[i] for i in wanted]
            # Everything the merge reads, loaded once (not once an episode).
            medicines = [medicine_record(m) for m in medicine_rows(session, row.id)]
            days = {
                context.date: day_record(context).values
                for context in session.scalars(
                    select(DayContext).where(DayContext.person_id == row.id)
                )
            }
            for episode in episodes:
                day = episode.started_at.astimezone(times.zone(episode.tz, "tz")).date()
                before = (
                    episode.kind,
                    episode.triage,
                    episode.knowledge_version,
                    episode.assessment,
                )
                self._assess_with(episode, episode_findings(row, episode, day, medicines, days))
                checked += 1
                if before[3] != episode.assessment or before[2] != episode.knowledge_version:
                    updated += 1
                    episode.updated_at = times.now()
                if before[:2] != (episode.kind, episode.triage):
                    changes.append(Change(episode.id, before[0], episode.kind, before[1],
                                          episode.triage, before[2], episode.knowledge_version))  # fmt: skip
            session.flush()
        return ReassessReport(checked, updated, version, tuple(changes))

    def stale_episodes(self) -> int:
        """How many episodes were assessed with another knowledge version than the current one."""
        from musclewise.knowledge import load_knowledge

        with self._read() as session:
            row = self._find_person(session)
            if row is None:
                return 0
            query = select(func.count()).where(
                Episode.person_id == row.id, Episode.knowledge_version != load_knowledge().version
            )
            return int(session.scalar(query) or 0)

    def findings_for(self, episode_id: int) -> dict[str, Any]:
        """The findings an episode is assessed on now: its own, the profile, the day's context."""
        with self._read() as session:
            row = self._find_person(session)
            episode = episode_row(session, row, episode_id)
            assert row is not None
            return self._merged_findings(session, row, episode)

    def _merged_findings(
        self, session: Session, person: Person, episode: Episode
    ) -> dict[str, Any]:
        day = episode.started_at.astimezone(times.zone(episode.tz, "tz")).date()
        days = {
            d: day_record(context).values
            for d in (day, day - timedelta(days=1))
            if (context := session.get(DayContext, (person.id, d))) is not None
        }
        medicines = [medicine_record(m) for m in medicine_rows(session, person.id)]
        return episode_findings(person, episode, day, medicines, days)

    def _assess_into(self, session: Session, person: Person, episode: Episode) -> None:
        self._assess_with(episode, self._merged_findings(session, person, episode))

    @staticmethod
    def _assess_with(episode: Episode, merged: dict[str, Any]) -> None:
        assessment = assess_merged(merged)
        episode.assessment = assessment
        episode.kind = assessment["kind"]
        episode.triage = assessment["triage"]["level"]
        episode.knowledge_version = assessment["knowledge_version"]

    # ------------------------------------------------------------------ the day's context

    def get_day(self, day: date) -> DayRecord | None:
        with self._read() as session:
            row = self._find_person(session)
            context = session.get(DayContext, (row.id, day)) if row is not None else None
            return day_record(context) if context is not None else None

    def list_days(self, since: date | None = None, until: date | None = None) -> list[DayRecord]:
        """Days with a context in ``[since, until]``, oldest first."""
        with self._read() as session:
            row = self._find_person(session)
            if row is None:
                return []
            query = select(DayContext).where(DayContext.person_id == row.id)
            if since is not None:
                query = query.where(DayContext.date >= since)
            if until is not None:
                query = query.where(DayContext.date <= until)
            return [day_record(c) for c in session.scalars(query.order_by(DayContext.date))]

    def set_day(
        self, day: date, values: Mapping[str, Any], *, unset: Iterable[str] = ()
    ) -> DayRecord:
        """Record a day's context (insert or update): the fields given change, the others stay;
        ``unset`` forgets fields. Episodes are not assessed again (see :meth:`reassess`)."""
        checked = check_fields(values, DAY_SPECS)
        check_fields(dict.fromkeys(unset), DAY_SPECS)
        with self._write() as session:
            row = self._person_row(session)
            times.check_day(day, row.timezone, "date")
            context = session.get(DayContext, (row.id, day))
            if context is None:
                context = DayContext(person_id=row.id, date=day)
                try:
                    with session.begin_nested():
                        session.add(context)
                except IntegrityError:  # written by another process a moment ago
                    context = session.get(DayContext, (row.id, day), populate_existing=True)
                    assert context is not None
            for key, value in checked.items():
                setattr(context, key, value)
            for key in unset:
                setattr(context, key, None)
            session.flush()
            return day_record(context)

    def delete_day(self, day: date) -> None:
        with self._write() as session:
            row = self._find_person(session)
            if row is None or session.get(DayContext, (row.id, day)) is None:
                raise NotFoundError(f"date: nothing is recorded for {day}")
            session.execute(
                delete(DayContext).where(DayContext.person_id == row.id, DayContext.date == day)
            )
