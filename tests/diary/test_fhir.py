"""The FHIR export and import (issues 4 and 10 §4): valid R4B resources, only codes of the code
tables (which do not contradict themselves), the same diary back on both databases (conditions,
days, pregnancy and time zones included), old URLs still read, and bad bundles refused with
every problem named by entry, resource and field."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from musclewise.contract import CONDITIONS
from musclewise.diary import DayRecord, Diary, EpisodeRecord, MedicineRecord
from musclewise.exchange.fhir import BundleRejected, code_table, import_bundle, write_bundle
from musclewise.exchange.fhir_codes import day_types, finding_types, rxnorm_table
from musclewise.exchange.fhir_write import (
    condition,
    day_observation,
    medication_statement,
    observation,
    pregnancy_status,
)
from musclewise.findings import ONSETS, SITES

from ..conftest import run_cli, run_process

PATIENT = uuid.UUID("6f1c1d2e-0000-4000-8000-000000000001")
STAMP = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Condition": Condition,
    "Observation": Observation,
    "MedicationStatement": MedicationStatement,
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "fhir.md"


def fill(diary: Diary) -> None:
    """A diary with a bit of everything: zones and offsets, every kind of findings value,
    episodes without side, pain or duration, stopped and unknown medicines."""
    diary.set_profile({"timezone": "Europe/London", "birth_year": 1958, "sex": "female"})
    diary.add_medicine("Lipitor 20mg", date(2025, 1, 2))
    diary.restore_medicine("furosemide", date(2024, 5, 1), date(2024, 9, 30))
    diary.restore_medicine("my own remedy")
    london = ZoneInfo("Europe/London")
    diary.add_episode("calf", pain=7, duration_s=90.5, side="left",
                      started_at=datetime(2026, 1, 11, 3, 10, tzinfo=london),
                      findings={"onset": "during_sleep", "relieved_by_stretch": True,
                                "ongoing_days": 3, "caffeine_cups": 2.5, "stress": 4},
                      notes="ünïcode ✓\nsecond line")  # fmt: skip
    diary.add_episode("eyelid", pain=0, duration_s=4, side="both",
                      started_at=datetime(2026, 7, 12, 20, 0, 0, 123456, tzinfo=london),
                      findings={"extent": "part_of_muscle", "ongoing_days": 3.0})  # fmt: skip
    diary.set_profile({"timezone": "America/New_York"})
    diary.add_episode("thigh_back", started_at=datetime(2026, 3, 8, 1, 30, tzinfo=UTC))
    diary.add_episode("foot", pain=9, duration_s=600, side="right",
                      started_at=datetime(2026, 8, 1, 23, 45, tzinfo=ZoneInfo("America/New_York")),
                      findings={"swelling": True, "redness": True, "warmth": True,
                                "muscles_involved": 1})  # fmt: skip


def fill_more(diary: Diary) -> None:
    """:func:`fill`, and what a bundle did not keep before issue 10: conditions, the
    pregnancy status and the days' context."""
    fill(diary)
    diary.set_profile({"pregnant": False}, add_conditions=["diabetes", "hypothyroidism"])
    diary.set_day(date(2026, 1, 10), {"caffeine_cups": 3.5, "hot_environment": True,
                                      "notes": "line one\nline two", "stress": 0,
                                      "medicines_missed": "Lipitor"})  # fmt: skip
    diary.set_day(date(2026, 1, 11), {"fluids_low": False, "cigarettes": 2, "sleep_hours": 6})


def exported(diary: Diary) -> str:
    out = io.StringIO()
    write_bundle(diary, out, patient_id=PATIENT, timestamp=STAMP)
    return out.getvalue()


def load(diary: Diary, text: str, **options: Any) -> Any:
    return import_bundle(diary, io.StringIO(text), **options)


def check_resources(bundle: dict[str, Any]) -> None:
    """fhir.resources validates the bundle and every resource in it (R4B)."""
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)


