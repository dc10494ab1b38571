"""Whose diary it is, told from the names a database holds (no database here): shared by the
ORM's :class:`musclewise.diary.session.DiarySession` and ``log``'s writer
:mod:`musclewise.diary.lite`, so that both choose the same person and refuse the same way."""

from __future__ import annotations

from collections.abc import Sequence

from musclewise.diary.errors import NotFoundError

DEFAULT_PERSON = "me"


def whose(name: str | None, names: Sequence[str], *, known_only: bool) -> str:
    """The person a diary is for: ``name`` when given (with ``known_only``, refused when the
    database holds other people but not them); otherwise the only person in the database, or
    :data:`DEFAULT_PERSON` in an empty one (refused when it holds several)."""
    if name is not None:
        if known_only and names and name not in names:
            raise unknown_person(name, names)
        return name
    if len(names) > 1:
        raise NotFoundError(
            f"this database holds the diaries of {len(names)} people; say whose",
            hint="say whose diary it is: " + ", ".join(names),
            code="person_ambiguous",
            field="person",
            allowed=names,
        )
    return names[0] if names else DEFAULT_PERSON


def unknown_person(name: str, names: Sequence[str]) -> NotFoundError:
    """The error for a person the database does not hold, naming the closest ones."""
    import difflib

    lowered = {n.lower(): n for n in names}
    close = [lowered[c] for c in difflib.get_close_matches(name.lower(), lowered, n=3, cutoff=0.5)]
    guess = f" — did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return NotFoundError(
        f"person: '{name}' has no diary here{guess} (people: {shown})",
        hint=f"add '{name}' as a person first to start their diary",
        code="person_unknown",
        field="person",
        allowed=names,
    )
