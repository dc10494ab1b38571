"""Checking what is about to be stored: each problem names the field and what is allowed.

The contract keys of an episode are checked by :func:`musclewise.findings.validate_findings`;
the profile and the day's context by the small tables below. Every problem is collected before
raising, so one message lists them all.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec

from musclewise.diary.columns import MEDICINE_MAX, NAME_MAX, NOTES_MAX, SHORT_TEXT_MAX
from musclewise.diary.errors import DiaryValueError, FieldProblem
from musclewise.errors import FindingsError
from musclewise.findings import CONDITIONS, FINDINGS_KEYS, Findings, diagnose

EPISODE_COLUMNS = ("site", "side", "pain", "duration_s")
"""Contract keys an episode keeps in columns of their own (filters and indexes use them)."""
PROFILE_KEYS = ("age", "sex", "pregnant", "medications", "conditions")
"""Contract keys that come from the profile, never from an episode."""
SEXES = ("female", "male")
EARLIEST_BIRTH_YEAR = 1880


class Spec(NamedTuple):
    """What one stored field accepts."""

    kind: type
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return f"text of at most {int(self.high or 0)} characters"
        what = "a whole number" if self.kind is int else "a number"
        return f"{what} from {self.low:g} to {self.high:g}"


DAY_SPECS: dict[str, Spec] = {
    "exercise_minutes": Spec(float, 0, 1440),
    "exercise_intense": Spec(bool),
    "fluids_litres": Spec(float, 0, 20),
    "fluids_low": Spec(bool),
    "caffeine_cups": Spec(float, 0, 100),
    "alcohol_drinks": Spec(float, 0, 100),
    "cigarettes": Spec(int, 0, 200),
    "stress": Spec(int, 0, 10),
    "sleep_hours": Spec(float, 0, 24),
    "screen_hours": Spec(float, 0, 24),
    "hot_environment": Spec(bool),
    "heavy_sweating": Spec(bool),
    "long_sitting_or_standing": Spec(bool),
    "cold_exposure": Spec(bool),
    "low_mineral_diet": Spec(bool),
    "medicines_missed": Spec(str, 1, SHORT_TEXT_MAX),
    "notes": Spec(str, 1, NOTES_MAX),
}


def _shown(value: object) -> str:
    """A value as an error echoes it: its ``repr``, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def check_value(field: str, value: Any, spec: Spec) -> tuple[Any, str | None]:
    """The value as stored, or a problem saying what the field allows."""
    if spec.kind is bool:
        return (
            (value, None)
            if isinstance(value, bool)
            else (None, f"{_shown(value)} is not true or false")
        )
    if spec.kind is str:
        if not isinstance(value, str):
            return None, f"{_shown(value)} is not text"
        if "\x00" in value:
            return None, "must not contain NUL characters"
        cleaned = clean_text(value).strip()
        if not cleaned:
            return None, "must not be empty"
        if len(cleaned) > (spec.high or 0):
            return None, f"is too long (at most {int(spec.high or 0)} characters)"
        return cleaned, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"{_shown(value)} is not {spec.describe()}"
    if spec.kind is int and not float(value).is_integer():
        return None, f"{_shown(value)} is not a whole number"
    if isinstance(value, float) and not math.isfinite(value):
        return None, f"{_shown(value)} is not a number"
    number = int(value) if spec.kind is int else float(value)
    if spec.low is not None and number < spec.low:
        return None, f"{_shown(value)} is below the minimum {spec.low:g}"
    if spec.high is not None and number > spec.high:
        return None, f"{_shown(value)} is above the maximum {spec.high:g}"
    return number, None


_TERMINAL_CODES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b.?"  # any other escape
    r"|[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]"  # other control characters (tab, newline stay)
)


def clean_text(text: str) -> str:
    """Text without terminal escape sequences or control characters (tabs and line breaks
    stay): what a diary stores, so that showing it cannot move the cursor or retitle the
    terminal."""
    return _TERMINAL_CODES.sub("", text)


_CODES = (
    ("below the minimum", "below_minimum"),
    ("above the maximum", "above_maximum"),
    ("is too long", "too_long"),
    ("must not be empty", "empty"),
    (" is not ", "wrong_type"),
)


def field_problem(key: str, problem: str, value: object) -> FieldProblem:
    """A problem of :func:`check_value` with its code and the type of the value (never the
    value)."""
    code = next((code for words, code in _CODES if words in problem), "invalid")
    return FieldProblem(key, problem, code, (), type(value).__name__)


def check_fields(values: Mapping[str, Any], specs: Mapping[str, Spec]) -> dict[str, Any]:
    """Every value checked against its spec (None passes: it clears the field)."""
    problems: list[FieldProblem] = []
    result: dict[str, Any] = {}
    for key, value in values.items():
        if key not in specs:
            problems.append(
                FieldProblem(key, unknown_field(key, specs), "unknown_field", tuple(specs))
            )
            continue
        if value is None:
            result[key] = None
            continue
        checked, problem = check_value(key, value, specs[key])
        if problem:
            problems.append(field_problem(key, problem, value))
        else:
            result[key] = checked
    if problems:
        raise DiaryValueError(problems)
    return result


