"""What a diary shows over a period: counts, the trend, warning patterns, possible triggers,
the medicines and the worst episodes. Pure: :class:`~musclewise.insights.diary.DiaryData` in,
a :class:`Summary` out (``to_dict()`` is what ``musclewise insights --format json`` prints).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from musclewise.contract import KINDS as CONTRACT_KINDS
from musclewise.contract import TRIAGE_LEVELS
from musclewise.insights import patterns, recording, triggers
from musclewise.insights.diary import FACTORS, MEDICINE_PREFIX, DiaryData, Episode

KINDS = CONTRACT_KINDS
KIND_WORDS = {"cramp": "cramps", "spasm": "twitches", "other": "other episodes"}
LEVELS = TRIAGE_LEVELS
LEVEL_WORDS = {
    "self_care": "self-care",
    "see_doctor": "see a doctor",
    "urgent": "urgent",
    "emergency": "emergency",
}
TOP_TRIGGERS = 5
WORST = 5


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: str
    episodes: int
    per_week: float
    days_with: int
    weeks: int
    """How many weeks the trend looked at (up to 26, ending on the last day)."""
    early_per_week: float
    """Episodes a week over the first four of those weeks."""
    late_per_week: float
    """...and over the last four."""
    p_value: float | None
    trend: str
    """``rising``, ``falling``, ``no clear change`` or ``too few to tell``: the one trend
    (:func:`musclewise.insights.patterns.trend`), which the warning pattern "more frequent"
    reads too."""
    recent: int = 0
    """Episodes in the last four weeks (a count, not a trend: for tables that show it)."""
    before: int = 0
    """Episodes in the four weeks before those."""

    def trend_text(self) -> str:
        """The trend in words, with what it compares: "rising (0.5 to 2.3 a week over 26
        weeks)"."""
        if self.trend == "too few to tell":
            return "too few to tell"
        return (
            f"{self.trend} ({self.early_per_week:.1f} to {self.late_per_week:.1f} a week, "
            f"first and last 4 of {self.weeks} weeks)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "episodes": self.episodes,
            "per_week": round(self.per_week, 2),
            "days_with": self.days_with,
            "trend": {
                "weeks": self.weeks,
                "first_4_weeks_per_week": round(self.early_per_week, 2),
                "last_4_weeks_per_week": round(self.late_per_week, 2),
                "p_value": _number(self.p_value),
                "direction": self.trend,
                "last_4_weeks": self.recent,
                "4_weeks_before": self.before,
            },
        }


