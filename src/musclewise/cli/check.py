"""``musclewise check``: the adaptive interview in the terminal, or simulated from a file.

The loop is here; which question comes next and when to stop is the pure
:func:`musclewise.interview.next_step`. The safety screen's grouped questions are asked by
:func:`ask_group` (also used by ``musclewise assess "text"`` on a terminal).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from musclewise.cli.diary_common import DATABASE_URL, PERSON
from musclewise.cli.formats import Format
from musclewise.errors import FindingsError, UsageError

DONT_KNOW = frozenset({"?", "dk", "d", "don't know", "dont know", "not sure", "unknown"})
BACK = frozenset({"b", "back", "<"})
QUIT = frozenset({"q", "quit", "stop", "done"})
YES = frozenset({"y", "yes", "1"})
NO = frozenset({"n", "no", "2"})
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells expect."""


def check_command(
    text: str | None = typer.Argument(None, metavar="[TEXT]", show_default=False,
        help="What happened, in your own words: the questions start from what it says, e.g. "
        "\"woke up with my left calf locked solid\"."),
    simulate: Path | None = typer.Option(None, "--simulate", metavar="ANSWERS.json",
        help="Run the interview without a person: each question is answered from this findings "
        "file, or 'don't know' when it lacks the key. With a 'text' in the file, the interview "
        "starts from what the text says."),
    output_format: Format = typer.Option(Format.text, "--format", "-f",
        help="text for people; json prints {\"asked\": [...], \"assessment\": {...}}."),
    save: bool = typer.Option(False, "--save",
        help="Keep the episode in the diary at the end (your words as its notes), as musclewise "
        "log does."),
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:  # fmt: skip
    """Answer a few questions, one at a time, and get the full assessment.

    First what happened (in your own words, if you give TEXT) or where it happened, then a
    short safety screen (warning signs that matter for this, ticked together), then the
    questions whose answers matter most; it stops as soon as more answers could not change the
    answer. Every question takes "?" (don't know); "b" goes back, "q" stops early; Ctrl-C
    stops without an answer.

    Examples:

      musclewise check

      musclewise check "my calf locked up at 3am and it still hurts"
    """
    if text is not None and not text.strip():
        raise UsageError("TEXT is empty", hint="describe what happened, or leave TEXT out")
    where = (database_url, person) if save else None
    if simulate is not None:
        _simulate(simulate, output_format, text, where)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "musclewise check asks questions and needs a terminal (standard input and output "
            "are not one)",
            hint="use musclewise check --simulate ANSWERS.json, or musclewise assess",
        )
    try:
        _interactive(output_format, text, where)
    except KeyboardInterrupt:
        typer.echo("\nStopped: nothing was saved.", err=True)
        raise typer.Exit(INTERRUPTED) from None


def _simulate(
    path: Path,
    output_format: Format,
    text: str | None = None,
    where: tuple[str | None, str | None] | None = None,
) -> None:
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
    if text is not None:
        if "text" in answers:
            raise UsageError(
                f"--simulate: {path} has a 'text' and TEXT is given too",
                hint="give the description once",
            )
        answers = validate_findings({**answers, "text": text})
    start: dict[str, Any] = {}
    understood = None
    said = answers.get("text")
    if "text" in answers:
        # the interview starts from what the text says; FILE's findings answer the rest
        from musclewise.assessment import read_into

        read, understood = read_into({"text": answers["text"]})
        start = {k: v for k, v in read.items() if k != "text"}
        answers = {k: v for k, v in answers.items() if k != "text"}
    asked, assessment = simulate(default_engine(), answers, resolve_medicines, start=start)
    if understood is not None:
        assessment["understood"] = understood  # as musclewise assess "text" gives it
    known = {**start, **{k: answers[k] for k in asked if k in answers}}
    if output_format is Format.json:
        out: dict[str, Any] = {"asked": asked, "assessment": assessment}
        if where is not None:
            out["saved"] = _save(known, said, assessment, where).to_dict()
        sys.stdout.buffer.write(msgspec.json.encode(out) + b"\n")
        return
    from musclewise.cli.assess import print_unscreened
    from musclewise.cli.render import render_assessment

    typer.echo(f"Asked {len(asked)} questions: {', '.join(asked) or 'none'}")
    render_assessment(
        assessment, known, after_banner=lambda console: print_unscreened(console, assessment)
    )
    if where is not None:
        _saved_line(_save(known, said, assessment, where), assessment)


