"""The diary's tables as typed SQLAlchemy 2 models.

Every row belongs to a person. Times are stored in UTC (``UTCDateTime`` gives back aware
datetimes on every database); an episode also keeps the IANA zone it happened in, so its
local time can be shown as it was lived. The schema is created and changed only by the
Alembic migrations in ``migrations/versions``; a test checks that they agree with this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from musclewise.diary.columns import (
    MEDICINE_MAX,
    NAME_MAX,
    PUBLIC_ID_LENGTH,
    ZONE_MAX,
    new_public_id,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes are not stored: give a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no offset: the value was written in UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("sex IN ('female', 'male')", name="sex"),
        CheckConstraint("birth_year >= 1850 AND birth_year <= 2300", name="birth_year"),
        # a name once per account; once among the people of no account (the local diary)
        Index("ux_person_account_name", "account_id", "name", unique=True),
        Index("ux_person_name_no_account", "name", unique=True,
              sqlite_where=text("account_id IS NULL"),
              postgresql_where=text("account_id IS NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    timezone: Mapped[str] = mapped_column(String(ZONE_MAX))
    sex: Mapped[str | None] = mapped_column(String(6))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    pregnant: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    # (last, as migration 0003 added it: a new file made from the models equals a migrated one)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), nullable=True
    )

    conditions: Mapped[list[PersonCondition]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PersonCondition.condition"
    )


class PersonCondition(Base):
    __tablename__ = "person_condition"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    condition: Mapped[str] = mapped_column(String(40), primary_key=True)


class Medicine(Base):
    __tablename__ = "medicine"
    __table_args__ = (
        CheckConstraint("stopped_on IS NULL OR started_on IS NULL OR stopped_on >= started_on",
                        name="stopped_after_started"),
        # one current medicine of a name: current_key is the name's key while it is taken,
        # NULL once stopped (NULLs never clash), so two processes cannot both add it
        Index("ux_medicine_person_current", "person_id", "current_key", unique=True),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MEDICINE_MAX))
    started_on: Mapped[date | None] = mapped_column(Date)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    current_key: Mapped[str | None] = mapped_column(String(MEDICINE_MAX))


class Episode(Base):
    __tablename__ = "episode"
    __table_args__ = (
        Index("ix_episode_person_started", "person_id", "started_at"),
        # one episode of a site at an instant (what an import counts as "already there")
        Index("ux_episode_person_site_started", "person_id", "site", "started_at", unique=True),
        Index("ix_episode_person_kind_started", "person_id", "kind", "started_at"),
        CheckConstraint("pain >= 0 AND pain <= 10", name="pain"),
        CheckConstraint("duration_s >= 0", name="duration_s"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    tz: Mapped[str] = mapped_column(String(ZONE_MAX))
    duration_s: Mapped[float | None] = mapped_column(Float)
    site: Mapped[str] = mapped_column(String(32))
    side: Mapped[str | None] = mapped_column(String(8))
    pain: Mapped[int | None] = mapped_column(Integer)
    findings: Mapped[dict[str, Any]]
    notes: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    triage: Mapped[str] = mapped_column(String(16))
    assessment: Mapped[dict[str, Any]]
    knowledge_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # (last, as migration 0003 added it)
    public_id: Mapped[str] = mapped_column(
        String(PUBLIC_ID_LENGTH), unique=True, default=new_public_id
    )


class DayContext(Base):
    __tablename__ = "day_context"
    __table_args__ = (CheckConstraint("stress >= 0 AND stress <= 10", name="stress"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    exercise_minutes: Mapped[float | None] = mapped_column(Float)
    exercise_intense: Mapped[bool | None] = mapped_column(Boolean)
    fluids_litres: Mapped[float | None] = mapped_column(Float)
    fluids_low: Mapped[bool | None] = mapped_column(Boolean)
    caffeine_cups: Mapped[float | None] = mapped_column(Float)
    alcohol_drinks: Mapped[float | None] = mapped_column(Float)
    cigarettes: Mapped[int | None] = mapped_column(Integer)
    stress: Mapped[int | None] = mapped_column(Integer)
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    screen_hours: Mapped[float | None] = mapped_column(Float)
    hot_environment: Mapped[bool | None] = mapped_column(Boolean)
    heavy_sweating: Mapped[bool | None] = mapped_column(Boolean)
    long_sitting_or_standing: Mapped[bool | None] = mapped_column(Boolean)
    cold_exposure: Mapped[bool | None] = mapped_column(Boolean)
    low_mineral_diet: Mapped[bool | None] = mapped_column(Boolean)
    medicines_missed: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class ApiRequest(Base):
    """A request made with an ``Idempotency-Key`` (HTTP API): the first answer, kept so that
    the same key with the same body answers it again, from any app process."""

    __tablename__ = "api_request"
    __table_args__ = (Index("ix_api_request_created_at", "created_at"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]


class Job(Base):
    """Slow work asked for over the HTTP API (a report), and its result once done: stored so
    that any app process can answer for it; removed when it expires."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        Index("ix_job_person_id", "person_id"),
        Index("ix_job_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


WEB_KEY_MAX = 64
WEB_KIND_MAX = 16
WEB_OWNER_MAX = 200


class WebState(Base):
    """What the web app's servers share between requests (see :mod:`musclewise.diary.web_state`);
    here with the other tables, so that the models are the whole schema whichever module is
    imported first."""

    __tablename__ = "web_state"
    __table_args__ = (Index("ix_web_state_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(WEB_KEY_MAX), primary_key=True)
    kind: Mapped[str] = mapped_column(String(WEB_KIND_MAX))
    owner: Mapped[str] = mapped_column(String(WEB_OWNER_MAX), default="")
    """Whose it is (with accounts: the account and person of the login that made it; only
    that login's requests see it)."""
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


DAY_FIELDS: tuple[str, ...] = tuple(
    c.name for c in DayContext.__table__.columns if c.name not in ("person_id", "date")
)
"""The typed columns of a day's context, in table order."""


# --------------------------------------------------------------------------- accounts
# (the rows of musclewise.accounts; no health data: the people and their diaries above point
# here, and go with the account when it is deleted)

EMAIL_MAX = 254
HASH_MAX = 255
TOKEN_HASH_LENGTH = 64
LABEL_MAX = 100


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    """Normalised (trimmed, lower case), so it is unique whatever the case typed."""
    password_hash: Mapped[str] = mapped_column(String(HASH_MAX))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class LoginSession(Base):
    """A login in a browser: the cookie holds a random token, this row its SHA-256."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), nullable=True
    )
    """Whose diary the pages of this login show (the account's first person when unset)."""
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class ApiToken(Base):
    """A personal API token (``Authorization: Bearer``): shown once, stored as its SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(LABEL_MAX))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ShareLink(Base):
    """A read-only link to one person's report and diary summary, for a doctor."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    label: Mapped[str] = mapped_column(String(LABEL_MAX))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


ADDRESS_HASH_LENGTH = 64


class LoginFailure(Base):
    """A failed login, kept for the rate limit and lockout (in the database, so every app
    process counts the same failures) as long as the limits' window: the e-mail tried and a
    keyed hash of the client's address (never the address itself). A success removes the
    failures of its e-mail from its address; rows older than the window are removed."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
        Index("ix_login_failure_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    at: Mapped[datetime]
    # (last, as migration 0006 added it)
    address: Mapped[str] = mapped_column(String(ADDRESS_HASH_LENGTH))
    """HMAC-SHA256 (hex) of the client's address (an IPv6 address's /64 network)."""
