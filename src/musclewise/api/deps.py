"""Whose diary a request reads and writes, and how its episodes are named.

:func:`diary_for` is the ONE place that decides whose diary it is: the request's scope
(:mod:`musclewise.accounts.scope`, set by the web app's gate from the login or the API token;
without accounts, the app's single default diary). :func:`public_id` and :func:`episode_key`
are the one place that names episodes to the outside world: their public id, 128 random bits
that reveal nothing about other episodes or accounts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from pydantic import BeforeValidator

from musclewise.accounts import scope
from musclewise.diary import Diary

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from musclewise.diary import EpisodeRecord
    from musclewise.jobs.queue import Dispatcher


class Diaries:
    """The API's database: an engine given by the web app, or made on first use from a URL
    (a SQLite file is created and migrated then), and what runs its jobs."""

    def __init__(self, database_url: str | None = None, engine: Engine | None = None) -> None:
        self._url = database_url
        self._engine = engine
        self._owns = engine is None
        self._lock = threading.Lock()
        self._dispatcher: Dispatcher | None = None

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                first = Diary(self._url)  # migrates an empty SQLite file, checks PostgreSQL
                self._engine = first.engine
            return self._engine

    @property
    def dispatcher(self) -> Dispatcher:
        engine = self.engine
        with self._lock:
            if self._dispatcher is None:
                from musclewise.jobs.queue import Dispatcher

                self._dispatcher = Dispatcher(engine)
            return self._dispatcher

    def close(self) -> None:
        with self._lock:
            dispatcher, self._dispatcher = self._dispatcher, None
            engine = self._engine if self._owns else None
            self._engine = None if self._owns else self._engine
        if dispatcher is not None:
            dispatcher.close()
        if engine is not None:
            engine.dispose()


def diaries(request: Request) -> Diaries:
    value: Diaries = request.app.state.diaries
    return value


def diary_for(request: Request) -> Iterator[Diary]:
    """The diary this request is about (see the module docstring)."""
    now = scope.current()
    with Diary(engine=diaries(request).engine, migrate=False, account=now.account,
               person=now.person) as diary:  # fmt: skip
        yield diary


DiaryOf = Annotated[Diary, Depends(diary_for)]
"""A handler's parameter for the request's diary."""


def public_id(record: EpisodeRecord) -> str:
    """How the API names an episode."""
    return record.public_id


def episode_key(diary: Diary, public: str) -> int:
    """The diary's id of this diary's episode named by :func:`public_id` (a 404 problem if
    it names none of this diary's, whoever else's it may be)."""
    return diary.episode_id(public)


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{str(value)[:40]!r} is not a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if day.year < 1900:
        raise ValueError(f"{value} is before 1900")
    return day


Day = Annotated[date, BeforeValidator(_iso_date)]
"""A date written YYYY-MM-DD (not a number of seconds, which Pydantic would take)."""
