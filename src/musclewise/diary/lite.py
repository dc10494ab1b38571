"""``log``'s writer for a SQLite diary, on the standard library's ``sqlite3``: what
:meth:`musclewise.diary.Diary.add_episode` does, without importing SQLAlchemy (whose import
alone is most of ``log``'s start-up budget, ``docs/benchmarks.md``).

>>> with open_sqlite_diary("sqlite:///diary.sqlite3") as diary:        # doctest: +SKIP
...     diary.add_episode("calf", pain=7, duration_s=90).kind
'cramp'

:func:`open_sqlite_diary` gives a writer only for a plain ``sqlite:///PATH`` file that is new
(its schema is made from ``schema_sqlite.sql``, generated from the models, and stamped at
:data:`~musclewise.diary.sqlite_file.HEAD`, as ``database.create_at_head`` does) or already at
head; for anything else (PostgreSQL, a file that needs migrating or holds something else, a
URL with options) it gives None, and the caller opens :class:`musclewise.diary.Diary`.

What it writes is what the ORM writes, row for row (``tests/diary/test_lite.py`` compares
every table): the same checks (:mod:`musclewise.diary.validate`), the same person
(:mod:`musclewise.diary.people`), the same findings merged from the profile, the medicines and
the day (:mod:`musclewise.diary.merge`), the same assessment, the values stored as SQLAlchemy
stores them in SQLite (times in UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``, dates ISO, JSON by
``json.dumps``, booleans 0 and 1); and the same file (:mod:`musclewise.diary.sqlite_file`: owner
only, foreign keys on, WAL, the busy timeout, ``BEGIN IMMEDIATE`` for a write). The person (if
new) and the episode are one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, Self

from musclewise.diary.columns import new_public_id
from musclewise.diary.errors import same_start_error
from musclewise.diary.merge import assess_merged, merged_findings
from musclewise.diary.people import whose
from musclewise.diary.records import EpisodeRecord, MedicineRecord
from musclewise.diary.schema_sqlite import create as create_schema
from musclewise.diary.sqlite_file import (
    BUSY_TIMEOUT_S,
    HEAD,
    configure,
    given_url,
    plain_sqlite_path,
    private_file,
    sqlite_errors,
)
from musclewise.diary.times import check_not_future, local_zone_name, now, zone
from musclewise.diary.validate import (
    DAY_SPECS,
    check_aware,
    check_episode_findings,
    check_name,
    check_notes,
)


class PersonRow(NamedTuple):
    """The columns of a person an episode is assessed with."""

    id: int
    name: str
    timezone: str
    sex: str | None
    birth_year: int | None
    pregnant: bool | None


def stored_time(value: datetime) -> str:
    """An aware datetime as SQLAlchemy's ``DateTime`` stores it in SQLite (in UTC)."""
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
    )


