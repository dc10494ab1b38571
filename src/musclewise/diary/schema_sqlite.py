"""The schema of a new SQLite diary at :data:`~musclewise.diary.sqlite_file.HEAD`, kept as SQL
in ``schema_sqlite.sql`` beside this module, so that a new file is made without importing
SQLAlchemy (``log``'s start-up).

The file is generated from the models, never written by hand: SQLAlchemy's ``CreateTable``
and ``CreateIndex`` for the SQLite dialect, table by table in the order ``create_all`` uses,
then Alembic's own ``alembic_version`` table and its stamp. Regenerate it after changing the
models::

    python -m musclewise.diary.schema_sqlite

``tests/diary/test_lite.py`` fails when the file differs from what the models give now, and
``tests/diary/test_create_at_head.py`` checks a file made from it against the migrated one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from musclewise.diary.sqlite_file import HEAD

SCHEMA_FILE = Path(__file__).with_name("schema_sqlite.sql")
REGENERATE = "python -m musclewise.diary.schema_sqlite"
ALEMBIC_VERSION_TABLE = (
    "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, "
    "\n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
)
"""Alembic's own table of the revision, as alembic creates it in SQLite."""


def statements(text: str | None = None) -> list[str]:
    """The statements of the schema file (or of ``text``), in order, without comments."""
    source = SCHEMA_FILE.read_text(encoding="utf-8") if text is None else text
    lines = [line for line in source.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip()]


def create(execute: Callable[[str], object]) -> None:
    """Run every statement of the schema with ``execute`` (``sqlite3.Connection.execute``, or
    SQLAlchemy's ``Connection.exec_driver_sql``), inside the caller's transaction: the tables,
    their indexes, and the stamp at :data:`HEAD`."""
    for statement in statements():
        execute(statement)


def generate() -> str:
    """The schema file's text, from the models as they are now (imports SQLAlchemy)."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from musclewise.diary.models import Base

    dialect = sqlite.dialect()
    parts = [
        f"-- The schema of a new SQLite diary at revision {HEAD}, generated from the models by",
        f"-- {REGENERATE} (do not edit by hand).",
        "",
    ]
    for table in Base.metadata.sorted_tables:
        parts.append(_sql(CreateTable(table).compile(dialect=dialect)))
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            parts.append(_sql(CreateIndex(index).compile(dialect=dialect)))
    parts.append(ALEMBIC_VERSION_TABLE + ";\n")
    parts.append(f"INSERT INTO alembic_version (version_num) VALUES ('{HEAD}');\n")
    return "\n".join(parts)


def _sql(compiled: object) -> str:
    return str(compiled).strip() + ";\n"


def main() -> None:
    SCHEMA_FILE.write_text(generate(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
