"""``musclewise db``: which database, its migration state, and migrating it."""

from __future__ import annotations

import typer

from musclewise.cli.diary_common import (
    DATABASE_URL,
    FORMAT,
    JSON_FLAG,
    print_json,
    wants_json,
)
from musclewise.cli.formats import Format

app = typer.Typer(
    help="The diary's database: which one, its migration state, migrating it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("status")
def status_command(
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Say which database is used (password masked) and whether it is migrated."""
    from musclewise.diary import database

    url = database.resolve_url(database_url)
    path = database.sqlite_path(url)
    if path is not None and not path.exists():
        result = {
            "url": database.masked(url),
            "backend": "sqlite",
            "revision": None,
            "head": database.HEAD,
            "state": "not created yet (created on first use)",
        }
    else:
        engine = database.make_engine(url)
        try:
            result = database.status(engine).to_dict()
        finally:
            engine.dispose()
    if wants_json(output_format, json_flag):
        print_json(result)
        return
    typer.echo(f"database: {result['url']}")
    typer.echo(f"backend:  {result['backend']}")
    revision = result["revision"] or "none"
    typer.echo(f"revision: {revision} (this musclewise: {result['head']}): {result['state']}")


@app.command("upgrade")
def upgrade_command(database_url: str | None = DATABASE_URL) -> None:
    """Migrate the database to this musclewise's revision, in one transaction."""
    from musclewise.diary import database
    from musclewise.diary.errors import DatabaseError

    url = database.resolve_url(database_url)
    engine = database.make_engine(url)
    try:
        before = database.status(engine).revision
        if before is not None and before > database.HEAD:
            raise DatabaseError(
                f"the database {database.masked(url)} is at revision {before}, newer than "
                f"this musclewise knows ({database.HEAD})",
                hint="upgrade musclewise",
            )
        if before == database.HEAD:
            typer.echo(f"{database.masked(url)} is already at revision {database.HEAD}")
            return
        with database.connection_errors(url):
            database.upgrade(engine)
    finally:
        engine.dispose()
    typer.echo(f"migrated {database.masked(url)} from {before or 'empty'} to {database.HEAD}")
