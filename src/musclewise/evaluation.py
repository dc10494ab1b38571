"""Score the engine on vignettes with gold answers (``musclewise eval``).

A vignette is ``{id, answers, gold: {kind, other_condition?, triage, factors}}`` as in
``shared/vignettes``. A vignette with ``text`` and no ``gold`` at all is a reading-only case
(the reader's development set, ``tests/text/devset.yaml``): it is not assessed, and its
``answers`` list every warning sign the text states and only the other keys the case is about,
so a warning sign read but not in the answers is a false positive while another key is scored
only where the answers give it. The scores are those the vignettes' README defines: kind accuracy; for
mimic cases, the gold condition first (top-1) or among the first three (top-3) of
``suspected``; triage exact, under-triaged (less urgent than gold) and over-triaged, with the
confusion matrix; factor recall and precision, pooled over all cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from musclewise.contract import TRIAGE_LEVELS
from musclewise.errors import MusclewiseError, UsageError
from musclewise.findings import WARNING_SIGNS

LEVELS = TRIAGE_LEVELS


@dataclass
class Miss:
    id: str
    problems: list[str]


@dataclass
class EvalReport:
    cases: int = 0
    kind_correct: int = 0
    mimic_cases: int = 0
    mimic_top1: int = 0
    mimic_top3: int = 0
    triage_exact: int = 0
    under_triaged: int = 0
    over_triaged: int = 0
    factor_tp: int = 0
    factor_fn: int = 0
    factor_fp: int = 0
    errors: int = 0
    reading_only: int = 0
    confusion: dict[str, dict[str, int]] = field(
        default_factory=lambda: {g: dict.fromkeys(LEVELS, 0) for g in LEVELS}
    )
    misses: list[Miss] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self._ratio(self.kind_correct, self.cases)

    @property
    def factor_recall(self) -> float:
        return self._ratio(self.factor_tp, self.factor_tp + self.factor_fn)

    @property
    def factor_precision(self) -> float:
        return self._ratio(self.factor_tp, self.factor_tp + self.factor_fp)

    def summary(self) -> dict[str, Any]:
        r = self._ratio
        return {
            "cases": self.cases,
            "errors": self.errors,
            "reading_only": self.reading_only,
            "kind_accuracy": round(self.kind_accuracy, 4),
            "mimic_cases": self.mimic_cases,
            "mimic_top1": round(r(self.mimic_top1, self.mimic_cases), 4),
            "mimic_top3": round(r(self.mimic_top3, self.mimic_cases), 4),
            "triage_exact": round(r(self.triage_exact, self.cases), 4),
            "under_triaged": self.under_triaged,
            "over_triaged": self.over_triaged,
            "over_triage_rate": round(r(self.over_triaged, self.cases), 4),
            "factor_recall": round(self.factor_recall, 4),
            "factor_precision": round(self.factor_precision, 4),
            "triage_confusion": self.confusion,
            "misses": [{"id": m.id, "problems": m.problems} for m in self.misses],
        }


def reading_only(v: object) -> bool:
    """Whether a vignette is a reading-only case: a text and answers, and no ``gold`` key."""
    return isinstance(v, Mapping) and "gold" not in v and isinstance(v.get("text"), str)


def check_vignette(v: object, position: int) -> Mapping[str, Any]:
    """A vignette's shape, or a UsageError that says which one and what is wrong."""
    if not isinstance(v, Mapping):
        raise UsageError(f"vignette {position}: must be a mapping with id, answers and gold")
    where = f"vignette {v.get('id', position)}"
    if reading_only(v):
        if not isinstance(v.get("answers"), Mapping):
            raise UsageError(f"{where}: 'answers' is missing or not a mapping")
        return v
    for key in ("answers", "gold"):
        if not isinstance(v.get(key), Mapping):
            raise UsageError(f"{where}: '{key}' is missing or not a mapping")
    gold = v["gold"]
    if gold.get("kind") not in ("cramp", "spasm", "other"):
        raise UsageError(f"{where}: gold.kind must be cramp, spasm or other")
    if gold.get("triage") not in LEVELS:
        raise UsageError(f"{where}: gold.triage must be one of {', '.join(LEVELS)}")
    return v


