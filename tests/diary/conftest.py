"""Fixtures for the diary: every storage test runs on a real SQLite file and on a real
PostgreSQL, each PostgreSQL test in a schema of its own (dropped afterwards).

PostgreSQL is found at ``MUSCLEWISE_TEST_POSTGRES_URL`` (default: the local server, database
``test``). When it cannot be reached the PostgreSQL tests are skipped locally, and fail on CI
(``CI=true``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from musclewise.diary import Diary, database

PG_URL = os.environ.get(
    "MUSCLEWISE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_available() -> str:
    """The admin URL of the test server; skips (or fails on CI) when it cannot be reached."""
    engine = create_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = f"PostgreSQL at {database.masked(engine.url)} is not reachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: the diary must be tested on PostgreSQL)")
        pytest.skip(reason)
    finally:
        engine.dispose()
    return PG_URL


def schema_url(admin_url: str, schema: str) -> str:
    """The URL of the server with ``search_path`` set to one schema."""
    return f"{admin_url}?options=-csearch_path%3D{schema}"


@pytest.fixture
def new_schema(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """Makes new, empty PostgreSQL schemas (their URLs); all are dropped after the test."""
    admin_url: str = request.getfixturevalue("postgres_available")
    admin = create_engine(admin_url)
    made: list[str] = []

    def make() -> str:
        schema = f"mw_test_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return schema_url(admin_url, schema)

    try:
        yield make
    finally:
        with admin.begin() as connection:
            for schema in made:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def fresh_schema(new_schema: Callable[[], str]) -> str:
    """A new, empty PostgreSQL schema's URL (dropped after the test)."""
    return new_schema()


@pytest.fixture
def new_database(
    request: pytest.FixtureRequest, tmp_path: Path, empty_url: str
) -> Callable[[], str]:
    """Makes more empty, migrated databases of the same backend as ``empty_url``."""
    counter = iter(range(1, 1000))

    def make() -> str:
        if empty_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'other-{next(counter)}.sqlite3'}"
        else:
            url = request.getfixturevalue("new_schema")()
        migrate(url)
        return url

    return make


def migrate(url: str) -> None:
    engine = database.make_engine(database.resolve_url(url))
    try:
        database.upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend (no tables)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    url: str = request.getfixturevalue("fresh_schema")
    return url


@pytest.fixture
def db_url(empty_url: str) -> str:
    """A database of each backend, migrated to head."""
    migrate(empty_url)
    return empty_url


@pytest.fixture
def diary(db_url: str) -> Iterator[Diary]:
    """A diary whose person lives in London, on each backend."""
    with Diary(db_url) as opened:
        opened.set_profile({"timezone": "Europe/London"})
        yield opened
