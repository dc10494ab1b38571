"""The engine's constants and the records it builds and returns (split from the package
module to keep each module small): the triage levels, the limits of the lists, and the compiled
rules, factors, advice, safety screen and :class:`Evaluation`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from musclewise.contract import LEVEL_RANK, TRIAGE_LEVELS
from musclewise.engine.conditions import Compiled
from musclewise.engine.model import Observation
from musclewise.findings import WARNING_SIGNS

CONTRACT = "musclewise.assessment/1"
LEVELS = TRIAGE_LEVELS
"""The triage levels, least serious first (defined once, in :mod:`musclewise.contract`)."""
RANK = LEVEL_RANK
KIND_PHRASES = {
    "cramp": "a cramp",
    "spasm": "a twitch (fasciculation)",
    "other": "another condition",
}
OUTSIDE = "A cause outside the muscles"
"""How ``suspected`` names the cause a red flag points to when the model has no name for it."""
MISSING_LIMIT = 10
KIND_QUESTIONS = 3
TIE_BREAK = 1e-4
"""Between questions that could raise the triage as much, the earlier rule in the file wins."""
SUSPECTED_LIMIT = 3
"""Mimics listed by probability; any mimic a red flag points to is listed as well."""
QUANTA = 10
SHIFT_CACHE_SIZE = 8192
ACTIVE_ABOVE = 0.05
"""Hypotheses below this probability are left out when ranking questions (the red flags still
count them: a question that could raise the triage always ranks first)."""
UNSURE_BELOW = 0.5
"""When no kind reaches this probability the assessment says it is unsure, and escalates."""
SIGN_SUBSETS = 3
"""A mimic's escalation is judged on the findings without the warning signs given, and with
every set of up to this many of them added back (with three signs or fewer: all of them). A
sign can then never lower the triage by shifting probability to another mimic (the property
test), and a mimic that two or three signs together make likely still raises it."""


WARNING_SIGN_SET = frozenset(WARNING_SIGNS)
LEAN_AT = 0.8
"""The model leans to a kind (``leans`` tests of the red flags) when, on the findings without
the warning signs said "yes" and without `LABEL_KEYS`, it gives that kind at least this
probability (four to one against the rest): a clear lean, that needs more than a site (the site
alone leans so only for an eyelid, towards a twitch)."""
_LEG_PARTS = ("calf", "shin", "thigh_front", "thigh_back", "foot", "toes")
GENERIC_SITES: Mapping[str, tuple[str, ...]] = {
    "leg": _LEG_PARTS,
    "knee": _LEG_PARTS,
    "hip_or_buttock": _LEG_PARTS,
    "arm": ("hand", "fingers", "forearm", "upper_arm"),
}
"""The contract 1.1 generic limb sites and the named parts whose red flags they hold."""
LABEL_KEYS = ("extent", "muscle_hard")
"""Findings a reader may take from the person's own word ("cramp", "twitching"): weak evidence,
never the decider. A mimic's escalation is judged with and without them (the higher counts),
so the word alone can never lower the triage by making a mimic less likely."""


def rounded(p_cramp: float, p_spasm: float) -> dict[str, float]:
    """The three probabilities to 4 decimals, still summing to 1."""
    cramp, spasm = round(p_cramp, 4), round(p_spasm, 4)
    return {"cramp": cramp, "spasm": spasm, "other": round(max(0.0, 1.0 - cramp - spasm), 4)}


class MedicineLike(Protocol):
    """What the engine needs of a resolved medicine (see :mod:`musclewise.medicines`)."""

    @property
    def given(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def classes(self) -> tuple[str, ...]: ...
    @property
    def how(self) -> str: ...


class Rule(NamedTuple):
    id: str
    level: str
    test: Compiled
    text: str
    suggests: str | None
    sources: tuple[str, ...]


class Recogniser(NamedTuple):
    factor: str
    test: Compiled
    why: str
    sources: tuple[str, ...]


class AdviceItem(NamedTuple):
    id: str
    test: Compiled
    text: str
    sources: tuple[str, ...]
    levels: frozenset[str] = frozenset(LEVELS)


class ScreenSign(NamedTuple):
    key: str
    label: str
    sites: frozenset[str] | None
    mimics: tuple[int, ...]
    skip_if: tuple[tuple[str, frozenset[str]], ...]


class ScreenGroup(NamedTuple):
    id: str
    level: str
    ask: str
    signs: tuple[ScreenSign, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """Findings judged: what :meth:`TriageEngine.report` words and the interview reads."""

    findings: Mapping[str, Any]
    facts: Mapping[str, Any]
    """The findings, the medicine classes, the kind and the posterior (what the tests read)."""
    medicines: Sequence[MedicineLike]
    posterior: tuple[float, ...]
    """The probability of every hypothesis, in the order of :attr:`TriageEngine.hypotheses`."""
    seen: tuple[Observation, ...]
    kind: str
    probabilities: Mapping[str, float]
    outcomes: tuple[bool | None, ...]
    """Each red flag's test: holds, fails, or not known yet."""
    held: tuple[int, ...]
    fired: tuple[Rule, ...]
    level: str
    reasons: tuple[dict[str, Any], ...]
