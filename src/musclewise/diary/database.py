"""Which database, how to connect to it, and its migration state.

The URL is, in order: the ``--database-url`` option, ``MUSCLEWISE_DATABASE_URL``, or a SQLite
file ``diary.sqlite3`` in ``MUSCLEWISE_DATA_DIR`` (else ``platformdirs.user_data_dir``).
Only SQLite and PostgreSQL (through psycopg 3) are supported; ``postgresql://`` means
``postgresql+psycopg://``.

SQLite connections get foreign keys on, WAL journal mode, a busy timeout, and transactions
that take the write lock when they begin (``BEGIN IMMEDIATE``), so two processes writing at
the same moment wait for each other instead of failing (the settings, the file's permissions
and the revision are in :mod:`musclewise.diary.sqlite_file`, shared with ``log``'s writer
:mod:`musclewise.diary.lite`). A SQLite diary is created at the head revision on first use (a
brand-new file is made from the schema generated from the models and stamped, without
importing alembic: ``create_at_head``; an older one is migrated); a PostgreSQL one is migrated
only by ``musclewise db upgrade``, and refused until it is at head.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from musclewise.diary.errors import DatabaseError
from musclewise.diary.sqlite_file import (
    BUSY_TIMEOUT_S,
    DATA_DIR_VARIABLE,
    HEAD,
    SQLITE_FILE,
    URL_VARIABLE,
    configure,
    default_url,
    given_url,
    private_file,
    sqlite_error,
    unreachable,
)
from musclewise.errors import UsageError

if TYPE_CHECKING:
    from alembic.config import Config

READ_ONLY = "musclewise_read_only"

MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(url: str | None = None) -> URL:
    """The database URL to use (see the module docstring), checked and normalised."""
    raw = given_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise UsageError(
            "database_url: not a database URL; use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DATABASE",
            code="database_url_invalid",
            field="database_url",
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    raise UsageError(
        f"database_url: '{parsed.drivername}' is not supported; "
        "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE",
        code="database_url_unsupported",
        field="database_url",
        allowed=("sqlite", "postgresql+psycopg"),
    )


def masked(url: URL) -> str:
    """The URL as it may be shown: the password replaced by ``***``."""
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database)."""
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "")


def clean_partials(target: Path) -> None:
    """Remove ``.NAME.PID.partial`` files left beside ``target`` by a process that was killed
    (one whose PID no longer runs): an export or backup that never finished."""
    for stale in target.parent.glob(f".{target.name}.*.partial"):
        pid = stale.name[len(target.name) + 2 : -len(".partial")]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            stale.unlink(missing_ok=True)
        except OSError:
            continue  # runs, under another user


def require_existing(url: URL) -> None:
    """Refuse a SQLite file that does not exist (a read must not create a diary or folder)."""
    path = sqlite_path(url)
    if path is None or path.expanduser().is_file():
        return
    raise DatabaseError(
        f"there is no diary at {path}",
        hint="check the database URL; recording a first episode starts the diary",
        code="diary_missing",
        field="database_url",
    )


def make_engine(url: URL, **options: Any) -> Engine:
    """An engine with the diary's connection settings for its backend."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            private_file(path)
        connect_args = {"timeout": BUSY_TIMEOUT_S, **options.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **options)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    options.setdefault("pool_pre_ping", True)
    threshold = url.query.get("prepare_threshold")
    if threshold is not None:  # behind PgBouncer in transaction mode: ?prepare_threshold=none
        url = url.difference_update_query(["prepare_threshold"])
        options["connect_args"] = {
            **options.get("connect_args", {}),
            "prepare_threshold": _prepare_threshold(str(threshold)),
        }
    return create_engine(url, **options)


def _prepare_threshold(value: str) -> int | None:
    """psycopg's ``prepare_threshold`` from a URL's query: ``none`` never prepares statements
    (what PgBouncer in transaction mode needs), a number prepares after that many runs."""
    if value.strip().lower() == "none":
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(
            "database_url: prepare_threshold must be none or a whole number",
            field="database_url",
        ) from None


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is turned off; _sqlite_begin starts transactions
    dbapi_connection.isolation_level = None
    configure(dbapi_connection)


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def connection_errors(url: URL) -> Iterator[None]:
    """Turn a failure to reach the database into a one-line :class:`DatabaseError`."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown reason"
        raise unreachable(masked(url), reason) from None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise DatabaseError(f"lost the connection to {masked(url)}") from None
        if isinstance(exc.orig, sqlite3.Error):
            found = sqlite_error(exc.orig, masked(url))
            if found is not None:
                raise found from None
        raise


