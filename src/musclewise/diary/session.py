"""Opening a diary's database and the sessions on it: one write transaction at a time (or a
block of calls in ``with diary.transaction():``), read sessions, and whose diary it is.
:class:`musclewise.diary.Diary` adds the records on top."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Self

from sqlalchemy import ColumnElement, Connection, Engine, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from musclewise.diary import database, times
from musclewise.diary.errors import DiaryValueError, FieldProblem, NotFoundError
from musclewise.diary.models import (
    Episode,
    Person,
)
from musclewise.diary.people import whose
from musclewise.diary.validate import (
    check_name,
)

ACCOUNT_SETTING = "musclewise.account_id"
"""The PostgreSQL setting the row-level security policies read (set per transaction)."""


def set_scope(session: Session | Connection, account: int | None) -> None:
    """Tell PostgreSQL's row-level security whose rows this transaction may see: the
    account's (``set_config(..., true)`` lasts until the transaction ends, so a pooled
    connection never carries it to another request); no setting means the rows of no account
    (the single-person diary). Nothing to do on SQLite. A session or a Core connection (the
    web app's ``web_state``), inside the transaction it is for."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    if account is None or bind.dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": ACCOUNT_SETTING, "value": str(int(account))},
    )


class DiarySession:
    """The database, the sessions and the person of a :class:`musclewise.diary.Diary`."""

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        person: str | None = None,
        migrate: bool | None = None,
        engine: Engine | None = None,
        create: bool = True,
        new_person: bool = True,
        account: int | None = None,
    ) -> None:
        if engine is not None:
            self.url: URL = engine.url
        elif isinstance(url, URL):
            self.url = url
        else:
            self.url = database.resolve_url(url)
        if not create and engine is None:
            database.require_existing(self.url)
        self._owns_engine = engine is None
        self.engine = engine if engine is not None else database.make_engine(self.url)
        if migrate is None:
            migrate = database.is_sqlite(self.url)
        try:
            database.ensure_ready(self.engine, migrate=migrate)
        except BaseException:
            self.close()
            raise
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(**{database.READ_ONLY: True}), expire_on_commit=False
        )
        self._session: Session | None = None
        self._read_only = False
        self._person_name = check_name(person, "person") if person is not None else None
        self._check_person = not new_person and person is not None
        self.account = account
        """The account whose people this diary sees (None: the people of no account, the
        single-person diary); every query of a person is scoped to it."""

    # ------------------------------------------------------------------ life cycle

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def display_url(self) -> str:
        """The database URL with the password masked."""
        return database.masked(self.url)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run every call inside the block in one transaction (nested blocks join it)."""
        if self._session is not None:
            yield
            return
        with database.connection_errors(self.url), self._writer.begin() as session:
            set_scope(session, self.account)
            self._session = session
            try:
                yield
            finally:
                self._session = None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run every read inside the block on one consistent view (for exports); no writes."""
        if self._session is not None:
            yield
            return
        reader = self._reader
        if not database.is_sqlite(self.url):
            reader = sessionmaker(
                self.engine.execution_options(isolation_level="REPEATABLE READ"),
                expire_on_commit=False,
            )
        with database.connection_errors(self.url), reader.begin() as session:
            set_scope(session, self.account)
            self._session, self._read_only = session, True
            try:
                yield
            finally:
                self._session, self._read_only = None, False

    @contextmanager
    def person_session(self, *, write: bool) -> Iterator[tuple[Session, int | None]]:
        """The session of the current transaction (a new one if none) and the person's row id,
        for tables kept beside the diary (``diary/service.py``). Writing creates the person's
        row if need be; reading gives None for a person with nothing stored."""
        if write:
            with self._write() as session:
                yield session, self._person_row(session).id
            return
        with self._read() as session:
            row = self._find_person(session)
            yield session, row.id if row is not None else None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        if self._read_only:
            raise RuntimeError("the diary is open for reading only inside snapshot()")
        if self._session is not None:
            yield self._session
            return
        with self.transaction():
            assert self._session is not None
            yield self._session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            return
        with database.connection_errors(self.url), self._reader.begin() as session:
            set_scope(session, self.account)
            yield session

    # ------------------------------------------------------------------ people

    def people(self) -> list[str]:
        """The names of everyone with a diary in this database."""
        with self._read() as session:
            query = select(Person.name).where(self._in_scope()).order_by(Person.name)
            return list(session.scalars(query))

    def add_person(self, name: str) -> None:
        """Start a diary for a new person (this computer's time zone); refuses a name taken."""
        checked = check_name(name, "person")
        with self._write() as session:
            taken = select(Person.id).where(Person.name == checked, self._in_scope())
            if session.scalars(taken).first() is not None:
                raise DiaryValueError([FieldProblem("person", f"'{checked}' already has a diary")])
            session.add(
                Person(name=checked, timezone=times.local_zone_name(), created_at=times.now(),
                       account_id=self.account)
            )  # fmt: skip
            session.flush()
        self._person_name, self._check_person = checked, False

    @property
    def person(self) -> str:
        """Whose diary this is (see the class docstring)."""
        if self._person_name is None or self._check_person:
            self._person_name = whose(
                self._person_name, self.people(), known_only=self._check_person
            )
            self._check_person = False
        return self._person_name

    def _in_scope(self) -> ColumnElement[bool]:
        """The people this diary may see: those of its account (or of no account)."""
        if self.account is None:
            return Person.account_id.is_(None)
        return Person.account_id == self.account

    def _find_person(self, session: Session) -> Person | None:
        query = select(Person).where(Person.name == self.person, self._in_scope())
        return session.scalars(query).one_or_none()

    def _person_row(self, session: Session) -> Person:
        """The person's row, created (with this computer's time zone) if there is none."""
        row = self._find_person(session)
        if row is not None:
            return row
        row = Person(name=self.person, timezone=times.local_zone_name(), created_at=times.now(),
                     account_id=self.account)  # fmt: skip
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another process created them a moment ago
            row = self._find_person(session)
            assert row is not None
        return row

    def timezone(self) -> str:
        """The person's IANA time zone (this computer's if no profile is stored)."""
        with self._read() as session:
            row = self._find_person(session)
            return row.timezone if row is not None else times.local_zone_name()

    def today(self) -> date:
        """Today's date in the person's time zone."""
        return times.today(self.timezone())

    def episode_id(self, public_id: str) -> int:
        """The id of this person's episode with the public id ``public_id`` (see
        :func:`musclewise.diary.models.new_public_id`); :class:`NotFoundError` when this
        person has no such episode (whoever else might)."""
        with self._read() as session:
            person = self._find_person(session)
            found = None
            if person is not None and 0 < len(public_id) <= 64:
                query = select(Episode.id).where(
                    Episode.public_id == public_id, Episode.person_id == person.id
                )
                found = session.scalars(query).first()
        if found is None:
            raise NotFoundError(
                "episode: there is no such episode", hint="the diary's list shows its episodes"
            )
        return found