def stored_day(value: date) -> str:
    """A date as SQLAlchemy's ``Date`` stores it in SQLite."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


@contextmanager
def transaction(
    connection: sqlite3.Connection, shown_url: str, *, write: bool
) -> Iterator[sqlite3.Connection]:
    """One transaction (``BEGIN IMMEDIATE`` for a write: the write lock from the start, as the
    ORM's engine takes it), rolled back on any error; a failure of SQLite itself becomes the
    :class:`~musclewise.errors.DatabaseError` the ORM's path raises."""
    with sqlite_errors(shown_url):
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield connection
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def revision(connection: sqlite3.Connection) -> str | None:
    """The revision the file is stamped at (None: no stamp, or more than one)."""
    stamped = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()[0]
    if not stamped:
        return None
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def at_head(connection: sqlite3.Connection, shown_url: str) -> bool:
    """Whether the file is at :data:`HEAD`, after making a brand-new (empty) one so, in one
    write transaction; False for any other file (the migrations decide)."""
    with transaction(connection, shown_url, write=False):
        empty = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        found = None if empty else revision(connection)
    if not empty:
        return found == HEAD
    with transaction(connection, shown_url, write=True):
        if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            create_schema(connection.execute)
            return True
        return revision(connection) == HEAD  # another process made it a moment ago


def open_sqlite_diary(url: str | None = None, person: str | None = None) -> SqliteDiary | None:
    """The writer for the diary at ``url`` (the option, ``MUSCLEWISE_DATABASE_URL`` or the
    default file, as :class:`musclewise.diary.Diary` reads them), creating a new file; None
    when the ORM must open it (see the module docstring). ``person`` as ``Diary``'s with
    ``new_person=False``: a person the database does not hold is refused when it holds
    someone else."""
    shown = given_url(url)
    path = plain_sqlite_path(shown)
    if path is None:
        return None
    private_file(path)
    with sqlite_errors(shown):
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        with sqlite_errors(shown):
            configure(connection)
        ready = at_head(connection, shown)
        name = check_name(person, "person") if person is not None and ready else None
    except BaseException:
        connection.close()
        raise
    if not ready:
        connection.close()
        return None
    return SqliteDiary(connection, shown, name)


class SqliteDiary:
    """A person's diary in a SQLite file at head, for ``log``: :meth:`timezone` and
    :meth:`add_episode`, as :class:`musclewise.diary.Diary` has them. Use it as a context
    manager, or call :meth:`close`."""

    def __init__(self, connection: sqlite3.Connection, shown_url: str, person: str | None):
        self._connection = connection
        self._shown = shown_url
        self._name = person
        self._check = person is not None

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def display_url(self) -> str:
        return self._shown

    # ------------------------------------------------------------------ the person

    def _whose(self, connection: sqlite3.Connection) -> str:
        if self._name is None or self._check:
            query = "SELECT name FROM person WHERE account_id IS NULL ORDER BY name"
            names = [str(r[0]) for r in connection.execute(query)]
            self._name = whose(self._name, names, known_only=self._check)
            self._check = False
        return self._name

    def _person(self, connection: sqlite3.Connection) -> PersonRow | None:
        found = connection.execute(
            "SELECT id, name, timezone, sex, birth_year, pregnant FROM person "
            "WHERE name = ? AND account_id IS NULL",
            (self._whose(connection),),
        ).fetchone()
        if found is None:
            return None
        person_id, name, zone_name, sex, birth_year, pregnant = found
        return PersonRow(
            person_id,
            name,
            zone_name,
            sex,
            birth_year,
            None if pregnant is None else bool(pregnant),
        )

    def _person_row(self, connection: sqlite3.Connection) -> PersonRow:
        """The person's row, created (with this computer's time zone) if there is none."""
        row = self._person(connection)
        if row is not None:
            return row
        name, zone_name = self._whose(connection), local_zone_name()
        cursor = connection.execute(
            "INSERT INTO person (name, timezone, created_at) VALUES (?, ?, ?)",
            (name, zone_name, stored_time(now())),
        )
        assert cursor.lastrowid is not None
        return PersonRow(cursor.lastrowid, name, zone_name, None, None, None)

    def timezone(self) -> str:
        """The person's IANA time zone (this computer's if no profile is stored)."""
        with transaction(self._connection, self._shown, write=False) as connection:
            row = self._person(connection)
            return row.timezone if row is not None else local_zone_name()

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
        """Record an episode (now, by default), assess it, and store both: as
        :meth:`musclewise.diary.Diary.add_episode`."""
        columns = {"site": site, "side": side, "pain": pain, "duration_s": duration_s}
        extra = dict(findings or {})
        check_episode_findings(columns, extra)
        when = check_not_future(check_aware(started_at or now(), "started_at"), "started_at")
        cleaned_notes = check_notes(notes)
        seconds = None if duration_s is None else float(duration_s)
        with transaction(self._connection, self._shown, write=True) as connection:
            row = self._person_row(connection)
            stamp = now()
            day = when.astimezone(zone(row.timezone, "tz")).date()
            own = {"site": site, "side": side, "pain": pain, "duration_s": seconds}
            assessment = assess_merged(
                merged_findings(
                    day,
                    own={**{k: v for k, v in own.items() if v is not None}, **extra},
                    birth_year=row.birth_year,
                    sex=row.sex,
                    pregnant=row.pregnant,
                    conditions=self._conditions(connection, row.id),
                    medicines=self._medicines(connection, row.id),
                    days=self._days(connection, row.id, day),
                )
            )
            public_id = new_public_id()
            try:
                cursor = connection.execute(
                    "INSERT INTO episode (person_id, started_at, tz, duration_s, site, side, "
                    "pain, findings, notes, kind, triage, assessment, knowledge_version, "
                    "created_at, updated_at, public_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row.id, stored_time(when), row.timezone, seconds, site, side, pain,
                     json.dumps(extra), cleaned_notes, assessment["kind"],
                     assessment["triage"]["level"], json.dumps(assessment),
                     assessment["knowledge_version"], stored_time(stamp), stored_time(stamp),
                     public_id),
                )  # fmt: skip
            except sqlite3.IntegrityError:
                raise same_start_error(site) from None
            assert cursor.lastrowid is not None
            return EpisodeRecord(
                id=cursor.lastrowid,
                person=row.name,
                started_at=when.astimezone(UTC),
                tz=row.timezone,
                site=site,
                side=side,
                pain=pain,
                duration_s=seconds,
                findings=dict(extra),
                notes=cleaned_notes,
                kind=assessment["kind"],
                triage=assessment["triage"]["level"],
                assessment=assessment,
                knowledge_version=assessment["knowledge_version"],
                created_at=stamp,
                updated_at=stamp,
                public_id=public_id,
            )

    @staticmethod
    def _conditions(connection: sqlite3.Connection, person_id: int) -> list[str]:
        query = "SELECT condition FROM person_condition WHERE person_id = ? ORDER BY condition"
        return [str(r[0]) for r in connection.execute(query, (person_id,))]

    @staticmethod
    def _medicines(connection: sqlite3.Connection, person_id: int) -> list[MedicineRecord]:
        query = (
            "SELECT id, name, started_on, stopped_on FROM medicine WHERE person_id = ? ORDER BY id"
        )
        return [
            MedicineRecord(
                medicine_id,
                name,
                date.fromisoformat(started) if started is not None else None,
                date.fromisoformat(stopped) if stopped is not None else None,
            )
            for medicine_id, name, started, stopped in connection.execute(query, (person_id,))
        ]

    @staticmethod
    def _days(
        connection: sqlite3.Connection, person_id: int, day: date
    ) -> dict[date, dict[str, Any]]:
        """The context of ``day`` and of the day before (the values recorded, typed as the
        ORM gives them: booleans as ``bool``)."""
        cursor = connection.execute(
            "SELECT * FROM day_context WHERE person_id = ? AND date IN (?, ?)",
            (person_id, stored_day(day), stored_day(day - timedelta(days=1))),
        )
        names = [d[0] for d in cursor.description]
        days = {}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            found = {}
            for key, value in row.items():
                if key in ("person_id", "date") or value is None:
                    continue
                spec = DAY_SPECS.get(key)
                found[key] = spec.kind(value) if spec is not None else value
            days[date.fromisoformat(row["date"])] = found
        return days
