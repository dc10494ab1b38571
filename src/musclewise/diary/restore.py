"""Checking records written back as they were exported (imports and restores): an episode's
fields, its stored assessment (which must follow the assessment contract) and the three
values its row repeats from the assessment.

The fields of a restored episode are :class:`RestoredFields`, written once: the signature of
:func:`check_restored_episode` and of :meth:`musclewise.diary.Diary.restore_episode`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

import msgspec

from musclewise.contract import KINDS, TRIAGE_LEVELS
from musclewise.diary import times
from musclewise.diary.errors import DiaryValueError, FieldProblem
from musclewise.diary.validate import check_aware, check_episode_findings, check_notes

VERSION_MAX = 32
"""The longest knowledge_version the episode table holds."""


class RestoredFields(TypedDict, total=False):
    """The fields of an exported episode besides its site (each may be None but the start)."""

    started_at: Required[datetime]
    tz: str | None
    pain: int | None
    duration_s: float | None
    side: str | None
    findings: Mapping[str, Any] | None
    notes: str | None
    assessment: Mapping[str, Any] | AssessmentText | None
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class CheckedEpisode:
    """An exported episode, checked by :func:`check_restored_episode`: times in UTC."""

    site: str
    started_at: datetime
    tz: str | None
    side: str | None
    pain: int | None
    duration_s: float | None
    findings: dict[str, Any]
    notes: str | None
    assessment: dict[str, Any] | AssessmentText | None
    created_at: datetime | None
    updated_at: datetime | None


def check_restored_episode(site: str, **fields: Unpack[RestoredFields]) -> CheckedEpisode:
    """Check an episode to be written as it was exported (see :meth:`Diary.restore_episode`);
    raises :class:`DiaryValueError` naming each bad field. ``tz`` None: the person's zone."""
    unexpected = sorted(
        fields.keys() - RestoredFields.__required_keys__ - RestoredFields.__optional_keys__
    )
    if unexpected:
        raise TypeError(f"check_restored_episode() got unexpected fields: {', '.join(unexpected)}")
    started_at = fields["started_at"]
    tz, side, pain = fields.get("tz"), fields.get("side"), fields.get("pain")
    duration_s, assessment = fields.get("duration_s"), fields.get("assessment")
    created_at, updated_at = fields.get("created_at"), fields.get("updated_at")
    columns = {"site": site, "side": side, "pain": pain, "duration_s": duration_s}
    extra = dict(fields.get("findings") or {})
    check_episode_findings(columns, extra)
    when = times.check_not_future(check_aware(started_at, "started_at"), "started_at")
    stamps = {
        name: times.check_not_future(check_aware(value, name), name)
        for name, value in (("created_at", created_at), ("updated_at", updated_at))
        if value is not None
    }
    if tz is not None:
        if not isinstance(tz, str):
            raise DiaryValueError([FieldProblem("tz", f"{tz!r} is not a time zone name")])
        times.zone(tz, "tz")
    return CheckedEpisode(
        site=site,
        started_at=when,
        tz=tz,
        side=side,
        pain=pain,
        duration_s=None if duration_s is None else float(duration_s),
        findings=extra,
        notes=check_notes(fields.get("notes")),
        assessment=(
            assessment
            if assessment is None or isinstance(assessment, AssessmentText)
            else check_assessment_mapping(assessment)
        ),
        created_at=stamps.get("created_at"),
        updated_at=stamps.get("updated_at"),
    )


def check_assessment_mapping(assessment: Mapping[str, Any]) -> dict[str, Any]:
    """A stored assessment kept as it is: it must follow the assessment contract."""
    from musclewise.diary.contract_check import check_assessment

    assessment_head(assessment)
    check_assessment(dict(assessment))
    return dict(assessment)


def assessment_head(assessment: object) -> tuple[str, str, str]:
    """The kind, triage level and knowledge version an assessment states (checked)."""
    problem = None
    if not isinstance(assessment, Mapping):
        problem = "is not a JSON object"
    elif assessment.get("kind") not in KINDS:
        problem = f"has no kind (one of: {', '.join(KINDS)})"
    elif not isinstance(assessment.get("triage"), Mapping) or (
        assessment["triage"].get("level") not in TRIAGE_LEVELS
    ):
        problem = f"has no triage level (one of: {', '.join(TRIAGE_LEVELS)})"
    elif not isinstance(assessment.get("knowledge_version"), str):
        problem = "has no knowledge_version"
    elif len(assessment["knowledge_version"]) > VERSION_MAX:
        problem = f"has a knowledge_version longer than {VERSION_MAX} characters"
    if problem:
        raise DiaryValueError([FieldProblem("assessment", problem)])
    assert isinstance(assessment, Mapping)
    return assessment["kind"], assessment["triage"]["level"], assessment["knowledge_version"]


class _Head(msgspec.Struct):
    """The part of an assessment the episode's columns repeat (the rest is only checked to
    be JSON, not decoded)."""

    kind: Any = None
    triage: Any = None
    knowledge_version: Any = None


_HEAD_DECODER = msgspec.json.Decoder(_Head)


@dataclass(frozen=True, slots=True)
class AssessmentText:
    """A stored assessment as JSON text, as an import file holds it: written to the database
    as it is (not decoded and encoded again), with the three fields its episode repeats."""

    text: str
    kind: str
    triage: str
    knowledge_version: str

    @classmethod
    def parse(cls, text: str | bytes) -> AssessmentText:
        """Check the text is an assessment of the contract (kind, triage, version, ...)."""
        from musclewise.diary.contract_check import ASSESSMENT_MAX_CHARS

        if len(text) > ASSESSMENT_MAX_CHARS:
            raise DiaryValueError([FieldProblem(
                "assessment", f"is too long (at most {ASSESSMENT_MAX_CHARS:,} characters)")])  # fmt: skip
        try:
            head = _HEAD_DECODER.decode(text)
        except msgspec.ValidationError:
            raise DiaryValueError([FieldProblem("assessment", "is not a JSON object")]) from None
        except msgspec.DecodeError:
            raise DiaryValueError([FieldProblem("assessment", "is not valid JSON")]) from None
        values = {"kind": head.kind, "triage": head.triage}
        values["knowledge_version"] = head.knowledge_version
        kind, triage, version = assessment_head(values)
        from musclewise.diary.contract_check import check_assessment_text

        check_assessment_text(text)  # the whole of it follows the contract
        decoded = text if isinstance(text, str) else text.decode("utf-8")
        return cls(decoded, kind, triage, version)

    def decoded(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.text)
        return result
