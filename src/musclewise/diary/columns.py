"""What the diary's columns hold, without SQLAlchemy: the sizes of its text columns and the
public id a new episode gets. :mod:`musclewise.diary.models` builds the tables with them;
:mod:`musclewise.diary.validate` and :mod:`musclewise.diary.lite` check and write values with
them without importing the models."""

from __future__ import annotations

import uuid

NAME_MAX = 100
ZONE_MAX = 64
MEDICINE_MAX = 200
NOTES_MAX = 5000
SHORT_TEXT_MAX = 500
PUBLIC_ID_LENGTH = 32


def new_public_id() -> str:
    """An episode's public id: 128 random bits (UUIDv4) as 32 hex digits. It names the episode
    in account-scoped pages and the API, and says nothing of how many episodes there are or
    whose they are (the integer ``id`` stays internal)."""
    return uuid.uuid4().hex
