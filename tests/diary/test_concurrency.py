"""Several processes logging at the same moment all succeed, on SQLite (WAL, busy timeout,
BEGIN IMMEDIATE; a fresh file is created and migrated by whichever process comes first; with
the ORM's Diary, ``log``'s writer on sqlite3, or both at once) and on
PostgreSQL (the person is created once, whoever comes first)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from musclewise.diary import Diary, database

from .workers import log_episodes, log_episodes_fast

PROCESSES = 4
EACH = 3


def run_together(
    url: str, workers: Sequence[Callable[..., list[int]]] = (log_episodes,)
) -> list[int]:
    """Each of ``PROCESSES`` processes logs ``EACH`` episodes, with the workers in turn."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        barrier = manager.Barrier(PROCESSES)
        futures = [
            pool.submit(workers[i % len(workers)], url, barrier, EACH) for i in range(PROCESSES)
        ]
        return [i for f in futures for i in f.result(timeout=120)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "workers",
    [(log_episodes,), (log_episodes_fast,), (log_episodes_fast, log_episodes)],
    ids=["orm", "fast", "fast-and-orm"],
)
def test_processes_logging_at_once_on_a_new_sqlite_file(
    tmp_path: Path, workers: tuple[Callable[..., list[int]], ...]
) -> None:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    ids = run_together(url, workers)
    assert len(set(ids)) == PROCESSES * EACH
    with Diary(url) as diary:
        assert sorted(e.id for e in diary.list_episodes()) == sorted(ids)
        assert diary.people() == ["me"]


@pytest.mark.slow
def test_processes_logging_at_once_on_postgresql(fresh_schema: str) -> None:
    engine = database.make_engine(database.resolve_url(fresh_schema))
    try:
        database.upgrade(engine)
    finally:
        engine.dispose()
    ids = run_together(fresh_schema)
    assert len(set(ids)) == PROCESSES * EACH
    with Diary(fresh_schema) as diary:
        assert sorted(e.id for e in diary.list_episodes()) == sorted(ids)
        assert diary.people() == ["me"]
