"""Fixtures for accounts: every test runs on a real SQLite file and on the real PostgreSQL
(a schema of its own), with argon2 at a low cost so the tests stay quick (the hashing is the
real one), and a clock the tests move instead of waiting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from musclewise.accounts import Accounts
from tests.diary.conftest import (  # noqa: F401  (fixtures)
    db_url,
    empty_url,
    fresh_schema,
    new_schema,
    postgres_available,
)

PASSWORD = "correct horse battery"


def quick_hasher() -> Any:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=64, parallelism=1),))


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(db_url: str, clock: Clock) -> Iterator[Accounts]:  # noqa: F811
    with Accounts(db_url, hasher=quick_hasher(), clock=clock) as opened:
        yield opened
