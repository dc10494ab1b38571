"""Accounts: who may log in, their login sessions, API tokens and share links; people belong
to an account; episodes get an opaque public id; PostgreSQL row-level security.

- ``account``, ``login_session``, ``api_token``, ``share_link``, ``login_failure`` (see
  ``musclewise.accounts``); tokens are stored only as their SHA-256.
- ``person.account_id`` (NULL: the single-person diary without accounts), deleted with its
  account; a person's name is unique within an account (and among the people of no account)
  instead of in the whole database.
- ``episode.public_id``: 128 random bits as hex, filled in for the episodes already stored.
- On PostgreSQL, row-level security on every table of health data (person, person_condition,
  medicine, episode, day_context), forced for the tables' owner too: a row is seen only by a
  transaction whose ``musclewise.account_id`` setting is its account (rows of no account only
  without the setting). Superusers and roles with BYPASSRLS are not held by it: the app should
  connect as an ordinary role (see docs/security.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 07:00:00+00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEALTH_TABLES = ("person", "person_condition", "medicine", "episode", "day_context")
ACCOUNT_MATCHES = (
    "account_id IS NOT DISTINCT FROM "
    "NULLIF(current_setting('musclewise.account_id', true), '')::integer"
)
"""The row's account is the transaction's (both NULL for the diary without accounts)."""
PERSON_VISIBLE = "person_id IN (SELECT id FROM person)"
"""The row's person is one this transaction may see (person's own policy decides)."""


def _when() -> sa.Column[Any]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _account_tables() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _when(),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_email_at", "login_failure", ["email", "at"])


def _owned_tables() -> None:
    def account_fk(table: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE",
                                       name=op.f(f"fk_{table}_account_id_account"))  # fmt: skip

    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        _when(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        account_fk("login_session"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL",
                                name=op.f("fk_login_session_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_login_session_account_id"), "login_session", ["account_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        _when(),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        account_fk("api_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_account_id"), "api_token", ["account_id"])
    op.create_table(
        "share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        _when(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        account_fk("share_link"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE",
                                name=op.f("fk_share_link_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_link_token_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_share_link_account_id"), "share_link", ["account_id"])


def _public_ids(bind: sa.Connection) -> None:
    episode = sa.table("episode", sa.column("id"), sa.column("public_id"))
    ids = bind.execute(sa.select(episode.c.id)).scalars().all()
    for start in range(0, len(ids), 1000):
        bind.execute(
            sa.update(episode).where(episode.c.id == sa.bindparam("row_id")),
            [{"row_id": i, "public_id": uuid.uuid4().hex} for i in ids[start : start + 1000]],
        )


def upgrade() -> None:
    bind = op.get_bind()
    _account_tables()
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_person_account_id_account"), "account", ["account_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.drop_constraint("uq_person_name", type_="unique")
    op.create_index("ux_person_account_name", "person", ["account_id", "name"], unique=True)
    op.create_index(
        "ux_person_name_no_account", "person", ["name"], unique=True,
        sqlite_where=sa.text("account_id IS NULL"), postgresql_where=sa.text("account_id IS NULL"),
    )  # fmt: skip
    _owned_tables()
    with op.batch_alter_table("episode") as batch:
        batch.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
    _public_ids(bind)
    with op.batch_alter_table("episode") as batch:
        batch.alter_column("public_id", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(op.f("uq_episode_public_id"), ["public_id"])
    if bind.dialect.name == "postgresql":
        for table in HEALTH_TABLES:
            rule = ACCOUNT_MATCHES if table == "person" else PERSON_VISIBLE
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY musclewise_account ON {table} USING ({rule}) WITH CHECK ({rule})"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in HEALTH_TABLES:
            op.execute(f"DROP POLICY IF EXISTS musclewise_account ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("episode") as batch:
        batch.drop_constraint(op.f("uq_episode_public_id"), type_="unique")
        batch.drop_column("public_id")
    for table in ("share_link", "api_token", "login_session"):
        op.drop_table(table)
    # the people of accounts go with them (their names may clash once accounts are gone)
    for table in HEALTH_TABLES[1:]:
        op.execute(f"DELETE FROM {table} WHERE person_id IN "
                   "(SELECT id FROM person WHERE account_id IS NOT NULL)")  # fmt: skip
    op.execute("DELETE FROM person WHERE account_id IS NOT NULL")
    op.drop_index("ux_person_name_no_account", table_name="person")
    op.drop_index("ux_person_account_name", table_name="person")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("fk_person_account_id_account"), type_="foreignkey")
        batch.drop_column("account_id")
        batch.create_unique_constraint(op.f("uq_person_name"), ["name"])
    op.drop_index("ix_login_failure_email_at", table_name="login_failure")
    op.drop_table("login_failure")
    op.drop_table("account")
