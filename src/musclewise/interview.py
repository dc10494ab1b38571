"""The adaptive interview: which question to ask next, and when to stop.

Pure: :func:`next_step` reads the findings so far and returns the next question (or that the
interview is over) with the assessment as it stands; it does no I/O and keeps no state, so a
front end (``musclewise check``, a web form, a test) owns the loop. The question texts and
choices are data (``text/questions.yaml``), loaded and validated once.

How a question is chosen, with the engine's own machinery (``Engine._missing``):

- **triage**: for each unanswered key, how many levels the triage would rise if the answer
  were "yes" (a red flag that needs only that key, or a rule whose every other part already
  holds), weighted by how likely a "yes" is under the current posterior (the model's own
  P(yes | hypothesis) for the keys it has, :data:`DEFAULT_P_YES` for the others);
- **kind**: the expected shift of the posterior that the answer brings (``Engine._shifts``).

The value of a question is the sum. While an emergency is still possible, questions that
could reach it carry the most weight; the interview stops when no question is worth
:data:`STOP_BELOW` (nothing left is worth asking), or when no unanswered key could change the
triage or the kind whatever the answer (see :func:`_settled`). A key answered "don't know" is
never asked again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from musclewise.engine import RANK, Engine, MedicineLike
from musclewise.engine.conditions import KIND, POSTERIOR
from musclewise.engine.model import posterior
from musclewise.errors import KnowledgeError
from musclewise.findings import FINDINGS_KEYS

QUESTIONS_PATH = Path(__file__).parent / "text" / "questions.yaml"
DEFAULT_P_YES = 0.01
"""How likely a "yes" is to a warning sign the model has no feature for."""
P_VALUE = 0.3
"""How likely the answer to a number or a list (a duration, the medicines) is one that makes a
red flag hold: they are asked as soon as a rule needs only them."""
STOP_BELOW = 0.06
"""A question whose value is below this is not worth asking."""
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
    near: dict[str, float] = {}
    engine._near_all(facts, outcomes, current, near)
    p_yes = _p_yes(engine, post)
    open_keys = set(load_questions()) - set(findings) - set(unknown)
    yes_no = {k for k, q in load_questions().items() if q.kind == "yes_no"}
    triage: dict[str, float] = {}
    for gains, p_value in ((flat, DEFAULT_P_YES), (near, P_VALUE)):
        for k, g in gains.items():
            if k in open_keys and round(g) > 0:
                p = p_yes.get(k, DEFAULT_P_YES if k in yes_no else p_value)
                triage[k] = max(triage.get(k, 0.0), round(g) * p)
    kind = {k: s for k, s in engine._shifts(post).items() if k in open_keys}
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
