"""What the web app's servers share between requests (issue 12, "past one machine"): a check in
progress, a "Log it" timer, the record that lets Undo put a deleted episode back, an offline
log's idempotency key, and the secret that signs the CSRF tokens.

Each row is keyed by a random id (or a hash of the client's key) and expires
(``expires_at``; the web app deletes expired rows as it adds new ones), so any number of app
processes on one database serve the same person, and health data stays only as long as a
check or an undo needs it. With accounts each row has its owner and is seen only by
requests of that owner. The table is created by migration 0005.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from musclewise.diary.models import Base, UTCDateTime

KEY_MAX = 64
KIND_MAX = 16
OWNER_MAX = 200


class WebState(Base):
    __tablename__ = "web_state"
    __table_args__ = (Index("ix_web_state_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    owner: Mapped[str] = mapped_column(String(OWNER_MAX), default="")
    """Whose it is (with accounts: the account and person of the login that made it; only
    that login's requests see it)."""
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
