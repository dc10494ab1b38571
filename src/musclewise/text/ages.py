"""The reader's rules for one document, second part (see :mod:`musclewise.text.rules`): the
person's age and sex, however they are said ("I'm 38", "a 62-year-old", "my daughter 4 yrs",
"nan 82", "67M", "in my 70s")."""

from __future__ import annotations

from musclewise.text.document import AGE_RANGE, DIGITS, PERSONS, SENTENCE_ENDS, SYMPTOM_MARKERS
from musclewise.text.numbers import TENS, UNITS, NumberRules


class AgeRules(NumberRules):
    """The rules for one document that read the person's age and sex."""

    def whole(self, i: int) -> float | None:
        """The number at token i, with its other half when tens and units are both in words
        ("I'm twenty five", "twenty five year old")."""
        value = self.number(i)
        if value is None or not self.lower[i].isalpha():
            return value
        low = self.lower
        if value in TENS:
            j = i + 2 if low[i + 1 : i + 2] == ["-"] else i + 1
            ones = self.number(j) if j < len(low) and low[j].isalpha() else None
            return value + ones if ones in UNITS else value
        k = i - 2 if i >= 2 and low[i - 1] == "-" else i - 1
        tens = self.number(k) if k >= 0 and low[k].isalpha() else None
        return value + tens if value in UNITS and tens in TENS else value

    def age_and_sex(self) -> None:
        w = self.p.words
        low, n = self.lower, len(self.doc)
        for i in range(n):
            age: float | None = None
            start = i
            if low[i] in w["i"] and i + 1 < n and low[i + 1] in w["am"]:
                j = i + 2
                if j < n and low[j] in w["article"]:
                    j += 1
                value = self.whole(j) if j < n else None
                follow = low[j + 1] if j + 1 < n else ""
                if (
                    value is not None
                    and follow not in self.p.units
                    and follow not in w["not_age"]
                    and follow not in ("%", "/", "-")
                ):
                    age = value
                elif value is None:
                    # "I'm an accountant, 38."
                    k = j
                    while k < n and low[k] not in SENTENCE_ENDS | w["clause_and"]:
                        if low[k] == "," and k + 1 < n:
                            v = self.whole(k + 1)
                            if v is not None and (k + 2 >= n or low[k + 2] in (".", "!", ",")):
                                age = v
                            break
                        k += 1
            elif (
                (
                    i + 4 < n
                    and low[i + 1] == low[i + 3] == "-"
                    and low[i + 2] in w["year"]
                    and low[i + 4] in w["old"]
                )
                or (i + 2 < n and low[i + 1] in w["year"] and low[i + 2] in w["old"])
                or (low[i + 1 : i + 4] == list(self.p.seqs["y_o"]))
                or (low[i + 1 : i + 2] == ["year"] and low[i + 2 : i + 4] == ["-", "old"])
                or self.age_after_person(i)  # "my daughter 4 yrs", "nan 82"
                or self.age_after_intro(i)  # "Joiner, 58.", "My dad's a roofer, 58,"
            ):
                age = self.whole(i)
            elif said := self.age_said_short(i):  # "67M", "F 54"
                age, start, sex = said
                self.add("sex", sex, 2, start, self.text(i, start + 2))
            elif low[i] in w["aged"] and i + 1 < n:
                age, start = self.whole(i + 1), i + 1
            elif (
                low[i] in w["is"]
                and i + 1 < n
                and i > 0
                and any(
                    m.concept in PERSONS
                    and 0 <= i - m.end <= 2
                    and set(low[m.end : i]) <= w["who"] | {","}
                    for m in self.by_sent.get(self.sent_of[i], ())
                )
            ) or (low[i] in w["is"] and i > 0 and low[i - 1] in w["he_she"]):
                value = self.whole(i + 1)
                follow = low[i + 2] if i + 2 < n else ""
                if value is not None and follow not in self.p.units:
                    age, start = value, i + 1
            elif (
                low[i] in w["age_open"]
                and i > 0
                and i + 2 < n
                and low[i + 2] in w["age_close"]
                and any(
                    m.concept in PERSONS and m.end == i
                    for m in self.by_sent.get(self.sent_of[i], ())
                )
            ):
                age, start = self.whole(i + 1), i + 1
            if age is not None and AGE_RANGE[0] <= age <= AGE_RANGE[1] and age == int(age):
                self.add("age", int(age), 3, start, self.text(i, i + 5 if i + 5 < n else n))
                self.used.add(start)
                break
        else:  # no age said outright: "in my 70s"
            for i in range(n):
                if decade := self.decade_age(i):
                    self.add("age", int(decade[0]), 2, decade[1], self.text(i, decade[1] + 2))
                    break
        # sex: the person introduced in the first sentence ("I'm a 62-year-old woman",
        # "My son is 15")
        for m in self.mentions:
            intro = bool(
                w["i"] & set(self.lower[max(0, m.start - 8) : m.start])
                and w["article"] & set(self.lower[max(0, m.start - 6) : m.start])
            )
            # "my wife's dad", "my husband's mum": the one the message is about is the second
            possessor = self.lower[m.end : m.end + 1] == ["'s"] and any(
                p.start == m.end + 1 and p.concept in PERSONS for p in self.mentions
            )
            if (m.sent == 0 or intro) and m.concept in ("_female", "_male") and not possessor:
                self.add("sex", "female" if m.concept == "_female" else "male", 1, m.start, m.text)
                break

    def age_after_intro(self, i: int) -> bool:
        """A number of years ending the message's opening words ("Joiner, 58.", "Farmer here,
        52.", "My dad's a roofer, 58, working in the heat"): an age, when the words before it
        are a few plain words and it ends its clause ("Mile 20, calf went", "Type 2." and
        "cramp 10 minutes" are not)."""
        w = self.p.words
        low, n = self.lower, len(self.doc)
        if self.sent_of[i] != 0 or not DIGITS.match(low[i]) or not 1 <= i <= 8:
            return False
        if i + 1 < n and low[i + 1] not in (".", ",", "!", ";", ":", "|", ")"):
            return False
        words = [x for x in low[:i] if x not in (",", "'s")]
        if not words or not all(x.isalpha() for x in words) or low[i - 1] not in (",", "here"):
            return False
        # a grown-up's job, not a symptom's count ("Leg cramps, 3.", "Calves, 3, both cramping")
        told = any(m.start < i and (m.concept in SYMPTOM_MARKERS or "site" in getattr(
            self.p.concepts.get(m.concept), "set", {})) for m in self.mentions)  # fmt: skip
        return (
            int(low[i]) >= 16
            and not told
            and words[-1] not in w["not_age_intro"]
            and not set(words) & self.p.units.keys()
        )

    def age_after_person(self, i: int) -> bool:
        """ "my daughter 4 yrs", "my boy (5 yrs)", "she is 7 years", "I'm 45 yrs", and a bare
        number just after the person ("nan 82 had a cramp"): an age ("mum 3 years on statins",
        "my son 2 weeks ago", "dad 3 times this week" are not)."""
        w = self.p.words
        low, n = self.lower, len(self.doc)
        if i == 0 or i + 1 > n or self.number(i) is None:
            return False
        persons = [m for m in self.by_sent.get(self.sent_of[i], ()) if m.concept in PERSONS]
        after = low[i + 1] if i + 1 < n else ""
        if after not in w["year"]:  # a bare number: digits, right after the person word
            return (
                bool(DIGITS.match(low[i]))
                and any(m.end == i for m in persons)
                and after not in self.p.units
                and after not in self.p.periods
                and after not in w["not_age"] | w["not_age_bare"]
            )
        if i + 2 < n and low[i + 2] in w["not_age_after_years"]:
            return False
        j = i - 1 if low[i - 1] in w["age_open"] | w["is"] else i
        return (
            any(m.end == j for m in persons)
            or (j == i - 1 and low[i - 1] in w["is"] and i >= 2 and low[i - 2] in w["he_she"])
            or (i >= 2 and low[i - 1] in w["am"] and low[i - 2] in w["i"])
        )

    def age_said_short(self, i: int) -> tuple[float, int, str] | None:
        """An age said with a sex letter at the start ("67M calf cramps", "F 54", "(m, 45)"):
        the age, where its number is, and the sex the letter says."""
        w = self.p.words
        low, n = self.lower, len(self.doc)
        sexes = {"m": "male", "f": "female"}
        opening = i == 0 or low[i - 1] in w["age_open"] | {"(", "i'm", "'m", "am"}
        starts = {m.start for m in self.mentions if m.concept in SYMPTOM_MARKERS}
        starts |= {m.start for m in self.mentions if "site" in getattr(
            self.p.concepts.get(m.concept), "set", {})}  # fmt: skip

        def closes(k: int) -> bool:  # "67M, ...", "67M calf cramps", not "5m into my run"
            return k >= n or low[k] in w["age_close"] | w["intro_close"] or k in starts

        if opening and low[i] in sexes and i + 1 < n:  # "F 54", "(m, 45)"
            j = i + 2 if low[i + 1] == "," else i + 1
            if j < n and DIGITS.match(low[j]) and closes(j + 1):
                return self.number(j) or 0, j, sexes[low[i]]
        letter = low[i + 1 : i + 2]
        if opening and DIGITS.match(low[i]) and letter in (["m"], ["f"]) and closes(i + 2):
            return self.number(i) or 0, i, sexes[letter[0]]  # "67M", "I'm 67f"
        return None

    def decade_age(self, i: int) -> tuple[float, int] | None:
        """ "in my 70s", "in his late eighties": an age by its decade (early +2, mid +5, late +8),
        read only when no age is said outright ("in my 20s I never had cramps, now I'm 61")."""
        w = self.p.words
        low, n = self.lower, len(self.doc)
        if low[i] != "in" or i + 2 >= n or low[i + 1] not in w["possessive"]:
            return None
        j, shift = i + 2, 5
        for part, value in (("decade_early", 2), ("decade_late", 8), ("decade_mid", 5)):
            if low[j] in w[part]:
                j, shift = j + 1, value
        if j < n and low[j].endswith("ies"):  # "seventies"
            tens = self.p.numbers.get(low[j][:-3] + "y")
            return (tens + shift, j) if tens in TENS else None
        if j + 1 < n and DIGITS.match(low[j]) and low[j + 1] == "s" and low[j].endswith("0"):
            return (self.number(j) or 0) + shift, j
        return None
