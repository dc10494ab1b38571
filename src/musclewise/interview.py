"""The adaptive interview: which question to ask next, and when to stop.

Pure: :func:`next_step` reads the findings so far and returns the next question (or that the
interview is over) with the assessment as it stands; it does no I/O and keeps no state, so a
front end (``musclewise check``, a web form, a test) owns the loop. The question texts and
choices are data (``text/questions.yaml``), loaded and validated once.

How a question is chosen, with the engine's own machinery:

- **triage**: for each unanswered key, how many levels the triage would rise if the answer
  crossed a red flag (a rule that needs only that key, or one whose every other part already
  holds), times the chance of that answer: the model's own P(yes) under the current posterior
  for the keys it has, :data:`DEFAULT_P_YES` for the other yes/no keys, :data:`P_CROSSES` for
  numbers. Where a rule's other parts hold on something actually said (a diuretic, an eyelid),
  the chance is at least :data:`P_NEAR`;
- **kind**: the expected shift of the exact posterior that the answer brings;
- **what is always asked**: where it happened first (:data:`OPENING`), then what a clinician
  asks about every cramp or every twitch (:data:`ALWAYS_ASK`: how often and which medicines;
  how long, how many places, any weakness).

The value of a question is the sum. Warning signs that could still raise the triage weigh
most; the interview stops when no question is worth :data:`STOP_BELOW`: no answer left is
likely enough to change the triage or to move the picture. A key answered "don't know" is
never asked again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from musclewise.engine import RANK, Engine, MedicineLike
from musclewise.engine.conditions import KIND, POSTERIOR, one_answer_away
from musclewise.engine.model import ASK_KEY, expected_shift, posterior
from musclewise.errors import KnowledgeError
from musclewise.findings import FINDINGS_KEYS

QUESTIONS_PATH = Path(__file__).parent / "text" / "questions.yaml"
DEFAULT_P_YES = 0.015
"""How likely a "yes" is to a warning sign the model has no feature for."""
P_NEAR = 0.2
"""How likely a "yes" is, at the least, to the one missing part of a red flag whose every other
part already holds on something said: the context that makes the rule fit makes it likelier."""
NARROW_SITES = 3
"""A known site counts as such context only for a rule about at most this many sites."""
P_VALUE = 0.1
"""How likely the answer to a number or a list makes a red flag hold, unless
:data:`P_CROSSES` says otherwise."""
P_CROSSES = {
    "muscles_involved": 0.05,  # three muscles or more: uncommon for a cramp
    "episodes_per_week": 0.4,  # NICE CKS: 40% of older people with cramps have 3 or more a week
    "ongoing_days": 0.3,  # twitches past two weeks, eyelid past one: common in those who ask
    "alcohol_drinks": 0.02,  # eight or more drinks in a day: uncommon
    "age": 0.1,  # a child
}
"""How likely a number crosses the threshold of a red flag that needs only it."""
P_CROSSES_GIVEN = {"episodes_per_week": "cramp"}
"""Figures of :data:`P_CROSSES` that hold for one kind only (scaled by its probability)."""
OPENING = {"site": 1.0}
"""Asked first whatever else: where it happened decides which warning signs matter."""
ALWAYS_ASK = {
    # NICE CKS: ask how often, and review the medicines (drug causes), for every cramp
    "cramp": {"medications": 0.2, "episodes_per_week": 0.2},
    # NHS twitching: see a GP after 2 weeks, in more than one place, or with weakness
    "spasm": {"ongoing_days": 0.2, "muscles_involved": 0.2, "weakness": 0.2},
}
"""What a clinician asks about every cramp or every twitch, whatever the model says."""
NOT_FOR_SITES = {"weakness": ("eyelid", "face")}
"""...except where it does not apply: weakness is the question for a twitching limb (motor
neurone warning signs), not for a twitching eyelid (NHS, Mayo eye twitching)."""
STOP_BELOW = 0.08
"""A question whose value is below this is not worth asking."""
ACTIVE_ABOVE = 0.002
"""Explanations below this probability do not count when measuring a question's value."""
LIST_KEYS = frozenset({"medications", "conditions"})


@dataclass(frozen=True)
class Question:
    """One question: its key, its words and the answers it takes."""

    key: str
    label: str
    ask: str
    kind: str  # "yes_no", "choice", "multi", "number", "list"
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Step:
    """What the interview does next: ask ``question``, or stop (``done``) and say why."""

    question: Question | None
    value: float
    reason: str
    assessment: dict[str, Any]
    asked_so_far: int = 0

    @property
    def done(self) -> bool:
        return self.question is None


