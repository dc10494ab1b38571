"""Where the diary is and how its SQLite file is opened, without SQLAlchemy.

:mod:`musclewise.diary.database` (the ORM's engine) and :mod:`musclewise.diary.lite` (``log``'s
writer on the standard library's ``sqlite3``) both open a SQLite diary with what is here, so
that the two ways in give the same file: private to its owner, the same PRAGMAs, the same busy
timeout, the same revision, the same errors.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from musclewise.errors import DatabaseError

HEAD = "0007"
"""The newest migration revision; a test checks it against ``migrations/versions``."""

URL_VARIABLE = "MUSCLEWISE_DATABASE_URL"
DATA_DIR_VARIABLE = "MUSCLEWISE_DATA_DIR"
SQLITE_FILE = "diary.sqlite3"
BUSY_TIMEOUT_S = 30.0
PLAIN_PREFIX = "sqlite:///"


def default_url() -> str:
    """The SQLite file in the user's data folder (or ``MUSCLEWISE_DATA_DIR``)."""
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if not folder:
        import platformdirs

        folder = platformdirs.user_data_dir("musclewise")
    return f"sqlite:///{Path(folder) / SQLITE_FILE}"


def given_url(url: str | None = None) -> str:
    """The database URL as given, before it is checked: the option, else
    ``MUSCLEWISE_DATABASE_URL``, else :func:`default_url`."""
    return url or os.environ.get(URL_VARIABLE) or default_url()


def plain_sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL, read as SQLAlchemy reads it; None for any
    other URL (another database or driver, a query string, an in-memory database, a path
    starting with ``~``), which only the ORM's engine opens."""
    if not url.startswith(PLAIN_PREFIX):
        return None
    database = url[len(PLAIN_PREFIX) :]
    if database in ("", ":memory:") or "?" in database or database.startswith("~"):
        return None
    return Path(database)


def private_file(path: Path) -> None:
    """Create the diary's folder (0700) and an empty file (0600) if they are missing, so that
    SQLite, which gives its WAL and SHM files the database's permissions, keeps all of them
    private (a health diary is no one else's business on a shared computer);
    :class:`DatabaseError` when they cannot be made."""
    try:
        folder = path.expanduser().parent
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700, exist_ok=True)
            folder.chmod(0o700)  # whatever the umask
        try:
            descriptor = os.open(path.expanduser(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        os.close(descriptor)
    except OSError as exc:
        raise DatabaseError(f"cannot create the diary {path}: {exc.strerror}") from None


def configure(connection: sqlite3.Connection) -> None:
    """The diary's settings on a new connection: the busy timeout, foreign keys on, WAL
    journal mode, ``synchronous = NORMAL``. The connection's own transaction handling must be
    off (``isolation_level = None``): the caller begins each transaction, ``BEGIN IMMEDIATE``
    for a write."""
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (it stays so). Changing the mode takes a lock that SQLite does
    not wait for (busy_timeout does not apply), so when two processes open a new file at once,
    the one that loses tries again until the other has made the change."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() == "wal" or str(mode).lower() == "memory":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def unreachable(shown_url: str, reason: str) -> DatabaseError:
    """The database cannot be used (locked past the busy timeout, no such folder, a server
    that does not answer)."""
    return DatabaseError(
        f"cannot use the database {shown_url}: {reason}",
        hint="check the database URL and that the database server is running",
        code="database_unreachable",
        field="database_url",
    )


def damaged(shown_url: str, reason: str) -> DatabaseError:
    """The file is not a SQLite database, or a damaged one (SQLite's own words, which never
    hold the values of a statement)."""
    return DatabaseError(
        f"cannot use the database {shown_url}: {reason}",
        hint="check the database URL; if it is your diary, restore it from a backup",
        code="database_damaged",
        field="database_url",
    )


def sqlite_error(exc: sqlite3.Error, shown_url: str) -> DatabaseError | None:
    """The :class:`DatabaseError` for a failure of SQLite itself, or None for one that says
    something about a statement (a constraint, a programming error), which the caller words."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, sqlite3.OperationalError):
        return unreachable(shown_url, reason or "unknown reason")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    ):
        return damaged(shown_url, reason or "damaged")
    return None


@contextmanager
def sqlite_errors(shown_url: str) -> Iterator[None]:
    """Turn a failure of SQLite itself into its :class:`DatabaseError` (see
    :func:`sqlite_error`), for code on ``sqlite3`` directly."""
    try:
        yield
    except sqlite3.Error as exc:
        found = sqlite_error(exc, shown_url)
        if found is None:
            raise
        raise found from None
