"""Unique: an episode's person, site and start; one current medicine of a name.

Two processes importing the same file, or adding the same medicine, at the same moment could
each find nothing there and both write (PostgreSQL runs them side by side). These unique
indexes make the database refuse the second; the diary then counts it as already there.

Before the indexes are made, rows the races left behind are resolved:

- episodes of the same person, site and start: copies identical to the first (lowest id) are
  deleted; one that differs in anything is kept, its start moved by a microsecond per copy
  (nothing a person wrote is lost);
- current medicines of the same name key: copies of the same name and start date are
  deleted; another spelling keeps its row but not the key (it stays listed as it was).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 04:30:00+00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _medicine_key(name: str) -> str:
    from musclewise.medicines import name_key

    return name_key(name) or name.strip().lower()


def _same(a: Any, b: Any) -> bool:
    def plain(row: Any) -> tuple[Any, ...]:
        findings = row.findings if not isinstance(row.findings, str) else json.loads(row.findings)
        return (row.tz, row.side, row.pain, row.duration_s, json.dumps(findings, sort_keys=True),
                row.notes)  # fmt: skip

    return plain(a) == plain(b)


def _episodes(bind: sa.Connection) -> None:
    episode = sa.table(
        "episode", sa.column("id"), sa.column("person_id"), sa.column("site"),
        sa.column("started_at"), sa.column("tz"), sa.column("side"), sa.column("pain"),
        sa.column("duration_s"), sa.column("findings"), sa.column("notes"),
    )  # fmt: skip
    clashes = (
        sa.select(episode.c.person_id, episode.c.site, episode.c.started_at)
        .group_by(episode.c.person_id, episode.c.site, episode.c.started_at)
        .having(sa.func.count() > 1)
    )
    for person_id, site, started_at in bind.execute(clashes).all():
        rows = bind.execute(
            sa.select(episode)
            .where(episode.c.person_id == person_id, episode.c.site == site,
                   episode.c.started_at == started_at)
            .order_by(episode.c.id)
        ).all()  # fmt: skip
        first, moved = rows[0], 0
        for row in rows[1:]:
            if _same(first, row):
                bind.execute(sa.delete(episode).where(episode.c.id == row.id))
            else:
                moved += 1
                when = row.started_at
                if isinstance(when, str):  # SQLite hands back text: move it in Python
                    from datetime import datetime

                    when = datetime.fromisoformat(when)
                bind.execute(
                    sa.update(episode)
                    .where(episode.c.id == row.id)
                    .values(started_at=when + timedelta(microseconds=moved))
                )


def _medicines(bind: sa.Connection) -> None:
    medicine = sa.table(
        "medicine", sa.column("id"), sa.column("person_id"), sa.column("name"),
        sa.column("started_on"), sa.column("stopped_on"), sa.column("current_key"),
    )  # fmt: skip
    current = bind.execute(
        sa.select(medicine.c.id, medicine.c.person_id, medicine.c.name, medicine.c.started_on)
        .where(medicine.c.stopped_on.is_(None))
        .order_by(medicine.c.id)
    ).all()
    seen: dict[tuple[int, str], Any] = {}
    for row in current:
        key = (row.person_id, _medicine_key(row.name))
        kept = seen.get(key)
        if kept is None:
            seen[key] = row
            bind.execute(
                sa.update(medicine).where(medicine.c.id == row.id).values(current_key=key[1])
            )
        elif (kept.name, kept.started_on) == (row.name, row.started_on):
            bind.execute(sa.delete(medicine).where(medicine.c.id == row.id))


def upgrade() -> None:
    bind = op.get_bind()
    _episodes(bind)
    op.drop_index("ix_episode_person_site_started", table_name="episode")
    op.create_index(
        "ux_episode_person_site_started",
        "episode",
        ["person_id", "site", "started_at"],
        unique=True,
    )
    with op.batch_alter_table("medicine") as batch:
        batch.add_column(sa.Column("current_key", sa.String(length=200), nullable=True))
    _medicines(bind)
    op.create_index(
        "ux_medicine_person_current", "medicine", ["person_id", "current_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_medicine_person_current", table_name="medicine")
    with op.batch_alter_table("medicine") as batch:
        batch.drop_column("current_key")
    op.drop_index("ux_episode_person_site_started", table_name="episode")
    op.create_index(
        "ix_episode_person_site_started",
        "episode",
        ["person_id", "site", "started_at"],
        unique=False,
    )
