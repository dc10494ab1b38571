"""The diary's errors: defined in :mod:`musclewise.errors` (the whole tree is drawn there),
named here too so that ``from musclewise.diary.errors import NotFoundError`` keeps working.

Messages never contain the values of health data, only field names, ids and what is allowed;
database URLs are shown with the password masked.
"""

from __future__ import annotations

from musclewise.errors import DatabaseError, DiaryValueError, FieldProblem, NotFoundError


def same_start_error(site: str) -> DiaryValueError:
    """An episode of this site that started at the same instant is already stored (what the
    unique index of an episode's person, site and start refuses)."""
    return DiaryValueError(
        [FieldProblem("started_at", f"an episode of the {site} that started at this moment "
                                    "is already in the diary")],
        hint="give another start time, or change the episode already stored",
        code="episode_same_start",
    )  # fmt: skip


__all__ = ["DatabaseError", "DiaryValueError", "FieldProblem", "NotFoundError", "same_start_error"]
