"""``musclewise demo``: an example diary in an empty database, to try the diary commands on."""

from __future__ import annotations

from pathlib import Path

import typer

from musclewise.cli.diary_common import DATABASE_PANEL, TRIAGE_LABELS, print_json
from musclewise.diary.demo import DEFAULT_MONTHS, DEFAULT_SEED, MAX_MONTHS

DEMO_FILE = "demo.sqlite3"


def demo_command(
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        metavar="URL",
        help=f"An empty database to fill (sqlite:///PATH or postgresql+psycopg://...). Default: "
        f"{DEMO_FILE} in the user data folder (MUSCLEWISE_DATA_DIR moves it), never your diary.",
        rich_help_panel=DATABASE_PANEL,
        show_default=False,
    ),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="The same seed gives the same diary."),
    months: int = typer.Option(
        DEFAULT_MONTHS, "--months", min=1, max=MAX_MONTHS, help="How many months of diary."
    ),
    end: str | None = typer.Option(
        None,
        "--end",
        metavar="DATE",
        help="The diary's last day: 2026-11-20, yesterday (default: today in Europe/London).",
        show_default=False,
    ),
    json_flag: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Fill an empty database with a realistic example diary of a year.

    A woman born in 1961 with calf cramps at night, more of them the night after a hard run,
    and steadily more over the year (she starts atorvastatin half-way through, which adds
    nothing of its own); her day's context on most days; a stressful week with eyelid
    twitching. Every episode is assessed as musclewise log would. A database that already
    holds a diary is refused.

    Example: musclewise demo --database-url sqlite:///demo.sqlite3, then
    musclewise insights --database-url sqlite:///demo.sqlite3 and
    musclewise report --database-url sqlite:///demo.sqlite3 -o demo.pdf
    """  # fmt: skip
    from musclewise.diary import Diary
    from musclewise.diary.demo import PERSON, TIMEZONE, fill_demo
    from musclewise.diary.times import parse_day

    url = database_url or _default_url()
    last = parse_day(end, TIMEZONE, "--end") if end is not None else None
    with Diary(url, person=PERSON) as diary:
        summary = fill_demo(diary, seed=seed, months=months, end=last)
    if json_flag:
        print_json(summary.to_dict())
        return
    from musclewise.cli.labels import SHORT_NAMES

    profile = summary.profile
    episodes = ", ".join(f"{n} {SHORT_NAMES[k]}{'' if n == 1 else 'es' if k == 'spasm' else 's'}"
                         for k, n in summary.episodes.items())  # fmt: skip
    triage = ", ".join(f"{n} {TRIAGE_LABELS[level]}" for level, n in summary.triage.items())
    medicines = ", ".join(f"{name} from {day}" for name, day in summary.medicines)
    sites = ", ".join(f"{site.replace('_', ' ')} {n}" for site, n in summary.sites.items())
    shown = summary.database  # the password, if any, masked
    lines = [
        f"Filled {summary.database} with a demo diary (seed {summary.seed}):",
        f"  person     {summary.person}: {profile['sex']}, born {profile['birth_year']}, "
        f"{profile['timezone']}",
        f"  days       {summary.start} to {summary.end}: {summary.days} days, "
        f"{summary.days_recorded} with their context",
        f"  episodes   {sum(summary.episodes.values())}: {episodes} ({triage})",
        f"  sites      {sites}",
        f"  medicines  {medicines}",
        f"  a stressful week from {summary.stress_week}",
        "Look at it (every command needs the same --database-url; without it musclewise uses "
        "your own diary):",
        f"  musclewise insights --database-url '{shown}' --until {summary.end}",
        f"  musclewise report --database-url '{shown}' --until {summary.end} -o demo-report.pdf",
        f"  musclewise episodes list --database-url '{shown}' --site calf --since "
        f"{summary.end.replace(day=1)}",
        f"  musclewise day {summary.end} --database-url '{shown}'",
    ]
    typer.echo("\n".join(lines))


def _default_url() -> str:
    """``demo.sqlite3`` beside the default diary (``MUSCLEWISE_DATA_DIR`` moves both)."""
    from musclewise.diary import database

    diary_file = database.sqlite_path(database.resolve_url(database.default_url()))
    assert diary_file is not None
    return f"sqlite:///{Path(diary_file).with_name(DEMO_FILE)}"
