"""``musclewise check``: the adaptive interview in the terminal, or simulated from a file.

The loop is here; which question comes next and when to stop is the pure
:func:`musclewise.interview.next_step`.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from musclewise.errors import FindingsError, UsageError

DONT_KNOW = frozenset({"?", "dk", "d", "don't know", "dont know", "not sure", "unknown"})
BACK = frozenset({"b", "back", "<"})
QUIT = frozenset({"q", "quit", "stop", "done"})
YES = frozenset({"y", "yes", "1"})
NO = frozenset({"n", "no", "2"})


class Format(StrEnum):
    text = "text"
    json = "json"


def check_command(
    simulate: Path | None = typer.Option(None, "--simulate", metavar="ANSWERS.json",
        help="Run the interview without a person: each question is answered from this findings "
        "file, or 'don't know' when it lacks the key."),
    output_format: Format = typer.Option(Format.text, "--format", "-f",
        help="text for people; json prints {\"asked\": [...], \"assessment\": {...}}."),
) -> None:  # fmt: skip
    """Answer a few questions, one at a time, and get the full assessment.

    Each question is the one whose answer matters most now (warning signs first while
    something urgent is still possible); it stops as soon as more answers could not change
    the answer. Every question takes "?" (don't know); "b" goes back, "q" stops early.
    """
    if simulate is not None:
        _simulate(simulate, output_format)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "musclewise check asks questions and needs a terminal (standard input and output "
            "are not one)",
            hint="use musclewise check --simulate ANSWERS.json, or musclewise assess",
        )
    _interactive(output_format)


def _simulate(path: Path, output_format: Format) -> None:
    import msgspec

    from musclewise.assessment import default_engine, resolve_medicines
    from musclewise.findings import validate_findings
    from musclewise.interview import simulate

    try:
        raw = msgspec.json.decode(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"--simulate: cannot read {path}: {exc.strerror}") from None
    except msgspec.DecodeError as exc:
        raise UsageError(f"--simulate: {path} is not valid JSON ({exc})") from None
    answers = validate_findings(raw)
    if "text" in answers:
        from musclewise.assessment import read_into

        answers = dict(read_into(answers)[0])
    asked, assessment = simulate(default_engine(), answers, resolve_medicines)
    if output_format is Format.json:
        out = {"asked": asked, "assessment": assessment}
        sys.stdout.buffer.write(msgspec.json.encode(out) + b"\n")
        return
    from musclewise.cli.render import render_assessment

    typer.echo(f"Asked {len(asked)} questions: {', '.join(asked) or 'none'}")
    known = {k: answers[k] for k in asked if k in answers}
    render_assessment(assessment, known)


def _parse(question: Any, reply: str) -> Any:
    """A reply as the value of the question's key; raises ValueError with what to type."""
    from musclewise.cli.parsing import parse_duration, split_list

    text = reply.strip()
    low = text.lower()
    if question.kind == "yes_no":
        if low in YES:
            return True
        if low in NO:
            return False
        raise ValueError("answer y (yes), n (no) or ? (don't know)")
    if question.kind in ("choice", "multi"):
        values = [v for v, _ in question.choices]
        picked = []
        for part in (p.strip() for p in low.split(",") if p.strip()):
            if part.isdigit() and 1 <= int(part) <= len(values):
                picked.append(values[int(part) - 1])
            elif part in values:
                picked.append(part)
            else:
                raise ValueError(f"pick a number from 1 to {len(values)}")
        if question.kind == "multi":
            return list(dict.fromkeys(picked))
        if len(picked) != 1:
            raise ValueError("pick one number")
        return picked[0]
    if question.kind == "list":
        return split_list(text) if text and low not in ("none", "no", "nothing") else []
    if question.key == "duration_s":
        return parse_duration(text)
    number = float(text)
    return int(number) if number == int(number) and question.key in _WHOLE else number


_WHOLE = frozenset({"pain", "stress", "age", "muscles_involved"})


DONT_KNOW_CHOICE, BACK_CHOICE, QUIT_CHOICE = "__dont_know__", "__back__", "__quit__"


def _ask(question: Any, number: int, status: str) -> tuple[str, Any]:
    """Ask one question with arrow-key choices (questionary); returns what the person did:
    ("answer", value), ("dont_know", None), ("back", None) or ("quit", None)."""
    import questionary

    special = [
        questionary.Choice("Don't know", value=DONT_KNOW_CHOICE),
        questionary.Choice("← Back to the last question", value=BACK_CHOICE),
        questionary.Choice("Stop and see the answer", value=QUIT_CHOICE),
    ]
    title = f"{number}. {question.ask}"
    hint = f"{status} · arrow keys, Enter"
    reply: Any
    if question.kind in ("yes_no", "choice"):
        options = (
            [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False)]
            if question.kind == "yes_no"
            else [questionary.Choice(words, value=value) for value, words in question.choices]
        )
        reply = questionary.select(title, choices=options + special, instruction=hint).ask()
    elif question.kind == "multi":
        options = [questionary.Choice(words, value=value) for value, words in question.choices]
        reply = questionary.checkbox(
            title, choices=options, instruction=f"{hint}; Space to pick, none for none"
        ).ask()
    else:

        def valid(text: str) -> bool | str:
            if not text.strip() or text.strip().lower() in DONT_KNOW | BACK | QUIT:
                return True
            try:
                _parse(question, text)
            except (ValueError, UsageError) as exc:
                return str(exc).removeprefix("--duration: ") or "not a valid answer"
            return True

        reply = questionary.text(
            title, instruction=f"({status} · ? don't know, b back, q stop)", validate=valid
        ).ask()
        if reply is not None:
            low = reply.strip().lower()
            if question.kind == "list" and not low:
                low, reply = "none", "none"  # an empty list: none
            reply = (
                DONT_KNOW_CHOICE if low in DONT_KNOW or not low
                else BACK_CHOICE if low in BACK
                else QUIT_CHOICE if low in QUIT
                else _parse(question, reply)
            )  # fmt: skip
    if reply is None or reply == QUIT_CHOICE:  # Ctrl-C, or "stop"
        return "quit", None
    if reply == DONT_KNOW_CHOICE:
        return "dont_know", None
    if reply == BACK_CHOICE:
        return "back", None
    return "answer", reply


