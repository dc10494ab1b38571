"""Pydantic models for the knowledge-base files in ``data/``.

Every model forbids unknown keys, so a misspelt key in a data file is an error that names
the key and the allowed ones. Cross-references (sources, hypotheses, factor ids, keys of the
findings contract) are checked by :func:`check_references` once all files are read.

This module is imported only when the knowledge base is validated (the first run after the
data changed, and in the tests); see :mod:`musclewise.knowledge` for the fast path.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from musclewise.contract import Kind, Level, is_urgent

Evidence = Literal["established", "probable", "weak", "contested"]
SourceIds = Annotated[list[str], Field(min_length=1)]
Probability = Annotated[float, Field(gt=0, lt=1)]


class Strict(BaseModel):
    """Base of every model here: unknown keys are an error that names the allowed keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = [f.alias or name for name, f in cls.model_fields.items()]
            unknown = [str(k) for k in data if k not in allowed]
            if unknown:
                close = difflib.get_close_matches(unknown[0], allowed, n=1)
                guess = f" (did you mean '{close[0]}'?)" if close else ""
                raise ValueError(
                    f"unknown key '{unknown[0]}'{guess}; allowed keys: {', '.join(allowed)}"
                )
        return data


class Source(Strict):
    id: str
    title: str
    url: str = ""
    kind: Literal["seed", "guideline", "review", "study", "reference", "patient_info", "other"]
    note: str = ""


class Meta(Strict):
    name: str
    version: str
    released: str
    disclaimer: str
    sources: list[Source]


class Condition(Strict):
    """One test in a ``when``: exactly one form is used.

    - ``{key: K, is: V}``: K is known and equals V;
    - ``{key: K, in: [..]}``: K is known and one of the values (for lists: any item is);
    - ``{key: K, gt|ge|lt|le: N}``: K is known and compares so;
    - ``{key: K, is_not: V}``: K is unknown or differs from V (cautious: unknown counts);
    - ``{all: [..]}``, ``{any: [..]}``: every / at least one of the nested tests;
    - ``{kind: [..]}``: the kind the model decided (for factors and advice only);
    - ``{leans: [..]}``: the kind the model leans to on the findings without the warning signs
      answered "yes" (for red flags: a sign can never change it, so never lower the triage);
    - ``{hypothesis: H, min: p}``: the model gives H at least probability p.
    """

    key: str | None = None
    is_: bool | str | float | None = Field(default=None, alias="is")
    in_: list[str | float] | None = Field(default=None, alias="in")
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    is_not: bool | str | float | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    kind: list[Kind] | None = None
    leans: list[Kind] | None = None
    hypothesis: str | None = None
    min: Probability | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        ops = [
            n
            for n in ("is_", "in_", "gt", "ge", "lt", "le", "is_not")
            if getattr(self, n) is not None
        ]
        groups = [
            n for n in ("all", "any", "kind", "leans", "hypothesis") if getattr(self, n) is not None
        ]
        if self.key is not None:
            if len(ops) != 1 or groups:
                raise ValueError(
                    f"a test of '{self.key}' needs exactly one of is, in, gt, ge, lt, le, is_not"
                )
        elif len(groups) != 1 or ops:
            raise ValueError(
                "a test needs 'key' with one operator, or one of all, any, kind, leans, hypothesis"
            )
        if (self.hypothesis is None) != (self.min is None):
            raise ValueError("'hypothesis' and 'min' go together")
        return self


class LevelRule(Strict):
    """A red flag: when ``when`` holds, the triage is at least ``level``."""

    id: str
    level: Level
    when: Condition
    text: str
    suggests: str | None = None
    """A hypothesis of the model the flag points to, or ``other``: a cause outside the model's
    named mimics (a stroke, heat stroke, an infection in a child)."""
    sources: SourceIds
    note: str = ""


class Bin(Strict):
    name: str
    max: float | None = None  # upper bound, inclusive; None for the last bin


class Feature(Strict):
    """How one finding bears on each hypothesis: P(value | hypothesis) for naive Bayes.

    ``type: bool`` gives P(true | h) (P(false | h) is the rest); ``type: category`` gives a
    distribution over the key's values (values not named share what is left); ``type: bins``
    gives a distribution over numeric ranges. ``default`` applies to hypotheses not in ``given``.
    """

    key: str
    label: str
    type: Literal["bool", "category", "bins", "contains"]
    item: str | None = None  # for type contains: the list item whose presence is the feature
    values: list[str] | None = None
    generic: dict[str, list[str]] | None = None
    """For a category: values that name a whole region (``leg``), each weighed as the sum of
    the values it covers (``[calf, shin, ...]``)."""
    bins: list[Bin] | None = None
    default: float | dict[str, float] | list[float]
    given: dict[str, float | dict[str, float] | list[float]]
    sources: SourceIds
    note: str = ""
    ask: bool = True  # whether the interview and `missing` may ask for it


