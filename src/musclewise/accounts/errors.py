"""The errors of accounts, in the tree of :mod:`musclewise.errors` (each shell words them).

::

    FindingsError (exit 2)
    └── AccountValueError     an e-mail, password, name or expiry that is not allowed
    UsageError (exit 2)
    ├── NotFoundError         no such account, token, share link or person (diary's)
    └── LoginRefused          wrong e-mail or password, or a disabled account (one message
        └── LockedOut         for all: it never says which); too many failures (of the
                              e-mail, or from the client's address), try later

Messages hold no password, token or health data.
"""

from __future__ import annotations

from musclewise.diary.errors import NotFoundError
from musclewise.errors import FieldProblem, FindingsError, UsageError

__all__ = ["AccountValueError", "FieldProblem", "LockedOut", "LoginRefused", "NotFoundError"]


class AccountValueError(FindingsError):
    """Values refused; ``problems`` names each field (email, password, name, days...)."""


class LoginRefused(UsageError):
    """The e-mail and password do not open an account (the same for every reason)."""

    def __init__(self) -> None:
        super().__init__("email or password: they do not match an account that may log in")
        self.field = "password"


class LockedOut(LoginRefused):
    """Too many failed logins in a short time: ``retry_after`` seconds. ``by`` (and ``field``)
    ``"email"`` for this e-mail's (code ``locked_out``), ``"address"`` for the client
    address's, whatever the e-mail (code ``address_throttled``)."""

    def __init__(self, retry_after: int, *, by: str = "email") -> None:
        super().__init__()
        self.retry_after = retry_after
        self.by = by
        minutes = max(1, retry_after // 60)
        if by == "address":
            self.message = (
                f"address: too many failed logins from this address; try again in "
                f"{minutes} minute(s)"
            )
            self.code = "address_throttled"
        else:
            self.message = f"email: too many failed logins; try again in {minutes} minute(s)"
        self.field = by
