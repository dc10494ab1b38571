"""``musclewise episodes``: list, show, edit, delete and reassess the episodes of the diary."""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any

import typer

from musclewise.cli.diary_common import (
    DATABASE_URL,
    FORMAT,
    JSON_FLAG,
    PERSON,
    TABLE_FORMAT,
    TRIAGE_LABELS,
    TableFormat,
    duration_text,
    episode_line,
    open_diary,
    print_banner,
    print_json,
    require_terminal,
    wants_json,
)
from musclewise.cli.formats import Format
from musclewise.errors import UsageError

app = typer.Typer(
    help="The episodes in the diary: list, show, edit, delete, reassess.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CSV_COLUMNS = ("id", "local_start", "tz", "site", "side", "pain", "duration_s", "kind", "triage",
               "knowledge_version", "notes")  # fmt: skip


@app.command("list")
def list_command(
    since: str | None = typer.Option(
        None, "--since", metavar="WHEN", help="From this date or time (2026-11-01, yesterday)."
    ),
    until: str | None = typer.Option(
        None, "--until", metavar="WHEN", help="Up to this date (inclusive) or time."
    ),
    site: str | None = typer.Option(None, "--site", help="Only this site."),
    kind: str | None = typer.Option(None, "--kind", help="Only this kind: cramp, spasm, other."),
    triage: str | None = typer.Option(
        None, "--triage", help="Only this level: self_care, see_doctor, urgent, emergency."
    ),
    limit: int | None = typer.Option(None, "--limit", help="At most this many (the newest)."),
    output_format: TableFormat | None = TABLE_FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """List episodes, oldest first.

    Examples:

      musclewise episodes list --since 2026-11-01 --site calf

      musclewise episodes list --kind cramp --format csv > cramps.csv
    """  # fmt: skip
    as_json = wants_json(output_format, json_flag)
    from musclewise.diary.times import parse_bound

    with open_diary(database_url, person) as diary:
        zone = diary.timezone()
        start = parse_bound(since, zone, "--since", end=False) if since else None
        end = parse_bound(until, zone, "--until", end=True) if until else None
        episodes = diary.list_episodes(
            since=start, until=end, site=site, kind=kind, triage=triage, limit=limit,
            newest_first=limit is not None,
        )  # fmt: skip
        if limit is not None:
            episodes.reverse()
    if not as_json:
        from musclewise.cli.diary_common import stale_notice

        stale_notice(episodes)
    if as_json:
        print_json([e.to_dict(assessment=False) for e in episodes])
    elif output_format is TableFormat.csv:
        import csv

        from musclewise.exchange.table import neutralise

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for e in episodes:
            row = {**e.to_dict(assessment=False), "local_start": e.local_start.isoformat()}
            writer.writerow([
                "" if row[c] is None else neutralise(row[c]) if isinstance(row[c], str)
                else row[c] for c in CSV_COLUMNS
            ])  # fmt: skip
    else:
        _table(episodes)


def _table(episodes: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from musclewise.cli.labels import SHORT_NAMES

    console = Console()
    if not episodes:
        console.print("No episodes.")
        return
    table = Table(show_edge=False, header_style="bold")
    for column in ("id", "when", "site", "side", "pain", "lasted", "what", "triage"):
        table.add_column(column, justify="right" if column in ("id", "pain") else "left")
    for e in episodes:
        table.add_row(
            str(e.id), f"{e.local_start:%Y-%m-%d %H:%M}", e.site.replace("_", " "), e.side or "",
            "" if e.pain is None else str(e.pain), duration_text(e.duration_s),
            SHORT_NAMES[e.kind], TRIAGE_LABELS[e.triage],
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(episodes)} episode(s)", style="dim")


@app.command("show")
def show_command(
    episode_id: int = typer.Argument(..., metavar="ID", help="The episode's id."),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Show one episode and its stored assessment."""
    with open_diary(database_url, person) as diary:
        episode = diary.get_episode(episode_id)
        findings = diary.findings_for(episode_id)
    if wants_json(output_format, json_flag):
        print_json({**episode.to_dict(), "logged": episode.given(), "assessed_on": findings})
        return
    from rich.console import Console
    from rich.text import Text

    from musclewise.cli.render import render_assessment

    console = Console()
    console.print(Text(episode_line(episode), style="bold"))
    if episode.notes:
        console.print(Text(f"notes: {episode.notes}"))
    console.print(
        Text(f"assessed with knowledge base {episode.knowledge_version}, "
             f"last changed {episode.updated_at:%Y-%m-%d %H:%M} UTC", style="dim")
    )  # fmt: skip
    # what was logged with the episode: the profile and day's context merged in when it was
    # assessed are not stored, and may have changed since (a day recorded later, say)
    render_assessment(
        episode.assessment, episode.given(), console=console,
        based_on="Based on what was logged (with the profile and days known then): ",
    )  # fmt: skip
    _offer_reassess(episode, findings, console)


def _offer_reassess(episode: Any, findings: dict[str, Any], console: Any) -> None:
    """Say when assessing the episode again, with what the diary holds now, would change it."""
    from rich.text import Text

    from musclewise.assessment import assess_valid
    from musclewise.cli.labels import KIND_NAMES
    from musclewise.findings import validate_findings

    now = assess_valid(validate_findings(findings))
    level = now["triage"]["level"]
    if (now["kind"], level) == (episode.kind, episode.triage) and (
        now["knowledge_version"] == episode.knowledge_version
    ):
        return
    console.print(Text(
        f"\nWith what the diary holds now (profile, medicines, the day's context), it would be "
        f"assessed as {KIND_NAMES[now['kind']]}, {TRIAGE_LABELS[level]} "
        f"(knowledge base {now['knowledge_version']}). To keep that: "
        f"musclewise episodes reassess {episode.id}", style="bold"))  # fmt: skip


def edit_command(
    episode_id: int = typer.Argument(..., metavar="ID", help="The episode's id."),
    site: str | None = typer.Option(None, "--site", help="Where."),
    side: str | None = typer.Option(None, "--side", help="left, right or both."),
    pain: int | None = typer.Option(None, "--pain", help="How painful, 0 to 10."),
    duration: str | None = typer.Option(None, "--duration", help="How long: 90s, 2m, 1m30s."),
    at: str | None = typer.Option(
        None, "--at", metavar="WHEN", help="When it started (in the episode's time zone)."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Your notes."),
    set_: list[str] | None = typer.Option(
        None, "--set", metavar="KEY=VALUE", help="Any findings key, e.g. --set swelling=true."
    ),
    unset: list[str] | None = typer.Option(
        None, "--unset", metavar="KEY", help="Forget a field or findings key."
    ),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
    **flags: Any,
) -> None:
    """Change an episode and assess it again.

    Example: musclewise episodes edit 12 --pain 6 --swelling --stretch-helps
    """  # fmt: skip
    from musclewise.cli.assess import ONSET_SHORTCUTS, findings_from_options
    from musclewise.cli.parsing import parse_duration

    as_json = wants_json(output_format, json_flag)
    onsets = [ONSET_SHORTCUTS[n][1] for n in ONSET_SHORTCUTS if flags.pop(n, False)]
    given = {k: v for k, v in flags.items() if v is not None}
    changes: dict[str, Any] = findings_from_options(given, onsets, set_ or [])
    for key, value in (("site", site), ("side", side), ("pain", pain), ("notes", notes)):
        if value is not None:
            changes[key] = value
    if duration is not None:
        changes["duration_s"] = parse_duration(duration)
    with open_diary(database_url, person, write=True) as diary:
        if at is not None:
            from musclewise.diary.times import parse_when

            changes["started_at"] = parse_when(at, diary.get_episode(episode_id).tz)
        if not changes and not unset:
            raise UsageError("nothing to change: give --pain, --site, --set KEY=VALUE, ...")
        before = diary.get_episode(episode_id)
        episode = diary.edit_episode(episode_id, changes, unset=unset or ())
    if as_json:
        print_json(episode.to_dict())
        return
    from rich.console import Console
    from rich.text import Text

    console = Console()
    print_banner(episode.assessment, console)
    console.print(Text(f"Changed {episode_line(episode)}"))
    if (before.kind, before.triage) != (episode.kind, episode.triage):
        console.print(
            f"  (was {before.kind}, {TRIAGE_LABELS[before.triage]})", style="dim", highlight=False
        )


def _edit_parameters() -> list[inspect.Parameter]:
    """edit_command's own parameters, then every findings flag ``log`` has."""
    from musclewise.cli.assess import ONSET_SHORTCUTS, OPTIONS
    from musclewise.cli.diary import LOG_SKIPS

    own = [p for p in inspect.signature(edit_command).parameters.values()
           if p.kind is not inspect.Parameter.VAR_KEYWORD]  # fmt: skip
    hints = typing.get_type_hints(edit_command)
    own = [p.replace(annotation=hints[p.name]) for p in own]

    def flag(name: str, annotation: Any, default: Any) -> inspect.Parameter:
        return inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
        )

    extra = [
        flag(name, bool, typer.Option(False, option, help=text, rich_help_panel="Findings"))
        for name, (option, _, text) in ONSET_SHORTCUTS.items()
    ]
    extra += [
        flag(opt.key, opt.kind | None, typer.Option(
            None, *opt.flags.split(" "), help=opt.help, rich_help_panel=opt.panel,
            show_default=False))
        for opt in OPTIONS if opt.key not in LOG_SKIPS
    ]  # fmt: skip
    return [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.name != "episode_id" else p
            for p in own] + extra  # fmt: skip


edit_command.__signature__ = inspect.Signature(_edit_parameters())  # type: ignore[attr-defined]
edit_command.__annotations__ = {
    p.name: p.annotation
    for p in edit_command.__signature__.parameters.values()  # type: ignore[attr-defined]
}
app.command("edit")(edit_command)


@app.command("delete")
def delete_command(
    episode_id: int = typer.Argument(..., metavar="ID", help="The episode's id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Delete an episode (asks first; --yes for scripts)."""
    with open_diary(database_url, person, write=True) as diary:
        episode = diary.get_episode(episode_id)
        if not yes:
            require_terminal("episodes delete", "add --yes to delete without being asked")
            typer.echo(episode_line(episode))
            if not typer.confirm("Delete this episode?", default=False):
                typer.echo("Kept.")
                raise typer.Exit(1)
        diary.delete_episode(episode_id)
    typer.echo(f"Deleted episode {episode_id}.")


@app.command("reassess")
def reassess_command(
    episode_ids: list[int] | None = typer.Argument(
        None, metavar="[ID]...", help="The episodes to assess again."
    ),
    all_: bool = typer.Option(False, "--all", help="Assess every episode again."),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Assess episodes again with the current knowledge base and profile; report what changed."""  # fmt: skip
    if bool(episode_ids) == all_:
        raise UsageError("say which episodes: give their ids, or --all")
    with open_diary(database_url, person, write=True) as diary:
        report = diary.reassess(None if all_ else episode_ids)
    if wants_json(output_format, json_flag):
        print_json(report.to_dict())
        return
    typer.echo(
        f"Assessed {report.checked} episode(s) again with knowledge base "
        f"{report.knowledge_version}: {report.updated} assessment(s) changed, "
        f"{report.changed_kind} changed kind, {report.changed_triage} changed triage."
    )
    for change in report.changes:
        parts = []
        if change.kind_before != change.kind_after:
            parts.append(f"kind {change.kind_before} → {change.kind_after}")
        if change.triage_before != change.triage_after:
            parts.append(f"triage {TRIAGE_LABELS[change.triage_before]} → "
                         f"{TRIAGE_LABELS[change.triage_after]}")  # fmt: skip
        typer.echo(f"  #{change.id}: {', '.join(parts)}")