@dataclass(frozen=True, slots=True)
class SiteCount:
    site: str
    total: int
    by_kind: dict[str, int]
    sides: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, "episodes": self.total, "by_kind": self.by_kind,
                "sides": self.sides}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    level: str
    text: str
    sources: tuple[Source, ...]
    evidence: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "text": self.text,
            "evidence": {k: _number(v) for k, v in self.evidence.items()},
            "sources": [s.to_dict() for s in self.sources],
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One comparison of the trigger analysis, with its label and its sentence."""

    comparison: triggers.Comparison
    label: str
    sentence: str

    @property
    def when(self) -> str:
        if self.comparison.factor.startswith(MEDICINE_PREFIX):
            return "while taking it"
        if self.comparison.either_day:
            return "the same day or the day before"
        return "the day before" if self.comparison.lag else "the same day"

    def to_dict(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "factor": c.factor,
            "label": self.label,
            "lag_days": c.lag,
            "either_day": c.either_day,
            "kind": c.kind,
            "days_with": c.exposed_days,
            "episodes_on_days_with": c.exposed_events,
            "days_without": c.other_days,
            "episodes_on_days_without": c.other_events,
            "rate_ratio": _number(c.rate_ratio),
            "ci95": [_number(c.ci_low), _number(c.ci_high)],
            "p_value": _number(c.p_value),
            "q_value": _number(c.q_value),
            "enough_data": c.enough_data,
            "days_needed": c.days_needed,
            "trigger": c.trigger,
            "adjusted_for": list(c.adjusted_for),
            "caveat": c.caveat,
            "efficiency": _number(c.efficiency),
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class MedicineClass:
    id: str
    name: str
    note: str
    cramp_linked: bool
    sources: tuple[Source, ...] = ()
    """Where the class's link to cramps is published: a fact about the medicine, apart from
    what this diary shows."""


@dataclass(frozen=True, slots=True)
class MedicineLine:
    name: str
    started_on: date | None
    stopped_on: date | None
    read_as: str | None
    classes: tuple[MedicineClass, ...]
    diary: str | None = None
    """What this diary shows about it (the trigger analysis against the trend), in words."""

    @property
    def cramp_linked(self) -> bool:
        return any(c.cramp_linked for c in self.classes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "started_on": _iso(self.started_on),
            "stopped_on": _iso(self.stopped_on),
            "read_as": self.read_as,
            "cramp_linked": self.cramp_linked,
            "classes": [
                {"id": c.id, "name": c.name, "cramp_linked": c.cramp_linked, "note": c.note,
                 "sources": [x.to_dict() for x in c.sources]}
                for c in self.classes
            ],
            "in_this_diary": self.diary,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Waiting:
    """A factor the analysis cannot judge yet, and why."""

    factor: str
    label: str
    reason: str
    """``not recorded``, ``no variety`` (always or never present) or ``more days``."""
    days_needed: int

    def text(self) -> str:
        if self.reason == "not recorded":
            return f"{self.label}: not recorded yet"
        if self.reason == "no variety":
            return f"{self.label}: no days both with and without it yet"
        return f"{self.label}: about {self.days_needed} more days"

    def to_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "label": self.label, "reason": self.reason,
                "days_needed": self.days_needed}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecordingNote:
    """A recording habit that biases the comparisons (:mod:`musclewise.insights.recording`)."""

    factor: str | None
    kind: str
    problem: str
    recorded_with: float
    recorded_without: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "kind": self.kind,
            "problem": self.problem,
            "recorded_on_days_with_episodes": round(self.recorded_with, 3),
            "recorded_on_days_without": round(self.recorded_without, 3),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """How likely the trigger analysis is to name a factor that doubles episodes of a kind:
    on a factor present on the typical (median) share of days, at the diary's own rate."""

    kind: str
    episodes: int
    days: int
    share: float
    chance: float
    days_for_9_in_10: int | None
    efficiency: float = 1.0
    """The information the adjusted model leaves, as a share of a plain comparison."""

    def text(self) -> str:
        episodes = KIND_WORDS[self.kind]
        tenths = min(9, math.floor(self.chance * 10 + 0.5))
        on = max(1, round(self.share * 10))
        start = (
            f"With {self.episodes} {episodes} over {self.days} days, a factor present on about "
            f"{on} days in 10 that doubled them would be named (after the adjustment)"
        )
        if self.chance >= 0.9:
            return f"{start} at least 9 times in 10."
        chance = (
            "less than 1 time in 10" if tenths < 1
            else f"about {tenths} time{'s' if tenths > 1 else ''} in 10"
        )  # fmt: skip
        if self.days_for_9_in_10 is None:
            return f"{start} {chance}."
        return (
            f"{start} {chance}; at this rate about {self.days_for_9_in_10} days of diary "
            "would make that 9 in 10."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "episodes": self.episodes,
            "days": self.days,
            "typical_share_of_days_with_a_factor": round(self.share, 3),
            "rate_ratio": 2.0,
            "chance_named": round(self.chance, 3),
            "days_for_9_in_10": self.days_for_9_in_10,
            "efficiency_of_the_adjusted_model": round(self.efficiency, 3),
        }


