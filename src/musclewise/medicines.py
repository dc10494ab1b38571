"""Recognise the medicines people type and map them to the drug classes that matter here.

One typed string is resolved in this order:

1. **Normalise**: case, accents and punctuation are ignored, doses ("40mg", "20 mg", "0.5%",
   bare numbers) are dropped, and a second form also drops forms and directions ("tablets",
   "inhaler", "cream", "once daily", "at night") and salt names ("sulfate", "sodium").
2. **Our own table** (``knowledge/data/medicines.yaml``): lay terms ("water tablet", "the pill",
   "Seretide") and our drugs' generic names, aliases and brands, matched exactly on the
   normalised text (also without spaces, and with a final plural "s" removed). Besides the
   drugs of the classes that matter, the table lists the common medicines that are in none
   (metformin, omeprazole, "Tylenol"), which come back with ``classes=()``.
3. **Combinations** are split on "/", "+", ",", ";", "&", "(", ")", "and", "with", and each
   part is resolved on its own; the match unites their classes.
4. **The drug library** (``drug_named_entity_recognition``), exact first, for the rarer names
   our table does not know. A drug it knows that our table does not comes back with
   ``classes=()`` and ``how="exact"``. Its combination products without a DrugBank id
   ("Budesonide/formoterol") are mapped through their ingredients.
5. **Fuzzy**, only for a single word of five or more letters: the library's fuzzy match or the
   closest spelling in our table, accepted only if it starts with the same letter and its
   :class:`difflib.SequenceMatcher` ratio is at least 0.8. Multi-word phrases are never
   matched fuzzily (the library's fuzzy matcher reads "the pill" and "water pill" as
   gemfibrozil).
6. **Unknown**, with the closest name or term of our table as a "did you mean" suggestion.

The library takes over a second to import and a few hundred megabytes of memory, so it is
imported only when a string is not resolved by our table (a misspelling is one such string),
and its answers are cached. Apart from that import this module does no I/O, and it never logs
or stores what it is given (health data) beyond an in-memory cache. It does not import
Pydantic either: :func:`load_medicines` imports the schema when called.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from musclewise.medicine_names import (
    LEADING,
    LOCAL_WORDS,
    SPLIT_RE,
    bare_tokens,
    clean_text,
    match_forms,
    name_key,
    name_tokens,
    singular,
    tokens_key,
)

if TYPE_CHECKING:
    from musclewise.knowledge.medicine_schema import MedicinesFile

__all__ = [
    "How",
    "MedicineMatch",
    "MedicineResolver",
    "load_medicines",
    "match_forms",
    "name_key",
]

How = Literal["lay_term", "exact", "fuzzy", "vague", "unknown"]

FUZZY_MIN_LETTERS = 5
FUZZY_MIN_RATIO = 0.8
SUGGESTION_MIN_RATIO = 0.6
_MEMO_SIZE = 4096


@dataclass(frozen=True, slots=True)
class MedicineMatch:
    """What one typed medicine was recognised as.

    ``how`` says how it was recognised: ``"lay_term"`` (a phrase or combination product of our
    table), ``"exact"`` (a generic or brand name, ours or the library's), ``"fuzzy"`` (a
    misspelling of one), ``"vague"`` (recognised, but too vague to tell the class, such as
    "blood pressure pill") or ``"unknown"``. Empty ``classes`` mean either "recognised, in no
    class that matters here" or, with ``how`` "vague" or "unknown", "cannot tell".
    ``suggestion`` is the closest known name for an unknown string ("did you mean ...?"), and
    the name that was assumed for a fuzzy match.
    """

    given: str
    name: str | None
    drugbank_id: str | None
    classes: tuple[str, ...]
    how: How
    suggestion: str | None = None


def _lookup_keys(key: str) -> list[str]:
    """``key``, then with a final plural "s" removed, then without a leading "my", "the"..."""
    words = key.split()
    keys: list[str] = []
    while words:
        keys.append(" ".join(words))
        keys.append(singular(keys[-1]))
        if words[0] not in LEADING:
            break
        words = words[1:]
    return keys


# --------------------------------------------------------------------------- the library


class _LibraryHit(NamedTuple):
    name: str
    drugbank_id: str | None
    variant: str
    fuzzy: bool


@functools.cache
def _find_drugs() -> Callable[..., list[tuple[dict[str, Any], int, int]]]:
    """The library's ``find_drugs``, imported on first use (the import takes over a second)."""
    from drug_named_entity_recognition import find_drugs

    return find_drugs  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=4096)
