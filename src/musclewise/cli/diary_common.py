"""What the diary commands share: the database and person options, opening the diary, and
the small pieces of output (JSON, the triage banner, one line per episode)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from musclewise.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from musclewise.diary import Diary, EpisodeRecord

DATABASE_PANEL = "Database"

DATABASE_URL = typer.Option(
    None,
    "--database-url",
    metavar="URL",
    help="sqlite:///PATH or postgresql+psycopg://USER@HOST/DB. Default: MUSCLEWISE_DATABASE_URL, "
    "else diary.sqlite3 in the user data folder (MUSCLEWISE_DATA_DIR moves it).",
    rich_help_panel=DATABASE_PANEL,
    show_default=False,
)
PERSON = typer.Option(
    None,
    "--person",
    metavar="NAME",
    envvar="MUSCLEWISE_PERSON",
    help="Whose diary (default: the only one in the database, or 'me').",
    rich_help_panel=DATABASE_PANEL,
    show_default=False,
)
JSON_FLAG = typer.Option(False, "--json", help="Print JSON (the same as --format json).")


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT = typer.Option(None, "--format", "-f", help="text for people, json for scripts.")
TABLE_FORMAT = typer.Option(None, "--format", "-f", help="table, json or csv.")

TRIAGE_LABELS = {
    "self_care": "self-care",
    "see_doctor": "see a doctor",
    "urgent": "urgent",
    "emergency": "EMERGENCY",
}


def wants_json(output_format: StrEnum | None, json_flag: bool) -> bool:
    if json_flag and output_format is not None and output_format.value != "json":
        raise UsageError(f"--json and --format {output_format.value} do not go together")
    return json_flag or (output_format is not None and output_format.value == "json")


def open_diary(database_url: str | None, person: str | None, *, write: bool = False) -> Diary:
    """The diary for a command. A read (``write`` False) creates nothing: no folder, no
    file. Neither starts a diary for a ``person`` the database does not hold when it holds
    someone (``musclewise person add NAME`` does that)."""
    from musclewise.diary import Diary

    return Diary(database_url, person=person, create=write, new_person=False)


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def require_terminal(what: str, instead: str) -> None:
    """Refuse to ask questions when nobody can answer them (no terminal on standard input)."""
    if not sys.stdin.isatty():
        raise UsageError(f"{what} needs a terminal to ask its questions", hint=instead)


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    parts += [f"{secs} s"] if secs or not parts else []
    return " ".join(parts)


def episode_line(episode: EpisodeRecord) -> str:
    from musclewise.cli.labels import KIND_NAMES, percent

    side = f" ({episode.side})" if episode.side else ""
    pain = f", pain {episode.pain}/10" if episode.pain is not None else ""
    duration = f", {duration_text(episode.duration_s)}" if episode.duration_s is not None else ""
    probability = episode.assessment.get("probabilities", {}).get(episode.kind)
    likely = f" {percent(probability)}" if isinstance(probability, float) else ""
    return (
        f"#{episode.id} {episode.local_start:%Y-%m-%d %H:%M} {episode.site.replace('_', ' ')}"
        f"{side}{pain}{duration}: {KIND_NAMES[episode.kind]}{likely}, "
        f"{TRIAGE_LABELS[episode.triage]}"
    )


def print_banner(assessment: Mapping[str, Any], console: Console) -> None:
    """The triage banner of ``musclewise assess`` and the reasons, when above self-care."""
    from rich.panel import Panel
    from rich.text import Text

    from musclewise.cli.labels import BANNER

    triage = assessment.get("triage") or {}
    level = triage.get("level", "self_care")
    if level not in BANNER or level == "self_care":
        return
    title, style, advice = BANNER[level]
    console.print(Panel(Text(advice, style="bold"), title=title, style=style, expand=True))
    for reason in (triage.get("reasons") or [])[:4]:
        console.print(Text(f"  • {reason.get('text', '')}"))


def stale_notice(episodes: Sequence[EpisodeRecord]) -> None:
    """Say, on standard error, when some of these episodes were assessed with another
    knowledge base version (counted among them: the cost does not grow with the diary)."""
    from musclewise.knowledge import load_knowledge

    version = load_knowledge().version
    stale = sum(e.knowledge_version != version for e in episodes)
    if stale:
        sys.stderr.write(
            f"note: {stale} episode(s) were assessed with another knowledge base version; "
            "musclewise episodes reassess --all assesses them again\n"
        )