def _interactive(output_format: Format) -> None:
    from rich.console import Console

    from musclewise.assessment import default_engine, resolve_medicines
    from musclewise.cli.render import render_assessment
    from musclewise.findings import validate_findings
    from musclewise.interview import next_step

    console = Console()
    engine = default_engine()
    findings: dict[str, Any] = {}
    unknown: set[str] = set()
    history: list[str] = []
    console.print(
        "[bold]musclewise check[/bold]: a few questions about your muscle episode, the most "
        'useful first. Every question has "Don\'t know"; you can go back or stop at any time.'
    )
    while True:
        medicines = resolve_medicines(findings.get("medications", ()))
        step = next_step(engine, findings, medicines, unknown)
        if step.question is None:
            console.print(f"\n[italic]That is enough to answer: {step.reason}.[/italic]\n")
            break
        a = step.assessment
        kind = a["kind"]
        status = (
            f"so far: {kind} {a['probabilities'][kind]:.0%}, "
            f"{a['triage']['level'].replace('_', ' ')}"
        )
        action, value = _ask(step.question, len(history) + 1, status)
        key = step.question.key
        if action == "quit":
            break
        if action == "back":
            if history:
                last = history.pop()
                findings.pop(last, None)
                unknown.discard(last)
            continue
        if action == "dont_know":
            unknown.add(key)
            history.append(key)
            continue
        try:
            validate_findings({key: value})
        except FindingsError as exc:
            console.print(f"[red]{exc}[/red]")
            continue
        findings[key] = value
        history.append(key)
    assessment = engine.assess(findings, resolve_medicines(findings.get("medications", ())))
    if output_format is Format.json:
        import msgspec

        out = {"asked": history, "assessment": assessment}
        sys.stdout.buffer.write(msgspec.json.encode(out) + b"\n")
        return
    render_assessment(assessment, findings, console=console)
