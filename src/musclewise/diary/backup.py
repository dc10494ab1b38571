"""A consistent copy of a SQLite diary while it is in use (SQLite's online backup API).

The copy is written to a temporary file beside the target, checked with ``PRAGMA
integrity_check`` and then renamed into place, so the target is either the old file or a
complete new copy, never half of one. PostgreSQL diaries are backed up with ``pg_dump``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from musclewise.diary.api import Diary
from musclewise.diary.database import clean_partials, is_sqlite, masked
from musclewise.errors import UsageError


def backup(diary: Diary, target: Path, *, overwrite: bool = False) -> int:
    """Copy the diary's SQLite database to ``target``; returns the copy's size in bytes."""
    if not is_sqlite(diary.url):
        raise UsageError(
            f"backup copies SQLite diaries; {masked(diary.url)} is PostgreSQL",
            hint="use pg_dump for PostgreSQL, or export the diary's data",
            code="backup_not_sqlite",
        )
    target = target.expanduser()
    if target.is_dir():
        raise UsageError(f"PATH: {target} is a folder; give a file name")
    if target.exists() and not overwrite:
        raise UsageError(
            f"PATH: {target} exists",
            hint="choose another file name, or allow replacing it",
            code="file_exists",
            field="path",
        )
    if not target.parent.is_dir():
        raise UsageError(f"PATH: the folder {target.parent} does not exist")
    clean_partials(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # private
        destination = sqlite3.connect(temporary)
        try:
            with diary.engine.connect() as connection:
                source = connection.connection.driver_connection
                assert isinstance(source, sqlite3.Connection)
                source.backup(destination)  # all pages in one step: one consistent view
            result = destination.execute("PRAGMA integrity_check").fetchone()
            if not result or result[0] != "ok":
                raise UsageError(f"the copy failed its integrity check: {result}")
            destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            destination.close()
        os.replace(temporary, target)
    except (sqlite3.OperationalError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"PATH: cannot write the backup to {target}: {reason}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return target.stat().st_size