def _save(
    findings: Mapping[str, Any],
    text: str | None,
    assessment: Mapping[str, Any],
    where: tuple[str | None, str | None],
) -> Any:
    """Keep the episode in the diary (``--save``); the words as its notes."""
    from musclewise.cli.diary_common import open_diary
    from musclewise.diary.validate import episode_from_findings

    found = episode_from_findings(findings)
    site = found.fields.pop("site", None)
    if site is None:
        raise UsageError(
            "--save: where it happened is not known, so nothing was saved",
            hint="run it again and say where (calf, eyelid, ...)",
        )
    with open_diary(*where, write=True) as diary:
        return diary.add_episode(site, **found.fields, findings=found.findings, notes=text)


def _saved_line(episode: Any, assessment: Mapping[str, Any]) -> None:
    from rich.console import Console
    from rich.text import Text

    from musclewise.cli.diary_common import episode_line

    console = Console()
    console.print(Text(f"Saved {episode_line(episode)}"))
    if episode.triage != assessment["triage"]["level"]:
        # the diary assesses with the profile (age, medicines, ...), not with what was said
        # about the person here
        console.print(
            Text(
                f"The diary's answer, with your profile, is {episode.triage.replace('_', ' ')}: "
                f"musclewise episodes show {episode.id}",
                style="yellow",
            )
        )


def _parse(question: Any, reply: str) -> Any:
    """A reply as the value of the question's key; raises ValueError with what to type."""
    from musclewise.answers import parse_answer
    from musclewise.cli.parsing import split_list

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
    return parse_answer(question, text)


DONT_KNOW_CHOICE, BACK_CHOICE, QUIT_CHOICE = "__dont_know__", "__back__", "__quit__"
NONE_CHOICE = "__none__"


def _shown(question: Any, value: Any) -> str:
    """An earlier answer as it can be typed again (for Back)."""
    if question.key == "duration_s" and isinstance(value, int | float):
        return f"{value:g}s"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _ask(question: Any, number: int, status: str, previous: Any = None) -> tuple[str, Any]:
    """Ask one question with arrow-key choices (questionary); returns what the person did:
    ("answer", value), ("dont_know", None), ("back", None) or ("quit", None). ``previous`` is
    the earlier answer, shown as the default after Back. Ctrl-C raises KeyboardInterrupt."""
    import questionary

    special = [
        questionary.Choice("Don't know", value=DONT_KNOW_CHOICE),
        questionary.Choice("← Back to the last question", value=BACK_CHOICE),
        questionary.Choice("Stop and see the answer", value=QUIT_CHOICE),
    ]
    title = f"{number}. {question.ask}"
    hint = f"{status} · arrow keys, Enter" if status else "arrow keys, Enter"
    reply: Any
    if question.kind == "group":
        return ask_group(question, number, status, previous)
    if question.kind in ("yes_no", "choice"):
        options = (
            [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False)]
            if question.kind == "yes_no"
            else [questionary.Choice(words, value=value) for value, words in question.choices]
        )
        first = next((o for o in options if previous is not None and o.value == previous), None)
        reply = questionary.select(
            title, choices=options + special, instruction=hint, default=first
        ).unsafe_ask()
    elif question.kind == "multi":
        chosen = set(previous or ())
        options = [
            questionary.Choice(words, value=value, checked=value in chosen)
            for value, words in question.choices
        ]
        reply = questionary.checkbox(
            title, choices=options, instruction=f"{hint}; Space to pick, none for none"
        ).unsafe_ask()
    else:
        default = "" if previous is None else _shown(question, previous)
        extra = f" · {question.hint}" if question.hint else ""
        while True:
            text = questionary.text(
                title,
                default=default,
                instruction=f"({status + ' · ' if status else ''}? don't know, b back, q stop{extra})",
            ).unsafe_ask()
            low = text.strip().lower()
            if question.kind == "list" and not low:
                low, text = "none", "none"  # an empty list: none
            if low in DONT_KNOW or not low:
                reply = DONT_KNOW_CHOICE
            elif low in BACK:
                reply = BACK_CHOICE
            elif low in QUIT:
                reply = QUIT_CHOICE
            else:
                try:
                    reply = _parse(question, text)
                except (ValueError, UsageError) as exc:
                    # say what to type, and ask again with an empty field
                    typer.echo(f"  {exc}")
                    default = ""
                    continue
            break
    if reply is None or reply == QUIT_CHOICE:
        return "quit", None
    if reply == DONT_KNOW_CHOICE:
        return "dont_know", None
    if reply == BACK_CHOICE:
        return "back", None
    return "answer", reply


