"""Tables kept beside a person's diary for the HTTP API: the first answer to each request made
with an ``Idempotency-Key``, and jobs (slow work such as the report) with their results.

Both belong to the person (deleted with them) and expire: answers after
:data:`REQUEST_LIFETIME`, jobs :data:`JOB_LIFETIME` after they were asked for. Expired rows are
removed when new ones are written and never handed out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session

from musclewise.diary import times
from musclewise.diary.errors import NotFoundError
from musclewise.diary.models import Account, ApiRequest, Job, Person
from musclewise.diary.session import DiarySession, set_scope

REQUEST_LIFETIME = timedelta(hours=24)
JOB_LIFETIME = timedelta(hours=24)
JOB_STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first answer to a request made with an ``Idempotency-Key``."""

    fingerprint: str
    status: int
    body: bytes
    location: str | None


def find_response(diary: DiarySession, key: str) -> StoredResponse | None:
    """The answer kept for ``key`` (None if there is none, or it expired)."""
    with diary.person_session(write=False) as (session, person_id):
        if person_id is None:
            return None
        row = session.get(ApiRequest, (person_id, key))
        if row is None or row.created_at < times.now() - REQUEST_LIFETIME:
            return None
        return StoredResponse(row.fingerprint, row.status, row.body, row.location)


def lock_key(diary: DiarySession, key: str) -> None:
    """Inside ``diary.transaction()``: wait for any other transaction answering the same key
    (PostgreSQL: an advisory lock until the transaction ends; SQLite's writers already take
    turns), so that it is answered once."""
    with diary.person_session(write=True) as (session, person_id):
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"musclewise-api-request:{person_id}:{key}"},
            )


def remember_response(diary: DiarySession, key: str, response: StoredResponse) -> None:
    """Keep the answer to ``key``, in the transaction that made it (inside
    ``diary.transaction()``): a second request with the key written at the same moment fails
    with ``IntegrityError`` and its whole transaction is rolled back."""
    with diary.person_session(write=True) as (session, person_id):
        assert person_id is not None
        stamp = times.now()
        session.execute(
            delete(ApiRequest).where(
                ApiRequest.person_id == person_id, ApiRequest.created_at < stamp - REQUEST_LIFETIME
            )
        )
        session.add(
            ApiRequest(
                person_id=person_id, key=key, fingerprint=response.fingerprint,
                status=response.status, body=response.body, location=response.location,
                created_at=stamp,
            )
        )  # fmt: skip
        session.flush()


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A job as the API shows it (the result's bytes are fetched on their own)."""

    id: str
    kind: str
    params: dict[str, Any]
    state: str
    error: str | None
    media_type: str | None
    size: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "kind": self.kind,
            "params": self.params,
            "state": self.state,
            "error": self.error,
            "media_type": self.media_type,
            "size": self.size,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "expires_at": iso(self.expires_at),
        }


def _record(row: Job) -> JobRecord:
    return JobRecord(
        row.id, row.kind, dict(row.params), row.state, row.error, row.media_type,
        len(row.result) if row.result is not None else None, row.created_at, row.started_at,
        row.finished_at, row.expires_at,
    )  # fmt: skip


def _expire(session: Session) -> None:
    session.execute(delete(Job).where(Job.expires_at < times.now()))


def create_job(diary: DiarySession, kind: str, params: dict[str, Any]) -> JobRecord:
    """A new queued job of the person's, with a random id that tells nothing."""
    with diary.person_session(write=True) as (session, person_id):
        assert person_id is not None
        _expire(session)
        stamp = times.now()
        row = Job(
            id=secrets.token_hex(16), person_id=person_id, kind=kind, params=params,
            state="queued", created_at=stamp, expires_at=stamp + JOB_LIFETIME,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return _record(row)


def _own_job(session: Session, person_id: int | None, job_id: str) -> Job:
    row = session.get(Job, job_id) if len(job_id) <= 32 else None
    if row is None or row.person_id != person_id or row.expires_at < times.now():
        raise NotFoundError(f"job {job_id}: there is no such job (or it has expired)")
    return row


def get_job(diary: DiarySession, job_id: str) -> JobRecord:
    """The person's job (:class:`NotFoundError` for another's, an expired or unknown one)."""
    with diary.person_session(write=False) as (session, person_id):
        return _record(_own_job(session, person_id, job_id))


def job_result(diary: DiarySession, job_id: str) -> tuple[JobRecord, bytes | None]:
    """The job and its result (None until it is done)."""
    with diary.person_session(write=False) as (session, person_id):
        row = _own_job(session, person_id, job_id)
        return _record(row), row.result


def job_owner(engine: Engine, job_id: str, account: int | None = None) -> str | None:
    """The name of the person of ``account`` (None: of no account) whose job it is, for a
    worker to open their diary; None if it is no job of that account's. The account comes with
    the job from the queue, so row-level security holds for the worker too."""
    with Session(engine) as session, session.begin():
        set_scope(session, account)
        mine = Person.account_id.is_(None) if account is None else Person.account_id == account
        query = (
            select(Person.name).join(Job, Job.person_id == Person.id).where(Job.id == job_id, mine)
        )
        return session.scalars(query).first()


def start_job(diary: DiarySession, job_id: str) -> JobRecord | None:
    """Mark a queued job running; None if it is not queued (taken, or gone)."""
    with diary.person_session(write=True) as (session, person_id):
        taken = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.person_id == person_id, Job.state == "queued")
            .values(state="running", started_at=times.now())
        )
        if getattr(taken, "rowcount", 0) != 1:
            return None
        return _record(_own_job(session, person_id, job_id))


def finish_job(
    diary: DiarySession,
    job_id: str,
    *,
    result: bytes | None = None,
    media_type: str | None = None,
    error: str | None = None,
) -> None:
    """Store a job's result (done), or the reason it failed (``error``, no health data)."""
    with diary.person_session(write=True) as (session, person_id):
        row = _own_job(session, person_id, job_id)
        row.state = "failed" if error is not None else "done"
        row.result, row.media_type, row.error = result, media_type, error
        row.finished_at = times.now()
        session.flush()


def remove_expired(engine: Engine) -> int:
    """Delete every expired job and kept answer (everyone's: account by account, so
    row-level security holds); how many rows went."""
    stamp = times.now()
    gone = 0
    with Session(engine) as session:
        accounts: list[int | None] = [None, *session.scalars(select(Account.id))]
    for account in accounts:
        with Session(engine) as session, session.begin():
            set_scope(session, account)
            jobs = session.execute(delete(Job).where(Job.expires_at < stamp))
            kept = session.execute(
                delete(ApiRequest).where(ApiRequest.created_at < stamp - REQUEST_LIFETIME)
            )
            gone += int(getattr(jobs, "rowcount", 0) or 0)
            gone += int(getattr(kept, "rowcount", 0) or 0)
    return gone
