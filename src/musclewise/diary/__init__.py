"""The diary: episodes, the person's profile and medicines, and each day's context, stored in
SQLite or PostgreSQL (see ``docs/diary.md``).

>>> from musclewise.diary import Diary
>>> with Diary("sqlite:///diary.sqlite3") as diary:                      # doctest: +SKIP
...     diary.add_episode("calf", pain=7, duration_s=90).kind
'cramp'

:class:`Diary` (SQLAlchemy's ORM) is imported when it is first asked for, so that the
modules of the package that do without SQLAlchemy (the records, the checks, the times and
:mod:`musclewise.diary.lite`, ``log``'s writer for a SQLite file) start without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from musclewise.diary.errors import DatabaseError, DiaryValueError, NotFoundError
from musclewise.diary.records import (
    Change,
    DayRecord,
    EpisodeRecord,
    MedicineRecord,
    Profile,
    ReassessReport,
)

if TYPE_CHECKING:
    from musclewise.diary.api import Diary


def __getattr__(name: str) -> Any:
    if name == "Diary":
        from musclewise.diary.api import Diary

        return Diary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Change",
    "DatabaseError",
    "DayRecord",
    "Diary",
    "DiaryValueError",
    "EpisodeRecord",
    "MedicineRecord",
    "NotFoundError",
    "Profile",
    "ReassessReport",
]
