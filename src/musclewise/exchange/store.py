"""What the exchange formats need of a diary, as protocols: :class:`DiaryReader` (reading every
record out, from one consistent view) and :class:`DiaryWriter` (storing checked records).

:class:`musclewise.diary.Diary` has both; the formats never import it (or SQLAlchemy), so they
are pure mappings between the diary's records (``diary/records.py``) and bytes or FHIR
resources, testable without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from musclewise.diary.records import DayRecord, EpisodeRecord, MedicineRecord, Profile
from musclewise.diary.restore import CheckedEpisode


class DiaryReader(Protocol):
    """Reading a person's diary (``Diary`` is one)."""

    def snapshot(self) -> AbstractContextManager[None]: ...
    def get_profile(self) -> Profile: ...
    def list_days(
        self, since: date | None = None, until: date | None = None
    ) -> list[DayRecord]: ...
    def iter_episodes(self) -> Iterator[EpisodeRecord]: ...


class DiaryWriter(Protocol):
    """Storing checked records in a person's diary, in one transaction (``Diary`` is one)."""

    def transaction(self) -> AbstractContextManager[None]: ...
    def get_profile(self) -> Profile: ...
    def set_profile(
        self, values: Mapping[str, Any] | None = None, *, add_conditions: Iterable[str] = ()
    ) -> Profile: ...
    def restore_medicine(
        self, name: str, started_on: date | None = None, stopped_on: date | None = None
    ) -> tuple[MedicineRecord, bool]: ...
    def restore_episodes(self, episodes: Sequence[CheckedEpisode]) -> list[bool]: ...
    def get_day(self, day: date) -> DayRecord | None: ...
    def set_day(self, day: date, values: Mapping[str, Any]) -> DayRecord: ...


@dataclass(frozen=True)
class Contents:
    """Everything in one person's diary: the profile (with its conditions and medicines), the
    days with a context, and the episodes (streamed, oldest first)."""

    profile: Profile
    days: Sequence[DayRecord]
    episodes: Iterable[EpisodeRecord]


@contextmanager
def contents(diary: DiaryReader) -> Iterator[Contents]:
    """The diary's records, read from one consistent view while the block runs."""
    with diary.snapshot():
        yield Contents(diary.get_profile(), diary.list_days(), diary.iter_episodes())
