"""Pydantic models for ``knowledge/data/medicines.yaml``: drug classes, drugs and lay terms.

Validation is strict so that a slip in the data file fails loudly when it is loaded:

* every model forbids unknown keys, and the error names the key, the allowed keys and the
  closest allowed key (``unknown key 'brand'; did you mean 'brands'? allowed keys: ...``);
* class ids are the fixed set :data:`CLASS_IDS` that the rest of musclewise refers to, and the
  file defines each of them exactly once;
* DrugBank ids look like ``DB01076`` and are unique; a lay term's ``drug`` names a drug of the
  file;
* every name, alias, brand and term is unique after the resolver's normalisation
  (:func:`musclewise.medicine_names.name_key`), so no typed string can mean two things;
* every class, drug and lay term cites at least one source id.

:func:`musclewise.medicines.load_medicines` turns a validation failure into a
:class:`~musclewise.errors.KnowledgeError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from musclewise.knowledge.schema import Strict
from musclewise.medicine_names import match_forms

MedicineClass = Literal[
    "thiazide_diuretic", "loop_diuretic", "potassium_sparing_diuretic", "statin",
    "beta2_agonist", "calcium_channel_blocker", "beta_blocker_isa", "raloxifene",
    "teriparatide", "conjugated_oestrogens", "combined_hormonal_contraception", "stimulant",
    "sedating_antihistamine", "iron_sucrose", "naproxen", "imatinib", "corticosteroid",
    "opioid", "fibrate", "ciclosporin", "quinine", "ace_inhibitor",
    "angiotensin_receptor_blocker", "lithium", "cholinesterase_inhibitor", "bisphosphonate",
]  # fmt: skip
"""The drug classes that matter here; the rest of the package refers to these ids."""

CLASS_IDS: tuple[str, ...] = get_args(MedicineClass)

DrugBankId = Annotated[str, StringConstraints(pattern=r"^DB\d{5}$")]
SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Sources = Annotated[list[SourceId], Field(min_length=1)]


def _duplicates(values: Sequence[str], what: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for value in values:
        if value in seen:
            problems.append(f"{what} {value!r} is listed twice")
        seen.add(value)
    return problems


def _no_duplicates(values: Sequence[str], what: str) -> None:
    problems = _duplicates(values, what)
    if problems:
        raise ValueError("; ".join(problems))


class DrugClass(Strict):
    """A drug class and why it matters for cramps, twitches or their mimics."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: MedicineClass
    name: Text
    note: Text
    """One plain sentence on why the class matters."""
    established_cause: bool = True
    """False when the class is recognised but is not an established cause of cramps or
    twitching here (it matters for another reason, such as a statin interaction or DVT)."""
    systemic_only: bool = False
    """True when a cream, gel, drop or inhaled form of the drug does not count."""
    sources: Sources

    @model_validator(mode="after")
    def _unique_sources(self) -> DrugClass:
        _no_duplicates(self.sources, "source")
        return self


class Drug(Strict):
    """A single-ingredient generic drug, keyed by its DrugBank id.

    ``classes: []`` (the default) marks a drug that is recognised but is in no class that
    matters here; the table lists common ones so that the drug library is rarely needed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    drugbank_id: DrugBankId
    name: Name
    """The generic name in lower case, as the drug library spells it."""
    aliases: list[Name] = Field(default_factory=list)
    """Other generic spellings: INN, USAN or BAN names, salts."""
    brands: list[Name] = Field(default_factory=list)
    """Single-ingredient brand names."""
    classes: list[MedicineClass] = Field(default_factory=list)
    """The classes that matter here; empty for a drug that is in none of them."""
    note: Text | None = None
    sources: Sources

    @model_validator(mode="after")
    def _check(self) -> Drug:
        if self.name != self.name.lower():
            raise ValueError(f"name {self.name!r} must be lower case")
        _no_duplicates(self.classes, "class")
        _no_duplicates(self.sources, "source")
        return self


class LayTerm(Strict):
    """Something people type that is not a single generic or brand name.

    Exactly one of ``classes`` and ``drug`` is given. ``classes: []`` means the term is
    recognised and in no class that matters here; ``vague: true`` (with ``classes: []``) means
    it is recognised but too vague to place in a class.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    term: Name
    classes: list[MedicineClass] | None = None
    drug: DrugBankId | None = None
    name: Name | None = None
    """The generic name(s) the term stands for, in lower case, when known (with ``classes``)."""
    vague: bool = False
    note: Text
    sources: Sources

    @model_validator(mode="after")
    def _check(self) -> LayTerm:
        where = f"lay term {self.term!r}"
        if (self.classes is None) == (self.drug is None):
            raise ValueError(f"{where}: give exactly one of 'classes' and 'drug'")
        if self.drug is not None and self.name is not None:
            raise ValueError(f"{where}: 'name' comes from the drug; do not give both")
        if self.vague and self.classes:
            raise ValueError(f"{where}: a vague term maps to no class ('classes: []')")
        if self.vague and self.drug is not None:
            raise ValueError(f"{where}: a vague term cannot name a drug")
        if self.name is not None and self.name != self.name.lower():
            raise ValueError(f"{where}: name {self.name!r} must be lower case")
        _no_duplicates(self.classes or (), "class")
        _no_duplicates(self.sources, "source")
        return self


class MedicinesFile(Strict):
    """The whole of ``medicines.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    """Bumped whenever entries change."""
    classes: list[DrugClass]
    drugs: list[Drug]
    lay_terms: list[LayTerm]

    @model_validator(mode="after")
    def _check(self) -> MedicinesFile:
        problems: list[str] = []
        class_ids = [c.id for c in self.classes]
        problems += _duplicates(class_ids, "class id")
        missing = [c for c in CLASS_IDS if c not in class_ids]
        if missing:
            problems.append(f"classes not defined: {', '.join(missing)}")

        drug_ids = [d.drugbank_id for d in self.drugs]
        problems += _duplicates(drug_ids, "DrugBank id")
        known = set(drug_ids)
        problems += [
            f"lay term {t.term!r}: drug {t.drug} is not in 'drugs'"
            for t in self.lay_terms
            if t.drug is not None and t.drug not in known
        ]

        # Every spelling must read as one thing only. The resolver also matches a spelling
        # without spaces ("mini pill" = "minipill") and without a plural "s", so those forms
        # must be unique too; within one entry an overlap is harmless.
        owner: dict[str, tuple[str, str]] = {}
        for entry, what, text in self._names():
            forms = match_forms(text)
            if not forms:
                problems.append(f"{what} {text!r} is empty after normalisation")
            clash = None
            for form in sorted(forms):
                first = owner.setdefault(form, (entry, f"{what} {text!r}"))
                if first[0] != entry and clash is None:
                    clash = f"{what} {text!r} clashes with {first[1]} (both read {form!r})"
            if clash:
                problems.append(clash)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _names(self) -> list[tuple[str, str, str]]:
        """(entry, kind, text) for every name, alias, brand and term."""
        names: list[tuple[str, str, str]] = []
        for d in self.drugs:
            entry = d.drugbank_id
            names.append((entry, f"drug {entry} name", d.name))
            names += [(entry, f"drug {entry} alias", a) for a in d.aliases]
            names += [(entry, f"drug {entry} brand", b) for b in d.brands]
        names += [(f"term {t.term}", "lay term", t.term) for t in self.lay_terms]
        return names
