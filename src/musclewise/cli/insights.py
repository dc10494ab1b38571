"""``musclewise insights`` and ``musclewise report``: what the diary shows, in the terminal, as
JSON, as charts, and as a report for a doctor (PDF or HTML)."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

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
from musclewise.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from musclewise.insights.summary import Summary

SINCE = typer.Option(
    None, "--since", metavar="DATE", help="First day of the period (2026-05-01; default: the "
    "diary's first day)."
)  # fmt: skip
UNTIL = typer.Option(
    None, "--until", metavar="DATE", help="Last day of the period, inclusive (default: today)."
)
LEVEL_STYLES = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "see_doctor": "bold black on yellow",
    "self_care": "bold black on green",
}


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"


def _period(
    diary_zone: str, since: str | None, until: str | None
) -> tuple[date | None, date | None]:
    from musclewise.diary.times import parse_day

    start = parse_day(since, diary_zone, "--since") if since else None
    end = parse_day(until, diary_zone, "--until") if until else None
    if start and end and end < start:
        raise UsageError(f"--until {end} is before --since {start}")
    return start, end


def _summary(
    database_url: str | None, person: str | None, since: str | None, until: str | None
) -> Summary:
    from musclewise.insights.diary import load
    from musclewise.insights.summary import summarise

    with open_diary(database_url, person) as diary:
        start, end = _period(diary.timezone(), since, until)
        data = load(diary, start, end)
    if not data.episodes and not data.context:
        _nothing(since is not None or until is not None, data.start, data.end)
    return summarise(data)


def _nothing(period: bool, start: date, end: date) -> None:
    """An empty diary (or period) is said, with what to do, rather than shown as zeros."""
    if period:
        raise UsageError(
            f"nothing recorded from {start} to {end}: no episodes and no days",
            hint="widen --since/--until, or leave them out for the whole diary",
        )
    raise UsageError(
        "this diary is empty: no episodes and no days recorded yet, so there is nothing to show",
        hint="log an episode (musclewise log calf), or try the example diary: musclewise demo, "
        "then musclewise insights --database-url URL (the URL demo prints)",
    )


def insights_command(
    since: str | None = SINCE,
    until: str | None = UNTIL,
    charts: Path | None = typer.Option(
        None, "--charts", metavar="DIR", help="Also write the charts (SVG) into DIR."
    ),
    png: bool = typer.Option(False, "--png", help="With --charts, PNG files as well."),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """What the diary shows: warning patterns over time, possible triggers, and counts.

    Triggers compare episodes on days with and without each factor of the day's context
    (and each medicine); they show association, not cause, and need enough days first.

    Examples:

      musclewise insights

      musclewise insights --since 2026-05-01 --charts charts/ --png

      musclewise insights --format json
    """  # fmt: skip
    as_json = wants_json(output_format, json_flag)
    if png and charts is None:
        raise UsageError("--png needs --charts DIR")
    summary = _summary(database_url, person, since, until)
    written = _write_charts(summary, charts, png) if charts is not None else []
    if as_json:
        result = summary.to_dict()
        if written:
            result["charts"] = [str(p) for p in written]
        print_json(result)
        return
    from rich.console import Console

    console = Console(highlight=False)
    show(summary, console)
    for path in written:
        console.print(f"wrote {path}", style="dim")


def _write_charts(summary: Summary, folder: Path, png: bool) -> list[Path]:
    from musclewise.insights.report import make_charts

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--charts: {folder} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--charts: cannot make {folder}: {exc.strerror}") from None
    written = []
    for fmt in ("svg", "png") if png else ("svg",):
        for chart in make_charts(summary, fmt):
            path = folder / f"{chart.name}.{fmt}"
            _write_atomic(path, chart.image, "--charts")
            written.append(path)
    return written


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def show(summary: Summary, console: Console) -> None:
    """The findings in the terminal: patterns first with their level, then triggers, then
    counts."""
    from rich.table import Table
    from rich.text import Text

    from musclewise.insights.report import LEVEL_BADGES, duration_text, site_name
    from musclewise.insights.summary import KIND_WORDS, LEVEL_WORDS

    d = summary.data
    console.print(
        Text(f"Your diary from {d.start} to {d.end} ({plural(d.days, 'day')}, {len(d.episodes)} "
             f"episodes, day context on {len(d.context)} days)", style="bold")
    )  # fmt: skip
    console.print()
    console.print(Text("Warning patterns", style="bold underline"))
    if not summary.patterns:
        console.print("  None of the warning patterns over time was found.")
    for p in summary.patterns:
        line = Text("  ")
        line.append(f" {LEVEL_BADGES[p.level]} ", style=LEVEL_STYLES[p.level])
        line.append(" " + p.text)
        console.print(line)
        console.print(Text("    Sources: " + "; ".join(s.title for s in p.sources), style="dim"))
    console.print()
    console.print(Text("Possible triggers (association, not cause)", style="bold underline"))
    found = summary.triggers
    if found:
        for f in found:
            console.print(f"  • {f.sentence}")
    elif summary.tested:
        console.print("  No factor went with clearly more episodes.")
    console.print(Text("  " + summary.bh_statement(), style="dim"))
    if summary.sensitivity:
        console.print(Text("  " + summary.sensitivity_text(), style="dim"))
    if summary.few:
        kinds = " or ".join(KIND_WORDS[k] for k in summary.few)
        console.print(Text(f"  No {kinds} logged in the period: none compared.", style="dim"))
    if summary.waiting:
        console.print(
            Text("  Not enough data yet: " + "; ".join(w.text() for w in summary.waiting) + ".",
                 style="dim")
        )  # fmt: skip
    if summary.recording:
        console.print()
        console.print(Text("How the diary was recorded", style="bold underline"))
        for note in dict.fromkeys(r.text for r in summary.recording):
            console.print(Text(f"  ! {note}"))
    console.print()
    console.print(Text("Counts", style="bold underline"))
    table = Table(show_edge=False, header_style="bold")
    for column in ("kind", "episodes", "a week", "days with", "trend"):
        table.add_column(column, justify="left" if column in ("kind", "trend") else "right")
    for c in summary.counts:
        if c.kind == "other" and not c.episodes:
            continue
        table.add_row(KIND_WORDS[c.kind], str(c.episodes), f"{c.per_week:.1f}",
                      str(c.days_with), c.trend_text())  # fmt: skip
    console.print(table)
    if summary.sites:
        console.print(
            "  Where: " + ", ".join(f"{site_name(s.site)} {s.total}" for s in summary.sites)
        )
    if summary.worst:
        console.print("  Worst: " + "; ".join(
            f"{e.local_start:%Y-%m-%d} {site_name(e.site)}, pain "
            f"{'?' if e.pain is None else e.pain}, {duration_text(e.duration_s) or '?'} "
            f"({LEVEL_WORDS[e.triage]})" for e in summary.worst[:3]))  # fmt: skip
    linked = [m for m in summary.medicines if m.cramp_linked]

    if linked:
        console.print(
            Text("  Medicines whose class is linked to cramps in published sources: "
                 + ", ".join(f"{m.name} ({', '.join(c.name for c in m.classes if c.cramp_linked)})"
                             for m in linked))
        )  # fmt: skip
        sources = dict.fromkeys(s.title for m in linked for c in m.classes if c.cramp_linked
                                for s in c.sources)  # fmt: skip
        if sources:
            console.print(Text("    Sources: " + "; ".join(sources), style="dim"))
    for m in summary.medicines:
        if m.diary:
            console.print(Text(f"  In this diary: {m.diary}"))


def report_command(
    output: Path = typer.Option(
        ..., "--output", "-o", metavar="FILE", help="Where to write it: report.pdf or report.html."
    ),
    output_format: ReportFormat | None = typer.Option(
        None, "--format", "-f", help="pdf or html (default: from the file name)."
    ),
    since: str | None = SINCE,
    until: str | None = UNTIL,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """A report for a doctor: everything needed on page 1, then the charts, then every episode.

    The person appears only by year of birth and sex. PDF needs WeasyPrint's system libraries
    (Pango; see the README); HTML needs nothing more.

    Examples:

      musclewise report --output report.pdf

      musclewise report --output report.html --since 2026-05-01
    """  # fmt: skip
    fmt = output_format.value if output_format is not None else _format_of(output)
    summary = _summary(database_url, person, since, until)
    from musclewise.insights.report import make_report

    content = make_report(summary, fmt)
    _write_atomic(output, content, "--output")
    d = summary.data
    typer.echo(f"Wrote {output}: {len(d.episodes)} episodes from {d.start} to {d.end}", err=True)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm"):
        return "html"
    raise UsageError(
        f"--output: cannot tell the format of '{path.name}'",
        hint="name it .pdf or .html, or give --format pdf|html",
    )


def _write_atomic(path: Path, content: bytes, option: str) -> None:
    """Write beside ``path`` and rename into place, so a reader never sees half a file."""
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give a file name")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with os.fdopen(
            os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"
        ) as out:
            out.write(content)  # private, as the diary is (issue 14 item 12)
        os.replace(temporary, path)
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {path}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
    sys.stdout.flush()
