"""The findings of contract 1: what is known about one episode and the person it happened to.

Every key is optional and a missing key means "not known". Validation is strict: a key the
contract does not name, a value of the wrong type or out of range is an error that names the
key (``pain: 12 is above the maximum 10``; ``unknown key 'swellling' — did you mean
'swelling'?``), and every bad key is listed, not just the first.

Valid findings are plain dicts holding only the keys that were given. The checking is done by
msgspec, which decodes and validates a line of JSON in about a microsecond and imports in a
few milliseconds: the start-up budget of ``musclewise assess`` has no room for more.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal, get_args

import msgspec
from msgspec import UNSET, Meta, UnsetType

from musclewise import contract
from musclewise.contract import Condition, Site
from musclewise.errors import FieldProblem, FindingsError

Side = Literal["left", "right", "both"]
Extent = Literal["whole_muscle", "part_of_muscle"]
Onset = Literal["during_exercise", "after_exercise", "at_rest", "during_sleep", "while_walking"]
Sex = Literal["female", "male"]
Score = Annotated[int, Meta(ge=0, le=10)]
Hours = Annotated[float, Meta(ge=0, le=24)]
Count = Annotated[float, Meta(ge=0, le=100)]
MedicineName = Annotated[str, Meta(min_length=1, max_length=200)]


class Findings(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One findings object of contract 1 (``findings.schema.json``); every key optional."""

    text: Annotated[str, Meta(min_length=1, max_length=5000)] | UnsetType = UNSET
    # the episode
    site: Site | UnsetType = UNSET
    side: Side | UnsetType = UNSET
    pain: Score | UnsetType = UNSET
    duration_s: Annotated[float, Meta(ge=0, le=2_592_000)] | UnsetType = UNSET
    extent: Extent | UnsetType = UNSET
    muscle_hard: bool | UnsetType = UNSET
    visible_twitch: bool | UnsetType = UNSET
    onset: Onset | UnsetType = UNSET
    relieved_by_stretch: bool | UnsetType = UNSET
    relieved_by_rest: bool | UnsetType = UNSET
    relieved_by_bending_forward: bool | UnsetType = UNSET
    # the pattern
    episodes_per_week: Annotated[float, Meta(ge=0, le=10_000)] | UnsetType = UNSET
    ongoing_days: Annotated[float, Meta(ge=0, le=36_500)] | UnsetType = UNSET
    muscles_involved: Annotated[int, Meta(ge=0, le=700)] | UnsetType = UNSET
    spreading: bool | UnsetType = UNSET
    # warning signs
    weakness: bool | UnsetType = UNSET
    wasting: bool | UnsetType = UNSET
    numbness_tingling: bool | UnsetType = UNSET
    perioral_tingling: bool | UnsetType = UNSET
    swelling: bool | UnsetType = UNSET
    redness: bool | UnsetType = UNSET
    warmth: bool | UnsetType = UNSET
    tenderness: bool | UnsetType = UNSET
    pale_cold_limb: bool | UnsetType = UNSET
    dark_urine: bool | UnsetType = UNSET
    fever: bool | UnsetType = UNSET
    confusion: bool | UnsetType = UNSET
    chest_pain: bool | UnsetType = UNSET
    trouble_swallowing_or_speaking: bool | UnsetType = UNSET
    trouble_breathing: bool | UnsetType = UNSET
    severe_unrelenting_pain: bool | UnsetType = UNSET
    tight_swollen_compartment: bool | UnsetType = UNSET
    twisting_posture: bool | UnsetType = UNSET
    urge_to_move: bool | UnsetType = UNSET
    saddle_numbness: bool | UnsetType = UNSET
    bladder_or_bowel_change: bool | UnsetType = UNSET
    lockjaw: bool | UnsetType = UNSET
    eyelid_closes_or_droops: bool | UnsetType = UNSET
    sleep_disturbed: bool | UnsetType = UNSET
    # more warning signs (contract 1.1)
    carpopedal_spasm: bool | UnsetType = UNSET
    rest_pain: bool | UnsetType = UNSET
    non_healing_sore: bool | UnsetType = UNSET
    pain_on_passive_stretch: bool | UnsetType = UNSET
    cast_or_tight_bandage: bool | UnsetType = UNSET
    postpartum: bool | UnsetType = UNSET
    face_droop: bool | UnsetType = UNSET
    # recent history
    recent_injury: bool | UnsetType = UNSET
    recent_surgery: bool | UnsetType = UNSET
    wound: bool | UnsetType = UNSET
    fluid_loss: bool | UnsetType = UNSET
    long_travel: bool | UnsetType = UNSET
    new_medicine: bool | UnsetType = UNSET
    # the person
    age: Annotated[int, Meta(ge=0, le=130)] | UnsetType = UNSET
    sex: Sex | UnsetType = UNSET
    pregnant: bool | UnsetType = UNSET
    medications: Annotated[list[MedicineName], Meta(max_length=100)] | UnsetType = UNSET
    conditions: list[Condition] | UnsetType = UNSET
    # the last 24 hours
    exercise_minutes: Annotated[float, Meta(ge=0, le=1440)] | UnsetType = UNSET
    exercise_intense: bool | UnsetType = UNSET
    hot_environment: bool | UnsetType = UNSET
    heavy_sweating: bool | UnsetType = UNSET
    fluids_low: bool | UnsetType = UNSET
    caffeine_cups: Count | UnsetType = UNSET
    alcohol_drinks: Count | UnsetType = UNSET
    smoker: bool | UnsetType = UNSET
    stress: Score | UnsetType = UNSET
    sleep_hours: Hours | UnsetType = UNSET
    screen_hours: Hours | UnsetType = UNSET
    long_sitting_or_standing: bool | UnsetType = UNSET
    cold_exposure: bool | UnsetType = UNSET
    low_mineral_diet: bool | UnsetType = UNSET


