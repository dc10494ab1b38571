"""The codes of the diary's FHIR resources: the table shipped in ``fhir_codes.yaml``, read and
checked once (:func:`code_table`), the RxNorm codes of the knowledge base's medicines
(``rxnorm.yaml``, :func:`rxnorm_table`), and the FHIR value type of each findings key and day
field (:func:`finding_types`, :func:`day_types`). Pure data: nothing here reads or writes a
diary.

musclewise's own code systems and extensions are ``urn:uuid:`` URLs: the name-based UUID of
each one's name in the project's namespace (:func:`namespaced`). Bundles written with the old
``https://musclewise.example/fhir/`` URLs are still read: :meth:`CodeTable.canonical` maps them.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml

ValueType = Literal["boolean", "integer", "quantity", "string"]


# --------------------------------------------------------------------------- the code table


@dataclass(frozen=True, slots=True)
class Code:
    """One code of one system, with its display and how it matches the musclewise value."""

    system: str  # the system's URL
    code: str
    display: str
    match: str = "equal"  # or "broader": never read back

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True, slots=True)
class Concept:
    """A musclewise value (a site, a kind, a component) and its codes."""

    value: str
    text: str
    codes: tuple[Code, ...]
    unit: Code | None = None  # of a valueQuantity
    note: str | None = None

    def codeable(self) -> dict[str, Any]:
        return {"coding": [c.coding() for c in self.codes], "text": self.text}


@dataclass(frozen=True)
class CodeTable:
    """``fhir_codes.yaml``, read: the concepts of each group and the code-typed elements."""

    systems: dict[str, str]  # key -> URL
    system_names: dict[str, str]  # URL -> name
    musclewise_systems: frozenset[str]  # URLs
    extensions: dict[str, str]
    identifier_system: str
    groups: dict[str, dict[str, Concept]]
    elements: dict[str, dict[str, Code]]
    legacy: dict[str, str] = field(default_factory=dict)  # an old URL -> its URL now
    _reverse: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)

    def canonical(self, url: object) -> object:
        """The URL of a system or extension as musclewise writes it now (an old one mapped)."""
        return self.legacy.get(url, url) if isinstance(url, str) else url

    def is_extension(self, url: object, name: str) -> bool:
        """Whether ``url`` is the extension ``name`` (by its URL now or its old one)."""
        return self.canonical(url) == self.extensions[name]

    def __post_init__(self) -> None:
        for group, concepts in self.groups.items():
            found: dict[tuple[str, str], str] = {}
            for concept in concepts.values():
                for code in concept.codes:
                    if code.match == "equal":
                        found[(code.system, code.code)] = concept.value
            self._reverse[group] = found

    def concept(self, group: str, value: str) -> Concept:
        return self.groups[group][value]

    def codeable(self, group: str, value: str) -> dict[str, Any]:
        return self.concept(group, value).codeable()

    def all_codes(self) -> Iterator[tuple[str, Code]]:
        """Every code of the table, with where it is (``site.calf``, ``element.Bundle.type``)."""
        for group, concepts in self.groups.items():
            for value, concept in concepts.items():
                for code in concept.codes:
                    yield f"{group}.{value}", code
                if concept.unit is not None:
                    yield f"{group}.{value}.unit", concept.unit
        for element, codes in self.elements.items():
            for value, code in codes.items():
                yield f"element.{element}.{value}", code

    def read(self, group: str, codeable: object) -> tuple[str | None, str | None]:
        """The value a CodeableConcept codes in ``group`` (None if none), and a problem: a code
        of a musclewise system that is not in the table, or codes of two different values."""
        if codeable is None:
            return None, None
        if not isinstance(codeable, Mapping):
            return None, "is not a CodeableConcept"
        values: set[str] = set()
        for coding in codeable.get("coding") or ():
            if not isinstance(coding, Mapping):
                continue
            key = (self.canonical(coding.get("system")), coding.get("code"))
            value = self._reverse[group].get(key)  # type: ignore[arg-type]
            if value is not None:
                values.add(value)
            elif key[0] in self.musclewise_systems and any(
                s == key[0] for (s, _) in self._reverse[group]
            ):
                allowed = sorted(c for (s, c) in self._reverse[group] if s == key[0])
                name = self.system_names[str(key[0])]
                return None, (
                    f"'{key[1]}' is not a code of {key[0]} ({name})"
                    + (f"; use one of: {', '.join(allowed)}" if allowed else "")
                )
        if len(values) > 1:
            return None, f"codes more than one value ({', '.join(sorted(values))})"
        return (values.pop() if values else None), None


_CODE_KEYS = {"system", "code", "display", "match"}


def _code(raw: object, systems: Mapping[str, str], where: str) -> Code:
    if not isinstance(raw, Mapping) or not {"system", "code", "display"} <= set(raw):
        raise ValueError(f"{where}: a code needs system, code and display")
    if set(raw) - _CODE_KEYS:
        raise ValueError(f"{where}: unknown keys {sorted(set(raw) - _CODE_KEYS)}")
    if raw["system"] not in systems:
        raise ValueError(f"{where}: system '{raw['system']}' is not one of systems")
    match = raw.get("match", "equal")
    if match not in ("equal", "broader"):
        raise ValueError(f"{where}: match is equal or broader")
    return Code(systems[raw["system"]], str(raw["code"]), str(raw["display"]), match)


def namespaced(namespace: str, name: str) -> str:
    """The ``urn:uuid:`` URL of a musclewise code system or extension: the name-based UUID
    (version 5) of ``name`` (``CodeSystem/kind``) in the project's namespace UUID."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(namespace), name)}"