# --------------------------------------------------------------------------- migrations


def alembic_config(connection: Connection | None = None, url: URL | None = None) -> Config:
    """Alembic's configuration for the bundled migrations (works from an installed package)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.set_main_option("timezone", "UTC")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None: no diary tables yet)."""
    from sqlalchemy import inspect

    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise DatabaseError("the database has more than one migration head; repair it with alembic")
    return rows[0] if rows else None


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration. On SQLite, foreign keys are off while it runs (a
    table rebuilt by Alembic's batch mode is dropped and made again: with them on, dropping it
    would delete the rows of the tables that point to it) and checked before it commits."""
    if not is_sqlite(engine.url):
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction: takes effect
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise DatabaseError(f"the migration broke a reference in table {broken[0]}")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision`` in one transaction."""
    from alembic import command

    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate down to ``revision`` in one transaction (used by tests and repairs)."""
    from alembic import command

    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


@dataclass(frozen=True, slots=True)
class Status:
    """What ``musclewise db status`` reports."""

    url: str
    backend: str
    revision: str | None
    head: str

    @property
    def state(self) -> str:
        if self.revision == self.head:
            return "at head"
        if self.revision is None:
            return "empty (not migrated)"
        return "behind head" if self.revision < self.head else "newer than this musclewise"

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "backend": self.backend,
            "revision": self.revision,
            "head": self.head,
            "state": self.state,
        }


def status(engine: Engine) -> Status:
    url = engine.url
    with connection_errors(url), engine.connect() as connection:
        revision = current_revision(connection)
    return Status(masked(url), url.get_backend_name(), revision, HEAD)


def ensure_ready(engine: Engine, *, migrate: bool) -> None:
    """Check the schema is at head; with ``migrate``, bring an older or empty one there."""
    url = engine.url
    with connection_errors(url):
        with engine.connect() as connection:
            revision = current_revision(connection)
        if revision == HEAD:
            return
        if revision is not None and revision > HEAD:
            raise DatabaseError(
                f"the database {masked(url)} is at revision {revision}, newer than this "
                f"musclewise knows ({HEAD})",
                hint="upgrade musclewise",
                code="database_too_new",
            )
        if not migrate:
            state = "has no diary tables" if revision is None else f"is at revision {revision}"
            raise DatabaseError(
                f"the database {masked(url)} {state}; this musclewise needs revision {HEAD}",
                hint="upgrade the database to this musclewise's revision",
                code="database_not_upgraded",
            )
        if revision is None and is_sqlite(url) and create_at_head(engine):
            return
        upgrade(engine)


def create_at_head(engine: Engine) -> bool:
    """Create the schema of a brand-new SQLite file and stamp it at :data:`HEAD`, in one write
    transaction, without importing alembic (``log``'s start-up): the statements of
    ``schema_sqlite.sql``, generated from the models (:mod:`musclewise.diary.schema_sqlite`);
    ``False``, doing nothing, if the file has any table by then (another process created it,
    or it holds something else: :func:`upgrade` decides). ``tests/diary/test_create_at_head.py``
    checks that the schema made so is the migrated one, table by table, column by column."""
    from musclewise.diary import schema_sqlite

    with engine.begin() as connection:  # BEGIN IMMEDIATE: the check and the creation are one
        tables = connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        if tables:
            return False
        schema_sqlite.create(connection.exec_driver_sql)
    return True


__all__ = [
    "BUSY_TIMEOUT_S",
    "DATA_DIR_VARIABLE",
    "HEAD",
    "MIGRATIONS",
    "READ_ONLY",
    "SQLITE_FILE",
    "URL_VARIABLE",
    "Status",
    "alembic_config",
    "clean_partials",
    "connection_errors",
    "create_at_head",
    "current_revision",
    "default_url",
    "downgrade",
    "ensure_ready",
    "is_sqlite",
    "make_engine",
    "masked",
    "require_existing",
    "resolve_url",
    "sqlite_path",
    "status",
    "upgrade",
]