FINDINGS_KEYS: tuple[str, ...] = Findings.__struct_fields__
"""Every key of contract 1, in the contract's order."""

WARNING_SIGNS: tuple[str, ...] = (
    "weakness", "wasting", "numbness_tingling", "perioral_tingling", "swelling", "redness",
    "warmth", "tenderness", "pale_cold_limb", "dark_urine", "fever", "confusion", "chest_pain",
    "trouble_swallowing_or_speaking", "trouble_breathing", "severe_unrelenting_pain",
    "tight_swollen_compartment", "twisting_posture", "urge_to_move", "saddle_numbness",
    "bladder_or_bowel_change", "lockjaw", "eyelid_closes_or_droops", "sleep_disturbed",
    "carpopedal_spasm", "rest_pain", "non_healing_sore", "pain_on_passive_stretch",
    "cast_or_tight_bandage", "postpartum", "face_droop",
)  # fmt: skip
"""The contract's warning-sign keys (all yes/no), with those contract 1.1 adds."""

SITES = contract.SITES  # defined in musclewise.contract, re-exported
CONDITIONS = contract.CONDITIONS
ONSETS: tuple[str, ...] = get_args(Onset)

_JSON_DECODER = msgspec.json.Decoder()


def suggest_key(key: str) -> str | None:
    """The contract key closest to a misspelt one, if any is close enough."""
    close = difflib.get_close_matches(key, FINDINGS_KEYS, n=1, cutoff=0.75)
    return close[0] if close else None


def _as_dict(findings: Findings) -> dict[str, Any]:
    return {k: v for k in FINDINGS_KEYS if (v := getattr(findings, k)) is not UNSET}


def validate_findings(data: object) -> dict[str, Any]:
    """Check a Python object against contract 1; return the findings given, or raise."""
    try:
        findings = msgspec.convert(data, Findings, strict=True)
    except msgspec.ValidationError:
        raise FindingsError(diagnose(data)) from None
    return _checked(findings)


def decode_findings(line: bytes | str) -> dict[str, Any]:
    """Decode one JSON findings object and check it; raise FindingsError naming each problem."""
    try:
        data = _JSON_DECODER.decode(line)
    except msgspec.DecodeError as exc:
        raise FindingsError([FieldProblem("", f"not valid JSON ({exc})")]) from None
    except UnicodeDecodeError:
        raise FindingsError([FieldProblem("", "is not UTF-8 text")]) from None
    except RecursionError:
        raise FindingsError([FieldProblem("", "is nested too deeply to be findings")]) from None
    try:
        # the plain decode keeps only the keys given; converting checks them (fastest this way)
        msgspec.convert(data, Findings, strict=True)
    except msgspec.ValidationError:
        raise FindingsError(diagnose(data)) from None
    conditions = data.get("conditions")
    if conditions is not None and len(set(conditions)) != len(conditions):
        raise FindingsError([FieldProblem("conditions", "lists the same condition twice")])
    result: dict[str, Any] = data
    return result


