"""The probability model: naive Bayes over the hypotheses of ``model.yaml``.

``posterior`` multiplies each hypothesis's prior by P(answer | hypothesis) for every answer
given and normalises; unknown answers contribute nothing. ``expected_shift`` measures how much
one unanswered question could move the posterior (the expected total-variation distance), which
ranks ``missing`` and drives the interview. Pure Python on purpose: for one assessment this is
a few hundred multiplications, cheaper than NumPy's call overhead and its import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from operator import add
from typing import Any, NamedTuple

ASK_KEY = {"med_classes": "medications"}
"""Derived facts are asked for through the findings key they come from."""


class Hypothesis(NamedTuple):
    id: str
    kind: str
    condition: str | None
    name: str
    prior: float
    level_if_likely: str
    likely_at: float
    summary: str
    sources: tuple[str, ...]


class Feature(NamedTuple):
    key: str
    ask_key: str
    label: str
    value_names: tuple[str, ...]
    value_of: Callable[[Any], int | None]
    """Which answer (row of ``lik``) a fact is; ``None`` if none."""
    lik: tuple[tuple[float, ...], ...]  # [value][hypothesis]
    loglik: tuple[tuple[float, ...], ...]
    sources: tuple[str, ...]
    ask: bool
    descriptions: tuple[str, ...] = ()
    """Each answer in words, e.g. "Pain (how painful, 0-10): severe"."""
    number: int = -1
    """Its place among the model's features (-1: not one of an engine's), to remember what
    each answer says in words (:class:`musclewise.engine.words.Words`)."""


def _normalised(values: list[float], floor: float) -> tuple[float, ...]:
    floored = [max(v, floor) for v in values]
    total = sum(floored)
    return tuple(v / total for v in floored)


def _category_dist(spec: Mapping[str, float], values: Sequence[str]) -> list[float]:
    named = sum(spec.values())
    rest = [v for v in values if v not in spec]
    share = max(0.0, 1.0 - named) / len(rest) if rest else 0.0
    return [spec.get(v, share) for v in values]


def compile_feature(
    spec: Mapping[str, Any], hypotheses: Sequence[Hypothesis], floor: float
) -> Feature:
    kind = spec["type"]
    key = spec["key"]
    given = spec["given"]
    default = spec["default"]
    rows_by_h: list[list[float]] = []
    index: Callable[[Any], int | None]
    if kind in ("bool", "contains"):
        names: tuple[str, ...] = ("yes", "no")
        for h in hypotheses:
            p = float(given.get(h.id, default))
            rows_by_h.append([p, 1.0 - p])
        if kind == "bool":

            def index(x: Any) -> int | None:
                return 0 if x is True else 1 if x is False else None

        else:
            item = spec["item"]

            def index(x: Any) -> int | None:
                return 0 if item in x else 1

    elif kind == "category":
        values: list[str] = spec["values"]
        names = tuple(v.replace("_", " ") for v in values)
        for h in hypotheses:
            rows_by_h.append(_category_dist(given.get(h.id, default), values))
        positions = {v: i for i, v in enumerate(values)}

        def index(x: Any) -> int | None:
            return positions.get(x)

    else:  # bins
        bins = spec["bins"]
        names = tuple(b["name"] for b in bins)
        bounds = [float(b["max"]) if "max" in b else math.inf for b in bins]
        for h in hypotheses:
            rows_by_h.append([float(p) for p in given.get(h.id, default)])

        def index(x: Any) -> int | None:
            for i, bound in enumerate(bounds):
                if x <= bound:
                    return i
            return len(bounds) - 1

    per_h = [_normalised(r, floor) for r in rows_by_h]
    lik = tuple(tuple(per_h[h][v] for h in range(len(hypotheses))) for v in range(len(names)))
    loglik = tuple(tuple(math.log(p) for p in row) for row in lik)
    generic: Mapping[str, Sequence[str]] = spec.get("generic") or {}
    if generic:
        # a region ("leg"): the sum of its parts, after the parts are normalised; it is read
        # (loglik, descriptions) but not a row of `lik`, which stays a distribution for the
        # interview's expected shift
        where = {v: i for i, v in enumerate(spec["values"])}
        extra = {
            name: tuple(sum(lik[where[p]][h] for p in parts) for h in range(len(hypotheses)))
            for name, parts in generic.items()
        }
        loglik += tuple(tuple(math.log(p) for p in row) for row in extra.values())
        names += tuple(n.replace("_", " ") for n in extra)
        positions = {**where, **{n: len(where) + i for i, n in enumerate(extra)}}

        def index(x: Any) -> int | None:
            return positions.get(x)

    label = spec["label"]
    return Feature(
        key=key,
        ask_key=ASK_KEY.get(key, key),
        label=label,
        value_names=names,
        value_of=index,
        lik=lik,
        loglik=loglik,
        sources=tuple(spec["sources"]),
        ask=bool(spec.get("ask", True)),
        descriptions=tuple(f"{label[:1].upper()}{label[1:]} ({v})" for v in names),
    )


class Observation(NamedTuple):
    feature: Feature
    value: int


def by_key(features: Sequence[Feature]) -> dict[str, tuple[Feature, ...]]:
    """The features grouped by the fact they read."""
    grouped: dict[str, list[Feature]] = {}
    for f in features:
        grouped.setdefault(f.key, []).append(f)
    return {k: tuple(v) for k, v in grouped.items()}


class Answer(NamedTuple):
    """An answer as the model reads it."""

    observation: Observation
    row: tuple[float, ...]
    """Its tempered log-likelihood under each hypothesis."""
    position: int
    """Where ``row`` is in :attr:`NaiveBayes.table`."""


ANSWERS_CACHE_SIZE = 4096
"""How many distinct (key, value) answers :class:`NaiveBayes` remembers (then it starts again)."""


class NaiveBayes:
    """The model: the log priors of the hypotheses, the features, and the evidence weight.

    ``evidence_weight`` (below 1) tempers the evidence: the features are not independent,
    and naive Bayes that counts correlated answers in full is overconfident. Each answer's
    row is tempered once, and what each (key, value) reads is remembered: findings repeat the
    same few answers (yes, no, a site, a pain score), so reading a fact is one dict lookup.
    """

    def __init__(
        self, log_prior: Sequence[float], features: Sequence[Feature], evidence_weight: float = 1.0
    ) -> None:
        self.log_prior = tuple(log_prior)
        self.features = tuple(features)
        self.evidence_weight = evidence_weight
        table: list[tuple[float, ...]] = []
        observations: list[Observation] = []
        self._by_key: dict[str, tuple[tuple[Feature, int], ...]] = {}
        """For each fact: the features that read it, each with where its rows start in
        :attr:`table`."""
        for key, group in by_key(features).items():
            starts = []
            for f in group:
                starts.append((f, len(table)))
                table.extend(tuple(evidence_weight * v for v in row) for row in f.loglik)
                observations.extend(Observation(f, i) for i in range(len(f.loglik)))
            self._by_key[key] = tuple(starts)
        self.table = tuple(table)
        """Every answer's row of tempered log-likelihoods, feature after feature."""
        self.observations = tuple(observations)
        """The answer each row of :attr:`table` is."""
        self._answers: dict[tuple[str, Any], tuple[type, tuple[Answer, ...]]] = {}

    def answers(self, key: str, x: Any) -> tuple[Answer, ...]:
        """What the fact ``key`` = ``x`` tells the model: one answer for each feature reading it
        (none for a key no feature reads, or a value no feature has an answer for)."""
        try:
            kind, found = self._answers[key, x]
            if kind is type(x):  # True == 1, but a bool and a number are different answers
                return found
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (not valid findings): not remembered
            return self._read(key, x)
        found = self._read(key, x)
        if len(self._answers) >= ANSWERS_CACHE_SIZE:
            self._answers.clear()
        self._answers[key, x] = (type(x), found)
        return found

    def _read(self, key: str, x: Any) -> tuple[Answer, ...]:
        group = self._by_key.get(key)
        if group is None or x is None:
            return ()
        out = []
        for f, start in group:
            i = f.value_of(x)
            if i is not None:
                out.append(Answer(Observation(f, i), self.table[start + i], start + i))
        return tuple(out)

    def log_scores(
        self, facts: Mapping[str, Any], log_prior: Sequence[float] | None = None
    ) -> tuple[list[float], list[Observation]]:
        """The unnormalised log posterior of every hypothesis, and the answers that went into
        it (``log_prior``: start from these log scores instead of the priors)."""
        seen: list[Observation] = []
        rows: list[Sequence[float]] = [self.log_prior if log_prior is None else log_prior]
        answers = self.answers
        for key, x in facts.items():
            for observation, row, _ in answers(key, x):
                seen.append(observation)
                rows.append(row)
        # left to right from the prior, as the columns add them (engine/columns.py); not
        # ``sum``, which adds floats with compensation from Python 3.12 on
        total = list(rows[0])
        for more in rows[1:]:
            total = list(map(add, total, more))
        return total, seen

    def posterior(self, facts: Mapping[str, Any]) -> tuple[list[float], list[Observation]]:
        """The normalised posterior of every hypothesis, and the answers that went into it."""
        logp, seen = self.log_scores(facts)
        return normalised(logp), seen


def normalised(logp: Sequence[float]) -> list[float]:
    """Probabilities from unnormalised log scores."""
    top = max(logp)
    weights = [math.exp(v - top) for v in logp]
    total = reduce(add, weights)  # left to right, as the columns (not ``sum``: see above)
    return [w / total for w in weights]


def pairwise_separation(feature: Feature, h1: int, h2: int) -> float:
    """Total-variation distance between the answers expected under two hypotheses.

    With two explanations left, with probabilities a and b, the expected shift of the
    posterior that the question brings is exactly ``2 a b`` times this.
    """
    return 0.5 * sum(abs(row[h1] - row[h2]) for row in feature.lik)


def expected_shift(post: Sequence[float], feature: Feature, active: Sequence[int]) -> float:
    """Expected total-variation distance the answer to ``feature`` would move the posterior."""
    weights = [(post[h], h) for h in active]
    shift = 0.0
    for row in feature.lik:
        z = 0.0
        for p, h in weights:
            z += p * row[h]
        for p, h in weights:
            d = row[h] - z
            shift += p * d if d > 0 else -p * d
    return 0.5 * shift
