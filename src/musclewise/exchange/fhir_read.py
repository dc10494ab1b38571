"""FHIR R4B resources read back into the diary's records: :func:`read_bundle` checks a decoded
Bundle (its structure with ``fhir.resources``, then the codes and values) and gives the items
of the import loop, or the problems, each named by its entry and FHIR path. Pure: nothing here
reads or writes a diary. Codes and extensions written with the old
``https://musclewise.example/fhir/`` URLs are read too."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from musclewise.diary.errors import DiaryValueError
from musclewise.diary.restore import check_restored_episode
from musclewise.errors import MusclewiseError, UsageError
from musclewise.exchange.fhir_codes import Concept, ValueType, code_table, day_types, finding_types
from musclewise.exchange.loop import ImportRejected, Item, RowProblem, field_problems

RESOURCES = ("Patient", "Condition", "MedicationStatement", "Observation")
BUNDLE_TYPES = ("transaction", "batch", "collection", "document")
"""The bundles an import reads (their entries are taken as they are)."""


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

    def __init__(self, problems: list[RowProblem], rows: int = 0) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        UsageError.__init__(
            self,
            f"the FHIR bundle has {len(problems)} problem(s), so nothing was imported",
            hint="fix them and import the bundle again",
        )


@dataclass
class _Item:
    """One resource read from a bundle, ready for the diary; ``paths``: the entry and FHIR
    path of each field the diary may name in a problem."""

    entry: int
    resource: str
    values: dict[str, Any]
    paths: dict[str, str] = field(default_factory=dict)
    elsewhere: dict[str, tuple[int, str]] = field(default_factory=dict)  # in another entry


@dataclass
class ParsedBundle:
    """What :func:`read_bundle` found: the diary's records, and the problems of the rest."""

    profile: _Item | None = None
    conditions: list[_Item] = field(default_factory=list)
    medicines: list[_Item] = field(default_factory=list)
    days: list[_Item] = field(default_factory=list)
    episodes: list[_Item] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def items(self) -> Iterator[Item]:
        """The records for :func:`~musclewise.exchange.loop.run_import`, in the order the
        diary needs them (episodes are assessed with the profile and days before them), then
        the problems found reading the bundle."""
        if self.profile is not None and self.profile.values:
            yield _loop_item(self.profile, "profile")
        for found, record in (
            (self.conditions, "condition"), (self.medicines, "medicine"), (self.days, "day"),
            (self.episodes, "episode"),
        ):  # fmt: skip
            for item in found:
                yield _loop_item(item, record)
        for problem in self.problems:
            yield Item(problem.line, "", None, describe=_describe, problems=[problem])


def _loop_item(item: _Item, record: str) -> Item:
    values: Any = item.values
    if record == "episode":
        try:
            values = check_restored_episode(**item.values)
        except MusclewiseError as exc:
            return Item(item.entry, record, None, _describe, _describe_with(item, exc), item)
    return Item(item.entry, record, values, _describe, source=item)


def _describe(loop_item: Item, exc: MusclewiseError) -> list[RowProblem]:
    item = loop_item.source
    if not isinstance(item, _Item):
        return [BundleProblem(loop_item.where, "Bundle", exc.message)]
    return _describe_with(item, exc)


def _describe_with(item: _Item, exc: MusclewiseError) -> list[RowProblem]:
    """The diary's problems with a resource, named by its entry and the FHIR path."""
    found = field_problems(exc)
    resource = item.resource.split(".")[0]  # Observation.day: an Observation
    if not found:
        return [BundleProblem(item.entry, resource, exc.message)]
    result: list[RowProblem] = []
    for bad in found:
        key = bad.key.split("[")[0]
        if key in item.elsewhere:
            entry, path = item.elsewhere[key]
            result.append(BundleProblem(entry, path, bad.problem))
        else:
            path = item.paths.get(key, resource)
            text = bad.problem if key in item.paths else str(bad)
            result.append(BundleProblem(item.entry, path, text))
    return result


def is_bundle(head: bytes | str) -> bool:
    """Whether the start of a file is a FHIR Bundle (``"resourceType": "Bundle"``)."""
    import re

    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    return re.search(r'"resourceType"\s*:\s*"Bundle"', text) is not None


