"""What the web app keeps between requests, in the database (so app processes hold no state
and any of them can serve the next page): checks in progress, "Log it" timers, undo records,
offline logs' idempotency keys and the CSRF secret (the ``web_state`` table).

Every item lives under a random id and expires after :data:`LIFETIME_S` (12 hours); expired
rows are deleted as new ones are added. They hold health data only while a check, a timer or an
Undo needs it: a stopped timer and an undone deletion are deleted at once, and "delete
everything" deletes them all.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from fastapi import HTTPException
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from musclewise.accounts import scope
from musclewise.diary import EpisodeRecord
from musclewise.diary.session import set_scope
from musclewise.diary.web_state import WebState

LIFETIME_S = 12 * 3600
"""How long a check, a timer or an undo record is kept."""
LOGGED_LIFETIME_S = 7 * 24 * 3600
"""How long an offline log's idempotency key is remembered (an offline log may be replayed up
to a week later: ``minutes_ago`` goes back a week)."""
SECRET_KEY_VARIABLE = "MUSCLEWISE_SECRET_KEY"
"""A setting that, when set, signs the CSRF tokens (else a secret kept in the database)."""
SECRET_ID = "csrf-secret"
EXPIRED = "This page has expired or never existed."


@dataclass
class Check:
    """One check in progress: what was read or answered so far."""

    findings: dict[str, Any] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    understood: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[str, dict[str, Any], set[str]]] = field(default_factory=list)
    confirmed: bool = False
    from_text: bool = False
    text: str = ""
    saved_episode: str | None = None
    """The public id of the episode the check was saved as."""

    KIND = "check"

    def to_data(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "unknown": sorted(self.unknown),
            "understood": self.understood,
            "history": [[k, added, sorted(unknown)] for k, added, unknown in self.history],
            "confirmed": self.confirmed,
            "from_text": self.from_text,
            "text": self.text,
            "saved_episode": self.saved_episode,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Check:
        return cls(
            findings=dict(data["findings"]),
            unknown=set(data["unknown"]),
            understood=list(data["understood"]),
            history=[(k, dict(added), set(unknown)) for k, added, unknown in data["history"]],
            confirmed=bool(data["confirmed"]),
            from_text=bool(data["from_text"]),
            text=str(data["text"]),
            saved_episode=data["saved_episode"],
        )


@dataclass
class Timer:
    """A "Log it" timer: when it started (UTC)."""

    started_at: datetime

    KIND = "timer"

    def to_data(self) -> dict[str, Any]:
        return {"started_at": self.started_at.isoformat()}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Timer:
        return cls(datetime.fromisoformat(data["started_at"]))


UNDO_FIELDS = ("site", "tz", "pain", "duration_s", "side", "findings", "notes", "assessment")
UNDO_TIMES = ("started_at", "created_at", "updated_at")


@dataclass
class Undo:
    """A deleted episode, kept so that Undo can put it back."""

    values: dict[str, Any]
    """What :meth:`Diary.restore_episode` takes (the times as aware datetimes)."""

    KIND = "undo"

    @classmethod
    def of(cls, episode: EpisodeRecord) -> Undo:
        values = {name: getattr(episode, name) for name in (*UNDO_FIELDS, *UNDO_TIMES)}
        return cls(values)

    def to_data(self) -> dict[str, Any]:
        data = dict(self.values)
        for name in UNDO_TIMES:
            data[name] = data[name].isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Undo:
        values = dict(data)
        for name in UNDO_TIMES:
            values[name] = datetime.fromisoformat(values[name])
        return cls(values)


Item = Check | Timer | Undo
T = TypeVar("T", Check, Timer, Undo)


class Store:
    """Checks, timers and undo records in the ``web_state`` table, each under a random id.

    Every query names its owner; on PostgreSQL each transaction also names the request's
    account for row-level security (migration 0007), the second wall: a query that forgot the
    owner still sees only the rows of its own account (and the CSRF secret)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A write transaction in the request's account's scope."""
        with self.engine.begin() as connection:
            set_scope(connection, scope.current().account)
            yield connection

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A read in the request's account's scope (its transaction ends with the block)."""
        with self.engine.connect() as connection:
            set_scope(connection, scope.current().account)
            yield connection

    def add(self, item: Item) -> str:
        key = secrets.token_urlsafe(18)
        now = datetime.now(UTC)
        with self._begin() as connection:
            _sweep(connection, now)
            connection.execute(
                insert(WebState).values(
                    id=key, kind=item.KIND, owner=_owner(), data=item.to_data(), created_at=now,
                    expires_at=now + timedelta(seconds=LIFETIME_S),
                )
            )  # fmt: skip
        return key

    def get(self, key: str, kind: type[T]) -> T:
        """The item under ``key``, or a 404 (expired, never existed or of another kind)."""
        with self._connect() as connection:
            data = connection.execute(
                select(WebState.data).where(*self._live(key, kind.KIND))
            ).scalar()
        if data is None:
            raise HTTPException(404, EXPIRED)
        return kind.from_data(data)

    def put(self, key: str, item: Item) -> None:
        """Store ``item`` again under its key (a check after an answer)."""
        with self._begin() as connection:
            done = connection.execute(
                update(WebState).where(*self._live(key, item.KIND)).values(data=item.to_data())
            )
        if done.rowcount != 1:
            raise HTTPException(404, EXPIRED)

    def pop(self, key: str, kind: type[T]) -> T | None:
        """Take the item out, once: of two processes popping it, only one gets it."""
        with self._begin() as connection:
            data = connection.execute(
                delete(WebState).where(*self._live(key, kind.KIND)).returning(WebState.data)
            ).scalar()
        if data is None:
            return None
        return kind.from_data(data)

    def clear(self) -> None:
        """Forget every check, timer, undo record and idempotency key of the request's owner
        (not the secret; with accounts, other logins' stay)."""
        with self._begin() as connection:
            connection.execute(
                delete(WebState).where(WebState.id != SECRET_ID, WebState.owner == _owner())
            )

    # ------------------------------------------------------------------ idempotency keys

    def logged(self, key: str) -> str | None:
        """The public id of the episode an offline log with this idempotency key saved."""
        with self._connect() as connection:
            data = connection.execute(
                select(WebState.data).where(*self._live(self._logged_id(key), "logged"))
            ).scalar()
        return None if data is None else str(data["episode"])

    def remember_logged(self, key: str, episode_id: str) -> None:
        now = datetime.now(UTC)
        try:
            with self._begin() as connection:
                connection.execute(
                    insert(WebState).values(
                        id=self._logged_id(key), kind="logged", owner=_owner(),
                        data={"episode": episode_id},
                        created_at=now, expires_at=now + timedelta(seconds=LOGGED_LIFETIME_S),
                    )
                )  # fmt: skip
        except IntegrityError:  # another process remembered it a moment ago
            pass

    @staticmethod
    def _logged_id(key: str) -> str:
        # one owner's keys are its own: the same key from another login is another key
        mine = f"{_owner()}\n{key}".encode()
        return "logged:" + hashlib.sha256(mine).hexdigest()[:56]

    # ------------------------------------------------------------------ the CSRF secret

    def secret(self) -> bytes:
        """The secret that signs CSRF tokens, the same in every process: the setting
        ``MUSCLEWISE_SECRET_KEY`` if set, else one made once and kept in the database."""
        setting = os.environ.get(SECRET_KEY_VARIABLE, "")
        if setting:
            return hashlib.sha256(setting.encode("utf-8")).digest()
        query = select(WebState.data).where(WebState.id == SECRET_ID)
        with self._connect() as connection:
            data = connection.execute(query).scalar()
        if data is None:
            now = datetime.now(UTC)
            try:
                with self._begin() as connection:
                    connection.execute(
                        insert(WebState).values(
                            id=SECRET_ID, kind="secret", owner="", created_at=now,
                            expires_at=None,
                            data={"hex": secrets.token_bytes(32).hex()},
                        )
                    )  # fmt: skip
            except IntegrityError:  # another process made it first: use theirs
                pass
            with self._connect() as connection:
                data = connection.execute(query).scalar_one()
        return bytes.fromhex(data["hex"])

    @staticmethod
    def _live(key: str, kind: str) -> tuple[Any, ...]:
        return (
            WebState.id == key[:64],
            WebState.kind == kind,
            WebState.owner == _owner(),
            WebState.expires_at > datetime.now(UTC),
        )


SWEEP_SETTING = "musclewise.sweep_expired"
"""On PostgreSQL, ``on`` lets a transaction's queries see the expired rows of every owner
(migration 0007's policies), for the sweep alone."""


def _sweep(connection: Connection, now: datetime) -> None:
    """Delete the expired rows of every owner, so that health data does not outlive its check
    (row-level security lets a transaction see others' expired rows only meanwhile)."""
    postgres = connection.dialect.name == "postgresql"
    flag = text("SELECT set_config(:name, :value, true)")
    if postgres:
        connection.execute(flag, {"name": SWEEP_SETTING, "value": "on"})
    connection.execute(delete(WebState).where(WebState.expires_at < now))
    if postgres:
        connection.execute(flag, {"name": SWEEP_SETTING, "value": ""})


def _owner() -> str:
    """The owner of what the request being served stores: its account and person ("" for the
    single-person diary without accounts)."""
    now = scope.current()
    return "" if now.account is None else f"{now.account}/{now.person or ''}"
