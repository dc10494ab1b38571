"""Every error musclewise raises on purpose, in one tree.

::

    MusclewiseError                  base: a message, a shell-neutral hint, a code (exit 1)
    ├── KnowledgeError               the knowledge base files are invalid (exit 3)
    ├── FindingsError                findings given to the engine are not valid (exit 2)
    │   ├── DiaryValueError          a value to store is not allowed (names each field)
    │   └── AccountValueError        an account's values are refused: e-mail, password, name
    │                                (musclewise.accounts.errors)
    ├── UsageError                   a request that does not fit together, a file that cannot
    │   │                            be read or written (exit 2)
    │   ├── NotFoundError            no such episode, medicine, person or account
    │   ├── NotFound                 not in this diary: the HTTP API's 404
    │   │                            (musclewise.api.problems)
    │   ├── LoginRefused             the e-mail and password open no account that may log in
    │   │   │                        (musclewise.accounts.errors)
    │   │   └── LockedOut            too many failed logins for the e-mail, or from the
    │   │                            client's address, just now
    │   └── ImportRejected           rows of an import file are not valid: nothing imported
    │       │                        (musclewise.exchange.loop)
    │       └── BundleRejected       a FHIR bundle is not valid: nothing imported
    │                                (musclewise.exchange.fhir_read)
    ├── Conflict                     a request clashing with one under way: the HTTP API's 409
    │                                (musclewise.api.problems)
    ├── Unavailable                  what a request needs cannot be reached just now (the job
    │                                queue): the HTTP API's 503 (musclewise.api.problems)
    ├── DatabaseError                the database cannot be opened, reached, or is at another
    │                                revision (exit 4)
    └── ReportError                  the PDF cannot be written on this machine (exit 1)

Private control-flow exceptions (``_DryRun`` in ``exchange/loop.py``) roll a dry run back and
never leave their module; they are not errors and not in the tree.
``tests/test_errors.py`` checks that every subclass of :class:`MusclewiseError` is drawn here,
under its parent.

What an error carries, for each shell to word it its own way:

- ``message``: what is wrong, in plain words, naming the field; never a command-line flag,
  never a secret, never the value of the person's health data beyond the offending value
  itself (cut to 60 characters);
- ``hint``: what to do, in words that fit any shell (no flag, no command);
- ``code``: a stable machine-readable name of the situation (``"person_ambiguous"``,
  ``"database_unreachable"``, ...); the class's own code (``"not_found"``) when nothing
  more precise applies. The command line maps codes to its flags (``cli/hints.py``); the web
  app and the HTTP API may map them to their own words;
- ``field``: the field or option the error is about, if one is (``"database_url"``);
- ``allowed``: the values that would have been accepted, if they are a short list;
- ``problems`` (:class:`FindingsError` and below): one :class:`FieldProblem` per bad field,
  each with its own ``key``, ``problem``, ``code``, ``allowed`` and ``value_type`` (the type
  of the value given: ``"int"``, ``"str"``, never the value).

The command line turns each into a one-line message, a hint and a documented exit status
(see ``docs/cli.md``); no traceback reaches a user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "DatabaseError",
    "DiaryValueError",
    "FieldProblem",
    "FindingsError",
    "KnowledgeError",
    "MusclewiseError",
    "NotFoundError",
    "ReportError",
    "UsageError",
]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.removesuffix("Error")).lower()


class MusclewiseError(Exception):
    """Base class: ``message`` says what is wrong, ``hint`` what to do about it, ``code`` names
    the situation for a shell, ``field`` and ``allowed`` what was asked of it."""

    exit_code = 1
    code: str = "musclewise"
    """The class's code (``"not_found"``); an instance may carry a more precise one."""

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "code" not in cls.__dict__:
            cls.code = _snake(cls.__name__)

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        code: str = "",
        field: str = "",
        allowed: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code or type(self).code
        self.field = field
        self.allowed = tuple(allowed)

    def __str__(self) -> str:
        return self.message


class KnowledgeError(MusclewiseError):
    """The bundled knowledge base failed validation when it was loaded."""

    exit_code = 3


class FieldProblem(NamedTuple):
    """One problem with one key of a findings object or one field of a record.

    ``code`` names the kind of problem (``"unknown_key"``, ``"not_allowed"``,
    ``"wrong_type"``, ``"below_minimum"``, ``"above_maximum"``, ``"too_long"``, ``"empty"``,
    ``"invalid"``); ``allowed`` lists the values accepted when they are a short list;
    ``value_type`` is the type of the value given (never the value itself)."""

    key: str
    problem: str
    code: str = "invalid"
    allowed: tuple[str, ...] = ()
    value_type: str = ""

    def __str__(self) -> str:
        return f"{self.key}: {self.problem}" if self.key else self.problem


class FindingsError(MusclewiseError):
    """Findings that do not match the contract; ``problems`` names every bad key."""

    exit_code = 2

    def __init__(self, problems: list[FieldProblem], hint: str = "", *, code: str = "") -> None:
        self.problems = problems
        fields = {p.key for p in problems}
        super().__init__(
            "; ".join(str(p) for p in problems),
            hint,
            code=code,
            field=fields.pop() if len(fields) == 1 else "",
            allowed=problems[0].allowed if len(problems) == 1 else (),
        )


class DiaryValueError(FindingsError):
    """Values that cannot be stored; ``problems`` names every bad field and what is allowed."""


class UsageError(MusclewiseError):
    """Options that do not make sense together, or a file that cannot be read."""

    exit_code = 2


class NotFoundError(UsageError):
    """An episode, medicine or person that the diary does not hold."""


class DatabaseError(MusclewiseError):
    """The database cannot be used: unreachable, unsupported, or not at the package's revision."""

    exit_code = 4


class ReportError(MusclewiseError):
    """The PDF cannot be written on this machine (WeasyPrint or its libraries are missing)."""

    exit_code = 1
