"""The HTTP API's tables: requests made with an Idempotency-Key, and jobs with their results.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 07:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSON_TABLES = ("api_request", "job")
PERSON_VISIBLE = "person_id IN (SELECT id FROM person)"
"""The row's person is one this transaction may see (person's own policy decides)."""


def upgrade() -> None:
    op.create_table(
        "api_request",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_api_request_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "key", name=op.f("pk_api_request")),
    )  # fmt: skip
    op.create_index("ix_api_request_created_at", "api_request", ["created_at"], unique=False)
    op.create_table(
        "job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_job_state")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_job_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index("ix_job_person_id", "job", ["person_id"], unique=False)
    op.create_index("ix_job_expires_at", "job", ["expires_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # kept answers and job results are health data: the same second wall as the diary's
        # tables (migration 0003): only the transaction's account's people's rows
        for table in PERSON_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY musclewise_account ON {table} USING ({PERSON_VISIBLE}) "
                f"WITH CHECK ({PERSON_VISIBLE})"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PERSON_TABLES:
            op.execute(f"DROP POLICY IF EXISTS musclewise_account ON {table}")
    op.drop_index("ix_job_expires_at", table_name="job")
    op.drop_index("ix_job_person_id", table_name="job")
    op.drop_table("job")
    op.drop_index("ix_api_request_created_at", table_name="api_request")
    op.drop_table("api_request")