def test_export_then_import_gives_back_the_same_diary(
    db_url: str, new_database: Callable[[], str]
) -> None:
    with Diary(db_url) as source:
        fill_more(source)
        text = exported(source)
        profile, episodes, days = source.get_profile(), source.list_episodes(), source.list_days()
    bundle = json.loads(text)
    check_resources(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert (
        kinds == ["Patient"] + ["Condition"] * 2 + ["MedicationStatement"] * 3 + ["Observation"] * 7
    ), "pregnancy status, two days, four episodes"
    patient = bundle["entry"][0]["resource"]
    assert patient == {
        "resourceType": "Patient",
        "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "America/New_York"},
            {"url": code_table().extensions["profile-created"],
             "valueDateTime": profile.created_at.isoformat() if profile.created_at else None},
        ],
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{PATIENT}"}],
        "gender": "female",
        "birthDate": "1958",
    }, "pseudonymous: no name; year of birth, sex and time zone only"  # fmt: skip
    with Diary(new_database()) as target:
        summary = load(target, text)
        assert summary.added == {
            "profile": 1, "condition": 2, "medicine": 3, "day": 2, "episode": 4
        }  # fmt: skip
        assert summary.assessed == 0
        assert [replace(e, id=0) for e in target.list_episodes()] == [
            replace(e, id=0) for e in episodes
        ], "field for field, times included (the ids are new)"
        restored = target.get_profile()
        assert replace(restored, name=profile.name) == profile, "the whole profile"
        assert target.list_days() == days
        assert exported(target) == text
        again = load(target, text)
        assert not again.added
        assert again.already_there == {
            "profile": 1, "condition": 2, "medicine": 3, "day": 2, "episode": 4
        }  # fmt: skip


def test_bundles_written_with_the_old_urls_are_still_read(
    db_url: str, new_database: Callable[[], str]
) -> None:
    table = code_table()
    with Diary(db_url) as source:
        fill_more(source)
        text = exported(source)
        episodes = source.list_episodes()
    old = text
    for old_url, url in table.legacy.items():
        assert old_url.startswith("https://musclewise.example/fhir/")
        old = old.replace(f'"{url}"', f'"{old_url}"')
    assert "urn:uuid:0ee5881b" not in old and "musclewise.example/fhir/CodeSystem/kind" in old
    with Diary(new_database()) as target:
        summary = load(target, old)
        assert summary.added["episode"] == 4 and summary.added["condition"] == 2
        assert [replace(e, id=0) for e in target.list_episodes()] == [
            replace(e, id=0) for e in episodes
        ]
        assert exported(target) == text, "written back with the URLs of now"


def test_the_musclewise_urls_are_names_in_the_project_namespace() -> None:
    import yaml

    from musclewise.exchange.fhir_codes import namespaced

    table = code_table()
    from importlib import resources

    text = resources.files("musclewise.exchange").joinpath("fhir_codes.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    namespace = uuid.UUID(raw["namespace"])
    for key, system in raw["systems"].items():
        if system.get("musclewise"):
            name = system["name-in-namespace"]
            assert table.systems[key] == f"urn:uuid:{uuid.uuid5(namespace, name)}"
            assert table.systems[key] == namespaced(str(namespace), name)
    urls = [*table.musclewise_systems, *table.extensions.values()]
    assert not [u for u in urls if ".example" in u], "no placeholder domain is written"
    assert len(table.legacy) == len(table.musclewise_systems) + 3  # and three extensions


def test_an_observation_keeps_the_local_time_its_zone_and_the_assessment(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'd.sqlite3'}") as diary:
        fill(diary)
        bundle = json.loads(exported(diary))
    calf = bundle["entry"][4]["resource"]
    assert calf["effectiveDateTime"] == "2026-01-11T03:10:00+00:00"
    assert calf["_effectiveDateTime"]["extension"][0]["valueCode"] == "Europe/London"
    summer = bundle["entry"][6]["resource"]
    assert summer["effectiveDateTime"] == "2026-07-12T20:00:00.123456+01:00"
    night = bundle["entry"][5]["resource"]
    assert night["effectiveDateTime"] == "2026-03-07T20:30:00-05:00"
    assert calf["code"]["coding"][:2] == [
        {"system": "http://snomed.info/sct", "code": "55300003", "display": "Cramp"},
        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "R25.2", "display": "Cramp and spasm"},
    ]
    pain = next(c for c in calf["component"] if c["code"]["coding"][0]["code"] == "72514-3")
    assert pain["valueInteger"] == 7
    assert calf["bodySite"]["coding"][0]["code"] == "53840002"
    stored = json.loads(calf["extension"][0]["valueString"])
    assert stored["kind"] == "cramp" and "triage" in stored
    lipitor = bundle["entry"][1]["resource"]
    assert lipitor["medicationCodeableConcept"]["text"] == "Lipitor 20mg"
    assert lipitor["medicationCodeableConcept"]["extension"][0]["valueString"] == "atorvastatin"
    assert lipitor["effectivePeriod"] == {"start": "2025-01-02"}
    stopped = bundle["entry"][2]["resource"]
    assert stopped["status"] == "completed"
    assert stopped["effectivePeriod"] == {"start": "2024-05-01", "end": "2024-09-30"}


