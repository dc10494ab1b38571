"""The diary's errors: defined in :mod:`musclewise.errors` (the whole tree is drawn there),
named here too so that ``from musclewise.diary.errors import NotFoundError`` keeps working.

Messages never contain the values of health data, only field names, ids and what is allowed;
database URLs are shown with the password masked.
"""

from __future__ import annotations

from musclewise.errors import DatabaseError, DiaryValueError, FieldProblem, NotFoundError

__all__ = ["DatabaseError", "DiaryValueError", "FieldProblem", "NotFoundError"]