def read_bundle(data: object) -> ParsedBundle:
    """Check a decoded bundle and read its Patient, Conditions, MedicationStatements and
    Observations (of episodes, days and the pregnancy status). Structural problems (``fhir.resources`` R4B) and codes musclewise cannot read are listed
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
    pregnancy: _Item | None = None
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
        item, problems = _reader(str(kind), resource)(number, resource)
        parsed.problems.extend(problems)
        if item is not None and item.resource == "Observation.pregnancy":
            pregnancy = item
        if kind == "Patient":
            if parsed.profile is not None:
                text = "a bundle holds one person's diary: this is a second Patient"
                problem(number, "Patient", text)
                continue
            patient_refs = {entry.get("fullUrl"), f"Patient/{resource.get('id')}"}
            parsed.profile = item
        else:
            references.append((number, str(kind), resource.get("subject")))
            if item is not None and item.resource != "Observation.pregnancy":
                _found(parsed, item).append(item)
    if pregnancy is not None and pregnancy.entry not in {p.line for p in parsed.problems}:
        if parsed.profile is None:
            parsed.profile = _Item(pregnancy.entry, "Observation", {})
        parsed.profile.values.update(pregnancy.values)
        parsed.profile.elsewhere["pregnant"] = (pregnancy.entry, pregnancy.paths["pregnant"])
    if patient_refs:
        for number, kind, subject in references:
            if isinstance(subject, Mapping) and subject.get("reference") not in patient_refs:
                text = "does not refer to the bundle's Patient (its fullUrl or Patient/id)"
                problem(number, f"{kind}.subject", text)
    bad = {p.line for p in parsed.problems}
    for name in ("conditions", "medicines", "days", "episodes"):
        setattr(parsed, name, [i for i in getattr(parsed, name) if i.entry not in bad])
    return parsed


def _reader(
    kind: str, resource: Mapping[str, Any]
) -> Callable[[int, Mapping[str, Any]], tuple[_Item | None, list[RowProblem]]]:
    """How to read a resource: an Observation by its code (a day, the pregnancy status, or
    else an episode)."""
    if kind == "Observation":
        fixed, _ = code_table().read("resource", resource.get("code"))
        return {"day-context": _day, "pregnancy-status": _pregnancy}.get(str(fixed), _episode)
    return {"Patient": _patient, "Condition": _condition, "MedicationStatement": _medicine}[kind]


def _found(parsed: ParsedBundle, item: _Item) -> list[_Item]:
    lists = {"Condition": parsed.conditions, "MedicationStatement": parsed.medicines,
             "Observation.day": parsed.days}  # fmt: skip
    return lists.get(item.resource, parsed.episodes)


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
    table = code_table()
    values: dict[str, Any] = {}
    problems: list[RowProblem] = []
    paths = {"sex": "Patient.gender", "birth_year": "Patient.birthDate"}
    gender = resource.get("gender")
    if gender in ("female", "male"):
        values["sex"] = gender
    elif gender not in (None, "unknown"):
        text = f"musclewise records female or male, not '{gender}'"
        problems.append(BundleProblem(number, "Patient.gender", text))
    birth = resource.get("birthDate")
    if isinstance(birth, str):
        values["birth_year"] = int(birth[:4])
    for extension in resource.get("extension") or ():
        url = extension.get("url")
        if table.is_extension(url, "timezone") and "valueCode" in extension:
            values["timezone"] = extension["valueCode"]
            paths["timezone"] = "Patient.extension"
        elif table.is_extension(url, "profile-created"):
            values["created_at"] = _time(str(extension.get("valueDateTime")))
            paths["created_at"] = "Patient.extension"
            if values["created_at"] is None:
                problems.append(BundleProblem(number, "Patient.extension",
                                              "profile-created is not a time with a UTC offset"))  # fmt: skip
    paths["pregnant"] = paths["sex"]  # pregnant cannot be true with sex male
    return _Item(number, "Patient", values, paths), problems


def _condition(number: int, resource: Mapping[str, Any]) -> tuple[_Item | None, list[RowProblem]]:
    table = code_table()
    problems: list[RowProblem] = []
    name, trouble = table.read("condition", resource.get("code"))
    if trouble or name is None:
        known = ", ".join(table.groups["condition"])
        text = trouble or f"is not a condition musclewise records (it records: {known})"
        problems.append(BundleProblem(number, "Condition.code", text))
    status, _ = table.read("resource", resource.get("clinicalStatus"))
    if resource.get("clinicalStatus") is not None and status != "active":
        text = "is not active: musclewise keeps the conditions a person has now"
        problems.append(BundleProblem(number, "Condition.clinicalStatus", text))
    values = {"condition": name}
    paths = {"condition": "Condition.code", "conditions": "Condition.code"}
    return (None if problems else _Item(number, "Condition", values, paths)), problems


def _pregnancy(number: int, resource: Mapping[str, Any]) -> tuple[_Item | None, list[RowProblem]]:
    value, trouble = code_table().read("pregnancy", resource.get("valueCodeableConcept"))
    path = "Observation.valueCodeableConcept"
    if trouble or value is None:
        text = trouble or "is required: SNOMED CT 77386006 Pregnant or 60001007 Not pregnant"
        return None, [BundleProblem(number, path, text)]
    item = _Item(number, "Observation.pregnancy", {"pregnant": value == "true"})
    item.paths["pregnant"] = path
    return item, []


def _day(number: int, resource: Mapping[str, Any]) -> tuple[_Item | None, list[RowProblem]]:
    """A day's context: its date, a component a field, its notes."""
    table = code_table()
    types = day_types()
    problems: list[RowProblem] = []
    item = _Item(number, "Observation.day", {}, {"date": "Observation.effectiveDateTime"})

    def problem(path: str, text: str) -> None:
        problems.append(BundleProblem(number, path, text))

    effective = resource.get("effectiveDateTime")
    if not isinstance(effective, str) or len(effective) != 10:
        problem("Observation.effectiveDateTime", "is required: the day (2026-11-20), no time")
    else:
        item.values["date"] = _day_of(effective, "Observation.effectiveDateTime", number, problems)
    seen: set[str] = set()
    for index, part in enumerate(resource.get("component") or ()):
        path = f"Observation.component[{index}]"
        key, trouble = table.read("day", part.get("code"))
        if trouble or key is None:
            problem(f"{path}.code", trouble or "is not a field of a day musclewise knows")
            continue
        if key in seen:
            problem(f"{path}.code", f"{key} is given twice")
            continue
        seen.add(key)
        item.paths[key] = path + _VALUE_FIELD[types[key]]
        value = _component_value(part, types[key], table.concept("day", key), path, problem)
        if value is not None:
            item.values[key] = value
    notes = [n["text"] for n in resource.get("note") or () if n.get("text")]
    if notes:
        item.values["notes"] = "\n".join(notes)
        item.paths["notes"] = "Observation.note"
    return (None if problems else item), problems


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
        values["started_on"] = _day_of(resource["effectiveDateTime"], path, number, problems)
    period = resource.get("effectivePeriod") or {}
    for key, name_ in (("start", "started_on"), ("end", "stopped_on")):
        if key in period:
            values[name_] = _day_of(period[key], paths[name_], number, problems)
    return (None if problems else _Item(number, "MedicationStatement", values, paths)), problems


