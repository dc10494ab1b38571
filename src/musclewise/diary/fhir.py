"""The diary as a FHIR R4B Bundle, and back (issue 4; the mapping is in ``docs/diary.md``).

:func:`write_bundle` writes one person's diary as a ``transaction`` Bundle that a FHIR server
(R4 or R4B) can load in one request:

- a pseudonymous **Patient**: no name, a random ``urn:uuid`` identifier, the year of birth and
  the sex only;
- one **MedicationStatement** a medicine: its name as typed, the generic name musclewise read
  it as, and the dates it was started and stopped;
- one **Observation** an episode: coded by the kind of its stored assessment, with its start
  (``effectiveDateTime`` with the UTC offset it happened at, and its IANA zone), body site,
  side, pain (LOINC 72514-3), duration, the other findings, the notes, the kind, triage and
  knowledge version of the assessment, and the whole assessment as an extension.

:func:`import_bundle` reads such a bundle back into a diary in one transaction; a bundle with
any problem writes nothing, and every problem is named by its entry, resource and field.

Every code comes from ``fhir_codes.yaml`` (:func:`code_table`). The module reads and writes
plain JSON; ``fhir.resources`` (R4B) checks the structure of each resource on import.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any

from musclewise.diary.api import Diary
from musclewise.diary.errors import DiaryValueError
from musclewise.diary.fhir_codes import (
    Code,
    CodeTable,
    Concept,
    ValueType,
    code_table,
    finding_types,
)
from musclewise.diary.records import EpisodeRecord, MedicineRecord
from musclewise.diary.transfer import ImportRejected, ImportSummary, RowProblem
from musclewise.errors import FieldProblem, MusclewiseError, UsageError

__all__ = [
    "BundleProblem",
    "BundleRejected",
    "CodeTable",
    "code_table",
    "import_bundle",
    "is_bundle",
    "read_bundle",
    "write_bundle",
]

RESOURCES = ("Patient", "MedicationStatement", "Observation")
BUNDLE_TYPES = ("transaction", "batch", "collection", "document")
"""The bundles an import reads (their entries are taken as they are)."""


# --------------------------------------------------------------------------- export


def _urn(value: uuid.UUID) -> str:
    return f"urn:uuid:{value}"


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": full_url,
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def bundle_entries(
    diary: Diary, patient_id: uuid.UUID, counts: Counter[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The entries of the person's bundle, from one consistent view of the diary. Each
    entry's ``fullUrl`` is a UUID made from the patient's and the record's natural key (an
    episode's site and start), so the same diary exported twice gives the same URLs."""
    from musclewise.assessment import resolve_medicines

    table = code_table()
    patient_url = _urn(patient_id)
    counts = counts if counts is not None else Counter()
    with diary.snapshot():
        profile = diary.get_profile()
        patient: dict[str, Any] = {
            "resourceType": "Patient",
            "identifier": [{"system": table.identifier_system, "value": patient_url}],
        }
        if profile.sex is not None:
            patient["gender"] = profile.sex
        if profile.birth_year is not None:
            patient["birthDate"] = f"{profile.birth_year:04d}"
        if profile.stored:
            counts["profile"] += 1
        yield _entry(patient_url, patient)
        matches = resolve_medicines([m.name for m in profile.medicines])
        for medicine, match in zip(profile.medicines, matches, strict=True):
            generic = match.name if match.how in ("exact", "lay_term", "fuzzy") else None
            key = f"medicine/{medicine.name}/{medicine.started_on}/{medicine.stopped_on}"
            url = _urn(uuid.uuid5(patient_id, key))
            counts["medicine"] += 1
            yield _entry(url, medication_statement(medicine, generic, patient_url))
        for episode in diary.iter_episodes():
            key = f"episode/{episode.site}/{episode.started_at.isoformat()}"
            url = _urn(uuid.uuid5(patient_id, key))
            counts["episode"] += 1
            yield _entry(url, observation(episode, patient_url))


def medication_statement(
    medicine: MedicineRecord, generic: str | None, patient_url: str
) -> dict[str, Any]:
    """A medicine as a MedicationStatement: the name as typed, its dates, the generic name."""
    table = code_table()
    medication: dict[str, Any] = {"text": medicine.name}
    if generic:
        medication["extension"] = [
            {"url": table.extensions["generic-name"], "valueString": generic}
        ]
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "completed" if medicine.stopped_on is not None else "active",
        "medicationCodeableConcept": medication,
        "subject": {"reference": patient_url},
        "informationSource": {"reference": patient_url},
    }
    period = {
        key: day.isoformat()
        for key, day in (("start", medicine.started_on), ("end", medicine.stopped_on))
        if day is not None
    }
    if period:
        resource["effectivePeriod"] = period
    return resource


