"""The diary: episodes, the person's profile and medicines, and each day's context, stored in
SQLite or PostgreSQL (see ``docs/diary.md``).

>>> from musclewise.diary import Diary
>>> with Diary("sqlite:///diary.sqlite3") as diary:                      # doctest: +SKIP
...     diary.add_episode("calf", pain=7, duration_s=90).kind
'cramp'
"""

from __future__ import annotations

from musclewise.diary import web_state  # noqa: F401 (its table is part of the schema)
from musclewise.diary.api import Diary
from musclewise.diary.errors import DatabaseError, DiaryValueError, NotFoundError
from musclewise.diary.records import (
    Change,
    DayRecord,
    EpisodeRecord,
    MedicineRecord,
    Profile,
    ReassessReport,
)

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
