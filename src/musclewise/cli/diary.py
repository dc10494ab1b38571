"""The diary commands: ``log``, ``episodes``, ``day``, ``profile``, ``db``, ``export``,
``import``, ``backup`` and ``demo``.

Each is a thin shell over :class:`musclewise.diary.Diary` (``log``, on a SQLite file that is new
or at head, over :mod:`musclewise.diary.lite`, which does without SQLAlchemy); everything a
command writes is one transaction. ``register`` adds them to the ``musclewise`` app.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import typer

from musclewise.cli.assess import ONSET_SHORTCUTS, OPTIONS, Opt
from musclewise.cli.diary_common import (
    DATABASE_URL,
    FORMAT,
    JSON_FLAG,
    PERSON,
    episode_line,
    open_diary,
    print_banner,
    print_json,
    require_terminal,
    wants_json,
)
from musclewise.cli.formats import Format
from musclewise.errors import MusclewiseError, UsageError

LOG_SKIPS = {"site", "pain", "duration_s", "side", "age", "sex", "pregnant", "medications",
             "conditions"}  # fmt: skip
"""Findings options of ``assess`` that ``log`` does not repeat (arguments or the profile's)."""
SIDES = {"left": "--left", "right": "--right", "both": "--both"}


def register(app: typer.Typer, only: str | None = None) -> None:
    """Add the diary commands to the ``musclewise`` app (``only``: just that one, importing
    nothing the others need, so that ``log`` starts without ``demo``'s modules)."""
    import importlib

    commands = {
        "log": ("diary", "log_command"),
        "episodes": ("diary_episodes", "app"),
        "day": ("diary_day", "day_command"),
        "profile": ("diary_profile", "app"),
        "person": ("diary_person", "app"),
        "db": ("diary_db", "app"),
        "export": ("diary_transfer", "export_command"),
        "import": ("diary_transfer", "import_command"),
        "backup": ("diary_transfer", "backup_command"),
        "demo": ("diary_demo", "demo_command"),
    }
    for name in commands if only is None else (only,):
        module, attribute = commands[name]
        found = getattr(importlib.import_module(f"musclewise.cli.{module}"), attribute)
        if isinstance(found, typer.Typer):
            app.add_typer(found, name=name)
        else:
            app.command(name, no_args_is_help=False)(found)


def _parameters() -> list[inspect.Parameter]:
    def param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
        return inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
        )

    positional = [
        ("site", "Where: calf, foot, thigh_back, eyelid, ... (leave out to be asked)."),
        ("pain", "How painful, 0 to 10."),
        ("duration", "How long it lasted: 90s, 2m, 1m30s."),
    ]
    params = [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=typer.Argument(None, help=text, show_default=False, metavar=name.upper()),
            annotation=str | None,
        )
        for name, text in positional
    ]
    for name, metavar, text in (
        ("site_option", "SITE", "The same as SITE (as musclewise assess takes it)."),
        ("pain_option", "PAIN", "The same as PAIN."),
        ("duration_option", "DURATION", "The same as DURATION."),
        ("side_option", "left|right|both", "The same as --left, --right or --both."),
    ):
        flag = "--" + name.removesuffix("_option")
        params.append(param(name, str | None, typer.Option(
            None, flag, metavar=metavar, help=text, show_default=False)))  # fmt: skip
    for side, flag in SIDES.items():
        params.append(param(side, bool, typer.Option(False, flag, help=f"Side: {side}.")))
    params.append(
        param("at", str | None, typer.Option(
            None, "--at", metavar="WHEN", show_default=False,
            help='When it started, in your time zone: "03:10", "yesterday 22:45", '
            '"2026-11-20 03:10" (default: now).'))
    )  # fmt: skip
    for name, (flag, _, help_text) in ONSET_SHORTCUTS.items():
        params.append(param(name, bool, typer.Option(False, flag, help=help_text)))
    params.append(param("notes", str | None, typer.Option(None, "--notes", help="Your notes.")))
    for opt in OPTIONS:
        if opt.key in LOG_SKIPS:
            continue
        params.append(
            param(opt.key, opt.kind | None, typer.Option(
                None, *opt.flags.split(" "), help=opt.help, rich_help_panel=opt.panel,
                show_default=False))
        )  # fmt: skip
    params += [
        param("set_", list[str] | None, typer.Option(
            None, "--set", metavar="KEY=VALUE",
            help="Any other findings key of the contract, e.g. --set fever=true (JSON values).")),
        param("details", bool, typer.Option(
            False, "--details", help="Show the whole assessment, as musclewise assess does.")),
        param("output_format", Format | None, FORMAT),
        param("json_flag", bool, JSON_FLAG),
        param("database_url", str | None, DATABASE_URL),
        param("person", str | None, PERSON),
    ]  # fmt: skip
    return params