def observation(episode: EpisodeRecord, patient_url: str) -> dict[str, Any]:
    """An episode as an Observation (see the module docstring and docs/diary.md)."""
    table = code_table()
    components: list[dict[str, Any]] = []

    def component(name: str, **value: Any) -> None:
        components.append({"code": table.codeable("component", name), **value})

    if episode.pain is not None:
        component("pain", valueInteger=episode.pain)
    if episode.duration_s is not None:
        unit = table.concept("component", "duration").unit
        assert unit is not None
        component("duration", valueQuantity=_quantity(episode.duration_s, unit))
    if episode.side is not None:
        component("side", valueCodeableConcept=table.codeable("side", episode.side))
    types = finding_types()
    for key, value in episode.findings.items():
        concept = table.concept("finding", key)
        components.append(
            {"code": concept.codeable(), **_finding_value(types[key], value, concept)}
        )
    component("kind", valueCodeableConcept=table.codeable("kind-value", episode.kind))
    component("triage", valueCodeableConcept=table.codeable("triage", episode.triage))
    component("knowledge-version", valueString=episode.knowledge_version)
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "meta": {"lastUpdated": _instant(episode.updated_at)},
        "extension": [
            {
                "url": table.extensions["assessment"],
                "valueString": json.dumps(episode.assessment, ensure_ascii=False),
            }
        ],
        "status": "final",
        "code": table.codeable("kind", episode.kind),
        "subject": {"reference": patient_url},
        "effectiveDateTime": episode.local_start.isoformat(),
        "_effectiveDateTime": {
            "extension": [{"url": table.extensions["tz-code"], "valueCode": episode.tz}]
        },
        "issued": _instant(episode.created_at),
        "performer": [{"reference": patient_url}],
        "bodySite": table.codeable("site", episode.site),
        "component": components,
    }
    if episode.notes:
        resource["note"] = [{"text": episode.notes}]
    return resource


def _quantity(value: float, unit: Code) -> dict[str, Any]:
    return {"value": value, "unit": unit.display, "system": unit.system, "code": unit.code}


def _finding_value(kind: ValueType, value: Any, concept: Concept) -> dict[str, Any]:
    if kind == "boolean":
        return {"valueBoolean": value}
    if kind == "integer":
        return {"valueInteger": value}
    if kind == "quantity":
        assert concept.unit is not None, f"fhir_codes.yaml: finding {concept.value} has no unit"
        return {"valueQuantity": _quantity(value, concept.unit)}
    return {"valueString": value}


def write_bundle(
    diary: Diary,
    output: IO[str],
    *,
    patient_id: uuid.UUID | None = None,
    timestamp: datetime | None = None,
) -> Counter[str]:
    """Write the diary to ``output`` as one JSON Bundle, an entry a line; returns how many
    profiles, medicines and episodes were written. ``patient_id``: the Patient's identifier
    (random by default, so that two exports cannot be linked by it)."""
    counts: Counter[str] = Counter()
    stamp = json.dumps(_instant(timestamp or datetime.now(UTC)))
    output.write(f'{{"resourceType": "Bundle", "type": "transaction", "timestamp": {stamp}, '
                 '"entry": [\n')  # fmt: skip
    entries = bundle_entries(diary, patient_id or uuid.uuid4(), counts)
    for number, entry in enumerate(entries):
        output.write((",\n" if number else "") + json.dumps(entry, ensure_ascii=False))
    output.write("\n]}\n")
    return counts


# --------------------------------------------------------------------------- import


class BundleProblem(RowProblem):
    """One problem of a bundle: ``line`` is the entry's number in ``Bundle.entry`` (from 1;
    0 for the bundle itself), ``column`` the FHIR path of the field
    (``Observation.component[2].valueInteger``)."""

    __slots__ = ()

    def __str__(self) -> str:
        where = f"entry {self.line}, " if self.line else ""
        return f"{where}{self.column}: {self.problem}" if self.column else where + self.problem