@dataclass(frozen=True, slots=True)
class Summary:
    data: DiaryData
    counts: tuple[KindCount, ...]
    sites: tuple[SiteCount, ...]
    patterns: tuple[Pattern, ...]
    findings: tuple[Finding, ...]
    waiting: tuple[Waiting, ...]
    few: tuple[str, ...]
    """Kinds with no episode in the period: not compared at all."""
    medicines: tuple[MedicineLine, ...]
    worst: tuple[Episode, ...]
    knowledge_version: str
    disclaimer: str
    sensitivity: tuple[Sensitivity, ...] = field(default=())
    """For each kind compared: how likely a trigger that doubles episodes is to be named."""
    thresholds: tuple[dict[str, Any], ...] = field(default=())
    recording: tuple[RecordingNote, ...] = field(default=())
    """Recording habits that depend on the episodes: warned about, never repaired."""

    @property
    def tested(self) -> int:
        """How many comparisons had enough data (Benjamini-Hochberg ran across these)."""
        return sum(f.comparison.enough_data for f in self.findings)

    @property
    def triggers(self) -> list[Finding]:
        """The comparisons called triggers, the strongest evidence first."""
        found = [f for f in self.findings if f.comparison.trigger]
        return sorted(found, key=lambda f: (f.comparison.q_value or 1.0,
                                            -(f.comparison.rate_ratio or 0.0)))  # fmt: skip

    @property
    def top_triggers(self) -> list[Finding]:
        """The strongest triggers, one for each factor and kind (the same day or the day
        before, whichever holds more firmly)."""
        seen: set[tuple[str, str]] = set()
        top = []
        for f in self.triggers:
            key = (f.comparison.factor, f.comparison.kind)
            if key not in seen:
                seen.add(key)
                top.append(f)
        return top[:TOP_TRIGGERS]

    def waiting_text(self) -> str:
        """The factors that cannot be judged yet, grouped by why, in one sentence."""
        more = [f"{w.label} (about {w.days_needed} more days)" for w in self.waiting
                if w.reason == "more days"]  # fmt: skip
        same = [w.label for w in self.waiting if w.reason == "no variety"]
        never = [w.label for w in self.waiting if w.reason == "not recorded"]
        parts = []
        if more:
            parts.append("more days needed for " + ", ".join(more))
        if same:
            parts.append("no days both with and without " + ", ".join(same))
        if never:
            parts.append("not recorded: " + ", ".join(never))
        return "; ".join(parts) + "." if parts else ""

    @property
    def highest_triage(self) -> str | None:
        levels = {e.triage for e in self.data.episodes}
        return max(levels, key=LEVELS.index) if levels else None

    def count(self, kind: str) -> KindCount:
        return next(c for c in self.counts if c.kind == kind)

    def bh_statement(self) -> str:
        if not self.tested:
            return "No factor could be compared yet."
        return (
            f"{self.tested} comparisons were tested together: each factor against the others "
            "(on the same day and the day before), within the same four weeks and the same day "
            "of the week, medicines against the trend, then adjusted for testing many at once "
            f"(Benjamini-Hochberg, false discovery rate {triggers.ALPHA:.0%}); a factor is named "
            "only when it holds after all that. An association is not a cause."
        )

    def sensitivity_text(self) -> str:
        """What the diary can show, in one sentence for each kind compared."""
        return " ".join(s.text() for s in self.sensitivity)

    def to_dict(self) -> dict[str, Any]:
        d = self.data
        return {
            "person": {
                "birth_year": d.birth_year,
                "sex": d.sex,
                "pregnant": d.pregnant,
                "conditions": list(d.conditions),
            },
            "period": {
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "days": d.days,
                "days_with_context": len(d.context),
            },
            "knowledge_version": self.knowledge_version,
            "patterns": [p.to_dict() for p in self.patterns],
            "triggers": {
                "method": "one conditional Poisson model a kind with every factor at both "
                "lags (the same day and the day before), strata of four-week block x day of "
                "the week; each factor tested by its one-sided score test (more frequent with "
                "it) with the others fitted, on the days it was recorded, variance widened by "
                "the overdispersion, test-based 95% interval; with too few episodes each factor "
                "alone in the same strata; medicines over the whole period against a quadratic "
                "trend; Benjamini-Hochberg across every comparison with enough data; factors "
                "recorded more or less often on days with episodes never named",
                "alpha": triggers.ALPHA,
                "min_days": triggers.MIN_DAYS,
                "min_events": triggers.MIN_EVENTS,
                "tested": self.tested,
                "statement": self.bh_statement(),
                "sensitivity": [x.to_dict() for x in self.sensitivity],
                "found": [f.to_dict() for f in self.triggers],
                "waiting": [w.to_dict() for w in self.waiting],
                "too_few": list(self.few),
                "recording": [r.to_dict() for r in self.recording],
                "comparisons": [f.to_dict() for f in self.findings],
            },
            "counts": {
                "episodes": len(d.episodes),
                "highest_triage": self.highest_triage,
                "by_kind": [c.to_dict() for c in self.counts],
                "by_site": [s.to_dict() for s in self.sites],
            },
            "medicines": [m.to_dict() for m in self.medicines],
            "worst_episodes": [_episode_dict(e) for e in self.worst],
            "thresholds": list(self.thresholds),
        }


