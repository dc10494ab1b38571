"""login_failure.address: a keyed hash of the client's address of each failed login, so that
logins are limited per address too (password spraying) and the e-mail's lockout counts per
e-mail and address (another's failures no longer lock a person out from their own address).

The failures stored before it have no address: they are removed (they lasted only the
limits' window, 15 minutes by default). The table holds no health data (no row-level
security).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:45:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM login_failure")
    with op.batch_alter_table("login_failure") as batch:
        batch.add_column(sa.Column("address", sa.String(length=64), nullable=False))
    op.create_index("ix_login_failure_address_at", "login_failure", ["address", "at"])
    op.create_index("ix_login_failure_at", "login_failure", ["at"])


def downgrade() -> None:
    op.drop_index("ix_login_failure_at", table_name="login_failure")
    op.drop_index("ix_login_failure_address_at", table_name="login_failure")
    with op.batch_alter_table("login_failure") as batch:
        batch.drop_column("address")