GROUPS = ("kind", "site", "side", "triage", "kind-value", "component", "condition", "resource",
          "pregnancy")  # fmt: skip
"""The groups of concepts with codes of their own (``finding`` and ``day`` are made from
their keys, each coded by its name in a musclewise system)."""


def parse_code_table(data: Mapping[str, Any]) -> CodeTable:
    """Read the table (as ``fhir_codes.yaml`` holds it); ValueError says what is malformed."""
    namespace, old = str(data["namespace"]), str(data["legacy"])
    legacy: dict[str, str] = {}

    def url(raw: Any) -> str:
        if isinstance(raw, Mapping) and "name-in-namespace" in raw:
            name = str(raw["name-in-namespace"])
            legacy[old + name] = namespaced(namespace, name)
            return legacy[old + name]
        if isinstance(raw, Mapping):
            return str(raw["url"])
        return str(raw)

    systems = {key: url(s) for key, s in data["systems"].items()}
    names = {systems[key]: str(s["name"]) for key, s in data["systems"].items()}
    ours = frozenset(systems[key] for key, s in data["systems"].items() if s.get("musclewise"))
    ucum = systems["ucum"]
    groups: dict[str, dict[str, Concept]] = {}
    for group in GROUPS:
        concepts: dict[str, Concept] = {}
        for value, raw in data[group].items():
            where = f"{group}.{value}"
            unit = raw.get("unit")
            concepts[value] = Concept(
                value=value,
                text=str(raw["text"]),
                codes=tuple(_code(c, systems, where) for c in raw["codes"]),
                unit=Code(ucum, str(unit["code"]), str(unit["display"])) if unit else None,
                note=raw.get("note"),
            )
        groups[group] = concepts
    for group, system in (("finding", "musclewise-finding"), ("day", "musclewise-day")):
        groups[group] = {
            key: Concept(
                value=key,
                text=str(raw["display"]),
                codes=(Code(systems[system], key, str(raw["display"])),),
                unit=Code(ucum, str(raw["unit"]["code"]), str(raw["unit"]["display"]))
                if raw.get("unit")
                else None,
            )
            for key, raw in data[group].items()
        }
    elements = {
        element: {value: _code(c, systems, f"element.{element}") for value, c in codes.items()}
        for element, codes in data["element"].items()
    }
    return CodeTable(
        systems=systems,
        system_names=names,
        musclewise_systems=ours,
        extensions={k: url(v) for k, v in data["extensions"].items()},
        identifier_system=str(data["identifier-system"]),
        groups=groups,
        elements=elements,
        legacy=legacy,
    )


@functools.cache
def code_table() -> CodeTable:
    """The code table shipped with musclewise (``fhir_codes.yaml``)."""
    text = resources.files("musclewise.exchange").joinpath("fhir_codes.yaml").read_text("utf-8")
    return parse_code_table(yaml.safe_load(text))


