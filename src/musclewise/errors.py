"""Every error musclewise raises on purpose, in one tree.

::

    MusclewiseError              base: a message for the person and a hint on what to do next
    ├── KnowledgeError           the knowledge base files are invalid (a bug in the package data)
    ├── FindingsError            findings given to the engine are not valid (names each key)
    └── UsageError               a command was called with options that do not fit together

The command line turns each into a one-line message and a documented exit status
(see ``docs/cli.md``); no traceback reaches a user.
"""

from __future__ import annotations

from typing import NamedTuple


class MusclewiseError(Exception):
    """Base class: ``message`` says what is wrong, ``hint`` what to do about it."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class KnowledgeError(MusclewiseError):
    """The bundled knowledge base failed validation when it was loaded."""

    exit_code = 3


class FieldProblem(NamedTuple):
    """One problem with one key of a findings object."""

    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.key}: {self.problem}" if self.key else self.problem


class FindingsError(MusclewiseError):
    """Findings that do not match the contract; ``problems`` names every bad key."""

    exit_code = 2

    def __init__(self, problems: list[FieldProblem], hint: str = "") -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems), hint)


class UsageError(MusclewiseError):
    """Options that do not make sense together, or a file that cannot be read."""

    exit_code = 2