class BundleRejected(ImportRejected):
    """A bundle that is not valid: nothing was imported; ``problems`` names every one."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        UsageError.__init__(
            self,
            f"the FHIR bundle has {len(problems)} problem(s), so nothing was imported",
            hint="fix them and import the bundle again",
        )


@dataclass
class _Item:
    """One resource read from a bundle, ready for the diary; ``paths``: the FHIR path of each
    field the diary may name in a problem."""

    entry: int
    resource: str
    values: dict[str, Any]
    paths: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedBundle:
    """What :func:`read_bundle` found: the diary's records, and the problems of the rest."""

    profile: _Item | None = None
    medicines: list[_Item] = field(default_factory=list)
    episodes: list[_Item] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def is_bundle(head: bytes | str) -> bool:
    """Whether the start of a file is a FHIR Bundle (``"resourceType": "Bundle"``)."""
    import re

    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    return re.search(r'"resourceType"\s*:\s*"Bundle"', text) is not None


def read_bundle(data: object) -> ParsedBundle:
    """Check a decoded bundle and read its Patient, MedicationStatements and Observations.
    Structural problems (``fhir.resources`` R4B) and codes musclewise cannot read are listed
    in ``problems``; the diary checks the values when they are imported."""
    parsed = ParsedBundle()

    def problem(entry: int, column: str, text: str) -> None:
        parsed.problems.append(BundleProblem(entry, column, text))

    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        problem(0, "Bundle", 'is not a FHIR Bundle (no "resourceType": "Bundle")')
        return parsed
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        problem(0, "Bundle.entry", "is not a list")
        return parsed
    shell = {**data, "entry": [_without_resource(e) for e in entries]}
    for column, text in _structure_problems("Bundle", shell):
        problem(0, column, text)
    if isinstance(data.get("type"), str) and data["type"] not in BUNDLE_TYPES:
        problem(
            0,
            "Bundle.type",
            f"'{data['type']}' is not allowed; use one of: {', '.join(BUNDLE_TYPES)}",
        )
    patient_refs: set[str] = set()
    references: list[tuple[int, str, object]] = []
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping):
            problem(number, "Bundle.entry.resource", "is missing")
            continue
        kind = resource.get("resourceType")
        if kind not in RESOURCES:
            text = f"musclewise reads {', '.join(RESOURCES)} resources, not '{kind}'"
            problem(number, str(kind or "Bundle.entry.resource"), text)
            continue
        found = _structure_problems(str(kind), resource)
        for column, text in found:
            problem(number, column, text)
        if found:
            continue
        reader = {"Patient": _patient, "MedicationStatement": _medicine, "Observation": _episode}
        item, problems = reader[str(kind)](number, resource)
        parsed.problems.extend(problems)
        if kind == "Patient":
            if parsed.profile is not None:
                text = "a bundle holds one person's diary: this is a second Patient"
                problem(number, "Patient", text)
                continue
            patient_refs = {entry.get("fullUrl"), f"Patient/{resource.get('id')}"}
            parsed.profile = item
        else:
            references.append((number, str(kind), resource.get("subject")))
            if item is not None:
                items = parsed.medicines if kind == "MedicationStatement" else parsed.episodes
                items.append(item)
    if patient_refs:
        for number, kind, subject in references:
            if isinstance(subject, Mapping) and subject.get("reference") not in patient_refs:
                text = "does not refer to the bundle's Patient (its fullUrl or Patient/id)"
                problem(number, f"{kind}.subject", text)
    bad = {p.line for p in parsed.problems}
    parsed.medicines = [m for m in parsed.medicines if m.entry not in bad]
    parsed.episodes = [e for e in parsed.episodes if e.entry not in bad]
    return parsed


def _without_resource(entry: object) -> object:
    if isinstance(entry, Mapping):
        return {k: v for k, v in entry.items() if k != "resource"}
    return entry


