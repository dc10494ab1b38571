"""The first tables: person, person_condition, medicine, episode, day_context.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 09:04:38.197398+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sex IN ('female', 'male')", name=op.f("ck_person_sex")),
        sa.CheckConstraint(
            "birth_year >= 1850 AND birth_year <= 2300", name=op.f("ck_person_birth_year")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("name", name=op.f("uq_person_name")),
    )
    op.create_table(
        "day_context",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exercise_minutes", sa.Float(), nullable=True),
        sa.Column("exercise_intense", sa.Boolean(), nullable=True),
        sa.Column("fluids_litres", sa.Float(), nullable=True),
        sa.Column("fluids_low", sa.Boolean(), nullable=True),
        sa.Column("caffeine_cups", sa.Float(), nullable=True),
        sa.Column("alcohol_drinks", sa.Float(), nullable=True),
        sa.Column("cigarettes", sa.Integer(), nullable=True),
        sa.Column("stress", sa.Integer(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("screen_hours", sa.Float(), nullable=True),
        sa.Column("hot_environment", sa.Boolean(), nullable=True),
        sa.Column("heavy_sweating", sa.Boolean(), nullable=True),
        sa.Column("long_sitting_or_standing", sa.Boolean(), nullable=True),
        sa.Column("cold_exposure", sa.Boolean(), nullable=True),
        sa.Column("low_mineral_diet", sa.Boolean(), nullable=True),
        sa.Column("medicines_missed", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("stress >= 0 AND stress <= 10", name=op.f("ck_day_context_stress")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_day_context_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "date", name=op.f("pk_day_context")),
    )
    op.create_table(
        "episode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("triage", sa.String(length=16), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("knowledge_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duration_s >= 0", name=op.f("ck_episode_duration_s")),
        sa.CheckConstraint("pain >= 0 AND pain <= 10", name=op.f("ck_episode_pain")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_episode_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
    )
    op.create_index(
        "ix_episode_person_kind_started",
        "episode",
        ["person_id", "kind", "started_at"],
        unique=False,
    )
    op.create_index(
        "ix_episode_person_site_started",
        "episode",
        ["person_id", "site", "started_at"],
        unique=False,
    )
    op.create_index(
        "ix_episode_person_started", "episode", ["person_id", "started_at"], unique=False
    )
    op.create_table(
        "medicine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "stopped_on IS NULL OR started_on IS NULL OR stopped_on >= started_on",
            name=op.f("ck_medicine_stopped_after_started"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_medicine_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medicine")),
    )
    op.create_index(op.f("ix_medicine_person_id"), "medicine", ["person_id"], unique=False)
    op.create_table(
        "person_condition",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_condition_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "condition", name=op.f("pk_person_condition")),
    )


def downgrade() -> None:

    op.drop_table("person_condition")
    op.drop_index(op.f("ix_medicine_person_id"), table_name="medicine")
    op.drop_table("medicine")
    op.drop_index("ix_episode_person_started", table_name="episode")
    op.drop_index("ix_episode_person_site_started", table_name="episode")
    op.drop_index("ix_episode_person_kind_started", table_name="episode")
    op.drop_table("episode")
    op.drop_table("day_context")
    op.drop_table("person")
