"""The reader's rules for one document, first part (see :mod:`musclewise.text.rules`): the
state and helpers every rule shares, and the rules that read numbers (scores, frequencies,
durations, how long it has gone on, temperatures, cups and drinks); the age and sex are read in
:mod:`musclewise.text.ages`."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from musclewise.text.document import (
    BODY_C,
    BODY_F,
    CLAUSE_BREAKS,
    DAY,
    DIGITS,
    FEVER_C,
    FEVER_F,
    HOUR,
    SCORE,
    SYMPTOM_MARKERS,
    Candidate,
    Doc,
    Mention,
)

if TYPE_CHECKING:
    from musclewise.text.reader import Pipeline

TENS = frozenset(range(20, 100, 10))
UNITS = frozenset(range(1, 10))
MEDICINE_REACH = 3
"""How many tokens after a medicine a frequency or time word still belongs to it."""
CLOCK = re.compile(r"^(\d{1,2})(?:[.:](\d{2}))?$")
"""A time of day as typed: "5", "5.30", "5:30" (a "5" before ":" and "30" too)."""
CLOCK_MINUTES = re.compile(r"^\d{2}$")
MAX_CLOCK_MINUTES = 360
"""Two clock times further apart than this are not one episode's start and now."""
CLOCK_REACH = 8
"""How many tokens from its start time the episode is named."""