def _log(**values: Any) -> None:
    from musclewise.cli.assess import findings_from_options
    from musclewise.cli.parsing import parse_duration

    as_json = wants_json(values.pop("output_format"), values.pop("json_flag"))
    details: bool = values.pop("details")
    from musclewise.diary.lite import open_sqlite_diary

    database_url, person = values.pop("database_url"), values.pop("person")
    # a SQLite file that is new or at head: sqlite3 alone (start-up); anything else: the ORM
    diary = open_sqlite_diary(database_url, person) or open_diary(database_url, person, write=True)
    with diary:
        site, pain_text, duration_text = (
            _either(values, "site"),
            _either(values, "pain"),
            _either(values, "duration"),
        )
        sides = [side for side in SIDES if values.pop(side)]
        side_option = values.pop("side_option")
        if side_option is not None:
            if side_option not in SIDES:
                raise UsageError(f"--side: '{side_option}' is not left, right or both")
            if side_option not in sides:
                sides.append(side_option)
        if len(sides) > 1:
            raise UsageError("give one side only (--left, --right or --both)")
        at, notes, settings = values.pop("at"), values.pop("notes"), values.pop("set_") or []
        onset_flags = [ONSET_SHORTCUTS[n][1] for n in ONSET_SHORTCUTS if values.pop(n)]
        given = {k: v for k, v in values.items() if v is not None}
        findings = findings_from_options(given, onset_flags, settings)
        if site is None:
            if pain_text is not None or duration_text is not None:
                raise UsageError("give SITE first: musclewise log SITE PAIN DURATION")
            site, pain_text, duration_text, side, at = _ask(diary.timezone(), at, sides)
            sides = [side] if side else []
        elif pain_text is None or duration_text is None:
            raise UsageError(
                "give SITE, PAIN and DURATION, e.g. musclewise log calf 7 90s",
                hint="or --site calf --pain 7 --duration 90s; or run musclewise log without "
                "arguments to be asked",
            )
        pain = _pain(pain_text)
        duration_s = parse_duration(duration_text, "DURATION")
        from musclewise.diary.times import parse_when

        started_at = parse_when(at, diary.timezone()) if at else None
        episode = diary.add_episode(
            site, pain=pain, duration_s=duration_s, side=sides[0] if sides else None,
            started_at=started_at, findings=findings, notes=notes,
        )  # fmt: skip
    if as_json:
        print_json(episode.to_dict())
        return
    saved = f"Saved {episode_line(episode)}"
    more = f"The whole assessment: musclewise episodes show {episode.id}"
    if not details and episode.triage == "self_care" and not sys.stdout.isatty():
        # plain lines to a pipe or a file (rich would print them without style anyway): a
        # script logging episodes starts without importing rich
        sys.stdout.write(f"{saved}\n{more}\n")
        return
    from rich.console import Console
    from rich.text import Text

    console = Console()
    if details:
        from musclewise.cli.render import render_assessment

        render_assessment(episode.assessment, episode.given(), console=console)
    else:
        print_banner(episode.assessment, console)
    console.print(Text(saved))
    if not details:
        console.print(Text(more, style="dim"))


def _either(values: dict[str, Any], name: str) -> str | None:
    """The argument ``name`` (SITE, PAIN, DURATION) or its option (``--site``...), which must
    not disagree when both are given."""
    argument: str | None = values.pop(name)
    option: str | None = values.pop(f"{name}_option")
    if argument is not None and option is not None and argument != option:
        raise UsageError(
            f"{name.upper()} is given twice: '{argument}' and --{name} '{option}'",
            hint="give it once",
        )
    return argument if argument is not None else option


def _pain(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"PAIN: '{text}' is not a whole number from 0 to 10") from None


def _ask(
    zone_name: str, at: str | None, sides: list[str]
) -> tuple[str, str, str, str | None, str | None]:
    """Ask for each field of an episode (only in a terminal)."""
    require_terminal(
        "musclewise log without SITE", "give the episode on one line: musclewise log calf 7 90s"
    )
    from rich.prompt import IntPrompt, Prompt

    from musclewise.cli.parsing import parse_duration
    from musclewise.diary.times import parse_when
    from musclewise.findings import SITES

    site = Prompt.ask("Where was it", choices=list(SITES), show_choices=True)
    pain = IntPrompt.ask("How painful, 0 (none) to 10 (worst)", choices=[str(i) for i in range(11)],
                         show_choices=False)  # fmt: skip
    while True:
        duration = Prompt.ask("How long did it last (90s, 2m, 1m30s)")
        try:
            parse_duration(duration, "duration")
            break
        except MusclewiseError as exc:
            typer.echo(f"  {exc.message}", err=True)
    side = sides[0] if sides else Prompt.ask(
        "Which side", choices=["left", "right", "both", "-"], default="-"
    )  # fmt: skip
    if at is None:
        while True:
            at = Prompt.ask('When did it start ("now", "03:10", "yesterday 22:45")', default="now")
            try:
                parse_when(at, zone_name)
                break
            except MusclewiseError as exc:
                typer.echo(f"  {exc.message}", err=True)
    return site, str(pain), duration, None if side == "-" else side, at


log_command = _log
log_command.__signature__ = inspect.Signature(_parameters())  # type: ignore[attr-defined]
log_command.__annotations__ = {
    p.name: p.annotation
    for p in log_command.__signature__.parameters.values()  # type: ignore[attr-defined]
}
log_command.__doc__ = """Record an episode in the diary, assess it, and keep both.

Examples:

  musclewise log calf 7 90s --left --at-night

  musclewise log --site calf --pain 7 --duration 90s    (the same, as assess takes it)

  musclewise log eyelid 0 5s --at "yesterday 22:45" --set ongoing_days=3

  musclewise log            (asks for each field)

The person (age, sex, medicines, conditions) comes from musclewise profile; the day's context
from musclewise day.
"""

__all__ = ["Opt", "log_command", "register"]