def _library(tokens: tuple[str, ...], fuzzy: bool) -> tuple[_LibraryHit, ...]:
    """The library's matches for ``tokens`` (one token when ``fuzzy``)."""
    hits: list[_LibraryHit] = []
    for data, _start, _end in _find_drugs()(list(tokens), is_fuzzy_match=fuzzy):
        name = data.get("name")
        if not isinstance(name, str) or not name:
            continue
        drugbank_id = data.get("drugbank_id")
        variant = data.get("match_variant") or data.get("matching_string") or name
        hit = _LibraryHit(
            name=name.lower(),
            drugbank_id=drugbank_id if isinstance(drugbank_id, str) else None,
            variant=str(variant).lower(),
            fuzzy=data.get("match_type") == "fuzzy",
        )
        if hit not in hits:
            hits.append(hit)
    return tuple(hits)


# --------------------------------------------------------------------------- the resolver


class _Result(NamedTuple):
    """A resolution before it is tied to what was typed."""

    name: str | None
    drugbank_id: str | None
    classes: tuple[str, ...]
    how: How
    suggestion: str | None = None


_UNKNOWN = _Result(None, None, (), "unknown")
_HOW_ORDER: tuple[How, ...] = ("fuzzy", "exact", "lay_term", "vague")


def _unite(results: Sequence[_Result]) -> _Result:
    """One result for the parts of a combination (the unknown parts are left out)."""
    known = [r for r in results if r.how != "unknown"]
    if not known:
        suggestion = next((r.suggestion for r in results if r.suggestion), None)
        return _UNKNOWN._replace(suggestion=suggestion)
    if len(known) == 1:
        return known[0]
    names = list(dict.fromkeys(r.name for r in known if r.name))
    ids = {r.drugbank_id for r in known}
    classes = tuple(dict.fromkeys(c for r in known for c in r.classes))
    how = next(h for h in _HOW_ORDER if any(r.how == h for r in known))
    suggestion = next((r.suggestion for r in known if r.how == "fuzzy"), None)
    return _Result(
        name=" + ".join(names) or None,
        drugbank_id=ids.pop() if len(ids) == 1 else None,
        classes=classes,
        how=how,
        suggestion=suggestion,
    )


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


