"""Readable terminal output of an assessment (Rich): the triage banner first, then the rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from musclewise.cli.labels import BANNER, KIND_NAMES, SHORT_NAMES, UNCHECKED_SELF_CARE, percent


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


NEGATIVE = {
    "postpartum": "no recent birth",
    "fluids_low": "drank enough",
    "smoker": "not a smoker",
    "pregnant": "not pregnant",
}
"""How a finding that is false is said, where "no" + its label reads badly."""


def duration_words(seconds: float) -> str:
    """A duration as people say it: "90 seconds" is "1 min 30 s", 21,600 s is "6 hours"."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days >= 2 or (days and not hours):
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    hours += days * 24
    if hours:
        unit = "hour" if hours == 1 else "hours"
        return f"{hours} {unit}" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min" + (f" {secs} s" if secs else "")


def finding_words(key: str, value: Any) -> str:
    """One finding in plain words ("pain 7/10", "no swelling", "not eased by stretching")."""
    from musclewise.interview import label_of, load_questions

    if key == "duration_s" and isinstance(value, int | float):
        return f"lasting {duration_words(value)}"
    if key == "pain":
        return f"pain {value}/10"
    label = label_of(key)
    if isinstance(value, bool):
        if value:
            return label
        if key in NEGATIVE:
            return NEGATIVE[key]
        if label.startswith(("eased by", "gave ")):
            return f"not {label}"
        for article in ("a ", "an "):
            if label.startswith(article):
                return f"no {label[len(article) :]}"
        return f"no {label}"
    if isinstance(value, list):
        return f"{label}: {', '.join(map(str, value))}"
    question = load_questions().get(key)
    choices = dict(question.choices) if question and question.choices else {}
    shown = choices.get(value, str(value).replace("_", " ")) if isinstance(value, str) else value
    return f"{label} {shown}" if key != "site" else f"{label} {str(value).replace('_', ' ')}"


def describe_findings(findings: Mapping[str, Any]) -> str:
    """A short line of what was given, so the person can check it."""
    return ", ".join(finding_words(k, v) for k, v in findings.items() if k != "text")


def _line(*parts: str | Text) -> Text:
    """A line of plain text: user text and stored text are never read as Rich markup."""
    return Text.assemble(*parts)


def render_assessment(
    assessment: Mapping[str, Any],
    findings: Mapping[str, Any],
    *,
    example: bool = False,
    console: Console | None = None,
    after_banner: Callable[[Console], None] | None = None,
    based_on: str = "Based on: ",
) -> None:
    """The assessment for people: the triage banner always first, then (``after_banner``,
    e.g. what was read from a description) the rest. Every part may be missing (an imported
    assessment may be minimal): what is there is shown. Nothing is read as markup."""
    console = console or Console()
    notes = SourceNotes()
    triage = assessment.get("triage") or {}
    level = triage.get("level", "self_care")
    title, style, advice = BANNER.get(level, BANNER["see_doctor"])
    if level == "self_care" and triage.get("unscreened"):
        advice = UNCHECKED_SELF_CARE  # nothing settled is said before the signs are checked
    console.print(Panel(Text(advice, style="bold"), title=title, style=style, expand=True))
    if after_banner is not None:
        after_banner(console)
    if example:
        console.print(Text("The bundled example episode:", style="italic"))
    console.print(Text(based_on, style="bold") + Text(describe_findings(findings)))

    kind = assessment.get("kind", "other")
    probs = assessment.get("probabilities") or {}
    console.print()
    if kind in probs:
        bar = "█" * round(probs[kind] * 20) + "░" * (20 - round(probs[kind] * 20))
        others = ", ".join(
            f"{SHORT_NAMES.get(k, k)} {percent(v)}" for k, v in probs.items() if k != kind
        )
        console.print(
            Text("What it is: ", style="bold")
            + Text(f"{KIND_NAMES.get(kind, kind)}  {bar} {percent(probs[kind])}",
                   style="bold cyan")
            + Text(f"  ({others})")
        )  # fmt: skip
    else:
        console.print(
            Text("What it is: ", style="bold") + Text(KIND_NAMES.get(kind, kind), style="bold cyan")
        )
    for line in (assessment.get("explanation") or [])[1:]:
        console.print(_line("  · ", str(line)))

    suspected = assessment.get("suspected") or []
    if suspected:
        console.print(Text("\nWorth ruling out", style="bold"))
        for item in suspected[:3]:
            name = item.get("name", str(item.get("condition", "")).replace("_", " "))
            why = "; ".join(map(str, (item.get("why") or [])[:2]))
            probability = item.get("probability")
            chance = f" ({percent(probability)})" if isinstance(probability, float | int) else ""
            console.print(_line(f"  • {name}{chance}: ", why))

    def section(heading: str, items: Sequence[Mapping[str, Any]], field: str = "text") -> None:
        if not items:
            return
        console.print(Text(f"\n{heading}", style="bold"))
        for item in items:
            console.print(_line("  • ", str(item.get(field, "")),
                                notes.cite(item.get("sources") or [])))  # fmt: skip

    section("What to do now", assessment.get("relief") or [])
    from musclewise.knowledge import load_knowledge

    knowledge = load_knowledge()
    factors = {f["id"]: f for f in knowledge.data["factors"]["factors"]}
    named = []
    for found in assessment.get("factors") or []:
        known = factors.get(found.get("id"), {})
        name = known.get("name", str(found.get("id", "")).replace("_", " "))
        evidence = f" ({known['evidence']} evidence)" if "evidence" in known else ""
        named.append({"text": f"{name}{evidence}: {found.get('why', '')}",
                      "sources": found.get("sources") or []})  # fmt: skip
    section("What may be contributing", named)
    section("When to get help", triage.get("reasons") or [])
    section("Next time", assessment.get("prevention") or [])
    missing = assessment.get("missing") or []
    if missing:
        from musclewise.interview import label_of

        console.print(Text("\nTelling us these could make the answer surer", style="bold"))
        console.print(_line("  " + ", ".join(label_of(k) for k in missing[:6])))

    version = assessment.get("knowledge_version", "?")
    console.print(Text(
        f"\n{knowledge.data['meta']['disclaimer']} (knowledge base {version})", style="dim"))  # fmt: skip
    if notes.order:
        sources = knowledge.sources
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for number, sid in enumerate(notes.order, start=1):
            entry = sources.get(sid, {"title": sid, "url": ""})
            table.add_row(Text(f"[{number}]"),
                          Text(f"{entry['title']} {entry.get('url', '')}".strip()))  # fmt: skip
        console.print(Text("\nSources", style="bold"))
        console.print(table)
    if example:
        console.print(
            Text(
                "\nTo assess your own episode:\n"
                '  musclewise assess --site calf --pain 7 --duration 90s --at-night --meds "..."\n'
                "  musclewise assess --help   (every option)",
                style="italic",
            )
        )
