"""Code run in child processes by the concurrency tests (importable, for ``spawn``)."""

from __future__ import annotations

from typing import Any


def log_episodes(url: str, barrier: Any, count: int) -> list[int]:
    """Open the diary and log ``count`` episodes, all processes starting at the same moment."""
    from musclewise.diary import Diary

    barrier.wait(timeout=60)
    with Diary(url) as diary:
        return [diary.add_episode("calf", pain=5, duration_s=60).id for _ in range(count)]
