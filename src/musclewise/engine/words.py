"""The assessment's words: the suspected causes and why, the explanation, factors and advice.

One copy, used by the engine one case at a time and by :mod:`musclewise.engine.chunks` for
many: what an answer says about two hypotheses is worded once and remembered (by the feature's
place in the model, the answer, and the hypotheses compared), since findings repeat the same
few answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from musclewise.engine.model import Hypothesis, Observation
from musclewise.engine.parts import (
    KIND_PHRASES,
    OUTSIDE,
    SUSPECTED_LIMIT,
    UNSURE_BELOW,
    AdviceItem,
    MedicineLike,
    Recogniser,
    Rule,
)

Gains = Mapping[int, tuple[float, str, str]]
"""What one answer says for each hypothesis it favours strongly (see :meth:`Words.gains`)."""
Sentence = tuple[float, str, str, str]
"""What an answer says of the two likeliest hypotheses (see :meth:`Words.sentence`)."""
NOTHING_KNOWN = "Nothing was known about the episode, so this is only how common each is."
UNSURE = (
    "musclewise is unsure: no single explanation stands out, so it errs on the side of caution."
)
WORDS_CACHE_SIZE = 65536
"""How many worded answers each cache of :class:`Words` keeps (then it starts again)."""
STRONG = 0.7
"""How much more an answer must favour a mimic than a cramp or a twitch (log scale) to be
named as why it is suspected."""
WHY = 3
"""How many answers say why a mimic is suspected, at most."""
BETTER, WORSE = 4, 2
"""How many answers the explanation names at most for the likeliest hypothesis, and for the
next against it."""
TELLING = 0.5
"""How much an answer must favour one of the two likeliest hypotheses over the other (log
scale) for the explanation to name it."""


class Words:
    """The words of an assessment for one model and its factors."""

    def __init__(
        self, hypotheses: Sequence[Hypothesis], recognisers: Sequence[Recogniser], start: int
    ) -> None:
        self.hypotheses = tuple(hypotheses)
        self.recognisers = tuple(recognisers)
        self.start = start
        """Where the factors' tests start in the engine's one list of tests."""
        index = {h.id: i for i, h in enumerate(hypotheses)}
        self.i_cramp, self.i_spasm = index["cramp"], index["spasm"]
        self.mimics = tuple(i for i, h in enumerate(hypotheses) if h.kind == "other")
        self.lower_names = tuple(h.name[:1].lower() + h.name[1:] for h in hypotheses)
        self._gains: dict[tuple[int, int], Gains] = {}
        self._sentences: dict[tuple[int, int, int, int], Sentence] = {}

    def suspected(
        self,
        post: Sequence[float],
        seen: Sequence[Observation],
        fired: Sequence[Rule],
        kind: str,
        order: Sequence[int] | None = None,
        whys: Mapping[int, list[str]] | None = None,
        shown: Sequence[float] | None = None,
    ) -> list[dict[str, Any]]:
        """The mimics worth ruling out, most likely first, and why (the answers ``seen`` say
        so). If already known: ``order``, the mimics by falling probability, ties by place (or
        the first of them, enough for those shown); ``whys``, :meth:`why` of each mimic by its
        place, where not empty (then ``seen`` is not read); ``shown``, the posterior rounded to
        4 places."""
        suggested = {r.suggests: r.text for r in reversed(fired) if r.suggests}
        if order is None:
            order = [i for _, i in sorted([(-post[i], i) for i in self.mimics])]
        out: list[dict[str, Any]] = []
        for rank, i in enumerate(order):
            h = self.hypotheses[i]
            keep = (post[i] >= 0.01 and rank < SUSPECTED_LIMIT) or h.id in suggested
            if not keep and not (kind == "other" and rank == 0):
                if rank >= SUSPECTED_LIMIT and not suggested:
                    break
                continue
            why = self.why(i, seen) if whys is None else whys.get(i, [])
            if h.id in suggested:
                why.append(suggested[h.id])
            out.append(self.entry(i, round(post[i], 4) if shown is None else shown[i], why))
        if "other" in suggested:  # a red flag's cause outside the model's mimics comes first
            p_other = max(0.0, 1.0 - post[self.i_cramp] - post[self.i_spasm])
            out.insert(0, {"condition": "other", "probability": round(p_other, 4),
                           "why": [suggested["other"]], "name": OUTSIDE, "id": "other"})  # fmt: skip
        return out

    def entry(self, i: int, probability: float, why: list[str]) -> dict[str, Any]:
        """A suspected mimic (hypothesis ``i``), its probability as shown, and why (when no
        answer says why: what it is like)."""
        h = self.hypotheses[i]
        return {
            "condition": h.condition or "other",
            "probability": probability,
            "why": why or [h.summary],
            "name": h.name,
            "id": h.id,
        }

    def why(self, i: int, seen: Sequence[Observation]) -> list[str]:
        """The answers that raise hypothesis ``i`` most above a cramp or a twitch."""
        scored = []
        for observation in seen:
            hit = self.gains(observation).get(i)
            if hit is not None:
                scored.append(hit)
        if not scored:
            return []
        scored.sort()
        return [sentence for _, _, sentence in scored[:WHY]]

    def gains(self, observation: Observation) -> Gains:
        """For each hypothesis an answer favours strongly over a cramp and a twitch: how much
        (negated, to sort first), the answer in words, and the sentence saying so."""
        feature, value = observation
        key = (feature.number, value)
        found = self._gains.get(key)
        if found is None:
            row, text = feature.loglik[value], feature.descriptions[value]
            c, s = self.i_cramp, self.i_spasm
            common = row[c] if row[c] > row[s] else row[s]
            found = {
                i: (-(row[i] - common), text, f"{text} fits {self.lower_names[i]}")
                for i in range(len(row))
                if row[i] - common > STRONG
            }
            if feature.number >= 0:
                if len(self._gains) >= WORDS_CACHE_SIZE:
                    self._gains.clear()
                self._gains[key] = found
        return found

    def explain(
        self,
        post: Sequence[float],
        seen: Sequence[Observation],
        probabilities: Mapping[str, float],
        kind: str,
        medicines: Sequence[MedicineLike],
    ) -> list[str]:
        """The explanation: how likely each kind is, the answers that tell the two likeliest
        hypotheses apart most, whether the model is unsure, and how each medicine was read."""
        top = second = -1
        for i, p in enumerate(post):
            if top < 0 or p > post[top]:
                top, second = i, top
            elif second < 0 or p > post[second]:
                second = i
        scored = sorted(self.sentence(observation, top, second) for observation in seen)
        body = [better for loss, _, better, _ in scored[:BETTER] if loss < -TELLING]
        body += [worse for loss, _, _, worse in scored[-WORSE:] if loss > TELLING]
        unsure = max(probabilities.values()) < UNSURE_BELOW
        return self.explanation(self.head(probabilities, kind), body, bool(seen), unsure, medicines)

    def explanation(
        self,
        head: str,
        body: Sequence[str],
        answered: bool,
        unsure: bool,
        medicines: Sequence[MedicineLike],
    ) -> list[str]:
        """The explanation's sentences in order, from its first sentence (:meth:`head`) and
        the sentences about the answers (``answered``: whether any answer was known)."""
        lines = [head, *body] if answered else [head, NOTHING_KNOWN]
        if unsure:
            lines.append(UNSURE)
        if medicines:
            lines += self.medicines(medicines)
        return lines

    def sentence(self, observation: Observation, top: int, second: int) -> Sentence:
        """What an answer says of the two likeliest hypotheses: how much it favours the second
        over the first (log scale), the answer in words, and the sentence for when it favours
        the first, or the second (remembered)."""
        feature, value = observation
        key = (feature.number, value, top, second)
        found = self._sentences.get(key)
        if found is None:
            found = self._sentence(feature.loglik[value], feature.descriptions[value], top, second)
            if feature.number >= 0:
                if len(self._sentences) >= WORDS_CACHE_SIZE:
                    self._sentences.clear()
                self._sentences[key] = found
        return found

    def medicines(self, medicines: Sequence[MedicineLike]) -> list[str]:
        """The explanation's last sentences: how each medicine was read."""
        lines = []
        for m in medicines:
            if m.how == "unknown":
                lines.append(f"The medicine '{m.given}' was not recognised, so it was not counted.")
            elif m.classes:
                lines.append(
                    f"'{m.given}' was read as {m.name} ({', '.join(c.replace('_', ' ') for c in m.classes)})."
                )
        return lines

    def head(self, probabilities: Mapping[str, float], kind: str) -> str:
        """The explanation's first sentence: the kind, and how likely each is."""
        leaning = max(probabilities, key=probabilities.__getitem__)
        percents = {k: f"{v:.0%}" for k, v in probabilities.items()}
        return self.head_of(kind, leaning, percents)

    def head_of(self, kind: str, leaning: str, percents: Mapping[str, str]) -> str:
        """The explanation's first sentence from the kind shown, the kind the model leans to
        and each kind's probability in whole percent (``f"{p:.0%}"``)."""
        if leaning != kind:
            return (
                f"A warning sign points to {KIND_PHRASES[kind]}, not a cramp or a twitch, "
                f"which comes first; the other answers alone would lean to "
                f"{KIND_PHRASES[leaning]} ({percents[leaning]})."
            )
        others = ", ".join(f"{k} {v}" for k, v in percents.items() if k != kind)
        return f"Most likely {KIND_PHRASES[kind]} ({percents[kind]}); {others}."

    def _sentence(self, row: Sequence[float], text: str, top: int, second: int) -> Sentence:
        """How much an answer favours the second hypothesis over the first (log scale), the
        answer in words, and the sentence for when it favours the first, or the second."""
        loss = row[second] - row[top]
        top_name, second_name = self.lower_names[top], self.lower_names[second]
        better = (
            f"{text} fits {top_name} better than {second_name} "
            f"({math.exp(-loss):.1f} times as likely)."
        )
        worse = (
            f"{text} fits {second_name} better ({math.exp(loss):.1f} times as "
            "likely), so that is not ruled out."
        )
        return loss, text, better, worse

    def factors(self, held: Sequence[int]) -> list[dict[str, Any]]:
        """The factors whose tests hold (``held``: positions in the engine's list of tests)."""
        out: list[dict[str, Any]] = []
        found: set[str] = set()
        start, end = self.start, self.start + len(self.recognisers)
        for i in held:
            if start <= i < end:
                rec = self.recognisers[i - start]
                if rec.factor not in found:
                    found.add(rec.factor)
                    out.append({"id": rec.factor, "why": rec.why, "sources": list(rec.sources)})
        return out

    def advice(
        self, items: Sequence[AdviceItem], held: Sequence[int], end: int, level: str
    ) -> list[dict[str, Any]]:
        """The advice whose test holds and that is given at this triage level."""
        start = end - len(items)
        return [
            {"text": items[i - start].text, "sources": list(items[i - start].sources)}
            for i in held
            if start <= i < end and level in items[i - start].levels
        ]