def _kind_of(key: str) -> str:
    from typing import get_args, get_origin, get_type_hints

    from musclewise.findings import Findings

    hint = get_type_hints(Findings, include_extras=True)[key]
    args = [a for a in get_args(hint) if a.__name__ != "UnsetType"] if get_args(hint) else []
    base = args[0] if args else hint
    while get_origin(base) is not None and get_origin(base).__name__ == "Annotated":
        base = get_args(base)[0]
    if base is bool:
        return "yes_no"
    if key == "conditions":
        return "multi"
    if key == "medications":
        return "list"
    if base in (int, float):
        return "number"
    return "choice"


@cache
def load_questions(path: Path = QUESTIONS_PATH) -> dict[str, Question]:
    """The validated questions, by key; raises :class:`KnowledgeError` naming each problem."""
    import yaml

    from musclewise.errors import FindingsError
    from musclewise.findings import validate_findings

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"the interview questions {path.name} are invalid: {exc}") from None
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"version", "questions"}:
        raise KnowledgeError(f"{path.name} must hold exactly 'version' and 'questions'")
    out: dict[str, Question] = {}
    for key, spec in data["questions"].items():
        if key not in FINDINGS_KEYS or key == "text":
            problems.append(f"'{key}' is not a findings key")
            continue
        if not isinstance(spec, dict) or not {"label", "ask"} <= set(spec) or set(spec) - {
            "label", "ask", "choices", "hint"
        }:  # fmt: skip
            problems.append(f"{key}: needs label and ask (and only choices or hint besides)")
            continue
        kind = _kind_of(key)
        choices = tuple((str(v), str(w)) for v, w in (spec.get("choices") or {}).items())
        if kind in ("choice", "multi"):
            if not choices:
                problems.append(f"{key}: needs choices")
            for value, _ in choices:
                try:
                    validate_findings({key: [value] if kind == "multi" else value})
                except FindingsError as exc:
                    problems.append(f"{key}: choice {exc.message}")
        elif choices:
            problems.append(f"{key}: a {kind} question takes no choices")
        out[key] = Question(key, spec["label"], spec["ask"], kind, choices, spec.get("hint", ""))
    missing = [k for k in FINDINGS_KEYS if k != "text" and k not in out]
    if missing:
        problems.append(f"no question for: {', '.join(missing)}")
    if problems:
        raise KnowledgeError(
            f"the interview questions {path.name} are invalid: " + "; ".join(problems)
        )
    return out


def label_of(key: str) -> str:
    """A finding's short label ("swelling"); the key itself if it has no question."""
    question = load_questions().get(key)
    return question.label if question else key.replace("_", " ")


@cache
def _site_lists(engine: Engine) -> dict[str, int]:
    """For each red flag, how many sites its narrowest site test allows (absent: none)."""
    out: dict[str, int] = {}

    def walk(node: Mapping[str, Any]) -> list[int]:
        sizes = []
        if node.get("key") == "site" and "in" in node:
            sizes.append(len(node["in"]))
        for child in list(node.get("all") or []) + list(node.get("any") or []):
            sizes += walk(child)
        return sizes

    for rule in engine.knowledge.data["red_flags"]["rules"]:
        sizes = walk(rule["when"])
        if sizes:
            out[rule["id"]] = min(sizes)
    return out


def _narrow_site(engine: Engine, rule_id: str) -> bool:
    """A known site makes the rest of a rule likely only if the rule is about few sites
    (an eyelid rule, not a rule about any part of a leg)."""
    return _site_lists(engine).get(rule_id, 99) <= NARROW_SITES


def _p_yes(engine: Engine, post: Sequence[float]) -> dict[str, float]:
    """P(yes) for each yes/no key the model has, under the posterior."""
    out: dict[str, float] = {}
    for f in engine.features:
        if f.value_names == ("yes", "no") and f.key == f.ask_key and f.key not in out:
            out[f.key] = sum(p * lik for p, lik in zip(post, f.lik[0], strict=True))
    return out


