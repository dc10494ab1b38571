"""PgBouncer in transaction mode (issue 12, docs/deploy.md): ``?prepare_threshold=none`` in the
database URL makes psycopg prepare no statement, on the real PostgreSQL; the diary works
through it, and a bad value is a usage error naming the option."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from musclewise.diary import Diary, database
from musclewise.errors import UsageError


def test_prepare_threshold_none_reaches_psycopg_and_the_diary_works(fresh_schema: str) -> None:
    url = fresh_schema + "&prepare_threshold=none"
    engine = database.make_engine(database.resolve_url(url))
    try:
        database.upgrade(engine)
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None and raw.prepare_threshold is None
            for _ in range(8):  # more than psycopg's default threshold (5)
                connection.execute(text("SELECT count(*) FROM episode")).scalar()
            prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared.scalar() == 0
    finally:
        engine.dispose()
    with Diary(url) as diary:
        diary.add_episode("calf", pain=5, duration_s=60)
        assert len(diary.list_episodes()) == 1


def test_without_the_setting_psycopg_prepares_as_usual(fresh_schema: str) -> None:
    engine = database.make_engine(database.resolve_url(fresh_schema))
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None and raw.prepare_threshold == 5
    finally:
        engine.dispose()


def test_a_bad_prepare_threshold_names_the_option(fresh_schema: str) -> None:
    with pytest.raises(UsageError, match="prepare_threshold"):
        database.make_engine(database.resolve_url(fresh_schema + "&prepare_threshold=never"))