def evaluate(
    vignettes: Iterable[object],
    assess: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    findings_of: Callable[[Mapping[str, Any]], object] = lambda v: v["answers"],
) -> EvalReport:
    """Assess each vignette with ``assess`` and score it against its gold answer."""
    report = EvalReport()
    for position, raw in enumerate(vignettes, start=1):
        v = check_vignette(raw, position)
        if reading_only(v):
            report.reading_only += 1
            continue
        vid = str(v.get("id", position))
        gold = v["gold"]
        report.cases += 1
        try:
            result = assess(findings_of(v))  # type: ignore[arg-type]
        except MusclewiseError as exc:
            report.errors += 1
            report.under_triaged += 1
            report.misses.append(Miss(vid, [f"could not be assessed: {exc}"]))
            continue
        problems: list[str] = []
        if result["kind"] == gold["kind"]:
            report.kind_correct += 1
        else:
            problems.append(f"kind {result['kind']}, gold {gold['kind']}")
        if gold["kind"] == "other":
            report.mimic_cases += 1
            ranked = [s["condition"] for s in result["suspected"]]
            want = gold.get("other_condition", "other")
            report.mimic_top1 += ranked[:1] == [want]
            report.mimic_top3 += want in ranked[:3]
            if want not in ranked[:3]:
                problems.append(f"{want} not in the top 3 of suspected ({', '.join(ranked[:3])})")
        got_level, want_level = result["triage"]["level"], gold["triage"]
        report.confusion[want_level][got_level] += 1
        diff = LEVELS.index(got_level) - LEVELS.index(want_level)
        if diff == 0:
            report.triage_exact += 1
        elif diff < 0:
            report.under_triaged += 1
            problems.append(f"UNDER-TRIAGED: {got_level}, gold {want_level}")
        else:
            report.over_triaged += 1
            problems.append(f"over-triaged: {got_level}, gold {want_level}")
        got = {f["id"] for f in result["factors"]}
        want = set(gold.get("factors") or [])
        report.factor_tp += len(got & want)
        report.factor_fn += len(want - got)
        report.factor_fp += len(got - want)
        if want - got:
            problems.append("factors missed: " + ", ".join(sorted(want - got)))
        if got - want:
            problems.append("extra factors: " + ", ".join(sorted(got - want)))
        if problems:
            report.misses.append(Miss(vid, problems))
    return report


# --------------------------------------------------------------------------- free text

_WARNING = frozenset(WARNING_SIGNS)

NUMERIC_TOLERANCE = 0.25
"""Numbers read from a text match the answer within 25% (a minute or two is 90 s, 1.5 or 2
seconds both "a second or two"); scores (pain, stress), ages and counts must be exact."""
EXACT_NUMBERS = frozenset({"pain", "stress", "age", "muscles_involved"})


def same_value(key: str, got: object, want: object) -> bool:
    """Whether a value read from a text matches the structured answer."""
    if isinstance(want, bool) or isinstance(got, bool) or isinstance(want, str):
        return got == want
    if isinstance(want, list) and isinstance(got, list):
        if key == "medications":
            return _medicine_names(got) == _medicine_names(want)
        return sorted(map(str, got)) == sorted(map(str, want))
    if isinstance(want, int | float) and isinstance(got, int | float):
        if key in EXACT_NUMBERS:
            return got == want
        return abs(got - want) <= NUMERIC_TOLERANCE * abs(want) or abs(got - want) < 0.01
    return got == want


def _medicine_names(names: list[Any]) -> list[str]:
    """The medicines as the knowledge base reads them (so "salmeterol/fluticasone inhaler"
    and "Seretide" are the same)."""
    from musclewise.assessment import resolve_medicines

    return sorted((m.name or m.given).lower() for m in resolve_medicines([str(n) for n in names]))


@dataclass
class KeyScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class ReadingReport:
    """How well findings read from text match the structured answers, key by key.

    A key read with the answer's value is a true positive; read with another value, it is a
    false positive and a false negative; read when the answers lack it, a false positive;
    in the answers and not read, a false negative.
    """

    keys: dict[str, KeyScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def pooled(self) -> KeyScore:
        total = KeyScore()
        for s in self.keys.values():
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total

    def summary(self) -> dict[str, Any]:
        pooled = self.pooled()
        return {
            "precision": round(pooled.precision, 4),
            "recall": round(pooled.recall, 4),
            "per_key": {
                k: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for k, s in sorted(self.keys.items())
            },
            "misses": [{"id": m.id, "problems": m.problems} for m in self.misses],
        }


def score_reading(
    vignettes: Iterable[object], read: Callable[[str], Mapping[str, Any]]
) -> ReadingReport:
    """Read each vignette's ``text`` with ``read`` and compare with its ``answers``."""
    report = ReadingReport()
    for position, raw in enumerate(vignettes, start=1):
        v = check_vignette(raw, position)
        if not isinstance(v.get("text"), str):
            raise UsageError(f"vignette {v.get('id', position)}: 'text' is missing")
        got, want = read(v["text"]), v["answers"]
        problems = []
        keys = set(got) | set(want)
        if reading_only(v):
            keys = set(want) | (set(got) & _WARNING)
        for key in sorted(keys):
            score = report.keys.setdefault(key, KeyScore())
            if key in got and key in want and same_value(key, got[key], want[key]):
                score.tp += 1
                continue
            score.fp += key in got
            score.fn += key in want
            problems.append(f"{key}: read {got.get(key, '-')!r}, answer {want.get(key, '-')!r}")
        if problems:
            report.misses.append(Miss(str(v.get("id", position)), problems))
    return report
