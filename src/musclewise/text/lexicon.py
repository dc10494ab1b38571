"""The lexicon of the free-text reader (``lexicon.yaml``), validated when it is loaded.

Everything the reader knows about words is data: number words, units, negation and hedging
cues, and the concepts (phrases that set findings, or markers its rules use). Validation
refuses unknown keys, findings keys and values the contract refuses, malformed patterns and
missing markers, so a mistake in the file is a :class:`~musclewise.errors.KnowledgeError` when
it is loaded, never a silent miss later.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from musclewise.errors import FindingsError, KnowledgeError
from musclewise.findings import FINDINGS_KEYS, validate_findings

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")

MARKERS = frozenset(
    {
        "_cramp", "_twitch", "_symptom", "_not_cramp", "_ignore", "_stress", "_stretch", "_rest",
        "_bend", "_relief", "_no_relief", "_exercise", "_afterwards", "_female", "_male",
        "_caffeine", "_alcohol", "_sleep", "_screen",
    }
)  # fmt: skip
"""The markers the reader's rules use; each must be a concept of the lexicon."""

LIST_KEYS = frozenset({"conditions", "medications"})


class Termset(msgspec.Struct, forbid_unknown_fields=True):
    """NegEx cues: before and after a concept, pseudo-cues and scope terminators."""

    preceding: list[str] = msgspec.field(default_factory=list)
    following: list[str] = msgspec.field(default_factory=list)
    pseudo: list[str] = msgspec.field(default_factory=list)
    termination: list[str] = msgspec.field(default_factory=list)


class Concept(msgspec.Struct, forbid_unknown_fields=True):
    """Phrases that mean one thing: findings to set, or a marker for the reader's rules."""

    id: str
    patterns: list[str]
    set: dict[str, Any] = msgspec.field(default_factory=dict)
    negated: dict[str, Any] | None = None
    weight: int = 1
    blockable: bool = False
    negatable: bool = True
    needs: str | None = None
    """A marker (or ``_medicine``) that must be in the same sentence for the mention to count."""

    @property
    def marker(self) -> bool:
        return self.id.startswith("_")

    def when_negated(self) -> dict[str, Any]:
        """What a negated mention sets: yes/no findings flip unless the file says otherwise."""
        if self.negated is not None:
            return self.negated
        return {k: not v for k, v in self.set.items() if isinstance(v, bool)}


class Lexicon(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    numbers: dict[str, float]
    number_phrases: dict[str, float]
    units: dict[str, float]
    periods: dict[str, float]
    most_periods: float
    less_than: list[str]
    negation: Termset
    hedges: Termset
    blockers: list[str]
    medicine_ignore: list[str]
    medicine_forms: list[str]
    medicine_joiners: list[str]
    plural_sites: list[str]
    since: dict[str, float]
    sides: dict[str, list[str]]
    side_skip: list[str]
    concepts: list[Concept]


def _check_findings(where: str, values: dict[str, Any]) -> list[str]:
    problems = []
    for key, value in values.items():
        if key not in FINDINGS_KEYS or key == "text":
            problems.append(f"{where}: '{key}' is not a findings key of the contract")
            continue
        try:
            validate_findings({key: [value] if key in LIST_KEYS else value})
        except FindingsError as exc:
            problems.append(f"{where}: {exc.message}")
    return problems


def _check_pattern(where: str, pattern: str) -> list[str]:
    problems = []
    parts = pattern.split()
    if not parts:
        return [f"{where}: an empty pattern"]
    if all(p.endswith("?") and len(p) > 1 for p in parts):
        problems.append(f"{where}: pattern '{pattern}' has only optional parts")
    for part in parts:
        if part in ("?", "|") or "||" in part or part.startswith("|") or part.endswith("|?"):
            problems.append(f"{where}: pattern '{pattern}' has a malformed part '{part}'")
    return problems


def validate(lexicon: Lexicon) -> list[str]:
    """Every problem of a decoded lexicon (an empty list when it is valid)."""
    problems: list[str] = []
    seen: set[str] = set()
    for concept in lexicon.concepts:
        where = f"concept {concept.id}"
        if concept.id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(concept.id)
        if not concept.patterns:
            problems.append(f"{where}: no patterns")
        for pattern in concept.patterns:
            problems += _check_pattern(where, pattern)
        if concept.marker:
            if concept.set:
                problems.append(f"{where}: a marker (id starting with '_') sets no findings")
        elif not concept.set:
            problems.append(f"{where}: sets no findings (a marker's id starts with '_')")
        problems += _check_findings(where, concept.set)
        problems += _check_findings(f"{where} (negated)", concept.negated or {})
        if concept.needs is not None and concept.needs not in MARKERS | {"_medicine"}:
            problems.append(f"{where}: needs '{concept.needs}', which is not a marker")
        if concept.weight < 1:
            problems.append(f"{where}: weight must be 1 or more")
    missing = MARKERS - seen
    if missing:
        problems.append(f"markers the reader needs are missing: {', '.join(sorted(missing))}")
    if set(lexicon.sides) != {"left", "right", "both"}:
        problems.append("sides must name exactly left, right and both")
    for name, table in (("units", lexicon.units), ("periods", lexicon.periods)):
        problems += [f"{name}: '{k}' must be positive" for k, v in table.items() if v <= 0]
    return problems


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The validated lexicon; raises :class:`KnowledgeError` naming every problem."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        lexicon = msgspec.convert(data, Lexicon, strict=True)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise KnowledgeError(f"the free-text lexicon {path.name} is invalid: {exc}") from None
    problems = validate(lexicon)
    if problems:
        raise KnowledgeError(
            f"the free-text lexicon {path.name} is invalid: " + "; ".join(problems)
        )
    return lexicon
