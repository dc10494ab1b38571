"""``musclewise assess``: one episode from options, a bundled example, or JSON Lines in batch.

The options are built from one table (:data:`OPTIONS`) so that every findings key of the
contract has an obvious flag, and ``--set KEY=VALUE`` reaches any key the table leaves out.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

import typer

from musclewise.cli.formats import Format
from musclewise.cli.parsing import parse_duration, split_list
from musclewise.contract import is_urgent
from musclewise.errors import UsageError
from musclewise.findings import CONDITIONS, ONSETS, SITES

EPISODE, PATTERN, WARNING, HISTORY, PERSON, DAY = (
    "The episode",
    "The pattern",
    "Warning signs",
    "Recent history",
    "The person",
    "The last 24 hours",
)


class Opt(NamedTuple):
    """One command-line option for one findings key."""

    key: str
    flags: str  # "--swelling/--no-swelling" for yes/no keys, "--pain" otherwise
    help: str
    panel: str
    kind: type = bool
    parse: Callable[[Any], Any] | None = None


def _choice(name: str, values: tuple[str, ...]) -> type:
    return Enum(name, {v: v for v in values}, type=str)  # type: ignore[return-value]


OPTIONS: tuple[Opt, ...] = (
    Opt("site", "--site", "Where it happened (the main or first site).", EPISODE, _choice("Site", SITES)),
    Opt("side", "--side", "Which side.", EPISODE, _choice("Side", ("left", "right", "both"))),
    Opt("pain", "--pain", "How painful, 0 (none) to 10 (worst).", EPISODE, int),
    Opt("duration_s", "--duration", "How long one episode lasts: 90s, 2m, 1m30s.", EPISODE, str, parse_duration),
    Opt("extent", "--extent", "The whole muscle tightened, or a small part flickered.", EPISODE,
        _choice("Extent", ("whole_muscle", "part_of_muscle"))),
    Opt("muscle_hard", "--hard/--not-hard", "The muscle went hard or knotted.", EPISODE),
    Opt("visible_twitch", "--visible-twitch/--no-visible-twitch", "You can see a flicker under the skin.", EPISODE),
    Opt("onset", "--onset", "When it started.", EPISODE, _choice("Onset", ONSETS)),
    Opt("relieved_by_stretch", "--stretch-helps/--stretch-does-not-help", "Stretching eased it.", EPISODE),
    Opt("relieved_by_rest", "--rest-helps/--rest-does-not-help",
        "It eased within minutes of stopping and standing still.", EPISODE),
    Opt("relieved_by_bending_forward", "--bending-helps/--bending-does-not-help",
        "It eased on sitting down or leaning forward.", EPISODE),
    Opt("episodes_per_week", "--per-week", "How many episodes a week (every night = 7).", PATTERN, float),
    Opt("ongoing_days", "--days", "How many days it has been going on (today = 0).", PATTERN, float),
    Opt("muscles_involved", "--muscles", "How many muscles or regions are affected.", PATTERN, int),
    Opt("spreading", "--spreading/--not-spreading", "It has spread to new muscles.", PATTERN),
    Opt("weakness", "--weakness/--no-weakness", "Weakness in the area.", WARNING),
    Opt("wasting", "--wasting/--no-wasting", "A muscle looks thinner.", WARNING),
    Opt("numbness_tingling", "--numbness/--no-numbness", "Numbness or pins and needles.", WARNING),
    Opt("perioral_tingling", "--mouth-tingling/--no-mouth-tingling", "Tingling around the mouth.", WARNING),
    Opt("swelling", "--swelling/--no-swelling", "Swelling.", WARNING),
    Opt("redness", "--redness/--no-redness", "Red or darkened skin.", WARNING),
    Opt("warmth", "--warmth/--no-warmth", "Warm skin over the area.", WARNING),
    Opt("tenderness", "--tender/--not-tender", "Sore to touch.", WARNING),
    Opt("pale_cold_limb", "--pale-cold/--not-pale-cold", "The limb is pale, cold or numb.", WARNING),
    Opt("dark_urine", "--dark-urine/--normal-urine", "Dark (tea or cola coloured) urine.", WARNING),
    Opt("fever", "--fever/--no-fever", "A fever.", WARNING),
    Opt("confusion", "--confusion/--no-confusion", "Confusion.", WARNING),
    Opt("chest_pain", "--chest-pain/--no-chest-pain", "Chest pain.", WARNING),
    Opt("trouble_swallowing_or_speaking", "--swallowing-trouble/--no-swallowing-trouble",
        "Trouble swallowing or speaking.", WARNING),
    Opt("trouble_breathing", "--breathless/--not-breathless", "Trouble breathing.", WARNING),
    Opt("severe_unrelenting_pain", "--severe-pain/--no-severe-pain", "Severe pain that does not let up.", WARNING),
    Opt("tight_swollen_compartment", "--tight-swollen/--not-tight-swollen", "A tight, swollen muscle.", WARNING),
    Opt("twisting_posture", "--twisting/--no-twisting", "A twisting or abnormal posture.", WARNING),
    Opt("urge_to_move", "--urge-to-move/--no-urge-to-move", "An urge to move the legs.", WARNING),
    Opt("saddle_numbness", "--saddle-numbness/--no-saddle-numbness",
        "Numbness between the legs or around the bottom.", WARNING),
    Opt("bladder_or_bowel_change", "--bladder-bowel-change/--no-bladder-bowel-change",
        "A change in bladder or bowel control.", WARNING),
    Opt("lockjaw", "--lockjaw/--no-lockjaw", "Lockjaw: cannot open the mouth.", WARNING),
    Opt("eyelid_closes_or_droops", "--eyelid-closes/--eyelid-normal", "The eyelid closes fully or droops.", WARNING),
    Opt("sleep_disturbed", "--wakes-me/--does-not-wake-me", "It wakes you or disturbs sleep.", WARNING),
    Opt("carpopedal_spasm", "--claw-spasm/--no-claw-spasm",
        "Hands or feet drawn into a spasm: wrists and fingers bent, thumb in, toes curled.", WARNING),
    Opt("rest_pain", "--rest-pain/--no-rest-pain",
        "The foot or leg hurts at rest or at night and eases when it hangs down.", WARNING),
    Opt("non_healing_sore", "--sore-not-healing/--no-sore-not-healing",
        "A sore, cut or ulcer on the foot or leg that is not healing.", WARNING),
    Opt("pain_on_passive_stretch", "--hurts-when-moved/--no-hurts-when-moved",
        "It hurts badly when someone else gently moves the fingers or toes.", WARNING),
    Opt("cast_or_tight_bandage", "--cast/--no-cast", "A plaster cast, splint or tight bandage on the limb now.",
        WARNING),
    Opt("postpartum", "--gave-birth/--no-gave-birth", "Gave birth in the last 6 weeks.", WARNING),
    Opt("face_droop", "--face-droop/--no-face-droop", "One side of the face droops or will not move.", WARNING),
    Opt("recent_injury", "--injury/--no-injury", "A recent injury, fall or crush.", HISTORY),
    Opt("recent_surgery", "--surgery/--no-surgery", "An operation in the last 6 weeks.", HISTORY),
    Opt("wound", "--wound/--no-wound", "A cut or puncture wound in the last 3 weeks.", HISTORY),
    Opt("fluid_loss", "--fluid-loss/--no-fluid-loss", "Vomiting or diarrhoea.", HISTORY),
    Opt("long_travel", "--long-travel/--no-long-travel", "A journey of 4 hours or more in the last 2 weeks.", HISTORY),
    Opt("new_medicine", "--new-medicine/--no-new-medicine",
        "A medicine started or changed in the last 3 months.", HISTORY),
    Opt("age", "--age", "Age in years.", PERSON, int),
    Opt("sex", "--sex", "Sex.", PERSON, _choice("Sex", ("female", "male"))),
    Opt("pregnant", "--pregnant/--not-pregnant", "Pregnant.", PERSON),
    Opt("medications", "--meds", 'Medicines as you would write them: "furosemide, Lipitor".', PERSON, str, split_list),
    Opt("conditions", "--conditions", f"Known conditions, comma-separated: {', '.join(CONDITIONS)}.", PERSON, str,
        split_list),
    Opt("exercise_minutes", "--exercise", "Minutes of exercise in the last 24 hours.", DAY, float),
    Opt("exercise_intense", "--intense/--not-intense", "The exercise was hard.", DAY),
    Opt("hot_environment", "--hot/--not-hot", "A hot environment.", DAY),
    Opt("heavy_sweating", "--sweating/--no-sweating", "Heavy sweating.", DAY),
    Opt("fluids_low", "--fluids-low/--fluids-ok", "Drank little.", DAY),
    Opt("caffeine_cups", "--caffeine", "Cups of coffee or energy drinks.", DAY, float),
    Opt("alcohol_drinks", "--alcohol", "Standard alcoholic drinks.", DAY, float),
    Opt("smoker", "--smoker/--non-smoker", "Smokes.", DAY),
    Opt("stress", "--stress", "Stress, 0 to 10.", DAY, int),
    Opt("sleep_hours", "--sleep-hours", "Hours of sleep.", DAY, float),
    Opt("screen_hours", "--screen-hours", "Hours looking at screens.", DAY, float),
    Opt("long_sitting_or_standing", "--sitting/--not-sitting", "Long sitting or standing.", DAY),
    Opt("cold_exposure", "--cold/--not-cold", "Exposure to cold.", DAY),
    Opt("low_mineral_diet", "--low-mineral-diet/--mineral-diet-ok", "A diet low in minerals.", DAY),
)  # fmt: skip

ONSET_SHORTCUTS = {
    "at_night": ("--at-night", "during_sleep", "It woke you from sleep (onset during_sleep)."),
    "at_rest": ("--at-rest", "at_rest", "It came on at rest."),
    "during_exercise": ("--during-exercise", "during_exercise", "It came on during exercise."),
    "after_exercise": ("--after-exercise", "after_exercise", "It came on after exercise."),
    "while_walking": ("--while-walking", "while_walking", "It came on while walking."),
}


def _parameters() -> list[inspect.Parameter]:
    params = [
        inspect.Parameter(
            "text",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=typer.Argument(
                None,
                help='Your own description in your own words, e.g. "woke up at 3am with my '
                'left calf locked solid, agony for two minutes, no swelling". Options given '
                "as well win over what the text says.",
                show_default=False,
            ),
            annotation=str | None,
        )
    ]
    for opt in OPTIONS:
        default = typer.Option(
            None,
            *opt.flags.split(" "),
            help=opt.help,
            rich_help_panel=opt.panel,
            show_default=False,
        )
        params.append(
            inspect.Parameter(
                opt.key, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=opt.kind | None
            )
        )
    for name, (flag, _, help_text) in ONSET_SHORTCUTS.items():
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(False, flag, help=help_text, rich_help_panel=EPISODE),
                annotation=bool,
            )
        )
    extra: list[tuple[str, Any, Any]] = [
        ("set_", list[str] | None, typer.Option(None, "--set", metavar="KEY=VALUE",
            help="Any findings key of the contract, e.g. --set fever=true (JSON values).")),
        ("json_file", Path | None, typer.Option(None, "--json", metavar="FILE",
            help="Read findings as JSON (one object, or JSON Lines); '-' for standard input. "
            "Prints one assessment per line.", allow_dash=True, rich_help_panel="Input and output")),
        ("example", bool, typer.Option(False, "--example",
            help="Assess the bundled example episode.", rich_help_panel="Input and output")),
        ("output_format", Format | None, typer.Option(None, "--format", "-f",
            help="text for people, json for scripts (the contract's assessment). "
            "Default: text, or json with --json.", rich_help_panel="Input and output")),
    ]  # fmt: skip
    for name, annotation, default in extra:
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return params


def _assess(**values: Any) -> None:
    output_format: Format | None = values.pop("output_format")
    json_file: Path | None = values.pop("json_file")
    example: bool = values.pop("example")
    settings: list[str] = values.pop("set_") or []
    text: str | None = values.pop("text")
    onset_flags = [ONSET_SHORTCUTS[name][1] for name in ONSET_SHORTCUTS if values.pop(name, False)]
    given = {k: v for k, v in values.items() if v is not None}
    if json_file is not None:
        if given or example or onset_flags or settings or text:
            raise UsageError("--json reads findings from a file: give no other findings options")
        from musclewise.cli.batch import run_batch

        code = run_batch(json_file, output_format)
        raise typer.Exit(code)
    findings = findings_from_options(given, onset_flags, settings)
    if text is not None:
        findings["text"] = text
    if example:
        if findings:
            raise UsageError("--example assesses the bundled example: give no findings with it")
        from musclewise.cli.examples import example_findings

        findings = example_findings()
    if not findings:
        raise UsageError(
            "nothing to assess: describe the episode with options, e.g. "
            "musclewise assess --site calf --pain 8 --duration 2m --at-night",
            hint="musclewise assess --help lists every option; --example shows a worked example",
        )
    from musclewise.assessment import assess_valid, read_into
    from musclewise.errors import FindingsError
    from musclewise.findings import validate_findings

    on_terminal = (
        text is not None
        and output_format is not Format.json
        and sys.stdin.isatty()
        and sys.stdout.isatty()
    )
    # the text (if any) is read once: into the findings shown, and the assessment's `understood`
    try:
        read, understood = read_into(validate_findings(findings))
    except FindingsError as exc:
        if not on_terminal or not any(p.key == "text" for p in exc.problems):
            raise
        read, understood = _ask_again(findings)
    findings = {k: v for k, v in read.items() if k != "text"}
    if on_terminal:
        findings = _screen_on_terminal(findings)
    assessment = assess_valid(findings)
    if text is not None:
        assessment["understood"] = understood
    if output_format is Format.json:
        import msgspec

        sys.stdout.buffer.write(msgspec.json.encode(assessment) + b"\n")
        return
    from musclewise.cli.render import render_assessment

    def after_banner(console: Any) -> None:
        if text:
            _print_understood(console, understood)
        print_unscreened(console, assessment)

    render_assessment(assessment, findings, example=example, after_banner=after_banner)


def print_unscreened(console: Any, assessment: Mapping[str, Any]) -> None:
    """Below urgent, the warning signs nobody answered, in plain words, right under the banner:
    the level stands only for what was said."""
    from rich.text import Text

    from musclewise.assessment import default_engine

    keys = assessment["triage"].get("unscreened") or []
    if not keys or is_urgent(assessment["triage"]["level"]):
        return
    said = {
        "emergency": "Call 999/911 or go to A&E now if you have any of these",
        "urgent": "See a doctor today if you have any of these",
    }
    console.print(
        Text("Not checked: ", style="bold") + Text("this answer stands only for what was said.")
    )
    for group in default_engine().screen_groups:
        labels = [s.label for s in group.signs if s.key in keys]
        if labels:
            console.print(Text(f"  {said[group.level]}: " + "; ".join(labels) + "."))


def _ask_again(findings: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """On a terminal, a text from which nothing could be read: say so, ask for the site and
    what happened, and read that (Ctrl-C stops with status 130)."""
    import questionary

    from musclewise.assessment import NOTHING_READ, read_into
    from musclewise.cli.check import INTERRUPTED
    from musclewise.findings import validate_findings
    from musclewise.interview import load_questions

    typer.echo(f"I could not read '{findings['text']}': {NOTHING_READ}.")
    site = load_questions()["site"]
    try:
        where = questionary.select(
            site.ask, choices=[questionary.Choice(w, value=v) for v, w in site.choices]
        ).unsafe_ask()
        what = questionary.text(
            "What happened? (for example: it locked up hard for two minutes at night)"
        ).unsafe_ask()
    except KeyboardInterrupt:
        typer.echo("\nStopped: nothing was saved.", err=True)
        raise typer.Exit(INTERRUPTED) from None
    again = {**findings, "site": where}
    if what.strip():
        again["text"] = what
    else:
        again.pop("text", None)
    read, understood = read_into(validate_findings(again))
    return dict(read), understood


def _screen_on_terminal(findings: dict[str, Any]) -> dict[str, Any]:
    """The safety screen on a terminal: the warning signs that matter for this episode and
    were not said, asked as grouped questions before an answer below urgent is given."""
    from musclewise.assessment import default_engine, resolve_medicines
    from musclewise.cli.check import INTERRUPTED, ask_group
    from musclewise.interview import answer_group, screen_question

    engine = default_engine()
    unknown: set[str] = set()
    found = dict(findings)
    medicines = resolve_medicines(found.get("medications", ()))
    typer.echo("Before the answer, a quick check for warning signs:")
    try:
        while True:
            question = screen_question(engine, engine.evaluate(found, medicines), unknown)
            if question is None:
                return found
            action, value = ask_group(question)
            if action != "answer":  # back or stop: the answer stands on what was said
                return found
            added, not_known = answer_group(question, value)
            found.update(added)
            unknown |= not_known
    except KeyboardInterrupt:
        typer.echo("\nStopped: nothing was saved.", err=True)
        raise typer.Exit(INTERRUPTED) from None


def _print_understood(console: Any, understood: list[dict[str, Any]]) -> None:
    from rich.text import Text

    from musclewise.text import understood_line

    line = understood_line(understood)
    if line:
        console.print(Text("I understood: ", style="bold") + Text(line))
        console.print(
            Text(
                "If any of this is wrong, correct it with the options (they win over the "
                "text), e.g. --side left or --no-swelling.",
                style="italic",
            )
        )
    else:
        console.print(
            Text("I could not read any findings from the description; ", style="bold")
            + Text("describe it with the options (musclewise assess --help).")
        )


def findings_from_options(
    given: dict[str, Any], onset_flags: list[str], settings: list[str]
) -> dict[str, Any]:
    findings: dict[str, Any] = {}
    by_key = {o.key: o for o in OPTIONS}
    for key, value in given.items():
        opt = by_key[key]
        plain = value.value if isinstance(value, Enum) else value
        findings[key] = opt.parse(plain) if opt.parse else plain
    if len(onset_flags) > 1 or (onset_flags and "onset" in findings):
        raise UsageError("give one onset only (--onset or one of --at-night, --at-rest, ...)")
    if onset_flags:
        findings["onset"] = onset_flags[0]
    for item in settings:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set takes KEY=VALUE, got '{item}'")
        if key in findings:
            raise UsageError(f"--set {key}: that key is already given by another option")
        findings[key] = _json_value(raw.strip())
    return findings


def _json_value(raw: str) -> Any:
    from musclewise.cli.parsing import set_value

    return set_value(raw)  # yes/no words, JSON, else the text (never an exception)


assess_command = _assess
assess_command.__signature__ = inspect.Signature(_parameters())  # type: ignore[attr-defined]
assess_command.__annotations__ = {
    p.name: p.annotation
    for p in assess_command.__signature__.parameters.values()  # type: ignore[attr-defined]
}
assess_command.__doc__ = """Assess one muscle episode: cramp, twitch or mimic, triage, factors, what to do.

Examples:

  musclewise assess --site calf --pain 8 --duration 2m --at-night --meds "furosemide, Lipitor"

  musclewise assess "my calf locked up last night, 8/10 for two minutes, no swelling"

  musclewise assess --example --format json

  musclewise assess --json episodes.jsonl > assessments.jsonl
"""