def unknown_field(key: str, allowed: Iterable[str]) -> str:
    names = list(allowed)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    guess = f" — did you mean '{close[0]}'?" if close else ""
    return f"is not a field here{guess}; use one of: {', '.join(names)}"


def check_name(name: object, field: str = "name") -> str:
    checked, problem = check_value(field, name, Spec(str, 1, NAME_MAX))
    if problem:
        raise DiaryValueError([FieldProblem(field, problem)])
    if any(ord(ch) < 32 for ch in checked):
        raise DiaryValueError([FieldProblem(field, "must not contain control characters")])
    result: str = checked
    return result


def check_medicine_name(name: object) -> str:
    checked, problem = check_value("medicine", name, Spec(str, 1, MEDICINE_MAX))
    if problem:
        raise DiaryValueError([FieldProblem("medicine", problem)])
    result: str = checked
    return result


CONDITION_WORDS: dict[str, str] = {
    "underactive thyroid": "hypothyroidism", "hypothyroid": "hypothyroidism",
    "low thyroid": "hypothyroidism", "hashimotos": "hypothyroidism",
    "kidney disease": "kidney_disease", "chronic kidney disease": "kidney_disease",
    "ckd": "kidney_disease", "kidney failure": "kidney_disease", "dialysis": "kidney_disease",
    "diabetic": "diabetes", "type 1 diabetes": "diabetes", "type 2 diabetes": "diabetes",
    "peripheral arterial disease": "peripheral_artery_disease",
    "pad": "peripheral_artery_disease", "poor circulation in the legs": "peripheral_artery_disease",
    "spinal stenosis": "lumbar_stenosis", "lumbar spinal stenosis": "lumbar_stenosis",
    "peripheral neuropathy": "neuropathy", "nerve damage": "neuropathy",
    "diabetic neuropathy": "neuropathy", "ms": "multiple_sclerosis",
    "liver cirrhosis": "cirrhosis", "anxiety disorder": "anxiety",
    "coronary heart disease": "heart_disease", "heart failure": "heart_disease",
    "underactive parathyroid": "hypoparathyroidism", "hypoparathyroid": "hypoparathyroidism",
}  # fmt: skip
"""Words people use for the conditions the profile knows (any case; ``_`` or ``-`` for a
space): mapped to the contract's names."""


def condition_key(text: object) -> object:
    """The contract's name for a condition as a person may write it (else ``text``)."""
    if not isinstance(text, str):
        return text
    words = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
    key = words.replace(" ", "_")
    if key in CONDITIONS:
        return key
    return CONDITION_WORDS.get(words, CONDITION_WORDS.get(words.replace("'", ""), text))


def check_conditions(conditions: Iterable[object], field: str = "conditions") -> list[str]:
    problems: list[FieldProblem] = []
    result: list[str] = []
    for given in conditions:
        condition = condition_key(given)
        if condition in CONDITIONS:
            if condition not in result:
                result.append(str(condition))
            continue
        close = difflib.get_close_matches(str(condition), CONDITIONS, n=1, cutoff=0.6)
        guess = f" — did you mean '{close[0]}'?" if close else ""
        problems.append(
            FieldProblem(field, f"{condition!r} is not a condition musclewise knows{guess}; "
                                f"use one of: {', '.join(CONDITIONS)}")
        )  # fmt: skip
    if problems:
        raise DiaryValueError(problems)
    return result


def check_profile(values: Mapping[str, Any], this_year: int) -> dict[str, Any]:
    """The person's fields (not conditions or medicines); ``None`` clears a field."""
    from musclewise.diary.times import zone

    allowed = ("name", "timezone", "sex", "birth_year", "pregnant")
    problems: list[FieldProblem] = []
    result: dict[str, Any] = {}
    for key, value in values.items():
        try:
            if key not in allowed:
                problems.append(
                    FieldProblem(key, unknown_field(key, allowed), "unknown_field", allowed)
                )
            elif key == "name":
                result[key] = check_name(value)
            elif key == "timezone":
                if not isinstance(value, str):
                    problems.append(FieldProblem(key, f"{value!r} is not a time zone name"))
                else:
                    zone(value)
                    result[key] = value
            elif value is None:
                result[key] = None
            elif key == "sex":
                word = value.strip().lower() if isinstance(value, str) else value
                if word in SEXES:
                    result[key] = word
                else:
                    problems.append(
                        FieldProblem(key, f"{value!r} is not allowed; use one of: female, male",
                                     "not_allowed", SEXES, type(value).__name__)
                    )  # fmt: skip
            elif key == "birth_year":
                checked, problem = check_value(
                    key, value, Spec(int, EARLIEST_BIRTH_YEAR, this_year)
                )
                if problem:
                    problems.append(field_problem(key, problem, value))
                else:
                    result[key] = checked
            else:
                checked, problem = check_value(key, value, Spec(bool))
                if problem:
                    problems.append(field_problem(key, problem, value))
                else:
                    result[key] = checked
        except FindingsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DiaryValueError(problems)
    return result


