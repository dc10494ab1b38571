"""The diary's errors, in the tree of :mod:`musclewise.errors`.

::

    FindingsError (exit 2)
    └── DiaryValueError      a value to store is not allowed (names each field, says what is)
    UsageError (exit 2)
    └── NotFoundError        no such episode, medicine or person
    MusclewiseError
    └── DatabaseError (4)    the database cannot be opened, reached, or is at another revision

Messages never contain the values of health data, only field names, ids and what is allowed;
database URLs are shown with the password masked.
"""

from __future__ import annotations

from musclewise.errors import FieldProblem, FindingsError, MusclewiseError, UsageError

__all__ = ["DatabaseError", "DiaryValueError", "FieldProblem", "NotFoundError"]


class DiaryValueError(FindingsError):
    """Values that cannot be stored; ``problems`` names every bad field and what is allowed."""


class NotFoundError(UsageError):
    """An episode, medicine or person that the diary does not hold."""


class DatabaseError(MusclewiseError):
    """The database cannot be used: unreachable, unsupported, or not at the package's revision."""

    exit_code = 4
