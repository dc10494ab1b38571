"""What the accounts hand out: frozen records (never a password hash or a token's hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: int
    email: str
    disabled: bool
    created_at: datetime
    people: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "disabled": self.disabled,
            "created_at": _iso(self.created_at),
            "people": list(self.people),
        }


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose diary a request may open: one person of one account (``account`` None: the
    single-person diary without accounts). ``read_only`` for a doctor's share link."""

    account: int | None
    person: str | None
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    account: int
    email: str
    person: str
    created_at: datetime
    last_seen_at: datetime

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.person)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "created_at": _iso(self.created_at),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


@dataclass(frozen=True, slots=True)
class ShareRecord:
    id: int
    person: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "person": self.person,
            "label": self.label,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "revoked_at": _iso(self.revoked_at),
        }
