"""Code run in child processes by the concurrency tests (importable, for ``spawn``)."""

from __future__ import annotations

from typing import Any


def log_episodes(url: str, barrier: Any, count: int) -> list[int]:
    """Open the diary and log ``count`` episodes, all processes starting at the same moment."""
    from musclewise.diary import Diary

    barrier.wait(timeout=60)
    with Diary(url) as diary:
        return [diary.add_episode("calf", pain=5, duration_s=60).id for _ in range(count)]


def log_episodes_fast(url: str, barrier: Any, count: int) -> list[int]:
    """The same with ``log``'s writer (``diary/lite.py``, sqlite3 alone)."""
    from musclewise.diary.lite import open_sqlite_diary

    barrier.wait(timeout=60)
    writer = open_sqlite_diary(url)
    assert writer is not None, "a new file, or one at head"
    with writer:
        return [writer.add_episode("calf", pain=5, duration_s=60).id for _ in range(count)]
