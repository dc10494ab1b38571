"""``musclewise person``: the people with a diary in the database, and starting a new one.

A new person is an explicit step, so that a mistyped ``--person`` is an error with
suggestions rather than a second, empty diary.
"""

from __future__ import annotations

import typer

from musclewise.cli.diary_common import DATABASE_URL, JSON_FLAG, open_diary, print_json

app = typer.Typer(
    no_args_is_help=True,
    help="The people with a diary here: list them, or start a diary for someone new.",
)


@app.command("add")
def add_command(
    name: str = typer.Argument(..., metavar="NAME", help="The new person's name."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Start a diary for a new person; then give --person NAME to the other commands."""
    with open_diary(database_url, None, write=True) as diary:
        diary.add_person(name)
        shown = diary.person
    typer.echo(f"Started a diary for {shown}; use --person '{shown}' with the other commands.")


@app.command("list")
def list_command(
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
) -> None:
    """The people with a diary in this database."""
    with open_diary(database_url, None) as diary:
        names = diary.people()
    if json_flag:
        print_json(names)
    elif names:
        typer.echo("\n".join(names))
    else:
        typer.echo("Nobody has a diary here yet.")
