"""web_state: what the web app's servers share (checks in progress, "Log it" timers, undo
records, offline logs' idempotency keys, the CSRF secret), so app processes hold no state.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 07:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_state",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_state")),
    )
    op.create_index("ix_web_state_expires_at", "web_state", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_web_state_expires_at", table_name="web_state")
    op.drop_table("web_state")
