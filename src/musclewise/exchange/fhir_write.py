"""The diary as FHIR R4B resources: pure mappings from the diary's records
(``diary/records.py``) to JSON-ready resources, and the Bundle that holds them
(:func:`write_resources`). The codes come from ``fhir_codes.yaml`` and ``rxnorm.yaml``;
``docs/fhir.md`` describes every resource."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from musclewise.diary.records import DayRecord, EpisodeRecord, MedicineRecord, Profile
from musclewise.exchange.fhir_codes import (
    Code,
    Concept,
    ValueType,
    code_table,
    day_types,
    finding_types,
    rxnorm_table,
)
from musclewise.exchange.store import Contents

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
    contents: Contents, patient_id: uuid.UUID, counts: Counter[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The entries of the person's bundle: the Patient, a Condition a condition, a
    MedicationStatement a medicine, the pregnancy status, an Observation a day and one an
    episode. Each entry's ``fullUrl`` is a UUID made from the patient's and the record's
    natural key (an episode's site and start), so the same diary exported twice gives the
    same URLs."""
    from musclewise.assessment import resolve_medicines

    patient_url = _urn(patient_id)
    counts = counts if counts is not None else Counter()

    def entry(key: str, resource: dict[str, Any]) -> dict[str, Any]:
        return _entry(_urn(uuid.uuid5(patient_id, key)), resource)

    profile = contents.profile
    if profile.stored:
        counts["profile"] += 1
    yield _entry(patient_url, patient(profile, patient_url))
    for name in profile.conditions:
        counts["condition"] += 1
        yield entry(f"condition/{name}", condition(name, patient_url))
    matches = resolve_medicines([m.name for m in profile.medicines])
    for medicine, match in zip(profile.medicines, matches, strict=True):
        generic = match.name if match.how in ("exact", "lay_term", "fuzzy") else None
        key = f"medicine/{medicine.name}/{medicine.started_on}/{medicine.stopped_on}"
        counts["medicine"] += 1
        yield entry(key, medication_statement(medicine, generic, patient_url))
    if profile.pregnant is not None:
        yield entry("pregnancy", pregnancy_status(profile.pregnant, patient_url))
    for day in contents.days:
        counts["day"] += 1
        yield entry(f"day/{day.date.isoformat()}", day_observation(day, patient_url))
    for episode in contents.episodes:
        key = f"episode/{episode.site}/{episode.started_at.isoformat()}"
        counts["episode"] += 1
        yield entry(key, observation(episode, patient_url))


def patient(profile: Profile, patient_url: str) -> dict[str, Any]:
    """The person, pseudonymous: a random identifier, the sex, the year of birth, the time
    zone (HL7's ``timezone`` extension) and when the diary's profile was made."""
    table = code_table()
    resource: dict[str, Any] = {"resourceType": "Patient"}
    extensions = []
    if profile.stored:
        extensions.append({"url": table.extensions["timezone"], "valueCode": profile.timezone})
    if profile.created_at is not None:
        extensions.append({"url": table.extensions["profile-created"],
                           "valueDateTime": _instant(profile.created_at)})  # fmt: skip
    if extensions:
        resource["extension"] = extensions
    resource["identifier"] = [{"system": table.identifier_system, "value": patient_url}]
    if profile.sex is not None:
        resource["gender"] = profile.sex
    if profile.birth_year is not None:
        resource["birthDate"] = f"{profile.birth_year:04d}"
    return resource


def condition(name: str, patient_url: str) -> dict[str, Any]:
    """A condition of the person, as the problem-list Condition it is."""
    table = code_table()
    return {
        "resourceType": "Condition",
        "clinicalStatus": table.codeable("resource", "active"),
        "category": [table.codeable("resource", "problem-list-item")],
        "code": table.codeable("condition", name),
        "subject": {"reference": patient_url},
    }


def pregnancy_status(pregnant: bool, patient_url: str) -> dict[str, Any]:
    """The profile's ``pregnant`` as the pregnancy status Observation (LOINC 82810-3)."""
    table = code_table()
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": table.codeable("resource", "pregnancy-status"),
        "subject": {"reference": patient_url},
        "valueCodeableConcept": table.codeable("pregnancy", "true" if pregnant else "false"),
    }


def day_observation(day: DayRecord, patient_url: str) -> dict[str, Any]:
    """A day's context as one social-history Observation: its date, a component a field
    (coded in the musclewise day system) and its notes."""
    table = code_table()
    types = day_types()
    components = []
    for key, value in day.values.items():
        if key in types:
            concept = table.concept("day", key)
            components.append(
                {"code": concept.codeable(), **_finding_value(types[key], value, concept)}
            )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [table.codeable("resource", "social-history")],
        "code": table.codeable("resource", "day-context"),
        "subject": {"reference": patient_url},
        "effectiveDateTime": day.date.isoformat(),
        "performer": [{"reference": patient_url}],
    }
    if day.values.get("notes"):
        resource["note"] = [{"text": day.values["notes"]}]
    if components:
        resource["component"] = components
    return resource


def medication_statement(
    medicine: MedicineRecord, generic: str | None, patient_url: str
) -> dict[str, Any]:
    """A medicine as a MedicationStatement: the name as typed, its dates, the generic name."""
    table = code_table()
    medication: dict[str, Any] = {}
    code = rxnorm_table().code(generic)
    if code is not None:
        medication["coding"] = [code.coding()]
    medication["text"] = medicine.name
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


def write_resources(
    contents: Contents,
    output: IO[str],
    *,
    patient_id: uuid.UUID | None = None,
    timestamp: datetime | None = None,
) -> Counter[str]:
    """Write the diary's records to ``output`` as one JSON Bundle of type ``transaction``, an
    entry a line; returns how many profiles, conditions, medicines, days and episodes were
    written. ``patient_id``: the Patient's identifier (random by default, so that two exports
    cannot be linked by it)."""
    counts: Counter[str] = Counter()
    stamp = json.dumps(_instant(timestamp or datetime.now(UTC)))
    output.write(f'{{"resourceType": "Bundle", "type": "transaction", "timestamp": {stamp}, '
                 '"entry": [\n')  # fmt: skip
    entries = bundle_entries(contents, patient_id or uuid.uuid4(), counts)
    for number, entry in enumerate(entries):
        output.write((",\n" if number else "") + json.dumps(entry, ensure_ascii=False))
    output.write("\n]}\n")
    return counts