def ask_group(
    question: Any, number: int = 0, status: str = "", previous: Any = None
) -> tuple[str, Any]:
    """Ask a grouped safety-screen question as checkboxes, with "None of these" and "Not
    sure"; returns ("answer", ticked keys | NONE | NOT_SURE), ("back", None) or ("quit", None).
    ``previous`` (an earlier answer, after Back) is shown ticked. Ctrl-C raises
    KeyboardInterrupt."""
    import questionary

    from musclewise.interview import NONE, NOT_SURE

    specials = {NONE_CHOICE, DONT_KNOW_CHOICE, BACK_CHOICE, QUIT_CHOICE}
    ticked = set(previous) if isinstance(previous, list) else set()
    options = [
        questionary.Choice(words, value=key, checked=key in ticked)
        for key, words in question.choices
    ]
    options += [
        questionary.Separator(),
        questionary.Choice("None of these", value=NONE_CHOICE, checked=previous is NONE),
        questionary.Choice("Not sure", value=DONT_KNOW_CHOICE, checked=previous is NOT_SURE),
        questionary.Choice("← Back to the last question", value=BACK_CHOICE),
        questionary.Choice("Stop and see the answer", value=QUIT_CHOICE),
    ]

    def valid(picked: list[str]) -> bool | str:
        special = [p for p in picked if p in specials]
        if not picked:
            return "tick the ones you have, or 'None of these', or 'Not sure'"
        if special and len(picked) > 1:
            return "tick signs, or one of None of these / Not sure / Back / Stop, not both"
        return True

    title = f"{number}. {question.ask}" if number else question.ask
    hint = "Space to tick, Enter when done" + (f" · {status}" if status else "")
    picked = questionary.checkbox(
        title, choices=options, instruction=hint, validate=valid
    ).unsafe_ask()
    if picked is None or picked == [QUIT_CHOICE]:
        return "quit", None
    if picked == [BACK_CHOICE]:
        return "back", None
    if picked == [NONE_CHOICE]:
        return "answer", NONE
    if picked == [DONT_KNOW_CHOICE]:
        return "answer", NOT_SURE
    return "answer", list(picked)


def _status(assessment: Mapping[str, Any], answered: int) -> str:
    """ "so far: ..." once something is answered; nothing before the first answer."""
    if not answered:
        return ""
    kind = assessment["kind"]
    level = assessment["triage"]["level"].replace("_", " ")
    return f"so far: {kind} {assessment['probabilities'][kind]:.0%}, {level}"