def check_episode_findings(columns: Mapping[str, Any], findings: Mapping[str, Any]) -> None:
    """Check the episode's own contract keys; raises naming each bad key.

    ``columns`` are site, side, pain and duration_s (given as fields of their own); ``findings``
    holds every other contract key given with the episode."""
    problems: list[FieldProblem] = []
    for key in findings:
        if key in EPISODE_COLUMNS:
            problems.append(
                FieldProblem(key, "is a field of its own: give it as such, not in findings")
            )
        elif key in PROFILE_KEYS:
            problems.append(
                FieldProblem(key, "comes from the profile: set it with musclewise profile set "
                                  "(or profile medicine add)")
            )  # fmt: skip
        elif key == "text":
            problems.append(
                FieldProblem(key, "free text is not stored yet: use the structured keys")
            )
    if problems:
        raise DiaryValueError(problems)
    given = {k: v for k, v in columns.items() if v is not None}
    if "site" not in given:
        problems.append(FieldProblem("site", "is required"))
    data = {**given, **findings}
    try:
        # as validate_findings checks them, without building the dict it returns (imports
        # check every episode: this is a tenth of their time)
        msgspec.convert(data, Findings, strict=True)
    except msgspec.ValidationError:
        found = diagnose(data)
        raise DiaryValueError(problems + found) from None
    if problems:
        raise DiaryValueError(problems)


class FoundEpisode(NamedTuple):
    """Findings as an assessment read them (a check, a description), split as the diary keeps
    them (:func:`episode_from_findings`)."""

    fields: dict[str, Any]
    """The episode's own fields: ``site``, ``side``, ``pain``, ``duration_s`` (those given)."""
    findings: dict[str, Any]
    """Every other finding of the episode."""
    profile: dict[str, Any]
    """What belongs to the person, not the episode (age, sex, pregnant, medicines, conditions):
    the profile holds it, so the diary does not store it with the episode."""


def episode_from_findings(found: Mapping[str, Any]) -> FoundEpisode:
    """Split findings for :meth:`musclewise.diary.Diary.add_episode` (``text`` is left out:
    keep the words as the notes)."""
    fields = {k: v for k, v in found.items() if k in EPISODE_COLUMNS}
    profile = {k: v for k, v in found.items() if k in PROFILE_KEYS}
    rest = {k: v for k, v in found.items() if k not in fields and k not in profile and k != "text"}
    return FoundEpisode(fields, rest, profile)


__all__ = [
    "DAY_SPECS",
    "EPISODE_COLUMNS",
    "FINDINGS_KEYS",
    "PROFILE_KEYS",
    "FoundEpisode",
    "check_conditions",
    "check_episode_findings",
    "check_fields",
    "check_medicine_name",
    "check_name",
    "check_profile",
    "episode_from_findings",
]


def check_aware(value: object, field: str) -> datetime:
    """A date and time with a zone, in UTC (else a :class:`DiaryValueError` naming ``field``)."""
    if not isinstance(value, datetime):
        raise DiaryValueError([FieldProblem(field, f"{value!r} is not a date and time")])
    if value.tzinfo is None or value.utcoffset() is None:
        raise DiaryValueError([FieldProblem(field, "has no time zone; give an aware datetime")])
    return value.astimezone(UTC)


def check_notes(notes: object) -> str | None:
    """Notes as stored (cleaned), or None."""
    if notes is None:
        return None
    checked = check_fields({"notes": notes}, DAY_SPECS)
    result: str | None = checked["notes"]
    return result


class NewEpisode(NamedTuple):
    """An episode's checked values, as both diary writers store them."""

    findings: dict[str, Any]
    started_at: datetime
    notes: str | None
    duration_s: float | None


def check_new_episode(
    site: str,
    *,
    pain: int | None,
    duration_s: float | None,
    side: str | None,
    started_at: datetime | None,
    findings: Mapping[str, Any] | None,
    notes: str | None,
) -> NewEpisode:
    """Check a new episode (its start: now by default, never in the future)."""
    from musclewise.diary.times import check_not_future, now

    extra = dict(findings or {})
    check_episode_findings({"site": site, "side": side, "pain": pain, "duration_s": duration_s},
                           extra)  # fmt: skip
    when = check_not_future(check_aware(started_at or now(), "started_at"), "started_at")
    seconds = None if duration_s is None else float(duration_s)
    return NewEpisode(extra, when, check_notes(notes), seconds)