class NumberRules:
    """The rules for one document that read numbers, and the state and helpers all rules share."""

    def __init__(self, p: Pipeline, doc: Doc, mentions: list[Mention]):
        self.p = p
        self.doc = doc
        self.lower = doc.lower
        self.mentions = mentions
        self.sent_of = doc.sent_of
        self.candidates: list[Candidate] = []
        self.used: set[int] = set()  # tokens already read as a number
        self._side_start = 0
        self.twitch_words = frozenset(p.words["twitch_words"])
        self.by_sent: dict[int, list[Mention]] = {}
        for m in mentions:
            self.by_sent.setdefault(m.sent, []).append(m)

    # -- helpers
    def add(self, key: str, value: Any, weight: float, start: int, said: str) -> None:
        self.candidates.append(Candidate(key, value, weight, start, said))

    def text(self, start: int, end: int) -> str:
        return self.doc.span(start, end)

    def affirmed(self, *concepts: str) -> list[Mention]:
        return [m for m in self.mentions if m.concept in concepts and not m.negated]

    def says(self, m: Mention, words: frozenset[str]) -> bool:
        """Whether the mention holds one of ``words``, as typed or corrected ("twiching")."""
        span = slice(m.start, m.end)
        return not words.isdisjoint([*self.lower[span], *self.doc.keys[span]])

    def undone(self, m: Mention) -> bool:
        """Whether a mention's ``unless`` marker is said (not negated) in its sentence."""
        unless = self.p.concepts[m.concept].unless
        return unless is not None and any(not u.negated for u in self.in_sentence(m.sent, unless))

    def in_sentence(self, sent: int, *concepts: str) -> list[Mention]:
        return [m for m in self.by_sent.get(sent, ()) if m.concept in concepts]

    def blocked(self, start: int, before: int = 6) -> bool:
        """A treatment or habit word just before, or a medicine right before ("quinine every
        night"), makes it about that ("... pills last month and now cramps all the time" is not)."""
        sent = self.sent_of[start]
        for i in range(start - 1, max(0, start - before) - 1, -1):
            if self.sent_of[i] != sent or self.lower[i] in CLAUSE_BREAKS:
                break
            if self.lower[i] in self.p.blockers:
                return True
        return any(
            m.concept == "_medicine"
            and start - MEDICINE_REACH <= m.end <= start
            and not any(self.lower[i] in CLAUSE_BREAKS for i in range(m.end, start))
            for m in self.by_sent.get(sent, ())
        )

    def scores(self) -> None:
        """ "8/10", "7 out of 10": pain, or stress when a stress word comes just before."""
        for i, word in enumerate(self.lower):
            value: float | None = None
            end = i + 1
            like_num = self.p.like_num(word)
            if m := SCORE.match(word):
                value = float(m.group(1))
            elif like_num and self.lower[i + 1 : i + 4] == [*self.p.seqs["out_of"], "10"]:
                value, end = self.number(i), i + 4
            elif like_num and self.lower[i + 1 : i + 3] == ["/", "10"]:
                value, end = self.number(i), i + 3
            if value is None or not 0 <= value <= 10:
                continue
            self.used.update(range(i, end))
            sent = self.sent_of[i]
            stress = [
                m
                for m in self.by_sent.get(sent, ())
                if m.concept in ("_stress", "stress_high", "stress_some")
                and m.end <= i
                and i - m.end <= 8
            ]
            pain = [
                m
                for m in self.by_sent.get(sent, ())
                if m.concept == "_symptom" and stress and m.start > stress[-1].end and m.end <= i
            ]
            key = "stress" if stress and not pain else "pain"
            self.add(key, round(value), 5, i, self.text(i, end))

    def number(self, i: int) -> float | None:
        word = self.lower[i] if i < len(self.lower) else ""  # past the end: no number
        if word.endswith("ish") and word[:-3].isdigit():  # "10ish"
            word = word[:-3]
        if word in self.p.numbers:
            return self.p.numbers[word]
        for tens in ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"):
            ones = self.p.numbers.get(word.removeprefix(tens), 0)  # "thirtyfive"
            if word.startswith(tens) and ones in UNITS:
                return self.p.numbers[tens] + ones
        try:
            value = float(word.replace(",", ""))
        except ValueError:
            return None
        return value if math.isfinite(value) else None  # "nan" is a grandmother, "inf" no number

    def quantity(self, i: int) -> tuple[float, int] | None:
        """A quantity starting at token i: its value and the token after it. A range ("two or
        three", "2-3") is read at its middle, as the public vignettes read "two or three
        evenings a week" (2.5)."""
        value: float | None = None
        end = i
        for words, v in self.p.number_phrases:
            if tuple(self.lower[i : i + len(words)]) == words:
                value, end = v, i + len(words)
                break
        low = self.lower
        if (  # voice-to-text: "twitching for too weeks", "for to days" (two)
            value is None
            and 0 < i < len(low) - 1
            and low[i] in ("to", "too")
            and low[i - 1] in self.p.words["before_two"]
            and low[i + 1] in self.p.units
        ):
            value, end = 2.0, i + 1
        if value is None:
            if i >= len(self.doc) or i in self.used:
                return None
            value = self.number(i)
            if value is None:
                return None
            end = i + 1
            # "twenty five", "thirty-five": tens and units both in words
            j = end + 1 if end < len(self.doc) and self.lower[end] == "-" else end
            ones = self.number(j) if j < len(self.doc) and self.lower[j].isalpha() else None
            if self.lower[i].isalpha() and value in TENS and ones in UNITS:
                value, end = value + ones, j + 1
        # "two or three", "20 to 30", "20-30"
        if end + 1 < len(self.doc) and self.lower[end] in self.p.words["range"]:
            other = self.number(end + 1)
            if other is not None and other > value:
                value, end = (value + other) / 2, end + 2
        if end < len(self.doc) and self.lower[end] == "+":
            end += 1
        if self.lower[i].isdigit() and self.lower[end : end + 1] in (
            ["st"],
            ["nd"],
            ["rd"],
            ["th"],
        ):
            end += 1  # "every 2nd night"
        # "15ish minutes", "twenty odd minutes": about, or a little more
        if (
            end < len(self.doc)
            and self.lower[end] == "-"
            and self.lower[end + 1 : end + 2] == ["ish"]
        ):
            end += 1
        if end < len(self.doc) and self.lower[end] in self.p.words["about_after"]:
            if self.lower[end] in self.p.words["and_more"]:
                value *= 1.1
            end += 1
        return value, end

    def quantities(self) -> None:
        w = self.p.words
        doc, low = self.doc, self.lower
        n = len(doc)
        i = 0
        ongoing: list[tuple[float, int, float, str]] = []  # (days, start, weight, said)
        treatments: list[tuple[float, int, str]] = []  # a blocked frequency: (per week, ...)
        while i < n:
            # frequency phrases of the lexicon: "almost nightly", "night after night"
            phrase = next(
                (fw for fw in self.p.frequencies if tuple(low[i : i + len(fw[0])]) == fw[0]),
                None,
            )
            if phrase is not None:
                if not self.blocked(i):
                    self.add("episodes_per_week", phrase[1], 2, i, self.text(i, i + len(phrase[0])))
                i += len(phrase[0])
                continue
            # frequency: "every couple of weeks", "most nights", "nearly every night"
            if low[i] in w["every"] and i + 1 < n:
                q = self.quantity(i + 1) if low[i + 1] not in self.p.periods else None
                at, value = (q[1], q[0]) if q else (i + 1, 1.0)
                if at < n and low[at] in w["other"]:
                    at, value = at + 1, 2.0
                if at < n and low[at] in self.p.periods and not self.blocked(i):
                    weeks = self.p.periods[low[at]] * value
                    self.add("episodes_per_week", round(1 / weeks, 2), 1, i, self.text(i, at + 1))
                    i = at + 1
                    continue
            if low[i] in w["most"] or (low[i] in w["nearly"] and i + 1 < n
                                       and low[i + 1] in w["every"]):  # fmt: skip
                at = i + 1 if low[i] in w["most"] else i + 2
                if at < n and low[at] in self.p.periods and self.p.periods[low[at]] < 1:
                    if not self.blocked(i):
                        self.add("episodes_per_week", self.p.lexicon.most_periods, 1, i,
                                 self.text(i, at + 1))  # fmt: skip
                    i = at + 1
                    continue
            # "for the past fortnight", "over the last month": one of a day or longer
            if low[i : i + 1] == ["the"] and low[i + 1 : i + 2] in (["past"], ["last"]):
                unit = low[i + 2] if i + 2 < n else ""
                if (
                    self.p.units.get(unit, 0) >= DAY
                    and low[i - 1 : i] != ["since"]
                    and low[i + 3 : i + 4] != ["of"]  # "the last day of my holiday"
                ):
                    days = self.p.units[unit] / DAY
                    ongoing.append((round(days, 2), i, 2, self.text(i, i + 3)))
                    i += 3
                    continue
            # since yesterday / started this morning
            if low[i] in w["since"]:
                for words, days in self.p.since:
                    if tuple(low[i + 1 : i + 1 + len(words)]) == words:
                        ongoing.append((days, i, 2, self.text(i, i + 1 + len(words))))
                        break
            q = self.quantity(i)
            if q is None:
                i += 1
                continue
            value, at = q
            hyphen = at < n and low[at] == "-"
            unit_at = at + 1 if hyphen else at
            if unit_at >= n:
                i += 1
                continue
            unit = low[unit_at]
            # frequency: "3 times a week", "two or three evenings a week", "once a week"
            times_at = unit_at + 1 if unit in w["times"] else unit_at
            word_once = low[i] in w["once"]
            # "four nights in the week", "3 days in a week": a period said with "in" too
            if unit in w["times"] or word_once or (
                unit in self.p.periods and unit_at + 1 < n
                and (low[unit_at + 1] in w["per"] or low[unit_at + 1] == "in")
                and self.p.periods[unit] < 1
            ):  # fmt: skip
                at2 = times_at if unit in w["times"] or word_once else unit_at + 1
                if at2 < n and low[at2] in w["per_word"] and not self.blocked(i):
                    # "3 times weekly", "twice monthly"
                    weeks = self.p.periods[low[at2].removesuffix("ly")]
                    self.add("episodes_per_week", round(value / weeks, 2), 2, i,
                             self.text(i, at2 + 1))  # fmt: skip
                    self.used.update(range(i, at2 + 1))
                    i = at2 + 1
                    continue
                # "2 times in week", "one time in the month" (never "3 times in the night")
                said_in = at2 < n and low[at2] == "in"
                if said_in and at2 + 2 < n and low[at2 + 1] in w["article"] | {"the"}:
                    at2 += 1
                if at2 + 1 < n and (said_in or low[at2] in w["per"] | w["every"] | w["article"]):
                    per = low[at2 + 1]
                    if per in self.p.periods and not (said_in and self.p.periods[per] < 1):
                        weeks = self.p.periods[per]
                        said = self.text(i, at2 + 2)
                        if not self.blocked(i):
                            self.add("episodes_per_week", round(value / weeks, 2), 2, i, said)
                        else:  # "on dialysis 3x a week": the cramps may come with each
                            treatments.append((round(value / weeks, 2), i, said))
                        self.used.update(range(i, at2 + 2))
                        i = at2 + 2
                        continue
            if unit not in self.p.units:
                i = at if at > i else i + 1
                continue
            seconds = value * self.p.units[unit]
            end = unit_at + 1
            if low[end : end + 3] == list(self.p.seqs["and_a_half"]):
                seconds += 0.5 * self.p.units[unit]
                end += 3
            elif low[end : end + 2] == list(self.p.seqs["or_two"]) and value == 1:
                seconds = 1.5 * self.p.units[unit]
                end += 2
            start = i
            for words in self.p.less_than:
                if tuple(low[i - len(words) : i]) == words:
                    seconds *= 0.75
                    start = i - len(words)
            # "over two weeks", "a fortnight and a bit": a little more than said
            more = [tuple(x.split()) for x in w["more_than"]]
            if any(
                i >= len(m)
                and tuple(low[i - len(m) : i]) == m
                and low[i - len(m) - 1 : i - len(m)] not in (["no"], ["not"], ["n't"])
                for m in more
            ):  # "over a week", not "no longer than a minute"
                seconds *= 1.1
            elif after := next((m for m in map(str.split, w["and_more"])
                                if low[end : end + len(m)] == m), None):  # fmt: skip
                seconds *= 1.1
                end += len(after)
            self.used.update(range(i, end))
            self.duration(seconds, start, end, unit, hyphen, ongoing)
            i = end
        if ongoing:
            best = min(ongoing, key=lambda o: (-o[2], self.symptom_distance(o[1]), o[1]))
            self.add("ongoing_days", best[0], 3, best[1], best[3])
        self.each_time(treatments)

    def each_time(self, treatments: list[tuple[float, int, str]]) -> None:
        """ "on dialysis 3x a week and get cramps towards the end of each session", "I run 4
        times a week and cramp every time": the cramps come as often as what they come with."""
        low = self.lower
        if not treatments or any(c.key == "episodes_per_week" for c in self.candidates):
            return
        for j in range(len(low) - 1):
            if low[j] in self.p.words["every"] and low[j + 1] in self.p.words["each_time"]:
                told = [m for m in self.by_sent.get(self.sent_of[j], ())
                        if m.concept in SYMPTOM_MARKERS and not m.negated]  # fmt: skip
                if told:
                    value, start, said = treatments[-1]
                    self.add("episodes_per_week", value, 1, start, said)
                    return

    def clock_times(self) -> None:
        """ "woke at 5 ... it's now gone 5.30 and it's still rock hard": an episode still going
        has lasted from the clock time it began to the one said to be now."""
        w = self.p.words
        low = self.lower
        began: tuple[int, int] | None = None  # (minutes past midnight or noon, token)
        for i in range(len(low)):
            t = self.clock(i)
            named = t is None and low[i] in w["clock_noon"] and i not in self.used
            if named:
                t = 0  # "still going at midday", "still locked now at lunch": twelve o'clock
            if t is None:
                continue
            j = i - 1
            while j >= 0 and low[j] in w["clock_fillers"]:
                j -= 1
            if j < 0:
                continue
            if low[j] in w["clock_at"] and began is not None and self.now_at(j, began[1]):
                # "... and it's still locked now at 12", "still going at midday"
                minutes = (t - began[0]) % 720
                if 0 < minutes <= MAX_CLOCK_MINUTES:
                    self.add("duration_s", minutes * 60, 2, began[1], self.text(began[1], i + 1))
                return
            if named:
                continue
            if low[j] in w["clock_at"] and began is None:
                # the time the episode began: one named near it ("woke at 5 with my calf in a
                # cramp", "cramp started at 3:15"), not a plan ("my run starts at 6")
                if any(m.concept in SYMPTOM_MARKERS and abs(m.start - i) <= CLOCK_REACH
                       for m in self.mentions):  # fmt: skip
                    began = (t, i)
            elif low[j] in w["clock_now"] and began is not None:
                minutes = (t - began[0]) % 720
                still = any(m.concept.startswith("_still_going") and m.start > began[1]
                            for m in self.mentions)  # fmt: skip
                if still and 0 < minutes <= MAX_CLOCK_MINUTES:
                    self.add("duration_s", minutes * 60, 2, began[1], self.text(began[1], i + 1))
                return

    def now_at(self, j: int, began: int) -> bool:
        """Whether the time after "at" (token j) is the time it is now, the episode still going:
        "now" just before it ("still locked now at 12") or a still going just before it ("still
        going at midday"), after the time it began."""
        w = self.p.words
        low = self.lower
        k = j - 1
        while k >= 0 and low[k] in w["clock_fillers"]:
            k -= 1
        now = k >= 0 and low[k] in w["clock_now"]
        still = [m for m in self.mentions if m.concept.startswith("_still_going") and
                 began < m.start < j]  # fmt: skip
        return bool(still) and (now or any(j - 2 <= m.end <= j for m in still))

    def clock(self, i: int) -> int | None:
        """A time of day at token i ("5", "5.30", "5:30", "5am") in minutes past twelve, or
        None; not a number with a unit after it ("at 5 minutes in")."""
        low = self.lower
        found = CLOCK.match(low[i])
        if found is None or i in self.used:
            return None
        hour, minute = int(found.group(1)), int(found.group(2) or 0)
        end = i + 1
        if found.group(2) is None and low[end : end + 1] == [":"] and end + 1 < len(low):
            after = CLOCK_MINUTES.match(low[end + 1])
            if after is None:
                return None
            minute, end = int(after.group()), end + 2
        nxt = low[end] if end < len(low) else ""
        if nxt in self.p.units or nxt in self.p.periods or hour > 23 or minute > 59:
            return None
        return (hour % 12) * 60 + minute

    def body_temperature(self) -> None:
        """ "temp 38.4", "she's 38.5 degrees", "101F": a fever (38C or above) or not; a number
        said of the weather ("it was 38.5 degrees outside") is not a body's."""
        w = self.p.words
        low, n = self.lower, len(self.doc)
        for i in range(n):
            if i in self.used or not DIGITS.match(low[i]):
                continue
            value = self.number(i)
            if value is None:
                continue
            a, b = self.doc.sentence(i)
            before = set(low[max(a, i - 3) : i])
            after = low[i + 1] if i + 1 < b else ""
            said_temp = bool(before & set(w["temperature"]))
            said_degrees = after in w["degrees"] and "." in low[i]
            # "he's 38.9": an age is never a decimal
            said_of_person = (
                "." in low[i]
                and i >= 2
                and low[i - 1] in w["is"] | w["am"]
                and low[i - 2] in w["he_she"] | w["i"]
            )
            if not (said_temp or said_degrees or said_of_person):
                continue
            if set(low[max(a, i - 5) : min(b, i + 5)]) & set(w["weather"]):
                continue
            fahrenheit = after in ("f", "fahrenheit", "ºf") or value >= BODY_F[0]
            span, limit = (BODY_F, FEVER_F) if fahrenheit else (BODY_C, FEVER_C)
            if not span[0] <= value <= span[1]:
                continue
            self.used.add(i)
            # the number is a body's, not the day's ("38.5 degrees" is no heat)
            self.candidates = [
                c for c in self.candidates
                if not (c.key == "hot_environment" and i - 2 <= c.start <= i)
            ]  # fmt: skip
            start = min((j for j in range(max(a, i - 3), i) if low[j] in w["temperature"]),
                        default=i)  # fmt: skip
            end = i + 2 if after in w["degrees"] else i + 1
            self.add("fever", value >= limit, 3, start, self.text(start, end))

    def symptom_distance(self, at: int) -> int:
        dist = [
            abs(m.start - at) + (0 if m.sent == self.sent_of[at] else 30)
            for m in self.mentions
            if m.concept in SYMPTOM_MARKERS
        ]
        return min(dist, default=999)

    def duration(
        self,
        seconds: float,
        start: int,
        end: int,
        unit: str,
        hyphen: bool,
        ongoing: list[tuple[float, int, float, str]],
    ) -> None:
        low = self.lower
        said = self.text(start, end)
        sent = self.sent_of[start]
        before = [
            x for x in low[max(0, start - 4) : start] if x not in self.p.words["approximately"]
        ]
        k = start - 1
        while k >= 0 and low[k] in self.p.words["fillers"]:
            k -= 1
        prev = low[k] if k >= 0 else ""
        prev2 = low[k - 1] if k >= 1 else ""
        nxt = low[end] if end < len(low) else ""
        exercise = self.in_sentence(sent, "_exercise", "exercise_intense")
        symptoms = [m for m in self.by_sent.get(sent, ()) if m.concept in SYMPTOM_MARKERS]
        s_start, s_end = self.doc.sentence(start)
        starts = any(w in self.p.words["start"] for w in low[s_start:s_end])
        words = self.p.words
        if any(
            m.start <= start
            and end <= m.end
            and m.concept in self.p.concepts
            and self.p.concepts[m.concept].owns_quantity
            and not self.undone(m)
            for m in self.by_sent.get(sent, ())
        ):  # "two 9 hour flights", "drove for 8 hours": part of another finding
            return
        ended = prev in words["within"] and k >= 1 and low[k - 1] in words["ended"]
        if nxt in words["pregnant"] or (prev in words["within"] and not hyphen and not ended):
            return
        if hyphen:  # "a 3-hour bike ride", "9-hour shifts": a modifier of what follows
            if any(0 <= m.start - end <= 2 for m in exercise):
                self.add("exercise_minutes", round(seconds / 60), 2, start, said)
            return
        long = seconds >= DAY
        if nxt in words["ago"]:
            if starts:
                ongoing.append((round(seconds / DAY) if long else 0, start, 1, said))
            # "started 25 minutes ago and it's still rock hard": how long it has lasted so far
            if not long and any(
                m.concept.startswith("_still_going") and m.start > end
                for m in self.by_sent.get(sent, ())
            ):
                self.add("duration_s", round(seconds, 1), 1, start, said)
            return
        if nxt in words["after_episode"] and prev != "for":  # "8 hours later" (not "for 8 hours")
            return
        if long:
            # "twitches in my right hand two months, now ...": days right after the symptom or
            # its site, ending the clause, are how long it has gone on
            told = nxt in words["clause_ends"] and any(
                m.end == k + 1
                and (m.concept in SYMPTOM_MARKERS or "site" in getattr(
                    self.p.concepts.get(m.concept), "set", {}))
                for m in self.by_sent.get(sent, ())
            )  # fmt: skip
            if words["ongoing_before"] & set(before) or nxt == "now" or told:
                ongoing.append((round(seconds / DAY, 2), start, 2, said))
            return
        if any(
            w in words["period"] and (j == 0 or before[j - 1] not in words["subjects"])
            for j, w in enumerate(before)
        ):  # "the last 30 seconds", not "they last 30 seconds"
            return
        if self.p.units[unit] == HOUR:
            # "8 hours of sleep", "four hours sleep"
            said_sleep = low[end : end + 2] == list(self.p.seqs["of_sleep"]) or (
                end < len(low) and low[end] in self.p.words["sleep_nouns"]
            )
            if (
                self.in_sentence(sent, "_sleep")
                and any(
                    m.end <= start and start - m.end <= 4 for m in self.in_sentence(sent, "_sleep")
                )
            ) or said_sleep:
                self.add("sleep_hours", seconds / 3600, 3, start, said)
                return
            if self.in_sentence(sent, "_screen"):
                self.add("screen_hours", seconds / 3600, 3, start, said)
                return
        if nxt in words["within"] and exercise:
            self.add("exercise_minutes", round(seconds / 60), 2, start, said)
            return
        before_q = [m for m in exercise + symptoms if m.end <= start]
        nearest = max(before_q, key=lambda m: m.end) if before_q else None
        if exercise and (
            # hours: the exercise's, unless a symptom is named last before ("cramps for an hour")
            (self.p.units[unit] >= HOUR and nearest not in symptoms)
            or (
                any(abs(m.start - start) <= 4 for m in exercise)
                and not any(abs(m.start - start) <= 4 for m in symptoms)
            )
        ):
            self.add("exercise_minutes", round(seconds / 60), 2, start, said)
            return
        if prev == "for" and prev2 in self.p.blockers | self.p.words["activities"]:
            return
        self.add("duration_s", round(seconds, 1), 1, start, said)

    def lifestyle_numbers(self) -> None:
        """Cups of coffee, drinks: a number next to what was drunk."""
        w = self.p.words
        low, n = self.lower, len(self.doc)
        for i in range(n):
            if i in self.used:
                continue
            q = self.quantity(i)
            if q is None or low[i] in self.p.words["article"]:
                continue
            value, end = q
            if end < n and low[end] in w["dose_units"]:  # "300mg caffeine": a dose, not cups
                continue
            sent = self.sent_of[i]
            after = [m for m in self.by_sent.get(sent, ()) if 0 <= m.start - end <= 2]
            kinds = [m.concept for m in after]
            if "_caffeine" in kinds:
                self.add("caffeine_cups", value, 2, i, self.text(i, after[0].end))
                self.used.update(range(i, end))
            elif "_alcohol" in kinds:
                self.add("alcohol_drinks", value, 2, i, self.text(i, after[0].end))
                self.used.update(range(i, end))
            elif end + 1 < n and low[end] in w["per"] and low[end + 1] in w["day"]:
                # "probably 6 a day": whatever was named last in the sentence
                named = [
                    m
                    for m in self.by_sent.get(sent, ())
                    if m.concept in ("_caffeine", "_alcohol", "smoker") and m.end <= i
                ]
                if named and named[-1].concept == "_caffeine":
                    self.add("caffeine_cups", value, 1, i, self.text(i, end + 2))
                elif named and named[-1].concept == "_alcohol":
                    self.add("alcohol_drinks", value, 1, i, self.text(i, end + 2))