# ------------------------------------------------------------------------- the code table


def every_observation() -> Iterator[dict[str, Any]]:
    """Observations of every site, side, kind and triage level, with every findings key."""
    types = finding_types()
    samples = {"boolean": True, "integer": 2, "quantity": 1.5, "string": ONSETS[0]}
    findings = {key: samples[kind] for key, kind in types.items()}
    findings["extent"] = "whole_muscle"
    sides = ["left", "right", "both", None]
    triages = ["self_care", "see_doctor", "urgent", "emergency"]
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    for number, site in enumerate(SITES):
        for kind in ("cramp", "spasm", "other"):
            triage = triages[number % 4]
            yield observation(
                EpisodeRecord(
                    id=number, person="me", started_at=start, tz="Europe/Paris", site=site,
                    side=sides[number % 4], pain=number % 11, duration_s=12.5,
                    findings=findings, notes="n", kind=kind, triage=triage,
                    assessment={"kind": kind, "triage": {"level": triage, "reasons": []},
                                "knowledge_version": "1"},
                    knowledge_version="1", created_at=start, updated_at=start,
                ),
                f"urn:uuid:{PATIENT}",
            )  # fmt: skip


def every_other_resource() -> Iterator[dict[str, Any]]:
    """A Condition of every condition, the pregnancy status both ways, a day with every field,
    and a MedicationStatement of every medicine with an RxNorm code."""
    patient = f"urn:uuid:{PATIENT}"
    for name in CONDITIONS:
        yield condition(name, patient)
    yield pregnancy_status(True, patient)
    yield pregnancy_status(False, patient)
    samples = {"boolean": True, "integer": 3, "quantity": 1.5, "string": "text"}
    values = {key: samples[kind] for key, kind in day_types().items()}
    yield day_observation(DayRecord(date(2026, 5, 1), {**values, "notes": "n"}), patient)
    for generic in rxnorm_table().codes:
        medicine = MedicineRecord(1, generic.title(), date(2026, 1, 1), None)
        yield medication_statement(medicine, generic, patient)


