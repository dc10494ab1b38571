"""Accounts beside the diary: logins, API tokens, the people of an account, doctor share
links (see :mod:`musclewise.accounts.store`). No web or command-line imports: the shells word
its errors (:mod:`musclewise.accounts.errors`)."""

from __future__ import annotations

from musclewise.accounts.errors import AccountValueError, LockedOut, LoginRefused, NotFoundError
from musclewise.accounts.records import (
    AccountRecord,
    Scope,
    SessionRecord,
    ShareRecord,
    TokenRecord,
)
from musclewise.accounts.store import Accounts, Policy, check_password, normal_email

__all__ = [
    "AccountRecord",
    "AccountValueError",
    "Accounts",
    "LockedOut",
    "LoginRefused",
    "NotFoundError",
    "Policy",
    "Scope",
    "SessionRecord",
    "ShareRecord",
    "TokenRecord",
    "check_password",
    "normal_email",
]