def summarise(data: DiaryData) -> Summary:
    """Everything the diary shows over its period."""
    from musclewise.knowledge import load_knowledge

    knowledge = load_knowledge()
    trend_params = next(p["params"] for p in knowledge.data["patterns"]["patterns"]
                        if p["id"] == "cramps_more_frequent")  # fmt: skip
    found = _triggers(data)
    return Summary(
        data=data,
        counts=tuple(_count(data, kind, trend_params) for kind in KINDS),
        sites=tuple(_sites(data.episodes)),
        patterns=tuple(_patterns(data, knowledge.data)),
        **found,
        medicines=tuple(_medicines(data, knowledge.data, found["findings"])),
        worst=tuple(worst_episodes(data.episodes)),
        knowledge_version=knowledge.version,
        disclaimer=knowledge.data["meta"]["disclaimer"],
        thresholds=tuple(f.to_dict() for f in FACTORS),
    )


def _count(data: DiaryData, kind: str, params: Mapping[str, float]) -> KindCount:
    days = [e.day for e in data.episodes if e.kind == kind]
    found = patterns.trend(data.records(), kind, data.end, data.start, params)
    recent_start = data.end - timedelta(days=27)
    recent = sum(recent_start <= d for d in days)
    before = sum(recent_start - timedelta(days=28) <= d < recent_start for d in days)
    return KindCount(kind, len(days), len(days) / data.days * 7, len(set(days)), found.weeks,
                     found.early_per_week, found.late_per_week, found.p_value,
                     found.direction, recent, before)  # fmt: skip


def _sites(episodes: Sequence[Episode]) -> list[SiteCount]:
    by_site: dict[str, Counter[str]] = {}
    sides: dict[str, Counter[str]] = {}
    for e in episodes:
        by_site.setdefault(e.site, Counter())[e.kind] += 1
        if e.side:
            sides.setdefault(e.site, Counter())[e.side] += 1
    rows = [
        SiteCount(site, sum(kinds.values()), {k: kinds[k] for k in KINDS if kinds[k]},
                  dict(sides.get(site, Counter())))
        for site, kinds in by_site.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r.total, r.site))


def _patterns(data: DiaryData, knowledge: Mapping[str, Any]) -> list[Pattern]:
    bibliography = {s["id"]: s for s in knowledge["meta"]["sources"]}
    found = patterns.detect(
        data.records(),
        data.medicine_records(),
        data.end,
        knowledge["patterns"]["patterns"],
        start=data.start,
    )
    return [
        Pattern(
            f.id,
            f.level,
            f.text,
            tuple(
                Source(s, bibliography[s]["title"], bibliography[s].get("url")) for s in f.sources
            ),
            f.evidence,
        )
        for f in found
    ]


def _triggers(data: DiaryData) -> dict[str, Any]:
    days = data.trigger_days()
    factors = data.factor_ids()
    labels = data.labels()
    medicine_lags = {f: (0,) for f in factors if f.startswith(MEDICINE_PREFIX)}
    totals = {"cramp": sum(d.cramps for d in days), "spasm": sum(d.spasms for d in days)}
    few = tuple(k for k in triggers.KINDS if not totals[k])
    kinds = [k for k in triggers.KINDS if k not in few]
    comparisons = triggers.analyse(days, factors, lags=medicine_lags, kinds=kinds,
                                   whole_period=medicine_lags)  # fmt: skip
    findings = []
    for c in comparisons:
        label = labels[c.factor]
        when = None
        if c.factor.startswith(MEDICINE_PREFIX):
            when = f"On days you were taking {label}"
        findings.append(Finding(c, label, triggers.sentence(c, label, when=when)))
    waiting: dict[str, Waiting] = {}
    for c in comparisons:
        if c.enough_data:
            continue
        total = c.exposed_days + c.other_days
        if total == 0:
            item = Waiting(c.factor, labels[c.factor], "not recorded", -1)
        elif c.days_needed < 0:
            item = Waiting(c.factor, labels[c.factor], "no variety", -1)
        else:
            item = Waiting(c.factor, labels[c.factor], "more days", c.days_needed)
        known = waiting.get(c.factor)
        if known is None or (item.reason == "more days" and (
            known.reason != "more days" or item.days_needed < known.days_needed)):  # fmt: skip
            waiting[c.factor] = item
    tested_factors = {c.factor for c in comparisons if c.enough_data}
    notes = []
    for kind in kinds:
        for w in recording.check(days, factors, kind):
            label = labels[w.factor] if w.factor is not None else ""
            notes.append(RecordingNote(w.factor, kind, w.problem, w.recorded_with,
                                       w.recorded_without,
                                       recording.text(w, label, KIND_WORDS[kind])))  # fmt: skip
    return {
        "recording": tuple(notes),
        "findings": tuple(findings),
        "sensitivity": tuple(_sensitivity(comparisons)),
        "waiting": tuple(w for f, w in waiting.items() if f not in tested_factors),
        "few": few,
    }


