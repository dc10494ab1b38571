"""Readable terminal output of an assessment (Rich): the triage banner first, then the rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

BANNER = {
    "emergency": ("EMERGENCY", "bold white on red",
                  "Call 999 / 911 or go to the emergency department now."),
    "urgent": ("URGENT", "bold black on dark_orange",
               "See a doctor within 24 hours (urgent GP appointment, 111, urgent care)."),
    "see_doctor": ("SEE A DOCTOR", "bold black on yellow",
                   "Book an appointment with your GP or doctor."),
    "self_care": ("SELF-CARE", "bold black on green",
                  "You can look after this at home; get help if a warning sign appears."),
}  # fmt: skip
KIND_NAMES = {"cramp": "Cramp", "spasm": "Twitch (fasciculation)", "other": "Something else"}
SHORT_NAMES = {"cramp": "cramp", "spasm": "twitch", "other": "something else"}


def percent(p: float) -> str:
    """A probability as people read it: never "100%" or "0%" for what is only very likely."""
    if p >= 0.995:
        return "over 99%"
    if 0 < p < 0.005:
        return "under 1%"
    return f"{p:.0%}"


class SourceNotes:
    """Numbers sources in the order they are first cited."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def cite(self, ids: Sequence[str]) -> str:
        marks = []
        for sid in ids:
            if sid not in self.order:
                self.order.append(sid)
            marks.append(str(self.order.index(sid) + 1))
        return f" [{','.join(marks)}]" if marks else ""


def describe_findings(findings: Mapping[str, Any]) -> str:
    """A short line of what was given, so the person can check it."""
    parts: list[str] = []
    for key, value in findings.items():
        if key == "text":
            continue
        if key == "duration_s":
            minutes, seconds = divmod(int(value), 60)
            parts.append(
                f"lasting {minutes} min {seconds} s" if minutes else f"lasting {seconds} s"
            )
        elif key == "pain":
            parts.append(f"pain {value}/10")
        elif isinstance(value, bool):
            parts.append(key.replace("_", " ") if value else f"no {key.replace('_', ' ')}")
        elif isinstance(value, list):
            parts.append(f"{key.replace('_', ' ')}: {', '.join(map(str, value))}")
        else:
            parts.append(f"{key.replace('_', ' ')} {str(value).replace('_', ' ')}")
    return ", ".join(parts)


def render_assessment(
    assessment: Mapping[str, Any],
    findings: Mapping[str, Any],
    *,
    example: bool = False,
    console: Console | None = None,
    after_banner: Callable[[Console], None] | None = None,
) -> None:
    """The assessment for people: the triage banner always first, then (``after_banner``,
    e.g. what was read from a description) the rest."""
    console = console or Console()
    notes = SourceNotes()
    level = assessment["triage"]["level"]
    title, style, advice = BANNER[level]
    console.print(Panel(Text(advice, style="bold"), title=title, style=style, expand=True))
    if after_banner is not None:
        after_banner(console)
    if example:
        console.print(Text("The bundled example episode:", style="italic"))
    console.print(Text("Based on: ", style="bold") + Text(describe_findings(findings)))

    kind = assessment["kind"]
    probs = assessment["probabilities"]
    bar = "█" * round(probs[kind] * 20) + "░" * (20 - round(probs[kind] * 20))
    others = ", ".join(f"{SHORT_NAMES[k]} {percent(v)}" for k, v in probs.items() if k != kind)
    console.print()
    console.print(
        Text("What it is: ", style="bold")
        + Text(f"{KIND_NAMES[kind]}  {bar} {percent(probs[kind])}", style="bold cyan")
        + Text(f"  ({others})")
    )
    for line in assessment["explanation"][1:]:
        console.print(f"  · {line}")

    if assessment["suspected"]:
        console.print(Text("\nWorth ruling out", style="bold"))
        for s in assessment["suspected"][:3]:
            name = s.get("name", s["condition"].replace("_", " "))
            why = "; ".join(s["why"][:2])
            console.print(f"  • {name} ({percent(s['probability'])}): {why}")

    def section(heading: str, items: Sequence[Mapping[str, Any]], field: str = "text") -> None:
        if not items:
            return
        console.print(Text(f"\n{heading}", style="bold"))
        for item in items:
            console.print(f"  • {item[field]}{notes.cite(item['sources'])}")

    section("What to do now", assessment["relief"])
    from musclewise.knowledge import load_knowledge

    factors = {f["id"]: f for f in load_knowledge().data["factors"]["factors"]}
    named = [
        {
            "text": f"{factors[f['id']]['name']} ({factors[f['id']]['evidence']} evidence): {f['why']}",
            "sources": f["sources"],
        }
        for f in assessment["factors"]
    ]
    section("What may be contributing", named)
    section("When to get help", assessment["triage"]["reasons"])
    section("Next time", assessment["prevention"])
    if assessment["missing"]:
        console.print(Text("\nAnswering these would sharpen the answer", style="bold"))
        console.print("  " + ", ".join(k.replace("_", " ") for k in assessment["missing"][:6]))

    knowledge = load_knowledge()
    sources = knowledge.sources
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for number, sid in enumerate(notes.order, start=1):
        entry = sources.get(sid, {"title": sid, "url": ""})
        table.add_row(f"[{number}]", f"{entry['title']} {entry.get('url', '')}".strip())
    console.print(Text("\nSources", style="bold"))
    console.print(table)
    console.print(
        Group(
            Text(
                f"\n{knowledge.data['meta']['disclaimer']} "
                f"(knowledge base {assessment['knowledge_version']})",
                style="dim",
            )
        )
    )
    if example:
        console.print(
            Text(
                "\nTo assess your own episode:\n"
                '  musclewise assess --site calf --pain 7 --duration 90s --at-night --meds "..."\n'
                "  musclewise assess --help   (every option)",
                style="italic",
            )
        )
