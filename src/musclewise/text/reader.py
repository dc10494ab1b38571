"""Read a person's own description into findings of the contract.

No NLP library: a description is split into tokens by one regular expression, each token is
given a key (its lemma from the lexicon, else its stem, so "swelled" and "swollen" find
"swelling"; a word one typo away from a lexicon word becomes that word unless it is a real
English word), and one pass over a trie compiled from ``lexicon.yaml`` finds every phrase of
every concept, negation and hedging cue and medicine name (about a millisecond a description).
Within each layer (findings, markers, sites, medicines, cues) overlapping matches keep the
longest.

Negation and hedging work as ConText does, with the cues as data in the lexicon: a cue before
a mention reaches forward, a cue after it reaches back, a few words at most, and never past a
terminator ("but", "and now", a ";"), the end of the sentence, or a comma that does not
continue a list of findings ("no swelling, redness or warmth" negates all three; "can't pee
properly, legs feel weak" negates nothing, since "can't pee" is itself a finding). A cue inside
a phrase of a concept is part of that phrase, not a cue.

The rules below work on concepts, numbers and positions and the lexicon's named word lists,
never on particular wording:

- a concept mention sets its findings (negated: its ``negated`` findings; hedged: dropped,
  except a hedged "yes" to a warning sign, which is kept to stay on the side of caution);
- quantities ("a minute and a half", "20 to 30 seconds", "every couple of weeks", "8/10") are
  parsed from number words and units, and given a role by what is around them (an episode's
  duration, how long it has been going on, exercise, sleep or screen time, how often);
- the site is the heaviest named (a named part before a whole limb), then the first; its side
  the side word before it (or both, for "calves");
- relief: a stretch, rest or bending-forward mention with a relief word in its part of the
  sentence means it helped; with a "doesn't help" word, or negated, it did not.

Everything read is kept with the words it came from (:class:`Understood`), so a person can
see and correct it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from musclewise.text.document import (
    CUE_WINDOW,
    DAY,
    DIGITS,
    FOLLOWING_WINDOW,
    HOUR,
    LAYERS,
    MAX_TEXT,
    PUNCTUATION,
    SENTENCE_ENDS,
    Doc,
    Mention,
    Reading,
    Understood,
    longest,
)
from musclewise.text.lexicon import (
    ANY,
    END,
    FUZZY_MIN,
    LEXICON_PATH,
    NUMBER,
    TOKEN,
    Concept,
    Keys,
    Lexicon,
    compiled,
    deletes,
    within_one,
)
from musclewise.text.rules import Rules

__all__ = ["QUANTITY_KEYS", "Pipeline", "Reading", "Understood", "pipeline", "read", "read_answer"]

# --------------------------------------------------------------------------- the pipeline


class Pipeline:
    """The compiled lexicon and what reads with it (built once per process)."""

    def __init__(self, data: dict[str, Any]) -> None:
        lexicon = msgspec.convert(data["lexicon"], Lexicon)
        self.lexicon = lexicon
        self.trie: dict[str, Any] = data["trie"]
        self.cased: dict[str, Any] = data["cased"]
        self.layer_of: dict[str, str] = data["layers"]
        self.fuzzy: dict[str, list[str]] = data["fuzzy"]
        self.real = frozenset(data["real"])
        self.known = frozenset(self.trie) | {k for n in self.trie.values() for k in n}
        self.keys = Keys(lexicon.lemmas, lexicon.suffixes)
        self.spellings = {k.lower(): v.lower() for k, v in lexicon.spellings.items()}
        self.concepts: dict[str, Concept] = {c.id: c for c in lexicon.concepts}
        self.weights = {c.id: c.weight for c in lexicon.concepts}
        self.words = {k: frozenset(w.lower() for w in v) for k, v in lexicon.words.items()}
        self.seqs = {k: tuple(w.lower() for w in v) for k, v in lexicon.words.items()}
        tables = lexicon
        self.numbers = {k.lower(): v for k, v in tables.numbers.items()}
        self.number_phrases = sorted(
            ((tuple(k.lower().split()), v) for k, v in tables.number_phrases.items()),
            key=lambda kv: -len(kv[0]),
        )
        self.units = {k.lower(): v for k, v in tables.units.items()}
        self.periods = {k.lower(): v for k, v in tables.periods.items()}
        self.less_than = [tuple(w.lower().split()) for w in tables.less_than]
        self.blockers = frozenset(w.lower() for w in tables.blockers)
        self.forms = frozenset(w.lower() for w in tables.medicine_forms)
        self.joiners = frozenset(tables.medicine_joiners)
        self.side_words = {w.lower(): side for side, ws in tables.sides.items() for w in ws}
        self.side_skip = frozenset(w.lower() for w in tables.side_skip)
        self.plural_sites = frozenset(w.lower() for w in tables.plural_sites)
        self.since = sorted(
            ((tuple(k.lower().split()), v) for k, v in tables.since.items()),
            key=lambda kv: -len(kv[0]),
        )
        self._memo: dict[str, str] = {}
        # a wildcard of a pattern never stands for a negation or the end of a clause (but may
        # for a word such as "now" that only ends a negation's reach: "my face is now drooping")
        self.no_wild = (
            frozenset(
                self.keys(w)
                for w in lexicon.negation.preceding + lexicon.negation.termination
                if len(w.split()) == 1
            )
            - {self.keys(w) for w in lexicon.words["wild_fillers"]}
        ) | {".", "!", "?", ";", ":", ","}
        self.transparent = frozenset(self.keys(w) for w in lexicon.words["transparent"])
        """Words a phrase may have between two of its words (intensifiers, softeners)."""
        self.transparent_lead = frozenset(self.keys(w) for w in lexicon.words["transparent_lead"])
        """Those passed over only just before another ("a bit")."""
        self.frequencies = sorted(
            ((tuple(k.lower().split()), v) for k, v in lexicon.frequencies.items()),
            key=lambda kv: -len(kv[0]),
        )

    # ------------------------------------------------------------------ tokens and keys
    def key(self, word: str) -> str:
        """A word's key, a typo corrected to the lexicon word it is one letter from."""
        key = self._memo.get(word)
        if key is not None:
            return key
        key = self.keys(word)
        if (
            key not in self.known
            and len(word) >= FUZZY_MIN
            and word.isalpha()
            and word not in self.real
        ):
            near = {
                w
                for d in (word, *deletes(word))
                for w in self.fuzzy.get(d, ())
                if within_one(word, w)
            }
            fixed = {self.keys(w) for w in near}
            if len(fixed) == 1:
                key = fixed.pop()
        if len(self._memo) < 100_000:
            self._memo[word] = key
        return key

    def doc(self, text: str) -> Doc:
        text = text[:MAX_TEXT]
        text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
        starts: list[int] = []
        ends: list[int] = []
        raw: list[str] = []
        lower: list[str] = []
        breaks: set[int] = set()
        last_end = 0
        for m in TOKEN.finditer(text):
            s, e = m.span()
            if "\n" in text[last_end:s] and lower:
                breaks.add(len(lower))
            last_end = e
            word = m.group()
            low = STRETCHED.sub(r"\1", word.lower())  # "sooooo", "swolllen": one letter
            spelt = self.spellings.get(low)
            if spelt is None:
                starts.append(s)
                ends.append(e)
                raw.append(word)
                lower.append(low)
                continue
            for n, part in enumerate(TOKEN.finditer(spelt)):
                starts.append(s if n == 0 else e)
                ends.append(e)
                raw.append(part.group())
                lower.append(part.group())
        keys = [self.key(w) for w in lower]
        sents: list[tuple[int, int]] = []
        start = 0
        for i, w in enumerate(lower):
            if i in breaks and i > start:
                sents.append((start, i))
                start = i
            if w in SENTENCE_ENDS and (i + 1 >= len(lower) or lower[i + 1] not in SENTENCE_ENDS):
                sents.append((start, i + 1))
                start = i + 1
        if start < len(lower):
            sents.append((start, len(lower)))
        sent_of = [0] * len(lower)
        for n, (a, b) in enumerate(sents):
            for i in range(a, b):
                sent_of[i] = n
        return Doc(text, starts, ends, raw, lower, keys, sents, sent_of)

    def like_num(self, word: str) -> bool:
        return bool(DIGITS.match(word)) or word in self.numbers

    # ------------------------------------------------------------------ matching
    def match(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Every phrase of the lexicon found in the document: (label, start, end)."""
        keys, n = doc.keys, len(doc)
        nums = [self.like_num(w) for w in doc.lower]
        found: list[tuple[str, int, int]] = []
        transparent, lead = self.transparent, self.transparent_lead
        for i in range(n):
            # (trie node, next token, how many tokens just before it were passed over)
            stack: list[tuple[dict[str, Any], int, int]] = [(self.trie, i, 0)]
            while stack:
                node, j, passed = stack.pop()
                if j > i and END in node and not passed:
                    found.extend((label, i, j) for label in node[END])
                if j >= n:
                    continue
                key = keys[j]
                child = node.get(key)
                if child is not None:
                    stack.append((child, j + 1, 0))
                if nums[j] and key != NUMBER and NUMBER in node:
                    stack.append((node[NUMBER], j + 1, 0))
                if key != ANY and ANY in node and key not in self.no_wild:
                    stack.append((node[ANY], j + 1, 0))
                # intensifiers inside a phrase are passed over, three at most ("my chest is
                # now really tight", "a little bit"), never at its start or end
                if (
                    j > i
                    and key in transparent
                    and passed < TRANSPARENT_RUN
                    and (key not in lead or (j + 1 < n and keys[j + 1] in transparent))
                ):
                    stack.append((node, j + 1, passed + 1))
            node = self.cased
            j = i
            while j < n and doc.raw[j] in node:
                node = node[doc.raw[j]]
                j += 1
                if END in node:
                    found.extend((label, i, j) for label in node[END])
        return found

    # ------------------------------------------------------------------ reading
    def read(self, text: str) -> Reading:
        doc = self.doc(text)
        found = self.match(doc)
        by_layer: dict[str, list[tuple[str, int, int]]] = {}
        for span in found:
            by_layer.setdefault(self.layer_of[span[0]], []).append(span)
        ignore = longest(by_layer.get("ignore", []))
        spans: list[tuple[str, int, int]] = []
        for layer in LAYERS:
            spans += [
                s
                for s in longest(by_layer.get(layer, []) + ignore, self.weights)
                if self.layer_of[s[0]] != "ignore"
            ]
        # a medicine's short name inside a phrase of a finding, or of an everyday phrase, is
        # part of it ("my calf went pop", "heard a pop from the fireworks": no progestogen-only
        # pill)
        said = {
            i
            for s in spans + ignore
            if self.layer_of[s[0]] in ("findings", "ignore")
            for i in range(s[1], s[2])
        }
        spans += [
            s
            for s in longest(by_layer.get("medicines", []))
            if not (s[2] - s[1] == 1 and s[1] in said and doc.raw[s[1]].isupper())
        ]
        # a cue inside a phrase of a concept is part of it ("can't pee", "no pulse"); a
        # negative phrase marked so negates the findings listed after it ("no pain or swelling")
        # (an everyday phrase likewise: "can't stop twitching" affirms the twitching)
        inside = {i for s in spans + ignore if s[0] != "_medicine" for i in range(s[1], s[2])}
        cues = {
            kind: [
                s
                for s in longest(
                    [
                        s
                        for s in by_layer.get(kind, [])
                        if not (
                            set(range(s[1], s[2])) <= inside
                            or (s[0].endswith(":pseudo") and inside & set(range(s[1], s[2])))
                        )
                    ]
                )
                if not s[0].endswith(":pseudo")
            ]
            for kind in ("neg", "hedge")
        }
        # the question mark of a question that takes its content as said ("is it normal that
        # my calf goes off if I stand still?") hedges nothing
        asked = {doc.sent_of[s[1]] for s in spans if s[0] == "_presupposed"}
        cues["hedge"] = [
            c for c in cues["hedge"] if not (doc.lower[c[1]] == "?" and doc.sent_of[c[1]] in asked)
        ]
        cues["neg"] += [
            ("neg:list", s[1], s[2])
            for s in spans
            if s[0] in self.concepts and self.concepts[s[0]].negates_list
        ]
        scope = _Scope(self, doc, spans)
        # a phrase that says its own negation ("can't feel my bum") is not negated again by a
        # cue before it ("can't poo and can't feel my bum": the first "can't" is not about it)
        own = {i for _, a, b in by_layer.get("neg", []) for i in range(a, b)}
        mentions = [
            Mention(
                label,
                start,
                end,
                doc.sent_of[start],
                self._negatable(label)
                and own.isdisjoint(range(start, end))
                and scope.reached(start, end, cues["neg"]),
                scope.reached(start, end, cues["hedge"]),
                doc.span(start, end),
            )
            for label, start, end in spans
        ]
        mentions.sort(key=lambda m: (m.start, m.end))
        return Rules(self, doc, mentions).run()

    def _negatable(self, label: str) -> bool:
        concept = self.concepts.get(label)
        return concept.negatable if concept else True


class _Scope:
    """Which mentions a cue reaches (ConText's scope, see the module docstring)."""

    def __init__(self, p: Pipeline, doc: Doc, spans: list[tuple[str, int, int]]) -> None:
        self.p = p
        self.doc = doc
        self.covered = {i for s in spans for i in range(s[1], s[2])}
        self.finding_at: dict[int, int] = {}
        for label, a, b in spans:
            if p.layer_of.get(label) in ("findings", "markers"):
                self.finding_at[a] = max(b, self.finding_at.get(a, b))
        self.site_tokens = {
            i for s in spans if p.layer_of.get(s[0]) == "sites" for i in range(s[1], s[2])
        }
        self.finding_starts = {a for label, a, _ in spans if p.layer_of.get(label) == "findings"}

    def stops(self, a: int, b: int, cues: list[tuple[str, int, int]]) -> bool:
        """Whether something between tokens a and b ends a cue's scope."""
        low = self.doc.lower
        if any(c[0].endswith(":termination") and a <= c[1] < b for c in cues):
            return True
        joiners = self.p.words["list_joiners"]
        for k in range(a, b):
            if low[k] in (";", ":") or low[k] in SENTENCE_ENDS:
                return True
            if low[k] == ",":
                j = k + 1
                while j < len(low) and low[j] in joiners:
                    j += 1
                end = self.finding_at.get(j)
                after = low[end] if end is not None and end < len(low) else "."
                if (
                    end is None
                    or not (after in (",", ";") or after in joiners or after in SENTENCE_ENDS)
                    or not self.closed_list(k)
                ):
                    return True
        return False

    def gap(self, a: int, b: int) -> int:
        return sum(
            1 for k in range(a, b) if k not in self.covered and self.doc.lower[k] not in PUNCTUATION
        )

    def listed(self, a: int, b: int) -> bool:
        """Whether the findings between tokens a and b (if any) make a list that reaches b: a
        cue negates the first finding after it, and the next ones only through "or", "nor", a
        comma or a site ("no redness in my calf or swelling")."""
        starts = sorted(k for k in self.finding_at if a <= k < b)
        if not starts:
            return True
        at = self.finding_at[starts[0]]
        for k in starts[1:]:
            if k < at:
                continue
            if not self.joined(at, k):
                return False
            at = max(at, self.finding_at[k])
        return self.joined(at, b)

    def joined(self, a: int, b: int) -> bool:
        joiners = self.p.words["list_joiners"]
        low = self.doc.lower
        if "," in low[a:b] and not self.closed_list(b):
            return False
        # "no swelling my wee is dark brown", "no swelling my calf is hot" (said without a
        # stop): a new subject starts a new clause, not the next item of the list
        mine = self.p.words["possessive"]
        if (
            a < b
            and low[a] in mine
            and all(low[k] in mine or k in self.site_tokens for k in range(a, b))
        ):
            return False
        return all(low[k] in joiners or low[k] == "," or k in self.site_tokens for k in range(a, b))

    def next_mention(self, at: int) -> int:
        """The first token at or after ``at`` that is not a list joiner."""
        while at < len(self.doc) and self.doc.lower[at] in self.p.words["list_joiners"]:
            at += 1
        return at

    def closed_list(self, at: int) -> bool:
        """Whether "or" or "nor" closes a list at or after token ``at`` in its clause ("no
        swelling, redness or warmth"; not "can't straighten it, lips tingle")."""
        low = self.doc.lower
        end = self.doc.sentence(at)[1]
        for k in range(at, end):
            if low[k] in (";", ":"):
                return False
            if low[k] in self.p.words["list_enders"]:
                return True
        return False

    def new_clause(self, a: int, b: int) -> bool:
        """Whether a new subject with its own verb starts between a negation and a finding,
        said without a stop ("no appetite my legs are weak", "never drink enough water my wee
        is like tea"); not after a verb of opinion or "of" ("I don't think my calf is swollen",
        "neither of my legs is swollen")."""
        low, w = self.doc.lower, self.p.words
        if a >= b or low[a] in w["not_a_new_clause"]:
            return False
        subject = next((k for k in range(a, b) if low[k] in w["possessive"]), None)
        return subject is not None and any(low[k] in w["clause_verbs"] for k in range(subject, b))

    def own_object(self, a: int, b: int) -> bool:
        """Whether a negation took its own object before an "and" between tokens a and b: no
        finding between it and the "and", so what follows is a new part of the sentence ("not
        eating and very confused", "no appetite and short of breath"; not "no swelling and
        redness")."""
        low = self.doc.lower
        for k in range(a, b):
            if low[k] == "and":
                return not any(a <= s < k for s in self.finding_starts)
        return False

    def reached(self, start: int, end: int, cues: list[tuple[str, int, int]]) -> bool:
        sent = self.doc.sent_of[start]
        for label, a, b in cues:
            if self.doc.sent_of[a] != sent:
                continue
            if label == "neg:list" and b < start:
                if (
                    self.doc.lower[b] in self.p.words["list_closers"]
                    and self.next_mention(b + 1) in self.finding_at
                    and self.listed(b, start)
                    and not self.stops(b, start, cues)
                ):
                    return True
            elif label.endswith(":preceding") and b <= start:
                if (
                    self.gap(b, start) <= CUE_WINDOW
                    and not (label.startswith("neg") and self.new_clause(b, end))
                    and not (label.startswith("neg") and self.own_object(b, start))
                    and not self.stops(b, start, cues)
                    and self.listed(b, start)
                ):
                    return True
            elif (
                label.endswith(":following")
                and a >= end
                and self.gap(end, a) <= FOLLOWING_WINDOW
                and not self.stops(end, a, cues)
                # "face drooping, rest of me is fine": the cue is said of something else
                and not any(w in self.p.words["something_else"] for w in self.doc.lower[end:a])
            ):
                return True
        return False


STRETCHED = re.compile(r"([a-z])\1{2,}")
"""A letter typed three times or more ("sooooo painful"): no English word has that."""


@cache
def pipeline(path: Path = LEXICON_PATH) -> Pipeline:
    """The pipeline for a lexicon (the bundled one by default), built once per process."""
    return Pipeline(compiled(path))


def read(text: str) -> Reading:
    """Read one description into findings (see the module docstring)."""
    return pipeline().read(text)


TRANSPARENT_RUN = 3
"""How many intensifiers in a row a phrase passes over ("now so swollen", "a little bit")."""
QUANTITY_KEYS = frozenset(
    {
        "pain", "stress", "age", "duration_s", "ongoing_days", "episodes_per_week",
        "muscles_involved", "exercise_minutes", "caffeine_cups", "alcohol_drinks",
        "sleep_hours", "screen_hours",
    }
)  # fmt: skip
"""The keys whose free answer may be a bare quantity ("2-3", "about a week")."""


def read_answer(key: str, text: str) -> Any | None:
    """A free answer to the question about one key ("about a week", "2-3", "most nights"):
    what the reader reads for that key, else, for a number key, the first quantity in the
    answer in that key's unit (a duration in seconds, how long in days, exercise in minutes,
    sleep and screen time in hours, anything else as said). None when nothing fits.
    """
    p = pipeline()
    reading = p.read(text)
    if key in reading.findings:
        return reading.findings[key]
    if key not in QUANTITY_KEYS:
        return None
    doc = p.doc(text)
    rules = Rules(p, doc, [])
    low = doc.lower
    for i in range(len(doc)):
        q = rules.quantity(i)
        if q is None:
            continue
        value, at = q
        unit = low[at] if at < len(low) else ""
        seconds = value * p.units[unit] if unit in p.units else None
        if seconds is not None and low[at + 1 : at + 4] == list(p.seqs["and_a_half"]):
            seconds += 0.5 * p.units[unit]
        if key == "duration_s":
            return round(seconds, 1) if seconds is not None else None
        if key == "ongoing_days":
            return round(seconds / DAY, 2) if seconds is not None else None
        if key == "exercise_minutes":
            return round(seconds / 60) if seconds is not None else value
        if key in ("sleep_hours", "screen_hours"):
            return round(seconds / HOUR, 2) if seconds is not None else value
        if seconds is None:
            return int(value) if key in ("pain", "stress", "age", "muscles_involved") else value
    return None