def _sensitivity(comparisons: Sequence[triggers.Comparison]) -> list[Sensitivity]:
    """For each kind compared: how likely a real trigger that doubles episodes is to be named
    with the diary as it is, and how long a diary makes that 9 in 10 (on a factor present on
    the median share of days, at the diary's own rate, with as many comparisons)."""
    tested = [c for c in comparisons if c.enough_data]
    found = []
    for kind in triggers.KINDS:
        of_kind = [c for c in tested if c.kind == kind]
        if not of_kind:
            continue
        days = max(c.exposed_days + c.other_days for c in of_kind)
        episodes = max(c.exposed_events + c.other_events for c in of_kind)
        shares = sorted(c.exposed_days / (c.exposed_days + c.other_days) for c in of_kind)
        share = shares[len(shares) // 2]
        rate = episodes / days
        efficiencies = sorted(c.efficiency for c in of_kind if c.efficiency is not None)
        efficiency = efficiencies[len(efficiencies) // 2] if efficiencies else 1.0
        chance = triggers.sensitivity(share, rate, days, len(tested), efficiency=efficiency)
        needed = triggers.days_for_sensitivity(share, rate, len(tested), efficiency=efficiency)
        found.append(Sensitivity(kind, episodes, days, share, chance, needed, efficiency))
    return found


def _medicines(
    data: DiaryData, knowledge: Mapping[str, Any], findings: Sequence[Finding]
) -> list[MedicineLine]:
    from musclewise.assessment import resolve_medicines

    classes = {c["id"]: c for c in knowledge["medicines"]["classes"]}
    bibliography = {s["id"]: s for s in knowledge["meta"]["sources"]}
    matches = resolve_medicines([m.name for m in data.medicines])
    lines = []
    for medicine, match in zip(data.medicines, matches, strict=True):
        found = tuple(
            MedicineClass(c, classes[c]["name"], classes[c]["note"],
                          bool(classes[c].get("established_cause", True)),
                          tuple(Source(s, bibliography[s]["title"], bibliography[s].get("url"))
                                for s in classes[c].get("sources", ()) if s in bibliography))
            for c in match.classes
            if c in classes
        )  # fmt: skip
        diary = next((f.sentence for f in findings if f.comparison.kind == "cramp"
                      and f.comparison.factor == medicine.factor_id
                      and f.comparison.enough_data), None)  # fmt: skip
        lines.append(
            MedicineLine(medicine.name, medicine.started_on, medicine.stopped_on, match.name,
                         found, diary)
        )  # fmt: skip
    return lines


def worst_episodes(episodes: Sequence[Episode], n: int = WORST) -> list[Episode]:
    """The worst episodes: the highest triage, then the most pain, then the longest."""

    def severity(e: Episode) -> tuple[int, int, float]:
        return (LEVELS.index(e.triage), -1 if e.pain is None else e.pain, e.duration_s or 0.0)

    return sorted(episodes, key=severity, reverse=True)[:n]


def _episode_dict(e: Episode) -> dict[str, Any]:
    return {
        "id": e.id,
        "local_start": e.local_start.isoformat(),
        "site": e.site,
        "side": e.side,
        "pain": e.pain,
        "duration_s": e.duration_s,
        "kind": e.kind,
        "triage": e.triage,
    }


def _number(value: float | None) -> float | str | None:
    """JSON has no infinity: unbounded values are written as the string "inf"."""
    if value is None or math.isnan(value):
        return None
    if math.isinf(value):
        return "inf"
    return float(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