def question_values(
    engine: Engine,
    findings: Mapping[str, Any],
    medicines: Sequence[MedicineLike] = (),
    unknown: Collection[str] = (),
) -> tuple[dict[str, float], dict[str, float], dict[str, Any]]:
    """The triage value and the kind value of each question still open, and the assessment."""
    assessment = engine.assess(findings, medicines)
    facts: dict[str, Any] = dict(findings)
    if "medications" in findings:
        facts["med_classes"] = frozenset(c for m in medicines for c in m.classes)
    post, _ = posterior(engine.log_prior, engine._by_key, facts, engine.evidence_weight)
    facts[KIND] = assessment["kind"]
    facts[POSTERIOR] = dict(zip(engine._ids, post, strict=True))
    every, _ = engine._index.outcomes(facts)
    outcomes = every[: engine._ends[0]]
    current = RANK[assessment["triage"]["level"]]
    flat = {k: g for k, g in engine._flat_gain[current].items() if k not in facts}
    # rules one answer away: with a floor on the chance of "yes" only where the rule's other
    # parts hold on something actually said (not merely on what was not said)
    near: dict[str, float] = {}
    context: set[str] = set()
    for rule, outcome in zip(engine.rules, outcomes, strict=True):
        gap = RANK[rule.level] - current
        if rule.test.flat is not None or outcome is not None or gap <= 0:
            continue
        if len(rule.test.required - facts.keys()) > 1:
            continue
        found = {ASK_KEY.get(k, k) for k in one_answer_away(rule.test, facts)}
        for k in found:
            near[k] = max(near.get(k, 0.0), float(gap))
        said = rule.test.required & facts.keys()
        if said - {"site"} or ("site" in said and _narrow_site(engine, rule.id)):
            context |= found
    p_yes = _p_yes(engine, post)
    questions = load_questions()
    open_keys = set(questions) - set(findings) - set(unknown)
    yes_no = {k for k, q in questions.items() if q.kind == "yes_no"}
    triage: dict[str, float] = {}
    for gains in (flat, near):
        for k, g in gains.items():
            if k in open_keys and round(g) > 0:
                if k in yes_no:
                    p = p_yes.get(k, DEFAULT_P_YES)
                else:
                    p = P_CROSSES.get(k, P_VALUE)
                    if k in P_CROSSES_GIVEN:  # a figure for one kind: scale by its chance
                        p *= post[engine.index[P_CROSSES_GIVEN[k]]]
                if gains is near and k in context:
                    p = max(p, P_NEAR)
                triage[k] = max(triage.get(k, 0.0), round(g) * p)
    # the expected shift of the exact posterior (Engine._shifts rounds it so that batches can
    # memoise it; one interview step can afford the exact figure, and rare explanations count)
    kind: dict[str, float] = {}
    active = [i for i, p in enumerate(post) if p > ACTIVE_ABOVE]
    if len(active) > 1:
        for f in engine.features:
            if f.ask and f.ask_key in open_keys:
                shift = expected_shift(post, f, active)
                kind[f.ask_key] = max(kind.get(f.ask_key, 0.0), shift)
    for key, bonus in OPENING.items():
        if key in open_keys:
            kind[key] = kind.get(key, 0.0) + bonus
    for key, bonus in ALWAYS_ASK.get(assessment["kind"], {}).items():
        if key in open_keys and findings.get("site") not in NOT_FOR_SITES.get(key, ()):
            triage[key] = max(triage.get(key, 0.0), bonus)
    return triage, kind, assessment


def next_step(
    engine: Engine,
    findings: Mapping[str, Any],
    medicines: Sequence[MedicineLike] = (),
    unknown: Collection[str] = (),
) -> Step:
    """The most valuable question to ask next, or ``done`` when none is worth asking.

    ``findings`` are valid findings so far (without ``text``); ``unknown`` are the keys
    answered "don't know" (never asked again).
    """
    triage, kind, assessment = question_values(engine, findings, medicines, unknown)
    values = {k: triage.get(k, 0.0) + kind.get(k, 0.0) for k in {*triage, *kind}}
    questions = load_questions()
    if not values:
        return Step(None, 0.0, "no question left could change the answer", assessment)
    key = min(values, key=lambda k: (-values[k], k))
    if values[key] < STOP_BELOW:
        return Step(None, values[key], "no question left is worth asking", assessment)
    if triage.get(key, 0.0) >= kind.get(key, 0.0):
        reason = "a warning sign: the answer could make this more urgent"
    else:
        reason = "the answer could change what this most likely is"
    return Step(questions[key], values[key], reason, assessment)


def simulate(
    engine: Engine,
    answers: Mapping[str, Any],
    resolve: Any = None,
    limit: int = 60,
) -> tuple[list[str], dict[str, Any]]:
    """Run the interview, answering each question from ``answers`` ("don't know" when the key
    is not there); return the keys asked, in order, and the final assessment.

    ``resolve`` turns medicine names into matches (default: none resolved).
    """
    findings: dict[str, Any] = {}
    unknown: set[str] = set()
    asked: list[str] = []
    medicines: Sequence[MedicineLike] = ()
    for _ in range(limit):
        step = next_step(engine, findings, medicines, unknown)
        if step.question is None:
            return asked, step.assessment
        key = step.question.key
        asked.append(key)
        if key in answers:
            findings[key] = answers[key]
            if key == "medications" and resolve is not None:
                medicines = resolve(answers[key])
        else:
            unknown.add(key)
    return asked, engine.assess(findings, medicines)