# --------------------------------------------------------------------------- RxNorm


@dataclass(frozen=True)
class RxNormTable:
    """``rxnorm.yaml``, read and checked: the RxCUI of each generic name it lists."""

    system: str
    codes: dict[str, Code]  # the knowledge base's generic name -> its ingredient's code
    sources: dict[str, dict[str, str]]  # id -> title, url
    source_of: dict[str, str]  # generic name -> source id

    def code(self, generic: str | None) -> Code | None:
        return self.codes.get(generic) if generic else None


def parse_rxnorm(data: Mapping[str, Any], generic_names: frozenset[str]) -> RxNormTable:
    """Read ``rxnorm.yaml``; ValueError names the entry that is not right (a name that is not
    a generic name of the knowledge base, an RxCUI that is not digits or is used twice, a
    source not listed, an unknown key)."""
    system = str(data["system"])
    sources = {str(k): {"title": str(v["title"]), "url": str(v["url"])}
               for k, v in data["sources"].items()}  # fmt: skip
    codes: dict[str, Code] = {}
    source_of: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, raw in data["ingredients"].items():
        where = f"rxnorm.yaml: ingredients.{name}"
        unknown = set(raw) - {"rxcui", "display", "source", "listed_as"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if name not in generic_names:
            raise ValueError(f"{where}: not a generic name of knowledge/data/medicines.yaml")
        rxcui = str(raw.get("rxcui", ""))
        if not rxcui.isdigit():
            raise ValueError(f"{where}: rxcui {rxcui!r} is not an RxCUI (digits)")
        if rxcui in seen:
            raise ValueError(f"{where}: rxcui {rxcui} is also {seen[rxcui]}")
        if raw.get("source") not in sources:
            raise ValueError(f"{where}: source {raw.get('source')!r} is not under sources")
        seen[rxcui] = name
        codes[name] = Code(system, rxcui, str(raw["display"]))
        source_of[name] = str(raw["source"])
    return RxNormTable(system, codes, sources, source_of)


@functools.cache
def rxnorm_table() -> RxNormTable:
    """The RxNorm codes shipped with musclewise (``rxnorm.yaml``), checked against the
    knowledge base's generic names."""
    from musclewise.knowledge import load_knowledge

    drugs = load_knowledge().data["medicines"]["drugs"]
    names = frozenset(str(d["name"]) for d in drugs)
    text = resources.files("musclewise.exchange").joinpath("rxnorm.yaml").read_text("utf-8")
    return parse_rxnorm(yaml.safe_load(text), names)


@functools.cache
def finding_types() -> dict[str, ValueType]:
    """The FHIR value type of each findings key that can be given with an episode."""
    import msgspec

    from musclewise.diary.validate import EPISODE_COLUMNS, PROFILE_KEYS
    from musclewise.findings import Findings

    kinds: dict[type, ValueType] = {
        msgspec.inspect.BoolType: "boolean",
        msgspec.inspect.IntType: "integer",
        msgspec.inspect.FloatType: "quantity",
        msgspec.inspect.LiteralType: "string",
        msgspec.inspect.StrType: "string",
    }
    result: dict[str, ValueType] = {}
    info = msgspec.inspect.type_info(Findings)
    assert isinstance(info, msgspec.inspect.StructType)
    for found in info.fields:
        if found.name in (*EPISODE_COLUMNS, *PROFILE_KEYS, "text"):
            continue
        options = found.type.types if isinstance(found.type, msgspec.inspect.UnionType) else ()
        result[found.name] = next(
            kinds[type(t)] for t in (*options, found.type) if type(t) in kinds
        )
    return result


@functools.cache
def day_types() -> dict[str, ValueType]:
    """The FHIR value type of each field of a day's context that is a component (``notes``
    is the Observation's note)."""
    from musclewise.diary.validate import DAY_SPECS

    kinds: dict[type, ValueType] = {bool: "boolean", int: "integer", float: "quantity",
                                    str: "string"}  # fmt: skip
    return {name: kinds[spec.kind] for name, spec in DAY_SPECS.items() if name != "notes"}