def _day_of(text: str, path: str, number: int, problems: list[RowProblem]) -> date | None:
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
            e.get("valueCode") for e in extensions if table.is_extension(e.get("url"), "tz-code")
        ]
        if zones:
            values["tz"] = zones[0]
            _check_zone(zones[0], started, problem)
    # where
    site, trouble = table.read("site", resource.get("bodySite"))
    if trouble or site is None:
        text = "is required: a SNOMED CT or musclewise site code listed in docs/fhir.md"
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
    stored = [
        e for e in resource.get("extension") or () if table.is_extension(e.get("url"), "assessment")
    ]
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
            text = "is not a component musclewise knows (see docs/fhir.md)"
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
                text = f"is required: a {name} code listed in docs/fhir.md"
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
    from musclewise.diary.times import zone as find_zone

    path = "Observation.effectiveDateTime.extension"
    if not isinstance(name, str):
        problem(path, "the tz-code extension has no valueCode")
        return
    try:
        zone = find_zone(name, "tz")
    except DiaryValueError as exc:
        problem(path, exc.problems[0].problem)
        return
    if when.astimezone(zone).utcoffset() != when.utcoffset():
        text = f"its UTC offset is not the one of its zone ({name}) at that time"
        problem("Observation.effectiveDateTime", text)
