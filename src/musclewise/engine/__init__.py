"""The assessment engine: findings in, an assessment of contract 1 out.

Pure and deterministic: no I/O, no clock, no randomness. :class:`TriageEngine` compiles a
:class:`~musclewise.knowledge.KnowledgeBase` once; :meth:`TriageEngine.assess` then runs in tens of
microseconds. The steps, each explained in the output:

1. **facts**: the findings, plus the medicine classes resolved from ``medications``;
2. **kind**: the naive Bayes model of ``model.yaml`` gives every hypothesis a probability;
   ``cramp``, ``spasm`` and the sum of the mimics are the contract's three probabilities;
3. **triage**: the highest level of any red flag that holds (``red_flags.yaml``); the model
   may raise it (a mimic that is likely enough brings its own level), never lower it;
4. **factors**, **relief** and **prevention**: the entries whose tests hold;
5. **missing**: the unknown keys whose answers could most change the kind or raise the triage;
6. **unscreened**: the warning signs of the safety screen (``red_flags.yaml``, ``screen``) that
   matter for this episode and were not answered, most serious first.

:meth:`TriageEngine.evaluate` does steps 1-3 (an :class:`Evaluation`, what the interview reads),
:meth:`TriageEngine.report` the rest; many findings at once: :mod:`musclewise.engine.chunks`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from itertools import accumulate, combinations
from typing import Any

from musclewise.contract import Assessment
from musclewise.engine.conditions import (
    KIND,
    LEAN,
    POSTERIOR,
    Program,
    load_program,
    reference,
    write_program,
)
from musclewise.engine.model import (
    ASK_KEY,
    Feature,
    Hypothesis,
    NaiveBayes,
    compile_feature,
    normalised,
    pairwise_separation,
)
from musclewise.engine.parts import (
    ACTIVE_ABOVE,
    CONTRACT,
    GENERIC_SITES,
    KIND_QUESTIONS,
    LABEL_KEYS,
    LEAN_AT,
    LEVELS,
    MISSING_LIMIT,
    QUANTA,
    RANK,
    SHIFT_CACHE_SIZE,
    SIGN_SUBSETS,
    TIE_BREAK,
    UNSURE_BELOW,
    WARNING_SIGN_SET,
    AdviceItem,
    Evaluation,
    MedicineLike,
    Recogniser,
    Rule,
    ScreenGroup,
    ScreenSign,
    rounded,
)
from musclewise.engine.words import Words
from musclewise.findings import SITES, WARNING_SIGNS
from musclewise.knowledge import KnowledgeBase

__all__ = [
    "CONTRACT",
    "LABEL_KEYS",
    "LEVELS",
    "RANK",
    "AdviceItem",
    "Evaluation",
    "MedicineLike",
    "Recogniser",
    "Rule",
    "ScreenGroup",
    "ScreenSign",
    "TriageEngine",
]


class TriageEngine:
    """The knowledge base compiled for assessing findings."""

    def __init__(self, knowledge: KnowledgeBase, program: Program | None = None) -> None:
        data = knowledge.data
        self.knowledge = knowledge
        self.version = knowledge.version
        model = data["model"]
        self.hypotheses: tuple[Hypothesis, ...] = tuple(
            Hypothesis(
                id=h["id"],
                kind=h["kind"],
                condition=h.get("condition"),
                name=h["name"],
                prior=h["prior"],
                level_if_likely=h["level_if_likely"],
                likely_at=h.get("likely_at", 0.5),
                summary=h["summary"],
                sources=tuple(h["sources"]),
            )
            for h in model["hypotheses"]
        )
        self.evidence_weight = float(model["evidence_weight"])
        total = sum(h.prior for h in self.hypotheses)
        self.log_prior = tuple(math.log(h.prior / total) for h in self.hypotheses)
        self.index = {h.id: i for i, h in enumerate(self.hypotheses)}
        self.features: tuple[Feature, ...] = tuple(
            compile_feature(f, self.hypotheses, model["floor"])._replace(number=i)
            for i, f in enumerate(model["features"])
        )
        rules = data["red_flags"]["rules"]
        recognisers = [(f, rec) for f in data["factors"]["factors"] for rec in f["recognised_by"]]
        advice = data["advice"]
        always: dict[str, Any] = {"all": []}
        specs = [r["when"] for r in rules] + [rec["when"] for _, rec in recognisers]
        specs += [a.get("when", always) for a in advice["relief"] + advice["prevention"]]
        self.specs: tuple[Mapping[str, Any], ...] = tuple(specs)
        """Every test of the knowledge base, in one list: red flags, the factors' recognisers,
        relief, prevention (what ``held`` and ``outcomes`` count positions in)."""
        # Every test is generated as one Python module (cached by the caller: see
        # musclewise.assessment); the reference closures give the metadata.
        references = [reference(spec) for spec in specs]
        near_rules = [
            (RANK[r["level"]], i) for i, r in enumerate(rules) if references[i].flat is None
        ]
        self.program = program or write_program(specs, near_rules, ASK_KEY)
        test_fns, near_fns, self._near_all, self._every = load_program(self.program)
        compiled = [
            ref._replace(test=t, near=n)
            for ref, t, n in zip(references, test_fns, near_fns, strict=True)
        ]
        self.rules = tuple(
            Rule(
                r["id"], r["level"], compiled[i], r["text"], r.get("suggests"), tuple(r["sources"])
            )
            for i, r in enumerate(rules)
        )
        at = len(rules)
        self.recognisers = tuple(
            Recogniser(f["id"], compiled[at + i], rec["why"], tuple(f["sources"]))
            for i, (f, rec) in enumerate(recognisers)
        )
        at += len(recognisers)
        self.relief = tuple(
            AdviceItem(a["id"], compiled[at + i], a["text"], tuple(a["sources"]))
            for i, a in enumerate(advice["relief"])
        )
        at += len(advice["relief"])
        self.prevention = tuple(
            AdviceItem(a["id"], compiled[at + i], a["text"], tuple(a["sources"]))
            for i, a in enumerate(advice["prevention"])
        )
        levels = {a["id"]: frozenset(a.get("levels") or LEVELS) for a in advice["relief"]}
        self.relief = tuple(a._replace(levels=levels[a.id]) for a in self.relief)
        levels = {a["id"]: frozenset(a.get("levels") or LEVELS) for a in advice["prevention"]}
        self.prevention = tuple(a._replace(levels=levels[a.id]) for a in self.prevention)
        escalation = model["escalation"]
        self.urgent_at = float(escalation["urgent_at"])
        self.see_doctor_at = float(escalation["see_doctor_at"])
        self.escalation_sources = tuple(escalation["sources"])
        screen = data["red_flags"]["screen"]
        self.screen_mimic_at = float(screen["mimic_at"])
        self.screen_context: Mapping[str, str] = dict(screen.get("context") or {})
        """Yes/no context findings (not warning signs) in plain words, for the screen."""
        self.screen_groups: tuple[ScreenGroup, ...] = tuple(
            ScreenGroup(
                g["id"],
                g["level"],
                g["ask"],
                tuple(
                    ScreenSign(
                        x["key"],
                        x["label"],
                        frozenset(x["sites"]) if x.get("sites") else None,
                        tuple(self.index[h] for h in x.get("mimics") or ()),
                        tuple((k, frozenset(v)) for k, v in (x.get("skip_if") or {}).items()),
                    )
                    for x in g["signs"]
                ),
                tuple(g["sources"]),
            )
            for g in screen["groups"]
        )
        self._screen_by_site: dict[str | None, list[tuple[ScreenGroup, tuple[ScreenSign, ...]]]]
        self._screen_by_site = {
            site: [
                (g, tuple(x for x in g.signs if x.sites is None or site is None or site in x.sites))
                for g in self.screen_groups
            ]
            for site in (None, *SITES)
        }
        """The screen's signs by site (``None``: the site is not known)."""
        # For `missing`: rules of single-key tests (or "any of" them) reduce, for each current
        # level, to "which unknown key could raise it, and by how much"; ties are broken by
        # the order of the rules in the file (the most pressing first). The other rules are
        # checked by the generated `near_all`.
        self._flat_gain: list[dict[str, float]] = []
        for current in range(len(LEVELS)):
            gains: dict[str, float] = {}
            for order, r in enumerate(self.rules):
                gap = RANK[r.level] - current - order * TIE_BREAK
                if r.test.flat is not None and gap > 0:
                    for found in sorted(r.test.flat):
                        key = ASK_KEY.get(found, found)
                        gains[key] = max(gains.get(key, 0.0), float(gap))
            self._flat_gain.append(gains)
        self.model = NaiveBayes(self.log_prior, self.features, self.evidence_weight)
        asked = [f for f in self.features if f.ask]
        self._asked_keys = tuple(f.ask_key for f in asked)
        self._asked = tuple(asked)
        self._separation: dict[tuple[int, int], tuple[float, ...]] = {}  # filled when needed
        self._shift_cache: dict[tuple[tuple[int, int], ...], dict[str, float]] = {}
        sizes = (len(self.rules), len(self.recognisers), len(self.relief), len(self.prevention))
        self.ends: tuple[int, ...] = tuple(accumulate(sizes))
        """Where each part ends in the one list of tests: rules, factors, relief, prevention."""
        self._i_cramp = self.index["cramp"]
        self._i_spasm = self.index["spasm"]
        self._mimics = tuple(i for i, h in enumerate(self.hypotheses) if h.kind == "other")
        self._ids = tuple(h.id for h in self.hypotheses)
        zero = [0.0] * len(self.hypotheses)
        self.sign_delta: dict[str, list[float]] = {
            s: self.model.log_scores({s: True}, zero)[0] for s in WARNING_SIGNS
        }
        """What a "yes" to each warning sign adds to the log posterior."""
        self._site_delta = {site: self.model.log_scores({"site": site}, zero)[0] for site in SITES}
        """What each site adds to the log posterior."""
        self._label_cache: dict[tuple[tuple[str, Any], ...], list[float]] = {}
        mimic_ids = {"other"} | {h.id for h in self.hypotheses if h.kind == "other"}
        self.turn_to_other = frozenset(
            i
            for i, r in enumerate(self.rules)
            if RANK[r.level] >= RANK["urgent"] and r.suggests in mimic_ids
        )
        """The red flags that make the kind shown "other" when they hold (see ``evaluate``)."""
        self.words = Words(self.hypotheses, self.recognisers, self.ends[0])
        """The assessment's words: suspected causes, explanation, factors and advice."""

    # ------------------------------------------------------------------ the assessment
    def assess(
        self, findings: Mapping[str, Any], medicines: Sequence[MedicineLike] = ()
    ) -> Assessment:
        """Assess valid findings (see :func:`musclewise.findings.validate_findings`)."""
        return self.report(self.evaluate(findings, medicines))

    def evaluate(
        self, findings: Mapping[str, Any], medicines: Sequence[MedicineLike] = ()
    ) -> Evaluation:
        """The facts, the posterior, the kind, the red flags that hold and the triage level."""
        facts: dict[str, Any] = dict(findings)
        if "medications" in findings:
            facts["med_classes"] = frozenset(c for m in medicines for c in m.classes)
        logp, seen = self.model.log_scores(facts)
        post = normalised(logp)
        p_cramp, p_spasm = post[self._i_cramp], post[self._i_spasm]
        p_other = max(0.0, 1.0 - p_cramp - p_spasm)
        probabilities = {"cramp": p_cramp, "spasm": p_spasm, "other": p_other}
        kind = max(probabilities, key=probabilities.__getitem__)
        facts[KIND] = kind
        signs = [k for k, v in findings.items() if v is True and k in WARNING_SIGN_SET]
        base = self._without(logp, signs)
        labels = tuple((k, findings[k]) for k in LABEL_KEYS if k in findings)
        unlabel = base
        if labels:  # without what a reader may take from the person's own word
            unlabel = [a - b for a, b in zip(base, self.label_delta(labels), strict=True)]
        # the posterior without the signs and the labels: computed once, read three times
        bare_post = post if unlabel is logp else normalised(unlabel)
        facts[LEAN] = self.leans(unlabel, findings.get("site"), bare_post)
        facts[POSTERIOR] = dict(zip(self._ids, post, strict=True))

        every, held = self._every(facts)
        outcomes = tuple(every[: self.ends[0]])
        fired = tuple(self.rules[i] for i in held if i < self.ends[0])
        if kind != "other" and not self.turn_to_other.isdisjoint(held):
            # the kind shown reflects every finding: an urgent or emergency red flag that points
            # to a mimic outweighs the model's lean to a cramp or a twitch (a sign the model
            # weighs only by its likelihood ratio); factors and advice read the kind shown
            kind = "other"
            every, held = self._every({**facts, KIND: kind})
            facts[KIND] = kind
        posts = self.sign_posteriors(base, post, signs, bare_post if base is unlabel else None)
        if labels:  # and the same without the label: the word alone cannot lower the triage
            posts += self.sign_posteriors(unlabel, None, signs, bare_post)
        bare = bare_post if labels else None
        level, reasons = self.triage(fired, posts, kind, bare)
        return Evaluation(
            findings=findings,
            facts=facts,
            medicines=medicines,
            posterior=tuple(post),
            seen=tuple(seen),
            kind=kind,
            probabilities=probabilities,
            outcomes=outcomes,
            held=tuple(held),
            fired=fired,
            level=level,
            reasons=tuple(reasons),
        )

    def report(self, ev: Evaluation) -> Assessment:
        """The assessment of contract 1.1 for an evaluation."""
        post, level = ev.posterior, ev.level
        return {
            "contract": CONTRACT,
            "kind": ev.kind,
            "probabilities": rounded(ev.probabilities["cramp"], ev.probabilities["spasm"]),
            "suspected": self.words.suspected(post, ev.seen, ev.fired, ev.kind),
            "triage": {
                "level": level,
                "reasons": list(ev.reasons),
                "unscreened": self.unscreened(ev),
            },
            "factors": self.words.factors(ev.held),
            "relief": self.words.advice(self.relief, ev.held, self.ends[2], level),
            "prevention": self.words.advice(self.prevention, ev.held, self.ends[3], level),
            "explanation": self.words.explain(
                post, ev.seen, ev.probabilities, ev.kind, ev.medicines
            ),
            "missing": self._missing(post, ev.facts, level, ev.outcomes),
            "knowledge_version": self.version,
        }

    # ------------------------------------------------------------------ for the interview
    def triage_gains(self, level: str) -> Mapping[str, float]:
        """For each key a single-key red flag reads: how many levels a "yes" (or a crossing
        value) could raise the triage from ``level`` (ties broken by the rules' order)."""
        return self._flat_gain[RANK[level]]

    def screen_relevant(self, sign: ScreenSign, ev: Evaluation) -> bool:
        """Whether a warning sign of the safety screen matters for this episode."""
        findings = ev.findings
        for key, values in sign.skip_if:
            if findings.get(key) in values:
                return False
        site = findings.get("site")
        if sign.sites is not None and site is not None and site not in sign.sites:
            return False
        return not sign.mimics or any(ev.posterior[i] >= self.screen_mimic_at for i in sign.mimics)

    def screen(
        self, ev: Evaluation, skip: Collection[str] = ()
    ) -> list[tuple[ScreenGroup, tuple[ScreenSign, ...]]]:
        """The groups of the safety screen still to ask (their level above the triage reached),
        most serious first, each with its signs that matter, not answered, not in ``skip``."""
        out = []
        findings = ev.findings
        by_site = self._screen_by_site.get(findings.get("site"))
        if by_site is None:
            by_site = self._screen_by_site[None]
        for group, candidates in by_site:
            if RANK[group.level] <= RANK[ev.level]:
                continue
            signs = tuple(
                x
                for x in candidates
                if x.key not in findings
                and x.key not in skip
                and (not (x.mimics or x.skip_if) or self.screen_relevant(x, ev))
            )
            if signs:
                out.append((group, signs))
        return out

    def unscreened(self, ev: Evaluation) -> list[str]:
        """The warning signs that matter for this episode and were not answered, most serious
        first (contract 1.1 ``triage.unscreened``)."""
        return [x.key for _, signs in self.screen(ev) for x in signs]

    def _without(self, logp: list[float], signs: Sequence[str]) -> list[float]:
        """The log scores without the "yes" to each of ``signs`` (a "yes" adds exactly its
        delta: take them all away); ``logp`` itself when there are none."""
        base = logp
        delta = self.sign_delta
        for s in signs:
            base = [a - b for a, b in zip(base, delta[s], strict=True)]
        return base

    def label_delta(self, labels: tuple[tuple[str, Any], ...]) -> list[float]:
        """What the :data:`LABEL_KEYS` given add to the log posterior (computed once each)."""
        try:
            found = self._label_cache.get(labels)
            keep = len(self._label_cache) < SHIFT_CACHE_SIZE
        except TypeError:  # an answer that cannot be a key (not valid findings): not cached
            found, keep = None, False
        if found is None:
            zero = [0.0] * len(self.hypotheses)
            found, _ = self.model.log_scores(dict(labels), zero)
            if keep:
                self._label_cache[labels] = found
        return found

    def leans(
        self, base: list[float], site: Any, post: Sequence[float] | None = None
    ) -> frozenset[str]:
        """The kinds at least :data:`LEAN_AT` likely on the log scores ``base`` (a ``leans``
        test reads them; ``post``: their posterior, if already known). At a generic limb site
        (``leg``, ``arm``, ...) the leans at each of its named parts count too: a red flag that
        holds for a calf holds for a leg."""
        out = set()
        if post is not None and site not in GENERIC_SITES:
            p_cramp, p_spasm = post[self._i_cramp], post[self._i_spasm]
            top = max(p_cramp, p_spasm, 1.0 - p_cramp - p_spasm)
            if top < LEAN_AT:
                return frozenset()
            kind = "cramp" if top == p_cramp else "spasm" if top == p_spasm else "other"
            return frozenset((kind,))
        for scores in [base] + [
            [
                a - b + c
                for a, b, c in zip(
                    base, self._site_delta[site], self._site_delta[part], strict=True
                )
            ]
            for part in GENERIC_SITES.get(site, ())
        ]:
            post = normalised(scores)
            p_cramp, p_spasm = post[self._i_cramp], post[self._i_spasm]
            probabilities = {"cramp": p_cramp, "spasm": p_spasm, "other": 1.0 - p_cramp - p_spasm}
            kind = max(probabilities, key=probabilities.__getitem__)
            if probabilities[kind] >= LEAN_AT:
                out.add(kind)
        return frozenset(out)

    def sign_posteriors(
        self,
        base: list[float],
        post: list[float] | None,
        signs: Sequence[str],
        base_post: list[float] | None = None,
    ) -> list[list[float]]:
        """The posterior without the warning signs given (first), then with each set of up to
        :data:`SIGN_SUBSETS` of them added back (see there). ``base`` is the log scores without
        the signs, ``post`` the posterior with every finding, ``base_post`` the posterior of
        ``base`` (``None``: compute it)."""
        if base_post is None:
            base_post = post if not signs and post is not None else normalised(base)
        if not signs:
            return [base_post]
        delta = self.sign_delta
        out = [base_post]
        for size in range(1, min(SIGN_SUBSETS, len(signs)) + 1):
            for subset in combinations(signs, size):
                scores = base
                for s in subset:
                    scores = [a + b for a, b in zip(scores, delta[s], strict=True)]
                out.append(normalised(scores))
        return out

    def triage(
        self,
        fired: Sequence[Rule],
        posts: Sequence[Sequence[float]],
        kind: str,
        bare: Sequence[float] | None = None,
    ) -> tuple[str, list[dict[str, Any]]]:
        """The level and its reasons. ``bare`` is the posterior without the warning signs and
        without :data:`LABEL_KEYS` (``None`` when none of those was given): when it is unsure,
        the answer is unsure too, since the person's word alone cannot settle it."""
        reasons: list[tuple[int, dict[str, Any]]] = [
            (RANK[r.level], {"text": r.text, "sources": list(r.sources), "rule": r.id})
            for r in fired
        ]
        post = posts[0]
        peak = post if len(posts) == 1 else [max(col) for col in zip(*posts, strict=True)]
        for i in self._mimics:
            h = self.hypotheses[i]
            p = peak[i]
            own = RANK[h.level_if_likely]
            if p >= h.likely_at and own > 0:
                text = f"Your answers fit {h.name.lower()} (probability {p:.0%}): {h.summary}"
                reasons.append(
                    (own, {"text": text, "sources": list(h.sources), "rule": f"model:{h.id}"})
                )
            elif own >= RANK["urgent"] and p >= self.see_doctor_at:
                urgent = p >= self.urgent_at
                action = (
                    "checking today: get an urgent GP appointment or call 111"
                    if urgent
                    else "checking: book a GP appointment, sooner if it gets worse"
                )
                text = (
                    f"{h.name} cannot be ruled out: your answers give it a probability of "
                    f"{p:.0%}, and it needs {action}. {h.summary}"
                )
                reasons.append(
                    (
                        RANK["urgent"] if urgent else RANK["see_doctor"],
                        {
                            "text": text,
                            "sources": list(h.sources) + list(self.escalation_sources),
                            "rule": f"model:{h.id}:possible",
                        },
                    )
                )
        level_rank = max((r for r, _ in reasons), default=0)
        unsure = False
        for p in (post,) if bare is None else (post, bare):
            p_cramp, p_spasm = p[self._i_cramp], p[self._i_spasm]
            unsure = unsure or max(p_cramp, p_spasm, 1.0 - p_cramp - p_spasm) < UNSURE_BELOW
        if unsure and level_rank == 0:
            reasons.append(
                (
                    1,
                    {
                        "text": (
                            "Your answers do not clearly fit a cramp, a twitch or one other "
                            "condition, so musclewise cannot rule out a cause that needs "
                            "checking: book an appointment, or answer the questions below."
                        ),
                        "sources": ["MUSCLEWISE_MODEL", "MAYO_CRAMP"],
                        "rule": "model:unsure",
                    },
                )
            )
            level_rank = 1
        if not reasons:
            common = "an ordinary cramp" if kind == "cramp" else "an ordinary twitch"
            if kind == "other":
                common = "a minor problem"
            reasons.append(
                (
                    0,
                    {
                        "text": (
                            f"No warning sign was reported, and this fits {common}, which can "
                            "be cared for at home. Get help if a warning sign appears or it "
                            "keeps coming back."
                        ),
                        "sources": ["NHS_CRAMPS_OLD", "NHS_TWITCH", "NHS_STRAIN"]
                        if kind == "other"
                        else ["NHS_CRAMPS_OLD", "NHS_TWITCH"],
                        "rule": "self_care",
                    },
                )
            )
        reasons.sort(key=lambda r: -r[0])
        return LEVELS[level_rank], [r for _, r in reasons]

    def _separated(self, i: int, j: int) -> tuple[float, ...]:
        """How well each question tells hypothesis i from j (computed once per pair)."""
        found = self._separation.get((i, j))
        if found is None:
            found = tuple(pairwise_separation(f, i, j) for f in self._asked)
            self._separation[i, j] = found
        return found

    def shifts(self, post: Sequence[float]) -> dict[str, float]:
        """How far each question could move the posterior, on the posterior rounded to 0.1.

        Rounding makes the answer depend on few distinct inputs, so it is memoised; the
        ranking of questions does not need more precision than that.
        """
        key = tuple((i, round(p * QUANTA)) for i, p in enumerate(post) if p > ACTIVE_ABOVE)
        cached = self._shift_cache.get(key)
        if cached is not None:
            return cached
        shifts: dict[str, float] = {}
        if len(key) > 1:
            # the sum over pairs of explanations of 2·p·q·separation: exact with two left,
            # a close approximation with more (docs/model.md)
            total = sum(q for _, q in key)
            acc = [0.0] * len(self._asked_keys)
            for x, (i, qi) in enumerate(key):
                for j, qj in key[x + 1 :]:
                    w = 2.0 * qi * qj / (total * total)
                    acc = [a + w * s for a, s in zip(acc, self._separated(i, j), strict=True)]
            for ask_key, shift in zip(self._asked_keys, acc, strict=True):
                if shift > 0.005 and shift > shifts.get(ask_key, 0.0):
                    shifts[ask_key] = shift
        if len(self._shift_cache) >= SHIFT_CACHE_SIZE:
            self._shift_cache.clear()
        self._shift_cache[key] = shifts
        return shifts

    def _missing(
        self,
        post: Sequence[float],
        facts: Mapping[str, Any],
        level: str,
        outcomes: Sequence[bool | None],
    ) -> list[str]:
        current = RANK[level]
        # a rule above the current level has not fired, so any of its unknown keys could
        scores = {k: g for k, g in self._flat_gain[current].items() if k not in facts}
        # the other rules: those not yet decided (True is counted, False is final) whose
        # every part but one already holds
        self._near_all(facts, outcomes, current, scores)
        return self._rank_missing(post, facts, scores)

    def _rank_missing(
        self, post: Sequence[float], facts: Any, scores: dict[str, float]
    ) -> list[str]:
        """``missing`` from ``scores`` (how far each unknown key could raise the triage; changed)."""
        shifts = [(-s, k) for k, s in self.shifts(post).items() if k not in facts]
        if shifts:
            get = scores.get
            for minus, key in shifts:
                scores[key] = get(key, 0.0) - minus
            shifts.sort()
        ranked = [k for _, k in sorted([(-s, k) for k, s in scores.items() if s >= 0.01])]
        first = MISSING_LIMIT - KIND_QUESTIONS
        chosen = ranked[:first]
        # keep room for the questions that would most change the kind, even when many
        # warning-sign questions rank first
        room = KIND_QUESTIONS
        for _, key in shifts:
            if not room:
                break
            if key not in chosen:
                chosen.append(key)
                room -= 1
        for key in ranked[first:]:  # then the next of the rest
            if len(chosen) >= MISSING_LIMIT:
                break
            if key not in chosen:
                chosen.append(key)
        return chosen
