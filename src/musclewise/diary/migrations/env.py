"""Alembic environment for the diary: run by ``musclewise db upgrade`` and on first use.

The caller passes an open connection in ``config.attributes["connection"]`` (the package does
this); for developers running ``alembic`` from the repository, the URL comes from
``sqlalchemy.url`` or ``MUSCLEWISE_DATABASE_URL``. SQLite uses batch mode, so that later
migrations can alter tables. The whole upgrade is one transaction on both databases.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from musclewise.diary.database import make_engine, resolve_url
from musclewise.diary.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations spell the package's own column types in plain SQLAlchemy types."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or None
    context.configure(
        url=resolve_url(url).render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = resolve_url(config.get_main_option("sqlalchemy.url") or None)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