def codings(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Coding and coded Quantity in a resource: objects with a system and a code."""
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            yield path, node
        for key, value in node.items():
            yield from codings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from codings(value, f"{path}[{index}]")


def extension_urls(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "extension":
                yield from (e["url"] for e in value)
            yield from extension_urls(value)
    elif isinstance(node, list):
        for value in node:
            yield from extension_urls(value)


def test_every_code_of_an_export_is_in_the_code_table(tmp_path: Path) -> None:
    table = code_table()
    known = {(c.system, c.code): c.display for _, c in table.all_codes()}
    rxnorm = {(c.system, c.code): c.display for c in rxnorm_table().codes.values()}
    known.update(rxnorm)
    with Diary(f"sqlite:///{tmp_path / 'd.sqlite3'}") as diary:
        fill_more(diary)
        bundle = json.loads(exported(diary))
    check_resources(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    resources += [*every_observation(), *every_other_resource()]
    used = set()
    for resource in resources:
        MODELS[resource["resourceType"]].model_validate(resource)
        for path, coding in codings(resource):
            key = (coding["system"], coding["code"])
            assert key in known, f"{resource['resourceType']}{path}: {key} is not in the table"
            shown = coding.get("display", coding.get("unit"))
            assert shown == known[key], f"{resource['resourceType']}{path}: display {shown!r}"
            used.add(key)
        for url in extension_urls(resource):
            assert url in table.extensions.values(), url
    elements = {
        "Bundle.type": [bundle["type"]],
        "Bundle.entry.request.method": [e["request"]["method"] for e in bundle["entry"]],
        "Patient.gender": [r["gender"] for r in resources if "gender" in r],
        "Observation.status": [r["status"] for r in resources if r["resourceType"] == "Observation"],
        "MedicationStatement.status": [
            r["status"] for r in resources if r["resourceType"] == "MedicationStatement"
        ],
    }  # fmt: skip
    for element, values in elements.items():
        assert values and set(values) <= set(table.elements[element]), element
    every = {(c.system, c.code) for where, c in table.all_codes() if not where.startswith("el")}
    assert (every | set(rxnorm)) - used == set(), "codes of the tables that no export uses"


VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]  # fmt: skip
VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]  # fmt: skip


def snomed_id_is_well_formed(code: str) -> bool:
    """A SNOMED CT concept id: digits, partition 00 (a concept), a valid Verhoeff check digit."""
    if not code.isdigit() or not 6 <= len(code) <= 18 or code[-3:-1] != "00":
        return False
    check = 0
    for position, digit in enumerate(reversed(code)):
        check = VERHOEFF_D[check][VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def loinc_is_well_formed(code: str) -> bool:
    """A LOINC code: digits, a dash and its mod-10 check digit."""
    number, _, check = code.partition("-")
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return number.isdigit() and check.isdigit() and (10 - total % 10) % 10 == int(check)


def test_the_code_table_does_not_contradict_itself() -> None:
    import re

    table = code_table()
    displays: dict[tuple[str, str], str] = {}
    meanings: dict[tuple[str, str], set[str]] = {}
    for where, code in table.all_codes():
        key = (code.system, code.code)
        assert displays.setdefault(key, code.display) == code.display, f"{where}: two displays"
        if code.match == "equal" and not where.endswith(".unit"):
            meanings.setdefault(key, set()).add(where.split(".")[1])
        if code.system == table.systems["snomed"]:
            assert snomed_id_is_well_formed(code.code), f"{where}: {code.code}"
        if code.system == table.systems["loinc"]:
            assert loinc_is_well_formed(code.code), f"{where}: {code.code}"
        if code.system == table.systems["icd10"]:
            assert re.fullmatch(r"[A-Z]\d\d(\.\d{1,2})?", code.code), where
    for key, values in meanings.items():
        assert len(values) == 1, f"{key} means {values}: read back, it would be ambiguous"
    for group, concepts in table.groups.items():
        for value, concept in concepts.items():
            assert concept.codes, f"{group}.{value} has no code"
            standard = [c for c in concept.codes if c.system not in table.musclewise_systems]
            if group in ("kind", "site") and not any(c.match == "equal" for c in standard):
                assert concept.note, f"{group}.{value}: say in a note why no standard code fits"
    assert set(table.groups["site"]) == set(SITES)
    assert (
        set(table.groups["kind"]) == set(table.groups["kind-value"]) == {"cramp", "spasm", "other"}
    )
    assert set(table.groups["finding"]) == set(finding_types())
    assert set(table.groups["day"]) == set(day_types())
    assert set(table.groups["condition"]) == set(CONDITIONS)
    for key, kind in finding_types().items():
        has_unit = table.concept("finding", key).unit is not None
        assert has_unit == (kind == "quantity"), f"finding {key}: a unit for numbers only"


def test_the_mapping_and_every_standard_code_are_documented() -> None:
    docs = DOCS.read_text()
    table = code_table()
    for _, code in table.all_codes():
        if code.system not in table.musclewise_systems and code.system != table.systems["ucum"]:
            assert f"`{code.code}`" in docs, f"docs/fhir.md does not list {code.code}"
    for url in [*table.musclewise_systems, *table.extensions.values()]:
        assert url in docs, f"docs/fhir.md does not give {url}"
    assert rxnorm_table().system in docs and "rxnorm.yaml" in docs


# ------------------------------------------------------------------------- bad bundles


def component(resource: dict[str, Any], code: str) -> tuple[int, dict[str, Any]]:
    """The index and the component of an Observation whose first coding has this code."""
    return next(
        (i, c)
        for i, c in enumerate(resource["component"])
        if c["code"]["coding"][0]["code"] == code
    )


def test_a_bad_bundle_is_refused_naming_each_entry_and_field(db_url: str, tmp_path: Path) -> None:
    table = code_table()
    with Diary(f"sqlite:///{tmp_path / 'source.sqlite3'}") as source:
        fill(source)
        bad = json.loads(exported(source))
    entries = bad["entry"]  # 1 Patient, 2-4 medicines, 5 calf, 6 thigh, 7 eyelid, 8 foot
    entries[0]["resource"]["gender"] = "other"
    entries[2]["resource"]["effectivePeriod"] = {"start": "2024-09-30", "end": "2024-05-01"}
    entries[3]["resource"]["subject"] = {"reference": "urn:uuid:someone-else"}
    calf = entries[4]["resource"]
    pain_index, pain = component(calf, "72514-3")
    pain["valueInteger"] = 12
    calf["bodySite"] = {"coding": [{"system": table.systems["musclewise-site"], "code": "kalf"}]}
    thigh = entries[5]["resource"]
    thigh["_effectiveDateTime"]["extension"][0]["valueCode"] = "America/New_Yrok"
    kind_index, kind = component(thigh, "kind")
    kind["valueCodeableConcept"] = table.codeable("kind-value", "spasm")
    entries[6]["resource"]["effectiveDateTime"] = "2026-07-12T20:00:00"  # no UTC offset
    foot = entries[7]["resource"]
    duration_index, duration = component(foot, "duration")
    duration["valueQuantity"]["code"] = "min"
    entries.append({"resource": {"resourceType": "Encounter", "status": "finished"}})
    with Diary(db_url) as diary:
        with pytest.raises(BundleRejected) as info:
            load(diary, json.dumps(bad))
        found = {(p.line, p.column) for p in info.value.problems}
        assert found == {
            (1, "Patient.gender"),
            (3, "MedicationStatement.effectivePeriod.end"),
            (4, "MedicationStatement.subject"),
            (5, "Observation.bodySite"),
            (6, "Observation.effectiveDateTime.extension"),
            (6, f"Observation.component[{kind_index}].valueCodeableConcept"),
            (7, "Observation.effectiveDateTime"),
            (8, f"Observation.component[{duration_index}].valueQuantity.code"),
            (9, "Encounter"),
        }, [str(p) for p in info.value.problems]
        messages = [str(p) for p in info.value.problems]
        assert any(
            m.startswith(
                "entry 6, Observation.effectiveDateTime.extension: 'America/New_Yrok' is not an "
                "IANA time zone name — did you mean 'America/New_York'"
            )
            for m in messages
        )
        assert (
            f"entry 6, Observation.component[{kind_index}].valueCodeableConcept: says kind "
            "'spasm', the stored assessment 'cramp'"
        ) in messages
        # once the structure is right, the diary checks the values, and names them too
        calf["bodySite"] = table.codeable("site", "calf")
        with pytest.raises(BundleRejected) as again:
            load(diary, json.dumps(bad))
        messages = [str(p) for p in again.value.problems]
        assert (
            f"entry 5, Observation.component[{pain_index}].valueInteger: 12 is above the maximum 10"
        ) in messages
        assert "entry 3, MedicationStatement.effectivePeriod.end: 2024-05-01 is before " \
               "started_on" in messages  # fmt: skip
        assert diary.list_episodes() == [] and diary.people() == []


def test_import_checks_the_bundle_itself(db_url: str) -> None:
    with Diary(db_url) as diary:
        for text, start in (
            ("{", "Bundle: is not valid JSON"),
            ('{"resourceType": "Patient"}', "Bundle: is not a FHIR Bundle"),
            ('{"resourceType": "Bundle", "type": "nonsense", "entry": []}', "Bundle.type"),
            ('{"resourceType": "Bundle", "type": "collection", "entry": [{}]}', "entry 1, "),
        ):
            with pytest.raises(BundleRejected) as info:
                load(diary, text)
            assert str(info.value.problems[0]).startswith(start), info.value.problems
        assert diary.people() == []


def test_dry_run_and_episodes_without_a_stored_assessment(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'a.sqlite3'}") as source:
        fill(source)
        bundle = json.loads(exported(source))
    for entry in bundle["entry"]:
        entry["resource"].pop("extension", None)  # no stored assessment: assessed on import
    with Diary(f"sqlite:///{tmp_path / 'b.sqlite3'}") as target:
        dry = load(target, json.dumps(bundle), dry_run=True)
        assert dry.added["episode"] == 4 and dry.assessed == 4
        assert target.list_episodes() == [] and target.people() == []
        summary = load(target, json.dumps(bundle))
        assert summary.assessed == 4
        assert [e.site for e in target.list_episodes()] == ["calf", "thigh_back", "eyelid", "foot"]


def test_the_commands_export_and_import_a_bundle(tmp_path: Path) -> None:
    source = {"MUSCLEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"}
    with Diary(source["MUSCLEWISE_DATABASE_URL"]) as diary:
        fill(diary)
    out = tmp_path / "diary.fhir.json"
    result = run_cli("export", "--format", "fhir", "--output", str(out), env=source)
    assert result.returncode == 0, result.stderr
    assert b"Exported 1 profile, 3 medicines, 4 episodes" in result.stderr
    check_resources(json.loads(out.read_text()))
    target = {"MUSCLEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"}
    # recognised from a real stdin pipe (the format is told by peeking at it)
    result = run_process("import", "-", "--json", input=out.read_bytes(), env=target)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == {"profile": 1, "medicine": 3, "episode": 4}
    broken = json.loads(out.read_text())
    broken["entry"][0]["resource"]["gender"] = "other"
    out.write_text(json.dumps(broken, indent=2))
    result = run_cli("import", str(out), env=target)
    assert result.returncode == 2
    assert b"entry 1, Patient.gender: musclewise records female or male" in result.stderr
    assert b"nothing was imported" in result.stderr


def test_bad_conditions_days_and_pregnancy_are_named_by_entry_and_field(
    db_url: str, tmp_path: Path
) -> None:
    table = code_table()
    with Diary(f"sqlite:///{tmp_path / 'source.sqlite3'}") as source:
        fill_more(source)
        bad = json.loads(exported(source))
    entries = bad["entry"]  # 1 Patient, 2-3 conditions, 4-6 medicines, 7 pregnancy, 8-9 days
    assert [e["resource"]["resourceType"] for e in entries[:9]] == [
        "Patient", "Condition", "Condition", *["MedicationStatement"] * 3, *["Observation"] * 3
    ]  # fmt: skip
    entries[0]["resource"]["gender"] = "male"  # and pregnant: false is fine, true is not
    entries[6]["resource"]["valueCodeableConcept"] = table.codeable("pregnancy", "true")
    entries[1]["resource"]["clinicalStatus"] = {
        "coding": [{"system": table.systems["condition-clinical"], "code": "resolved"}]
    }
    entries[2]["resource"]["code"] = {
        "coding": [{"system": table.systems["musclewise-condition"], "code": "gout"}]
    }
    day = entries[7]["resource"]
    index, stress = component(day, "stress")
    stress["valueInteger"] = 11
    entries[8]["resource"]["effectiveDateTime"] = "2026-01-11T10:00:00+00:00"
    with Diary(db_url) as diary:
        with pytest.raises(BundleRejected) as info:
            load(diary, json.dumps(bad))
        found = {(p.line, p.column): p.problem for p in info.value.problems}
        assert set(found) == {
            (2, "Condition.clinicalStatus"),
            (3, "Condition.code"),
            (7, "Observation.valueCodeableConcept"),
            (8, f"Observation.component[{index}].valueInteger"),
            (9, "Observation.effectiveDateTime"),
        }, [str(p) for p in info.value.problems]
        assert "'gout' is not a code of" in found[(3, "Condition.code")]
        assert found[(7, "Observation.valueCodeableConcept")] == "cannot be true when sex is male"
        assert "above the maximum 10" in found[(8, f"Observation.component[{index}].valueInteger")]
        assert diary.people() == [], "nothing was written"
