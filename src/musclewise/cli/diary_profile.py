"""``musclewise profile``: the person, their conditions and medicines."""

from __future__ import annotations

from typing import Any

import typer

from musclewise.cli.diary_common import (
    DATABASE_URL,
    FORMAT,
    JSON_FLAG,
    PERSON,
    open_diary,
    print_json,
    wants_json,
)
from musclewise.cli.formats import Format

app = typer.Typer(
    help="The person whose diary it is: shown without a command; set, medicine add/stop.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
medicine_app = typer.Typer(
    help="The person's medicines: add, stop, list.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(medicine_app, name="medicine")


def _show(profile: Any) -> None:
    def shown(value: object) -> str:
        if value is None:
            return "not known"
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)

    typer.echo(f"name:        {profile.name}")
    typer.echo(f"time zone:   {profile.timezone}")
    typer.echo(f"sex:         {shown(profile.sex)}")
    typer.echo(f"birth year:  {shown(profile.birth_year)}")
    typer.echo(f"pregnant:    {shown(profile.pregnant)}")
    typer.echo(f"conditions:  {', '.join(profile.conditions) or 'none recorded'}")
    typer.echo("medicines:" + ("" if profile.medicines else "   none recorded"))
    for m in profile.medicines:
        since = f" since {m.started_on}" if m.started_on else ""
        until = f", stopped {m.stopped_on}" if m.stopped_on else ""
        typer.echo(f"  {m.name}{since}{until}")
    if not profile.stored:
        typer.echo("(nothing stored yet: musclewise profile set --help)")


@app.callback()
def profile_command(
    ctx: typer.Context,
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Show the profile: time zone, sex, birth year, pregnancy, conditions and medicines."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"database_url": database_url, "person": person}
        return
    with open_diary(database_url, person) as diary:
        profile = diary.get_profile()
    if wants_json(output_format, json_flag):
        print_json({**profile.to_dict(), "stored": profile.stored})
    else:
        _show(profile)


def _where(ctx: typer.Context, database_url: str | None, person: str | None) -> tuple[Any, Any]:
    outer = ctx.find_root().obj or {}
    parent = ctx.parent.obj if ctx.parent is not None and ctx.parent.obj else outer
    return database_url or parent.get("database_url"), person or parent.get("person")


@app.command("set")
def set_command(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", help="Rename the person."),
    timezone: str | None = typer.Option(None, "--timezone", help="IANA zone, e.g. Europe/London."),
    sex: str | None = typer.Option(None, "--sex", help="female or male."),
    birth_year: int | None = typer.Option(None, "--birth-year", help="Year of birth."),
    pregnant: bool | None = typer.Option(
        None, "--pregnant/--not-pregnant", show_default=False, help="Pregnant now."
    ),
    condition: list[str] | None = typer.Option(
        None, "--condition", metavar="CONDITION", help="Add a known condition (repeat for more)."
    ),
    remove_condition: list[str] | None = typer.Option(
        None, "--remove-condition", metavar="CONDITION", help="Remove one."
    ),
    unset: list[str] | None = typer.Option(
        None, "--unset", metavar="FIELD", help="Forget sex, birth_year or pregnant."
    ),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Set the profile. Example: musclewise profile set --birth-year 1960 --sex female
    --timezone Europe/London --condition hypothyroidism"""  # fmt: skip
    from musclewise.errors import UsageError

    values: dict[str, Any] = {
        k: v for k, v in (("name", name), ("timezone", timezone), ("sex", sex),
                          ("birth_year", birth_year), ("pregnant", pregnant)) if v is not None
    }  # fmt: skip
    for field in unset or []:
        if field not in ("sex", "birth_year", "pregnant"):
            raise UsageError(f"--unset {field}: only sex, birth_year or pregnant can be unset")
        if field in values:
            raise UsageError(f"--unset {field}: that field is also being set")
        values[field] = None
    if not values and not condition and not remove_condition:
        raise UsageError("nothing to set: musclewise profile set --help lists the options")
    url, who = _where(ctx, database_url, person)
    with open_diary(url, who, write=True) as diary:
        profile = diary.set_profile(
            values, add_conditions=condition or (), remove_conditions=remove_condition or ()
        )
    if wants_json(output_format, json_flag):
        print_json(profile.to_dict())
    else:
        _show(profile)


@medicine_app.command("add")
def medicine_add_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help='The medicine as you would write it: "Lipitor 20mg".'),
    started: str | None = typer.Option(
        None, "--started", metavar="DATE", help="When it was started (2026-09-01)."
    ),
    unknown_ok: bool = typer.Option(
        False, "--unknown-ok", help="Keep a name musclewise does not know."
    ),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Add a medicine; the name is checked against the knowledge base ("did you mean ...?")."""  # fmt: skip
    from musclewise.diary.times import parse_day

    url, who = _where(ctx, database_url, person)
    with open_diary(url, who, write=True) as diary:
        started_on = parse_day(started, diary.timezone(), "--started") if started else None
        medicine, match = diary.add_medicine(name, started_on, allow_unknown=unknown_ok)
    if wants_json(output_format, json_flag):
        print_json({**medicine.to_dict(), "read_as": match.name, "classes": list(match.classes),
                    "how": match.how, "suggestion": match.suggestion})  # fmt: skip
        return
    typer.echo(f"Added {medicine.name}" + (f" (since {started_on})" if started_on else ""))
    if match.how == "fuzzy":
        typer.echo(f"  read as {match.name} (did you mean '{match.suggestion or match.name}'?)")
    elif match.how == "unknown":
        typer.echo("  musclewise does not know this name: it will not count in assessments")
    elif match.how == "vague":
        typer.echo("  too vague to tell the kind of medicine; the name is kept as typed")
    elif match.name and match.name.lower() != medicine.name.lower():
        typer.echo(f"  read as {match.name}")


@medicine_app.command("stop")
def medicine_stop_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The medicine, as added."),
    on: str | None = typer.Option(None, "--on", metavar="DATE", help="When (default: today)."),
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Record that a medicine was stopped."""
    from musclewise.diary.times import parse_day

    url, who = _where(ctx, database_url, person)
    with open_diary(url, who, write=True) as diary:
        day = parse_day(on, diary.timezone(), "--on") if on else None
        medicine = diary.stop_medicine(name, day)
    typer.echo(f"Stopped {medicine.name} on {medicine.stopped_on}")


@medicine_app.command("list")
def medicine_list_command(
    ctx: typer.Context,
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """List the medicines, current and stopped."""
    url, who = _where(ctx, database_url, person)
    with open_diary(url, who) as diary:
        medicines = diary.get_profile().medicines
    if wants_json(output_format, json_flag):
        print_json([m.to_dict() for m in medicines])
        return
    if not medicines:
        typer.echo("No medicines recorded.")
    for m in medicines:
        since = f" since {m.started_on}" if m.started_on else ""
        until = f", stopped {m.stopped_on}" if m.stopped_on else " (current)"
        typer.echo(f"{m.name}{since}{until}")