class MedicineResolver:
    """Resolves typed medicine names against a validated :class:`MedicinesFile`.

    Resolution is memoised per normalised string, so resolving the same name again is a
    dictionary look-up.
    """

    def __init__(self, table: MedicinesFile) -> None:
        self._setup(table.model_dump())

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> MedicineResolver:
        """A resolver for ``medicines.yaml`` data that was validated already, as plain data
        (``MedicinesFile.model_dump()``, or the knowledge base's cached copy of it); this
        avoids importing Pydantic."""
        resolver = cls.__new__(cls)
        resolver._setup(data)
        return resolver

    def _setup(self, data: Mapping[str, Any]) -> None:
        classes = data["classes"]
        self._systemic_only = frozenset(c["id"] for c in classes if c.get("systemic_only"))
        self._drugs: dict[str, _Result] = {}
        self._index: dict[str, _Result] = {}  # every spelling, with and without spaces
        self._drug_index: dict[str, _Result] = {}  # drug spellings only
        self._display: dict[str, str] = {}  # key -> spelling as written, for suggestions
        for drug in data["drugs"]:
            drugbank_id = drug["drugbank_id"]
            classes = tuple(drug.get("classes") or ())  # none: recognised, in no class
            result = _Result(drug["name"], drugbank_id, classes, "exact")
            self._drugs[drugbank_id] = result
            for text in (drug["name"], *drug.get("aliases", ()), *drug.get("brands", ())):
                self._add(text, result, drug=True)
        for term in data["lay_terms"]:
            text = term["term"]
            if term.get("drug") is not None:
                result = self._drugs[term["drug"]]._replace(how="lay_term")
            else:
                # a term that stands for no generic name is reported under its own name
                name = term.get("name") or " ".join(text.lower().split())
                how: How = "vague" if term.get("vague") else "lay_term"
                result = _Result(name, None, tuple(term.get("classes") or ()), how)
            self._add(text, result, drug=False)
        self._single_words = sorted(k for k in self._display if " " not in k)
        self._memo: dict[str, MedicineMatch] = {}

    def _add(self, text: str, result: _Result, *, drug: bool) -> None:
        key = name_key(text)
        self._display.setdefault(key, text)
        for k in (key, key.replace(" ", "")):
            self._index.setdefault(k, result)
            if drug:
                self._drug_index.setdefault(k, result)

    # ---------------------------------------------------------------- public API

    def resolve(self, given: str) -> MedicineMatch:
        """Resolve one typed medicine (see the module docstring for the order)."""
        memo_key = " ".join(unicodedata.normalize("NFKC", given).casefold().split())
        match = self._memo.get(memo_key)
        if match is None:
            result = self._resolve(memo_key)
            match = MedicineMatch(given, *result)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[memo_key] = match
        return match if match.given == given else replace(match, given=given)

    def resolve_all(self, names: Sequence[str]) -> list[MedicineMatch]:
        """Resolve each typed medicine, in order."""
        return [self.resolve(name) for name in names]

    def classes_of(self, names: Sequence[str]) -> frozenset[str]:
        """Every class that any of the typed medicines belongs to."""
        return frozenset(c for match in self.resolve_all(names) for c in match.classes)

    # ---------------------------------------------------------------- resolution

    def _resolve(self, text: str) -> _Result:
        cleaned = clean_text(text)
        whole = self._from_table(SPLIT_RE.sub(" ", cleaned))
        if whole is not None:
            return whole
        parts = [p for p in SPLIT_RE.split(cleaned) if name_tokens(p)]
        if not parts:
            return _UNKNOWN._replace(suggestion=self._suggest(name_key(text)))
        return _unite([self._resolve_part(part) for part in parts])

    def _from_table(self, part: str) -> _Result | None:
        """Our table's match for one part, by its full then its bare form."""
        tokens = name_tokens(part)
        for key in (tokens_key(tokens), tokens_key(bare_tokens(tokens))):
            result = self._lookup(key, self._index)
            if result is not None:
                return self._local(result, tokens)
        return None

    def _lookup(self, key: str, index: dict[str, _Result]) -> _Result | None:
        for k in _lookup_keys(key):
            result = index.get(k) or index.get(k.replace(" ", ""))
            if result is not None:
                return result
        return None

    def _local(self, result: _Result, tokens: Iterable[str]) -> _Result:
        """Drop the classes that need the drug in the body when it is used on the skin, eye..."""
        if self._systemic_only.intersection(result.classes) and LOCAL_WORDS.intersection(tokens):
            kept = tuple(c for c in result.classes if c not in self._systemic_only)
            return result._replace(classes=kept)
        return result

    def _resolve_part(self, part: str) -> _Result:
        table = self._from_table(part)
        if table is not None:
            return table
        tokens = name_tokens(part)
        bare = bare_tokens(tokens)
        if not bare:
            return _UNKNOWN._replace(suggestion=self._suggest(tokens_key(tokens)))
        result = self._exact_in_library(bare)
        if result is None and len(bare) == 1:
            result = self._fuzzy(bare[0])
        if result is None:
            return _UNKNOWN._replace(suggestion=self._suggest(tokens_key(bare)))
        return self._local(result, tokens)

    def _exact_in_library(self, tokens: list[str]) -> _Result | None:
        hits = _library(tuple(tokens), False)
        if not hits and any("-" in t for t in tokens):
            hits = _library(tuple(tokens_key(tokens).split()), False)
        if not hits:
            return None
        return _unite([self._from_library(hit, "exact") for hit in hits])

    def _from_library(self, hit: _LibraryHit, how: How) -> _Result:
        """A library match in terms of our table: by DrugBank id, by name, by ingredients."""
        ours = self._drugs.get(hit.drugbank_id) if hit.drugbank_id else None
        if ours is None:
            ours = self._lookup_drug(hit.name)
        if ours is not None:
            return ours._replace(how=how)
        # A combination product the library knows only by its ingredients. Those that hold a
        # corticosteroid are nearly all drops or creams, so `systemic_only` classes are left out.
        parts = [self._lookup_drug(p) for p in re.split(r"/|\+|,|-|\band\b", hit.name)]
        classes = tuple(
            dict.fromkeys(
                c for p in parts if p is not None for c in p.classes if c not in self._systemic_only
            )
        )
        return _Result(hit.name, hit.drugbank_id, classes, how)

    def _lookup_drug(self, text: str) -> _Result | None:
        tokens = name_tokens(clean_text(text))
        for key in (tokens_key(tokens), tokens_key(bare_tokens(tokens))):
            if key:
                result = self._lookup(key, self._drug_index)
                if result is not None:
                    return result
        return None

    def _fuzzy(self, word: str) -> _Result | None:
        """A close spelling of one word: ours or the library's, whichever is closer."""
        if len(word) < FUZZY_MIN_LETTERS or not word.isalpha():
            return None
        best: tuple[float, int, _Result, str] | None = None
        close = difflib.get_close_matches(word, self._single_words, n=3, cutoff=FUZZY_MIN_RATIO)
        for key in close:
            if key[0] == word[0]:
                candidate = (_ratio(word, key), 1, self._index[key], self._display[key])
                best = max(best, candidate, key=lambda c: c[:2]) if best else candidate
        for hit in _library((word,), True):
            spellings = [s for s in (hit.variant, hit.name) if s and s[0] == word[0]]
            ratio = max((_ratio(word, s) for s in spellings), default=0.0)
            if ratio >= FUZZY_MIN_RATIO:
                candidate = (ratio, 0, self._from_library(hit, "fuzzy"), hit.variant)
                best = max(best, candidate, key=lambda c: c[:2]) if best else candidate
        if best is None:
            return None
        _, _, result, spelling = best
        return result._replace(how="fuzzy", suggestion=spelling)

    def _suggest(self, key: str) -> str | None:
        """The closest name or term of our table, as it is written there."""
        if not key:
            return None
        close = difflib.get_close_matches(key, self._display, n=1, cutoff=SUGGESTION_MIN_RATIO)
        return self._display[close[0]] if close else None


def load_medicines(raw: object) -> MedicinesFile:
    """Validate parsed ``medicines.yaml`` (a dict) with the Pydantic models.

    Raises :class:`~musclewise.errors.KnowledgeError` naming every problem and where it is
    (``drugs.3: unknown key 'brand'; did you mean 'brands'? (allowed keys: ...)``).
    """
    from pydantic import ValidationError

    from musclewise.errors import KnowledgeError
    from musclewise.knowledge.medicine_schema import MedicinesFile

    try:
        return MedicinesFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise KnowledgeError(
            "medicines.yaml is not valid: " + "; ".join(problems),
            hint="fix the knowledge file; this is a bug in the package data",
        ) from exc