def _structure_problems(kind: str, resource: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What ``fhir.resources`` (R4B) finds wrong with a resource: (FHIR path, problem)."""
    from importlib import import_module

    from pydantic import ValidationError

    model = getattr(import_module(f"fhir.resources.R4B.{kind.lower()}"), kind)
    try:
        model.model_validate(dict(resource))
    except ValidationError as exc:
        result = []
        for error in exc.errors():
            path = kind
            for part in error["loc"]:
                path += f"[{part}]" if isinstance(part, int) else f".{part}"
            message = str(error["msg"]).removeprefix("Value error, ").rstrip(".")
            result.append((path, message))
        return result
    return []


def _patient(number: int, resource: Mapping[str, Any]) -> tuple[_Item, list[RowProblem]]:
    values: dict[str, Any] = {}
    problems: list[RowProblem] = []
    gender = resource.get("gender")
    if gender in ("female", "male"):
        values["sex"] = gender
    elif gender not in (None, "unknown"):
        text = f"musclewise records female or male, not '{gender}'"
        problems.append(BundleProblem(number, "Patient.gender", text))
    birth = resource.get("birthDate")
    if isinstance(birth, str):
        values["birth_year"] = int(birth[:4])
    paths = {"sex": "Patient.gender", "birth_year": "Patient.birthDate"}
    paths["pregnant"] = paths["sex"]  # pregnant cannot be true with sex male
    return _Item(number, "Patient", values, paths), problems


def _medicine(number: int, resource: Mapping[str, Any]) -> tuple[_Item | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    paths = {
        "medicine": "MedicationStatement.medicationCodeableConcept.text",
        "name": "MedicationStatement.medicationCodeableConcept.text",
        "started_on": "MedicationStatement.effectivePeriod.start",
        "stopped_on": "MedicationStatement.effectivePeriod.end",
    }
    concept = resource.get("medicationCodeableConcept")
    name = None
    if isinstance(concept, Mapping):
        codings = [c for c in concept.get("coding") or () if isinstance(c, Mapping)]
        name = concept.get("text") or next(
            (c["display"] for c in codings if c.get("display")), None
        )
    if not name:
        text = "is required: the medicine's name (musclewise does not read medicationReference)"
        problems.append(BundleProblem(number, paths["name"], text))
    values: dict[str, Any] = {"name": name}
    if "effectiveDateTime" in resource:
        paths["started_on"] = path = "MedicationStatement.effectiveDateTime"
        values["started_on"] = _day(resource["effectiveDateTime"], path, number, problems)
    period = resource.get("effectivePeriod") or {}
    for key, name_ in (("start", "started_on"), ("end", "stopped_on")):
        if key in period:
            values[name_] = _day(period[key], paths[name_], number, problems)
    return (None if problems else _Item(number, "MedicationStatement", values, paths)), problems


def _day(text: str, path: str, number: int, problems: list[RowProblem]) -> date | None:
    """A FHIR date or dateTime as a day (a dateTime's own local date)."""
    if len(text) < 10:
        problems.append(BundleProblem(number, path, "give a whole date (2026-11-20)"))
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.append(BundleProblem(number, path, "is not a date"))
        return None


_EPISODE_PATHS = {
    "started_at": "Observation.effectiveDateTime",
    "tz": "Observation.effectiveDateTime.extension",
    "site": "Observation.bodySite",
    "notes": "Observation.note",
    "assessment": "Observation.extension",
    "created_at": "Observation.issued",
    "updated_at": "Observation.meta.lastUpdated",
}
"""Where each field of an episode is in its Observation (components are added as found)."""


def _episode(number: int, resource: Mapping[str, Any]) -> tuple[_Item | None, list[RowProblem]]:
    table = code_table()
    problems: list[RowProblem] = []
    item = _Item(number, "Observation", {}, dict(_EPISODE_PATHS))
    values = item.values

    def problem(path: str, text: str) -> None:
        problems.append(BundleProblem(number, path, text))

    if resource.get("status") in ("entered-in-error", "cancelled"):
        problem("Observation.status", f"is '{resource['status']}': not an episode to import")
    # when, and in which zone
    effective = resource.get("effectiveDateTime")
    started = _time(effective) if isinstance(effective, str) and "T" in effective else None
    if started is None:
        text = "is required: when the episode started, with its time and UTC offset"
        problem("Observation.effectiveDateTime", text)
    else:
        values["started_at"] = started
        extensions = (resource.get("_effectiveDateTime") or {}).get("extension") or ()
        zones = [
            e.get("valueCode") for e in extensions if e.get("url") == table.extensions["tz-code"]
        ]
        if zones:
            values["tz"] = zones[0]
            _check_zone(zones[0], started, problem)
    # where
    site, trouble = table.read("site", resource.get("bodySite"))
    if trouble or site is None:
        text = "is required: a SNOMED CT or musclewise site code listed in docs/diary.md"
        problem("Observation.bodySite", trouble or text)
    values["site"] = site
    # the components: the episode's fields, its findings, and what the assessment said
    stated = _components(resource.get("component") or (), item, problem)
    kind, trouble = table.read("kind", resource.get("code"))
    if trouble:
        problem("Observation.code", trouble)
    elif kind is not None:
        stated.append(("kind", "Observation.code", kind))
    # the stored assessment: what the Observation states must agree with it
    url = table.extensions["assessment"]
    stored = [e for e in resource.get("extension") or () if e.get("url") == url]
    if stored:
        assessment = _json_object(stored[0].get("valueString"))
        if assessment is None:
            text = "the assessment extension's valueString is not a JSON object"
            problem("Observation.extension", text)
        else:
            values["assessment"] = assessment
            triage = assessment.get("triage")
            said = {
                "kind": assessment.get("kind"),
                "triage": triage.get("level") if isinstance(triage, Mapping) else None,
                "knowledge_version": assessment.get("knowledge_version"),
            }
            for name, path, value in stated:
                if said[name] is not None and value != said[name]:
                    problem(path, f"says {name} '{value}', the stored assessment '{said[name]}'")
    notes = [n["text"] for n in resource.get("note") or () if n.get("text")]
    if notes:
        values["notes"] = "\n".join(notes)
    updated = (resource.get("meta") or {}).get("lastUpdated")
    for name, stamp, path in (
        ("created_at", resource.get("issued"), "Observation.issued"),
        ("updated_at", updated, "Observation.meta.lastUpdated"),
    ):
        if isinstance(stamp, str):
            values[name] = _time(stamp)
            if values[name] is None:
                problem(path, "is not a time with a UTC offset")
    return (None if problems else item), problems


def _components(
    components: Any, item: _Item, problem: Callable[[str, str], None]
) -> list[tuple[str, str, str]]:
    """Read the components into ``item`` (the episode's fields and findings); returns what
    they state of the assessment: (what, path, value)."""
    table = code_table()
    types = finding_types()
    values, paths = item.values, item.paths
    findings: dict[str, Any] = {}
    values["findings"] = findings
    stated: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for index, part in enumerate(components):
        path = f"Observation.component[{index}]"
        name, trouble = table.read("component", part.get("code"))
        key = None
        if name is None and trouble is None:
            key, trouble = table.read("finding", part.get("code"))
        label = name or key
        if trouble or label is None:
            text = "is not a component musclewise knows (see docs/diary.md)"
            problem(f"{path}.code", trouble or text)
            continue
        if label in seen:
            problem(f"{path}.code", f"{label} is given twice")
            continue
        seen.add(label)
        if key is not None:
            kind = types[key]
            paths[key] = path + _VALUE_FIELD[kind]
            value = _component_value(part, kind, table.concept("finding", key), path, problem)
            if value is not None:
                findings[key] = value
        elif name == "pain":
            paths["pain"] = f"{path}.valueInteger"
            values["pain"] = _component_value(part, "integer", None, path, problem)
        elif name == "duration":
            paths["duration_s"] = f"{path}.valueQuantity"
            concept = table.concept("component", "duration")
            values["duration_s"] = _component_value(part, "quantity", concept, path, problem)
        elif name == "knowledge-version":
            value = _component_value(part, "string", None, path, problem)
            if value is not None:
                stated.append(("knowledge_version", f"{path}.valueString", value))
        else:  # side, kind, triage: coded values
            group = {"side": "side", "kind": "kind-value", "triage": "triage"}[str(name)]
            value, trouble = table.read(group, part.get("valueCodeableConcept"))
            if trouble or value is None:
                text = f"is required: a {name} code listed in docs/diary.md"
                problem(f"{path}.valueCodeableConcept", trouble or text)
            elif name == "side":
                values["side"] = value
                paths["side"] = f"{path}.valueCodeableConcept"
            else:
                stated.append((str(name), f"{path}.valueCodeableConcept", value))
    return stated


_VALUE_FIELD: dict[ValueType, str] = {
    "boolean": ".valueBoolean",
    "integer": ".valueInteger",
    "quantity": ".valueQuantity",
    "string": ".valueString",
}


def _component_value(
    part: Mapping[str, Any],
    kind: ValueType,
    concept: Concept | None,
    path: str,
    problem: Callable[[str, str], None],
) -> Any:
    """The value of a component of the given type (a valueInteger also does for a quantity)."""
    name = _VALUE_FIELD[kind][1:]
    if kind == "quantity" and "valueInteger" in part:
        return part["valueInteger"]
    if name not in part:
        given = [k for k in part if k.startswith("value")]
        problem(f"{path}.{name}", "is required" + (f" (not {given[0]})" if given else ""))
        return None
    value = part[name]
    if kind != "quantity":
        return value
    if "value" not in value:
        problem(f"{path}.valueQuantity.value", "is required")
        return None
    unit = concept.unit if concept is not None else None
    if (
        unit is not None
        and value.get("code") is not None
        and (value["code"] != unit.code or value.get("system") != unit.system)
    ):
        problem(f"{path}.valueQuantity.code", f"give it in UCUM '{unit.code}' ({unit.system})")
        return None
    return value["value"]


def _time(text: str) -> datetime | None:
    """A FHIR dateTime or instant with a time, as an aware datetime (None: no time or offset)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _json_object(text: object) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _check_zone(name: object, when: datetime, problem: Callable[[str, str], None]) -> None:
    """The zone must be an IANA name whose offset at ``when`` is the one ``when`` has."""
    from musclewise.diary import times

    path = "Observation.effectiveDateTime.extension"
    if not isinstance(name, str):
        problem(path, "the tz-code extension has no valueCode")
        return
    try:
        zone = times.zone(name, "tz")
    except DiaryValueError as exc:
        problem(path, exc.problems[0].problem)
        return
    if when.astimezone(zone).utcoffset() != when.utcoffset():
        text = f"its UTC offset is not the one of its zone ({name}) at that time"
        problem("Observation.effectiveDateTime", text)


# --------------------------------------------------------------------------- into the diary


class _DryRun(Exception):
    pass


def import_bundle(diary: Diary, stream: IO[str], *, dry_run: bool = False) -> ImportSummary:
    """Import a bundle (a JSON text) in one transaction: the Patient's year of birth and sex,
    the medicines, then the episodes. If anything is not valid, nothing is written and
    :class:`BundleRejected` names every problem. Records already in the diary (the same
    medicine and dates, an episode of the same site and start) are counted and left alone."""
    content = stream.read()
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:  # read with errors="surrogateescape": bytes that are not UTF-8
        raise BundleRejected([BundleProblem(0, "Bundle", "is not UTF-8 text")]) from None
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        problem = BundleProblem(0, "Bundle", f"is not valid JSON ({exc.msg}, {where})")
        raise BundleRejected([problem]) from None
    except RecursionError:
        problem = BundleProblem(0, "Bundle", "is nested too deeply to be a FHIR Bundle")
        raise BundleRejected([problem]) from None
    parsed = read_bundle(data)
    problems = list(parsed.problems)
    summary = ImportSummary(dry_run=dry_run)
    try:
        with diary.transaction():
            if parsed.profile is not None and parsed.profile.values:
                _apply(diary, parsed.profile, summary, problems)
            for item in parsed.medicines:
                _apply(diary, item, summary, problems)
            for item in parsed.episodes:
                _apply(diary, item, summary, problems)
            if problems:
                raise BundleRejected(problems)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _apply(diary: Diary, item: _Item, summary: ImportSummary, problems: list[RowProblem]) -> None:
    values = item.values
    try:
        if item.resource == "Patient":
            before = diary.get_profile()
            after = diary.set_profile(values)
            record, added = "profile", not before.stored or before != after
        elif item.resource == "MedicationStatement":
            _, added = diary.restore_medicine(
                values["name"], values.get("started_on"), values.get("stopped_on")
            )
            record = "medicine"
        else:
            _, added = diary.restore_episode(**values)
            record = "episode"
            if added and values.get("assessment") is None:
                summary.assessed += 1
    except MusclewiseError as exc:
        found: list[FieldProblem] = list(getattr(exc, "problems", None) or [])
        if not found:
            problems.append(BundleProblem(item.entry, item.resource, exc.message))
        for bad in found:
            key = bad.key.split("[")[0]
            path = item.paths.get(key, item.resource)
            text = bad.problem if key in item.paths else str(bad)
            problems.append(BundleProblem(item.entry, path, text))
        return
    (summary.added if added else summary.already_there)[record] += 1
