"""The reader's rules for one document (see :mod:`musclewise.text.reader`): concepts,
numbers and positions into findings. The rules that read numbers, and the state and helpers all
rules share, are in :mod:`musclewise.text.numbers`; those that read the age and sex in
:mod:`musclewise.text.ages`."""

from __future__ import annotations

from typing import Any

from musclewise.text.ages import AgeRules
from musclewise.text.document import (
    SYMPTOM_MARKERS,
    WARNING,
    Candidate,
    Mention,
    Reading,
    Understood,
)
from musclewise.text.lexicon import LIST_KEYS, Concept

# --------------------------------------------------------------------------- the rules


def _hides_site(concept: Concept) -> bool:
    """Whether a site named inside a mention of the concept is not the episode's site: as
    the concept says, else unless it sets a warning sign or a site ("on my feet all day")."""
    if concept.site_inside is not None:
        return not concept.site_inside
    return not (WARNING | {"site"}) & set(concept.set)


class Rules(AgeRules):
    """The rules for one document."""

    # -- the steps
    def run(self) -> Reading:
        self.concept_findings()
        self.scores()
        self.quantities()
        self.clock_times()
        self.body_temperature()
        self.lifestyle_numbers()
        self.age_and_sex()
        self.site_and_side()
        self.extent()
        self.relief()
        self.onset_rules()
        self.medicines()
        return self.resolve()

    def concept_findings(self) -> None:
        for m in self.mentions:
            concept = self.p.concepts.get(m.concept)
            if concept is None or concept.marker or not concept.set:
                continue
            # "unless": a marker that undoes it, when said ("I wasn't lying on it" undoes nothing)
            if (concept.needs and not self.in_sentence(m.sent, concept.needs)) or (
                concept.unless
                and any(not u.negated for u in self.in_sentence(m.sent, concept.unless))
            ):
                continue
            if concept.blockable and self.blocked(m.start):
                continue
            if m.concept == "visible" and not self.affirmed("_twitch"):
                continue
            if m.negated:
                values = concept.when_negated()
                if m.hedged:  # "I don't think it's swollen": not known
                    continue
            else:
                values = concept.set
                if m.hedged and not all(k in WARNING and v is True for k, v in values.items()):
                    continue
            for key, value in values.items():
                self.add(key, value, concept.weight, m.start, m.text)

    def site_and_side(self) -> None:
        sites = [
            m
            for m in self.mentions
            if m.concept in self.p.concepts and "site" in self.p.concepts[m.concept].set
        ]
        # a site word inside another phrase ("on my feet all day", "lift my arm fine") is not
        # where the episode was
        inside = [(m.start, m.end) for m in self.mentions
                  if m.concept in self.p.concepts and not self.p.concepts[m.concept].marker
                  and _hides_site(self.p.concepts[m.concept])]  # fmt: skip
        sites = [m for m in sites if not any(a <= m.start and m.end <= b for a, b in inside)]
        if not sites:
            return
        weight = {m.concept: self.p.concepts[m.concept].weight for m in sites}
        symptom_sents = {m.sent for m in self.mentions if m.concept in SYMPTOM_MARKERS
                         and not m.negated}  # fmt: skip
        chosen = min(self.cramping_sites(sites), key=lambda m: (-weight[m.concept], m.start))
        site = self.p.concepts[chosen.concept].set["site"]
        self.add("site", site, 2, chosen.start, chosen.text)
        side = self.side_of(chosen)
        where = chosen
        if side is None:
            for m in sites:
                if m is not chosen and (m.concept == chosen.concept or weight[m.concept] == 0):
                    side = self.side_of(m, plural=False)
                    if side is not None:
                        where = m
                        break
        if side is None and site in self.p.words["midline_sites"]:
            # the back has no side of its own: limbs named with it in the plural ("back spasm
            # and my legs are going weak") are both sides
            for m in sites:
                if m is not chosen and self.side_of(m) == "both":
                    side, where = "both", m
                    break
        if side is None:  # "lower lid, right side"
            s_start, s_end = self.doc.sentence(chosen.start)
            for i in range(s_start, s_end - 1):
                if self.lower[i] in self.p.side_words and self.lower[i + 1] in self.p.words["side"]:
                    side, self._side_start, where = self.p.side_words[self.lower[i]], i, chosen
                    break
        if side is not None and site != "other":
            said = self.text(self._side_start, where.end)
            self.add("side", side, 2, where.start, said)
        # how many muscles: distinct sites named where a symptom is
        named: dict[str, Mention] = {}
        places = {self.p.concepts[m.concept].set["site"] for m in sites if m.sent in symptom_sents}
        parts = {"leg": self.p.words["leg_parts"], "arm": self.p.words["arm_parts"]}
        for m in sites:
            s = self.p.concepts[m.concept].set["site"]
            # a whole limb is no muscle of its own, but a place when none of its parts is
            # named ("twitching in my thigh and both arms")
            if s in self.p.words["not_muscles"] and (s not in parts or parts[s] & places):
                continue
            if m.sent in symptom_sents and s not in named:
                named[s] = m
        for small, big in (("toes", "foot"), ("fingers", "hand"), ("face", "eyelid")):
            if (small in named and small != site) or (small in named and big in named):
                named.pop(small)
        if "other" in named and len(named) > 1:
            named.pop("other")
        plural = any(self.lower[m.end - 1] in self.p.plural_sites for m in named.values())
        if len(named) >= 3 or (len(named) == 2 and plural):
            self.add("muscles_involved", len(named), 2, chosen.start, ", ".join(
                m.text for m in named.values()))  # fmt: skip

    def cramping_sites(self, sites: list[Mention]) -> list[Mention]:
        """The sites the episode may be at: a site named only as where it is numb ("my toes
        are numb and my hands keep cramping") is not, when another is named with the cramp."""

        ends = self.p.words["clause_ends"]

        def near(m: Mention, group: list[Mention]) -> bool:  # within 3 words, in one clause
            return any(g.sent == m.sent and g.start - m.end <= 3 and m.start - g.end <= 3
                       and ends.isdisjoint(self.lower[min(m.end, g.end) : max(m.start, g.start)])
                       for g in group)  # fmt: skip

        numb = [m for m in self.mentions if not m.negated and m.concept in self.p.concepts
                and "numbness_tingling" in self.p.concepts[m.concept].set]  # fmt: skip
        symptoms = [m for m in self.mentions if m.concept in SYMPTOM_MARKERS and not m.negated
                    and not any(n.start < m.end and m.start < n.end for n in numb)]  # fmt: skip
        numb_only = [m for m in sites if near(m, numb) and not near(m, symptoms)]
        rest = [m for m in sites if m not in numb_only]
        return rest if numb_only and any(near(m, symptoms) for m in rest) else sites

    def side_of(self, m: Mention, *, plural: bool = True) -> str | None:
        """The side said in or just before a site mention (and where, in ``_side_start``)."""
        low = self.lower
        self._side_start = m.start
        for i in range(m.start, m.end):
            if low[i] in self.p.side_words:
                return self.p.side_words[low[i]]
        i = m.start - 1
        steps = 0
        while i >= 0 and steps < 4:
            if low[i] in self.p.side_words:
                # a one-letter side is shorthand just before its site ("R calf"); "why r my legs
                # cramp" is "are"
                if len(low[i]) == 1 and not self.p.words["possessive"].isdisjoint(
                    low[i + 1 : m.start]
                ):
                    break
                self._side_start = i
                return self.p.side_words[low[i]]
            if low[i] not in self.p.side_skip:
                break
            i -= 1
            steps += 1
        if plural and low[m.end - 1] in self.p.plural_sites:
            return "both"
        return None

    def extent(self) -> None:
        cramps = [m for m in self.affirmed("_cramp", "muscle_hard") if not m.hedged]
        twitches = [m for m in self.affirmed("_twitch") if not m.hedged]
        if twitches and not cramps:
            self.add("extent", "part_of_muscle", 1, twitches[0].start, twitches[0].text)
        elif cramps and not twitches:
            self.add("extent", "whole_muscle", 1, cramps[0].start, cramps[0].text)
        # a story of cramps that also says the muscles twitch ("and the calf twitches a lot too",
        # "twitching everywhere plus cramps"): the twitching is a finding of its own, and the
        # cramps are cramps, whichever came first (cramps with twitches is a warning sign)
        if cramps:
            told = [m for m in twitches if self.says(m, self.twitch_words)]
            if told:
                self.add("visible_twitch", True, 1, told[0].start, told[0].text)
                self.add("extent", "whole_muscle", 1, cramps[0].start, cramps[0].text)

    def relief(self) -> None:
        keys = {"_stretch": "relieved_by_stretch", "_rest": "relieved_by_rest",
                "_bend": "relieved_by_bending_forward"}  # fmt: skip
        for mentions in self.by_sent.values():
            triggers = [m for m in mentions if m.concept in keys]
            if not triggers:
                continue
            s_start, s_end = self.doc.sentence(triggers[0].start)
            bounds = [s_start] + [t.start for t in triggers[1:]] + [s_end]
            for n, t in enumerate(triggers):
                lo = triggers[n - 1].end if n else s_start
                hi = bounds[n + 1]
                region = [m for m in mentions if lo <= m.start < hi and m is not t]
                key = keys[t.concept]
                failed = [m for m in region if m.concept.startswith(("_no_relief", "_still_going"))
                          and m.start > t.start]  # fmt: skip
                # "and they're gone" tells of a stretch only ("bend his toes back and it's
                # gone" is no bending forward)
                helped = [m for m in region if not m.negated and (m.concept == "_relief" or (
                    m.concept == "_relief_gone" and t.concept == "_stretch"))]  # fmt: skip
                # "it still hasn't let go, pulling my toes back ...": still going, so whatever
                # was tried has not worked, unless something after it helped
                if not failed and not any(m.start > t.start for m in helped):
                    failed = [m for m in region if m.concept.startswith("_still_going")]
                if failed:
                    self.add(key, False, 2, t.start, self.text(t.start, failed[0].end))
                elif t.negated:
                    self.add(key, False, 1, t.start, self.text(t.start - 2, t.end))
                elif helped and not t.hedged:
                    self.add(key, True, 1, t.start, self.text(min(t.start, helped[0].start), max(
                        t.end, helped[0].end)))  # fmt: skip

    def onset_rules(self) -> None:
        """After exercise: exercise named, then "and now", "since then" in the sentence."""
        for m in self.affirmed("_afterwards"):
            if any(e.end <= m.start for e in self.in_sentence(m.sent, "_exercise",
                                                              "exercise_intense")):  # fmt: skip
                self.add("onset", "after_exercise", 1, m.start, self.text(m.start - 3, m.end))
        # "two days after a hike" is not an onset
        self.candidates = [
            c
            for c in self.candidates
            if not (
                c.key == "onset"
                and c.value == "after_exercise"
                and c.start >= 1
                and self.lower[c.start - 1] in self.p.units
            )
        ]

    def medicines(self) -> None:
        meds = [m for m in self.mentions if m.concept == "_medicine" and not m.negated]
        meds.sort(key=lambda m: m.start)
        groups: list[list[Mention]] = []
        for m in meds:
            if (
                groups
                and m.start - groups[-1][-1].end == 1
                and (self.doc.raw[m.start - 1] in self.p.joiners)
            ):
                groups[-1].append(m)
            else:
                groups.append([m])
        names: list[str] = []
        for g in groups:
            start, end = g[0].start, g[-1].end
            if end < len(self.doc) and self.lower[end] in self.p.forms:
                end += 1
            name = self.doc.span(start, end)
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
                self.add("medications", name, 1, start, name)

    # -- choosing among candidates
    def resolve(self) -> Reading:
        reading = Reading()
        by_key: dict[str, list[Candidate]] = {}
        for c in self.candidates:
            by_key.setdefault(c.key, []).append(c)
        for key, cands in by_key.items():
            if key in LIST_KEYS:
                values: list[Any] = []
                for c in sorted(cands, key=lambda c: c.start):
                    if c.value not in values:
                        values.append(c.value)
                        reading.understood.append(Understood(key, c.value, c.said))
                reading.findings[key] = values
                continue

            warning = key in WARNING
            best = min(
                cands,
                key=lambda c: (-c.weight, -(warning and c.value is True), c.start),
            )
            reading.findings[key] = best.value
            reading.understood.append(Understood(key, best.value, best.said))
        reading.understood.sort(key=lambda u: ORDER.get(u.key, 999))
        return reading


def _order() -> dict[str, int]:
    from musclewise.findings import FINDINGS_KEYS

    return {k: i for i, k in enumerate(FINDINGS_KEYS)}


ORDER = _order()
