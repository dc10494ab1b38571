"""The codes of the diary's FHIR resources: the table shipped in ``fhir_codes.yaml``, read and
checked once (:func:`code_table`), and the FHIR value type of each findings key
(:func:`finding_types`). Pure data: nothing here reads or writes a diary."""

from __future__ import annotations

import functools
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
    _reverse: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)

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
            key = (coding.get("system"), coding.get("code"))
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


def parse_code_table(data: Mapping[str, Any]) -> CodeTable:
    """Read the table (as ``fhir_codes.yaml`` holds it); ValueError says what is malformed."""
    systems = {key: str(s["url"]) for key, s in data["systems"].items()}
    names = {str(s["url"]): str(s["name"]) for s in data["systems"].values()}
    ours = frozenset(str(s["url"]) for s in data["systems"].values() if s.get("musclewise"))
    ucum = systems["ucum"]
    groups: dict[str, dict[str, Concept]] = {}
    for group in ("kind", "site", "side", "triage", "kind-value", "component"):
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
    finding_system = systems["musclewise-finding"]
    groups["finding"] = {
        key: Concept(
            value=key,
            text=str(raw["display"]),
            codes=(Code(finding_system, key, str(raw["display"])),),
            unit=Code(ucum, str(raw["unit"]["code"]), str(raw["unit"]["display"]))
            if raw.get("unit")
            else None,
        )
        for key, raw in data["finding"].items()
    }
    elements = {
        element: {value: _code(c, systems, f"element.{element}") for value, c in codes.items()}
        for element, codes in data["element"].items()
    }
    return CodeTable(
        systems=systems,
        system_names=names,
        musclewise_systems=ours,
        extensions={k: str(v) for k, v in data["extensions"].items()},
        identifier_system=str(data["identifier-system"]),
        groups=groups,
        elements=elements,
    )


@functools.cache
def code_table() -> CodeTable:
    """The code table shipped with musclewise (``fhir_codes.yaml``)."""
    text = resources.files("musclewise.diary").joinpath("fhir_codes.yaml").read_text("utf-8")
    return parse_code_table(yaml.safe_load(text))


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
