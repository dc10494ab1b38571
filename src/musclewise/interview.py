"""The adaptive interview: which question to ask next, and when to stop.

Pure: :func:`next_step` reads the findings so far and returns the next question (or that the
interview is over) with the assessment as it stands; it does no I/O and keeps no state, so a
front end (``musclewise check``, a web form, a test) owns the loop. The question texts and
choices are data (``text/questions.yaml``), loaded and validated once.

**The safety screen comes first.** Once the site is known (or answered "don't know"), and before
any other question, every group of the safety screen (``red_flags.yaml``, ``screen``) whose level
is above the triage reached is asked as one grouped question (``Question.kind == "group"``):
"Do you have any of these? ... / None of these / Not sure", with only the warning signs that
matter for this episode (its site, the kind so far, the mimics still possible). A rare sign is
never skipped for its low prior. A front end answers it with :func:`answer_group`. Any "yes"
escalates at once; at emergency the interview stops (nothing more to ask: get help).

How the other questions are chosen, with the engine's public methods:

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

Free answers ("about a week", "2-3", "most nights") are read by
:func:`musclewise.answers.parse_answer`, and :func:`musclewise.answers.contradiction` says when
an answer contradicts an earlier one (a front end asks again).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from musclewise.contract import Assessment
from musclewise.engine import RANK, Evaluation, MedicineLike, TriageEngine
from musclewise.engine.conditions import LEAN, one_answer_away
from musclewise.engine.model import ASK_KEY, expected_shift
from musclewise.errors import KnowledgeError
from musclewise.findings import FINDINGS_KEYS

QUESTIONS_PATH = Path(__file__).parent / "text" / "questions.yaml"
GROUP_HINT = "tick every one you have; or None of these; or Not sure"
SCREEN_PREFIX = "screen:"
"""The pseudo-key of a grouped safety-screen question begins with this (``screen:emergency``)."""
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
KIND_LIMIT = 14
"""Once this many questions are answered or answered "don't know" (the screen's signs apart,
what a text said included), questions that would only refine the kind are no longer asked:
the answers that could raise the triage still are. A person who cannot answer keeps the kind
unsettled whatever is asked, and each further question costs more than it can bring."""
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
    kind: str  # "yes_no", "choice", "multi", "number", "list", or "group" (the safety screen)
    choices: tuple[tuple[str, str], ...] = ()
    """For "choice" and "multi": (value, words); for "group": (findings key, the sign in plain
    words), each a yes/no warning sign (answer it with :func:`answer_group`)."""
    hint: str = ""


@dataclass(frozen=True)
class Step:
    """What the interview does next: ask ``question``, or stop (``done``) and say why."""

    question: Question | None
    value: float
    reason: str
    assessment: Assessment
    asked_so_far: int = 0

    @property
    def done(self) -> bool:
        return self.question is None


@cache
def _findings_hints() -> dict[str, Any]:
    """The type of each findings key (resolved once: ``get_type_hints`` is slow)."""
    from typing import get_type_hints

    from musclewise.findings import Findings

    return get_type_hints(Findings, include_extras=True)


def _kind_of(key: str) -> str:
    from typing import get_args, get_origin

    hint = _findings_hints()[key]
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
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster
        data = yaml.load(path.read_text("utf-8"), Loader=loader)
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
def _site_lists(engine: TriageEngine) -> dict[str, int]:
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


def _narrow_site(engine: TriageEngine, rule_id: str) -> bool:
    """A known site makes the rest of a rule likely only if the rule is about few sites
    (an eyelid rule, not a rule about any part of a leg)."""
    return _site_lists(engine).get(rule_id, 99) <= NARROW_SITES


def _p_yes(engine: TriageEngine, post: Sequence[float]) -> dict[str, float]:
    """P(yes) for each yes/no key the model has, under the posterior."""
    out: dict[str, float] = {}
    for f in engine.features:
        if f.value_names == ("yes", "no") and f.key == f.ask_key and f.key not in out:
            out[f.key] = sum(p * lik for p, lik in zip(post, f.lik[0], strict=True))
    return out


def question_values(
    engine: TriageEngine,
    findings: Mapping[str, Any],
    medicines: Sequence[MedicineLike] = (),
    unknown: Collection[str] = (),
    evaluation: Evaluation | None = None,
) -> tuple[dict[str, float], dict[str, float], Assessment]:
    """The triage value and the kind value of each question still open, and the assessment."""
    ev = evaluation or engine.evaluate(findings, medicines)
    assessment = engine.report(ev)
    facts = ev.facts
    post = ev.posterior
    current = RANK[ev.level]
    flat = {k: g for k, g in engine.triage_gains(ev.level).items() if k not in facts}
    # rules one answer away: with a floor on the chance of "yes" only where the rule's other
    # parts hold on something actually said (not merely on what was not said)
    near: dict[str, float] = {}
    context: set[str] = set()
    # on what was said: the model's lean alone (a ``leans`` test) makes no question urgent
    said_facts = {**facts, LEAN: frozenset()}
    for rule, outcome in zip(engine.rules, ev.outcomes, strict=True):
        gap = RANK[rule.level] - current
        if rule.test.flat is not None or outcome is not None or gap <= 0:
            continue
        if len(rule.test.required - facts.keys()) > 1:
            continue
        found = {ASK_KEY.get(k, k) for k in one_answer_away(rule.test, said_facts)}
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
    # the expected shift of the exact posterior
    kind: dict[str, float] = {}
    active = [i for i, p in enumerate(post) if p > ACTIVE_ABOVE]
    if len(active) > 1:
        for f in engine.features:
            if f.ask and f.ask_key in open_keys:
                shift = expected_shift(post, f, active)
                kind[f.ask_key] = max(kind.get(f.ask_key, 0.0), shift)
    for key, bonus in OPENING.items():  # the site decides which warning signs matter
        if key in open_keys:
            triage[key] = triage.get(key, 0.0) + bonus
    for key, bonus in ALWAYS_ASK.get(ev.kind, {}).items():
        if key in open_keys and findings.get("site") not in NOT_FOR_SITES.get(key, ()):
            triage[key] = max(triage.get(key, 0.0), bonus)
    return triage, kind, assessment


def screen_question(
    engine: TriageEngine, evaluation: Evaluation, unknown: Collection[str] = ()
) -> Question | None:
    """The next grouped question of the safety screen, or ``None`` when nothing is left to
    screen (every sign that matters is answered or "not sure", or the level is high enough)."""
    groups = engine.screen(evaluation, skip=unknown)
    completing = _completing(engine, evaluation, unknown)
    if not groups:
        # nothing left to screen: the context that alone would complete a red flag, asked
        # together when there are several with words for a checkbox
        context = [k for k in completing if k in engine.screen_context]
        if len(context) < 2:
            return None
        return Question(
            key=SCREEN_PREFIX + "context",
            label="what happened",
            ask="Do any of these apply?",
            kind="group",
            choices=tuple((k, engine.screen_context[k]) for k in context),
            hint=GROUP_HINT,
        )
    group, signs = groups[0]
    labels = _labels(engine)
    shown = {s.key for s in signs}
    keys = [k for k, rank in completing.items() if rank == RANK[group.level]]
    keys += _completing_pairs(engine, evaluation, unknown, group.level)
    extra: tuple[tuple[str, str], ...] = ()
    for k in keys:
        if k in labels and k not in shown:
            shown.add(k)
            extra += ((k, labels[k]),)
    return Question(
        key=SCREEN_PREFIX + group.id,
        label="warning signs",
        ask=group.ask,
        kind="group",
        choices=tuple((s.key, s.label) for s in signs) + extra,
        hint=GROUP_HINT,
    )


def _answered(engine: TriageEngine, findings: Mapping[str, Any], unknown: Collection[str]) -> int:
    """The questions answered so far, or answered "don't know" (the screen's signs apart)."""
    screen = _screen_keys(engine)
    return sum(1 for k in {*findings, *unknown} if k not in screen)


@cache
def _screen_keys(engine: TriageEngine) -> frozenset[str]:
    return frozenset(x.key for g in engine.screen_groups for x in g.signs)


def completing_keys(
    engine: TriageEngine, evaluation: Evaluation, unknown: Collection[str] = ()
) -> list[str]:
    """The open yes/no questions each of whose "yes" alone would complete a red flag at urgent
    or emergency above the level reached (see :func:`_completing`), most serious first."""
    return list(_completing(engine, evaluation, unknown))


def _completing(
    engine: TriageEngine, evaluation: Evaluation, unknown: Collection[str] = ()
) -> dict[str, int]:
    """The open yes/no questions each of whose "yes" alone would complete a red flag at urgent
    or emergency above the level reached, given what is known, with the level of the rule:
    asked whatever their prior, before the interview may stop (issue 9, round 2: a forearm
    swollen and numb at urgent is one "yes, a tight bandage" from an emergency). Most serious
    rule first, then the rules' order.

    A warning sign of the safety screen whose group was asked (its level is above the level
    reached) is left to the screen, which judged whether it matters for this episode. A rule
    that would hold only on the model's lean (``leans``: a cramp-like complaint with no hard
    muscle or pain score said) does not force its question: it is valued like any other, or
    every cramp would be asked about wounds and twitches."""
    ev = evaluation
    current = RANK[ev.level]
    screened = {x.key for g in engine.screen_groups if RANK[g.level] > current for x in g.signs}
    questions = load_questions()
    facts = ev.facts
    found: dict[str, tuple[int, int]] = {}
    for order, (rule, outcome) in enumerate(zip(engine.rules, ev.outcomes, strict=True)):
        rank = RANK[rule.level]
        if outcome is not None or rank <= current or rank < RANK["urgent"]:
            continue
        if len(rule.test.required - facts.keys()) > 1:
            continue
        for k in rule.test.keys:
            if (
                k in facts
                or k in unknown
                or k in screened
                or k in found
                or questions.get(k) is None
                or questions[k].kind != "yes_no"
            ):
                continue
            # this "yes" alone completes it, on what was said (not on the model's lean alone)
            if rule.test.test({**facts, k: True, LEAN: None}) is True:
                found[k] = (-rank, order)
    return {k: -found[k][0] for k in sorted(found, key=lambda k: (found[k], k))}


def _labels(engine: TriageEngine) -> dict[str, str]:
    """Every yes/no key the screen can show as a checkbox, with its words."""
    out = dict(engine.screen_context)
    out.update({x.key: x.label for g in engine.screen_groups for x in g.signs})
    return out


def _completing_pairs(
    engine: TriageEngine, evaluation: Evaluation, unknown: Collection[str], level: str
) -> list[str]:
    """Checkbox keys that, two ticked together, would complete a red flag of ``level`` that
    something said already points to (one of its yes/no keys is a "yes"): a forearm that is
    swollen and numb is a recent injury and pain on passive stretch from compartment syndrome,
    and one grouped question can ask both (issue 9, round 2)."""
    ev = evaluation
    facts = ev.facts
    labels = _labels(engine)
    out: dict[str, None] = {}
    for rule, outcome in zip(engine.rules, ev.outcomes, strict=True):
        if rule.level != level or outcome is not None:
            continue
        if not any(facts.get(k) is True for k in rule.test.keys):
            continue
        open_keys = sorted(
            k for k in rule.test.keys if k in labels and k not in facts and k not in unknown
        )
        said = {**facts, LEAN: None}
        for i, a in enumerate(open_keys):
            for b in open_keys[i + 1 :]:
                if rule.test.test({**said, a: True, b: True}) is True:
                    out[a] = out[b] = None
    return list(out)


def next_step(
    engine: TriageEngine,
    findings: Mapping[str, Any],
    medicines: Sequence[MedicineLike] = (),
    unknown: Collection[str] = (),
) -> Step:
    """The most valuable question to ask next, or ``done`` when none is worth asking.

    ``findings`` are valid findings so far (without ``text``); ``unknown`` are the keys
    answered "don't know" (never asked again). Once the site is answered (or unknown) the
    safety screen is asked before anything else.
    """
    ev = engine.evaluate(findings, medicines)
    if ev.level == "emergency":
        return Step(None, 0.0, "a sign of an emergency: get help now", engine.report(ev))
    site_known = "site" in findings or "site" in unknown
    if site_known:
        question = screen_question(engine, ev, unknown)
        if question is not None:
            reason = "the safety screen: warning signs that matter for this, asked together"
            return Step(question, 1.0, reason, engine.report(ev))
    triage, kind, assessment = question_values(engine, findings, medicines, unknown, ev)
    # after the screen: a "yes" that alone would complete a red flag above the level reached
    # is asked whatever its prior, before the interview may stop
    completing = completing_keys(engine, ev, unknown) if site_known else []
    if completing:
        key = completing[0]
        reason = "one answer from a warning sign: the answer could make this more urgent"
        value = max(triage.get(key, 0.0), STOP_BELOW)
        return Step(load_questions()[key], value, reason, assessment)
    if RANK[ev.level] >= RANK["urgent"] or _answered(engine, findings, unknown) >= KIND_LIMIT:
        # getting help is decided: only an answer that could make it an emergency is worth
        # asking now, not one that only refines what it most likely is; and once this much is
        # known (or could not be answered), no more is asked only to refine the kind
        kind = {}
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


class _Choice:
    """A grouped question's answer that ticks no box (:data:`NONE`, :data:`NOT_SURE`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NONE: Final = _Choice("NONE")
"""The answer "None of these" to a grouped question: every sign in it is a "no"."""
NOT_SURE: Final = _Choice("NOT_SURE")
"""The answer "Not sure": every sign in it is "don't know" (and stays in ``unscreened``)."""


def answer_group(
    question: Question, chosen: Collection[str] | _Choice
) -> tuple[dict[str, bool], set[str]]:
    """The findings and the "don't know" keys a grouped answer gives.

    ``chosen`` is the keys ticked (each becomes ``True`` and every other sign in the group
    ``False``: a checklist answers each line), :data:`NONE` (all ``False``) or
    :data:`NOT_SURE` (all unknown). Raises ``ValueError`` for a key not in the question.
    """
    keys = [k for k, _ in question.choices]
    if chosen is NOT_SURE:
        return {}, set(keys)
    if chosen is NONE:
        return dict.fromkeys(keys, False), set()
    if isinstance(chosen, _Choice):
        raise ValueError(f"not an answer: {chosen!r}")
    ticked = set(chosen)
    stray = ticked - set(keys)
    if stray:
        raise ValueError(f"not in this question: {', '.join(sorted(stray))}")
    return {k: k in ticked for k in keys}, set()


def simulated_group_answer(
    question: Question, answers: Mapping[str, Any]
) -> tuple[dict[str, bool], set[str]]:
    """How a person who knows exactly ``answers`` answers a grouped question.

    Each sign ``answers`` has is answered as it says; a sign it lacks is "not sure" (it stays
    unknown, and in ``unscreened``), never a "no" that nobody said. So a case whose account
    names one sign and is silent on the rest does not gain "no" answers it never gave.
    """
    found: dict[str, bool] = {}
    unknown: set[str] = set()
    for key, _ in question.choices:
        if key in answers:
            found[key] = bool(answers[key])
        else:
            unknown.add(key)
    return found, unknown


def simulate(
    engine: TriageEngine,
    answers: Mapping[str, Any],
    resolve: Any = None,
    limit: int = 60,
    start: Mapping[str, Any] | None = None,
) -> tuple[list[str], Assessment]:
    """Run the interview, answering each question from ``answers`` ("don't know" when the key
    is not there; a grouped question by :func:`simulated_group_answer`); return the keys asked,
    in order (a grouped question as its ``screen:`` key), and the final assessment.

    ``start`` is what is known before the first question (what a text said); ``resolve`` turns
    medicine names into matches (default: none resolved).
    """
    findings: dict[str, Any] = dict(start or {})
    unknown: set[str] = set()
    asked: list[str] = []
    medicines: Sequence[MedicineLike] = ()
    if resolve is not None and findings.get("medications"):
        medicines = resolve(findings["medications"])
    for _ in range(limit):
        step = next_step(engine, findings, medicines, unknown)
        if step.question is None:
            return asked, step.assessment
        question = step.question
        asked.append(question.key)
        if question.kind == "group":
            found, not_known = simulated_group_answer(question, answers)
            findings.update(found)
            unknown |= not_known
            continue
        key = question.key
        if key in answers:
            findings[key] = answers[key]
            if key == "medications" and resolve is not None:
                medicines = resolve(answers[key])
        else:
            unknown.add(key)
    return asked, engine.assess(findings, medicines)