def _checked(findings: Findings) -> dict[str, Any]:
    result = _as_dict(findings)
    conditions = result.get("conditions")
    if conditions is not None and len(set(conditions)) != len(conditions):
        raise FindingsError([FieldProblem("conditions", "lists the same condition twice")])
    return result


_MESSAGE = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$")


def _plain(message: str, value: object) -> tuple[str, str]:
    """msgspec's message for one value, in the words a person would use, and its code."""
    if m := re.match(r"Expected `\w+` <= (\S+)", message):
        return "above_maximum", f"{value!r} is above the maximum {m.group(1)}"
    if m := re.match(r"Expected `\w+` >= (\S+)", message):
        return "below_minimum", f"{value!r} is below the minimum {m.group(1)}"
    if m := re.match(r"Expected `(?:str|array)` of length <= (\d+)", message):
        return "too_long", f"is too long (at most {m.group(1)})"
    if re.match(r"Expected `str` of length >= 1", message):
        return "empty", "must not be empty"
    if message.startswith("Invalid enum value"):
        return "not_allowed", f"{value!r} is not allowed"
    if m := re.match(r"Expected `(\w+)`", message):
        wanted = {
            "bool": "true or false",
            "int": "a whole number",
            "float": "a number",
            "str": "a string",
            "array": "a list",
        }.get(m.group(1), m.group(1))
        return "wrong_type", f"{value!r} is not {wanted}"
    return "invalid", message


def diagnose(data: object) -> list[FieldProblem]:
    """Every problem of an invalid findings object, one per key (used on the error path only)."""
    if not isinstance(data, dict):
        return [FieldProblem("", "findings must be a JSON object")]
    problems: list[FieldProblem] = []
    unknown = 0
    for key, value in data.items():
        if key not in FINDINGS_KEYS:
            unknown += 1
            if unknown > UNKNOWN_SHOWN:
                continue  # counted, not echoed: a line may hold thousands
            guess = suggest_key(str(key)[:KEY_SHOWN]) if unknown <= UNKNOWN_SUGGESTED else None
            hint = f" — did you mean '{guess}'?" if guess else "; see the contract for the keys"
            problems.append(
                FieldProblem("", f"unknown key '{_short(str(key))}'{hint}", "unknown_key")
            )
            continue
        if len(problems) >= PROBLEMS_SHOWN:
            continue
        try:
            msgspec.convert({key: value}, Findings, strict=True)
        except msgspec.ValidationError as exc:
            m = _MESSAGE.match(str(exc))
            assert m is not None
            path = (m.group("path") or f".{key}").lstrip(".")
            shown = value
            if idx := re.search(r"\[(\d+)\]$", path):
                shown = value[int(idx.group(1))] if isinstance(value, list) else value
            code, problem = _plain(m.group("msg"), _ShortRepr(shown))
            allowed = _allowed(key)
            if code == "not_allowed":
                problem += f"; use one of: {', '.join(allowed)}"
            problems.append(FieldProblem(path, problem, code, allowed, type(shown).__name__))
    if unknown > UNKNOWN_SHOWN:
        problems.append(FieldProblem("", f"and {unknown - UNKNOWN_SHOWN:,} more unknown keys"))
    return problems or [FieldProblem("", "findings are not valid")]


UNKNOWN_SHOWN = 10
"""Unknown keys named in an error (the others are counted)."""
UNKNOWN_SUGGESTED = 5
"""Unknown keys for which the closest contract key is looked for."""
PROBLEMS_SHOWN = 30
KEY_SHOWN = 40
VALUE_SHOWN = 60
"""Characters of a key or value echoed in an error (the rest is cut, with "...")."""


def _short(text: str, limit: int = KEY_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class _ShortRepr:
    """A value as ``repr`` shows it, cut to :data:`VALUE_SHOWN` characters."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return _short(repr(self.value), VALUE_SHOWN)


def _allowed(key: str) -> tuple[str, ...]:
    return {
        "site": SITES,
        "side": get_args(Side),
        "extent": get_args(Extent),
        "onset": ONSETS,
        "sex": get_args(Sex),
        "conditions": CONDITIONS,
    }.get(key, ())