class Hypothesis(Strict):
    id: str
    kind: Kind
    condition: str | None = None  # the contract's condition id, for kind other
    name: str
    prior: Probability
    level_if_likely: Level
    likely_at: Probability = 0.5
    summary: str
    sources: SourceIds


class Escalation(Strict):
    """When a mimic that brings urgent or emergency raises the triage (docs/model.md)."""

    urgent_at: Probability
    """At this probability such a mimic brings at least urgent (its own level from
    ``likely_at``)."""
    see_doctor_at: Probability
    """At this probability it brings at least see_doctor: it cannot be ruled out."""
    sources: SourceIds


class Model(Strict):
    hypotheses: list[Hypothesis]
    features: list[Feature]
    escalation: Escalation
    floor: Probability = 0.005
    evidence_weight: Annotated[float, Field(gt=0, le=1)] = 1.0
    sources: SourceIds


class Recogniser(Strict):
    when: Condition
    why: str


class Factor(Strict):
    id: str
    name: str
    evidence: Evidence
    summary: str
    disagreement: str = ""
    recognised_by: list[Recogniser]
    sources: SourceIds


class Advice(Strict):
    id: str
    when: Condition | None = None
    text: str
    sources: SourceIds
    levels: list[Level] | None = None
    """The triage levels at which it is given (absent: every level). Stretching, heat,
    massage and reassurance are given below urgent only, so that an urgent or emergency answer
    never says them (issue 9 §4)."""
    note: str = ""


class AdviceFile(Strict):
    relief: list[Advice]
    prevention: list[Advice]


class SeedPosition(Strict):
    id: str
    topic: str
    says: dict[str, str]
    product: str
    why: str
    sources: SourceIds


class SeedsFile(Strict):
    positions: list[SeedPosition]


class TrendParams(Strict):
    min_weeks: int = Field(ge=1)
    alpha: Probability
    min_ratio: float = Field(gt=1)


class RateParams(Strict):
    days: int = Field(ge=1)
    per_week: float = Field(gt=0)


class NightsParams(Strict):
    days: int = Field(ge=1)
    nights: int = Field(ge=1)


class OngoingParams(Strict):
    days: int = Field(ge=1)
    recent_days: int = Field(ge=1)


class SpreadingParams(Strict):
    window_days: int = Field(ge=1)
    min_new_sites: int = Field(ge=1)


class DaysParams(Strict):
    days: int = Field(ge=1)


class NewMedicineParams(Strict):
    before_days: int = Field(ge=1)
    after_days: int = Field(ge=1)
    min_ratio: float = Field(gt=1)
    min_after: int = Field(ge=1)


PATTERN_PARAMS: dict[str, type[Strict]] = {
    "cramps_more_frequent": TrendParams,
    "frequent_cramps": RateParams,
    "waking_most_nights": NightsParams,
    "twitching_over_two_weeks": OngoingParams,
    "eyelid_twitch_over_a_week": OngoingParams,
    "spreading": SpreadingParams,
    "weakness_or_wasting": DaysParams,
    "weakness_with_cramps_and_twitches": DaysParams,
    "after_new_medicine": NewMedicineParams,
}
"""Each pattern the insights know and the parameters it takes: a typo in ``patterns.yaml`` is
a knowledge error when the file is loaded, not an internal error in the insights."""


class Pattern(Strict):
    """A warning pattern over time (see ``musclewise.insights.patterns``)."""

    id: str
    level: Level
    text: str
    params: dict[str, float]
    sources: SourceIds

    @model_validator(mode="after")
    def _known_params(self) -> Pattern:
        model = PATTERN_PARAMS.get(self.id)
        if model is None:
            raise ValueError(
                f"pattern '{self.id}': no such pattern; known: {', '.join(PATTERN_PARAMS)}"
            )
        try:
            model.model_validate(self.params)
        except ValueError as exc:
            raise ValueError(f"pattern '{self.id}', params: {exc}") from None
        return self


class PatternsFile(Strict):
    patterns: list[Pattern]


class ScreenSign(Strict):
    """One warning sign of the safety screen, in plain words, and the episodes it matters for."""

    key: str
    label: str
    sites: list[str] | None = None
    """It matters at these sites, or when the site is not known (absent: at every site)."""
    mimics: list[str] | None = None
    """...and only while one of these explanations is at least ``Screen.mimic_at`` likely
    (absent: whatever the model says)."""
    skip_if: dict[str, list[str]] = {}
    """It does not matter when a key has one of these values (``{sex: [male]}``)."""


class ScreenGroup(Strict):
    """One grouped question: asked while the triage is below ``level``."""

    id: str
    level: Level
    ask: str
    signs: list[ScreenSign]
    sources: SourceIds


class Screen(Strict):
    mimic_at: Probability
    groups: list[ScreenGroup]
    context: dict[str, str] = {}
    """Yes/no findings that are not warning signs but can complete a red flag (a wound, a
    recent injury, a visible twitch), each with its words as a checkbox: when one alone would
    complete a red flag of a group's level, the interview adds it to that group's question."""


class RedFlagsFile(Strict):
    rules: list[LevelRule]
    screen: Screen