def _start_from(text: str, console: Any) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The findings read from the person's own words, and a line saying what was understood
    (nothing, and why, when nothing could be read: the questions then start from the
    beginning); and the ``understood`` items."""
    from rich.text import Text

    from musclewise.assessment import read_into
    from musclewise.findings import validate_findings
    from musclewise.text import understood_line

    try:
        read, understood = read_into(validate_findings({"text": text}))
    except FindingsError as exc:
        console.print(Text(f"From your words: {exc.message}. The questions start from the "
                           "beginning.", style="yellow"))  # fmt: skip
        return {}, None
    console.print(Text("I understood: ", style="bold") + Text(understood_line(understood)))
    console.print(Text("The questions go on from there; if any of it is wrong, stop with Ctrl-C "
                       "and say it again in other words.", style="italic"))  # fmt: skip
    return {k: v for k, v in read.items() if k != "text"}, understood


def _interactive(
    output_format: Format,
    text: str | None = None,
    where: tuple[str | None, str | None] | None = None,
) -> None:
    from rich.console import Console

    from musclewise.answers import contradiction
    from musclewise.assessment import default_engine, resolve_medicines
    from musclewise.cli.render import render_assessment
    from musclewise.findings import validate_findings
    from musclewise.interview import answer_group, next_step

    console = Console()
    engine = default_engine()
    findings: dict[str, Any] = {}
    unknown: set[str] = set()
    # each step answered: the keys it set (a grouped question sets several) and their values,
    # so that Back undoes a whole step and shows what was answered
    history: list[tuple[str, dict[str, Any], set[str]]] = []
    previous: dict[str, Any] = {}
    answers_given: dict[str, Any] = {}  # a grouped answer as given, to show again after Back
    warned: set[tuple[str, str]] = set()
    console.print(
        "[bold]musclewise check[/bold]: a few questions about your muscle episode, the most "
        'useful first. Every question has "Don\'t know"; you can go back or stop at any time '
        "(Ctrl-C stops without an answer)."
    )
    understood = None
    if text is not None:
        start, understood = _start_from(text, console)
        findings.update(start)
    while True:
        medicines = resolve_medicines(findings.get("medications", ()))
        step = next_step(engine, findings, medicines, unknown)
        if step.question is None:
            console.print(f"\n[italic]That is enough to answer: {step.reason}.[/italic]\n")
            break
        question = step.question
        status = _status(step.assessment, len(history))
        action, value = _ask(question, len(history) + 1, status, previous.get(question.key))
        key = question.key
        if action == "quit":
            break
        if action == "back":
            if history:
                last, set_values, set_unknown = history.pop()
                for k in set_values:
                    findings.pop(k, None)
                unknown -= set_unknown
                if last not in answers_given:
                    previous[last] = set_values.get(last)
                else:
                    previous[last] = answers_given.pop(last)
            continue
        if action == "dont_know":
            unknown.add(key)
            history.append((key, {}, {key}))
            continue
        if question.kind == "group":
            added, not_known = answer_group(question, value)
            findings.update(added)
            unknown |= not_known
            history.append((key, added, not_known))
            answers_given[key] = value
            continue
        try:
            validate_findings({key: value})
        except FindingsError as exc:
            console.print(f"[red]{exc}[/red]")
            continue
        clash = contradiction(findings, key, value)
        if clash and (key, repr(value)) not in warned:
            # ask again once; the same answer a second time is taken as meant
            warned.add((key, repr(value)))
            console.print(f"[yellow]{clash}[/yellow]")
            previous[key] = value
            continue
        findings[key] = value
        history.append((key, {key: value}, set()))
    assessment = engine.assess(findings, resolve_medicines(findings.get("medications", ())))
    if understood is not None:
        assessment["understood"] = understood
    if output_format is Format.json:
        import msgspec

        out: dict[str, Any] = {"asked": [k for k, _, _ in history], "assessment": assessment}
        if where is not None:
            out["saved"] = _save(findings, text, assessment, where).to_dict()
        sys.stdout.buffer.write(msgspec.json.encode(out) + b"\n")
        return
    from musclewise.cli.assess import print_unscreened

    render_assessment(
        assessment,
        findings,
        console=console,
        after_banner=lambda shown: print_unscreened(shown, assessment),
    )
    if where is not None:
        _saved_line(_save(findings, text, assessment, where), assessment)
