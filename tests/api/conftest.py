"""The diary fixtures of ``tests/diary`` (a real SQLite file, a fresh PostgreSQL schema)."""

from tests.diary.conftest import (  # noqa: F401
    db_url,
    empty_url,
    fresh_schema,
    new_schema,
    postgres_available,
)