class FactorsFile(Strict):
    factors: list[Factor]


def walk(condition: Condition) -> list[Condition]:
    """Every test inside a condition, the condition itself first."""
    out = [condition]
    for child in (condition.all or []) + (condition.any or []):
        out.extend(walk(child))
    return out


def check_references(
    meta: Meta,
    model: Model,
    red_flags: RedFlagsFile,
    factors: FactorsFile,
    advice: AdviceFile,
    seeds: SeedsFile,
    patterns: PatternsFile,
    *,
    keys: set[str],
    derived_keys: set[str],
    factor_ids: set[str],
    condition_ids: set[str],
    screen_keys: set[str],
    site_ids: set[str],
    extra_sources: list[tuple[str, list[str]]],
) -> list[str]:
    """Every broken cross-reference, as readable lines (empty when the files agree)."""
    problems: list[str] = []
    known_sources = {s.id for s in meta.sources}
    hyp_ids = {h.id for h in model.hypotheses}
    usable_keys = keys | derived_keys

    def src(where: str, ids: list[str]) -> None:
        problems.extend(f"{where}: unknown source '{s}'" for s in ids if s not in known_sources)

    def cond(where: str, c: Condition | None) -> None:
        if c is None:
            return
        for t in walk(c):
            if t.key is not None and t.key not in usable_keys:
                problems.append(f"{where}: unknown key '{t.key}'")
            if t.hypothesis is not None and t.hypothesis not in hyp_ids:
                problems.append(f"{where}: unknown hypothesis '{t.hypothesis}'")

    for h in model.hypotheses:
        src(f"hypothesis {h.id}", h.sources)
        if h.kind == "other" and h.condition not in condition_ids:
            problems.append(f"hypothesis {h.id}: condition '{h.condition}' is not a contract id")
    for f in model.features:
        src(f"feature {f.key}", f.sources)
        if f.key not in usable_keys:
            problems.append(f"feature {f.key}: not a findings key")
        problems.extend(
            f"feature {f.key}: unknown hypothesis '{h}'" for h in f.given if h not in hyp_ids
        )
        for name, parts in (f.generic or {}).items():
            if f.type != "category" or name in (f.values or []):
                problems.append(f"feature {f.key}: generic value '{name}' needs a category")
            problems.extend(
                f"feature {f.key}: generic '{name}' covers unknown value '{v}'"
                for v in parts
                if v not in (f.values or [])
            )
    src("model", model.sources)
    for r in red_flags.rules:
        src(f"red flag {r.id}", r.sources)
        cond(f"red flag {r.id}", r.when)
        if r.suggests is not None and r.suggests not in hyp_ids and r.suggests != "other":
            problems.append(f"red flag {r.id}: suggests unknown hypothesis '{r.suggests}'")
    src("model escalation", model.escalation.sources)
    seen_signs: set[str] = set()
    for group in red_flags.screen.groups:
        src(f"screen {group.id}", group.sources)
        if not is_urgent(group.level):
            problems.append(f"screen {group.id}: a screen group is for urgent or emergency")
        for sign in group.signs:
            where = f"screen {group.id} sign {sign.key}"
            if sign.key not in screen_keys:
                problems.append(f"{where}: not a yes/no warning sign the contract can list")
            if sign.key in seen_signs:
                problems.append(f"{where}: already in the screen")
            seen_signs.add(sign.key)
            problems.extend(
                f"{where}: unknown site '{v}'" for v in sign.sites or [] if v not in site_ids
            )
            problems.extend(
                f"{where}: unknown hypothesis '{h}'" for h in sign.mimics or [] if h not in hyp_ids
            )
            problems.extend(f"{where}: unknown key '{k}'" for k in sign.skip_if if k not in keys)
    problems.extend(
        f"screen context {k}: unknown key" for k in red_flags.screen.context if k not in keys
    )
    for fac in factors.factors:
        src(f"factor {fac.id}", fac.sources)
        if fac.id not in factor_ids:
            problems.append(f"factor {fac.id}: not a contract factor id")
        for i, rec in enumerate(fac.recognised_by):
            cond(f"factor {fac.id} recogniser {i + 1}", rec.when)
    missing_factors = factor_ids - {f.id for f in factors.factors}
    problems.extend(
        f"factor {m}: the contract names it but no entry has it" for m in missing_factors
    )
    for a in advice.relief + advice.prevention:
        src(f"advice {a.id}", a.sources)
        cond(f"advice {a.id}", a.when)
    for p in seeds.positions:
        src(f"seed position {p.id}", p.sources)
    for pattern in patterns.patterns:
        src(f"pattern {pattern.id}", pattern.sources)
    for where, ids in extra_sources:
        src(where, ids)
    return problems


def dump(models: dict[str, BaseModel]) -> dict[str, Any]:
    """Plain data for the compiled cache (aliases kept, so it reads back the same way)."""
    return {name: m.model_dump(by_alias=True, exclude_none=True) for name, m in models.items()}
