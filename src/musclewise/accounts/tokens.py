"""Random secrets and how they are stored: only their SHA-256 is kept, so a copy of the
database opens nothing. (A fast hash is right here: a token has 256 random bits, unlike a
password, which gets argon2.)"""

from __future__ import annotations

import hashlib
import secrets

SESSION_PREFIX = "mws_"
API_PREFIX = "mwt_"
SHARE_PREFIX = "mwl_"


def new_secret(prefix: str) -> str:
    """A new secret: the prefix says what it is (in logs of leaked secrets), 256 random bits."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret: its SHA-256 in hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
