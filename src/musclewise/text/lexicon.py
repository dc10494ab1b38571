"""The lexicon of the free-text reader (``lexicon.yaml``), validated when it is loaded.

Everything the reader knows about words is data: number words, units, negation and hedging
cues, and the concepts (phrases that set findings, or markers its rules use). Validation
refuses unknown keys, findings keys and values the contract refuses, malformed patterns and
missing markers, so a mistake in the file is a :class:`~musclewise.errors.KnowledgeError` when
it is loaded, never a silent miss later.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from musclewise.errors import FindingsError, KnowledgeError
from musclewise.findings import FINDINGS_KEYS, validate_findings

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")

MARKERS = frozenset(
    {
        "_cramp", "_twitch", "_symptom", "_not_cramp", "_ignore", "_stress", "_stretch", "_rest",
        "_bend", "_relief", "_no_relief", "_exercise", "_afterwards", "_female", "_male", "_child",
        "_caffeine", "_alcohol", "_sleep", "_screen", "_eye", "_lesion", "_overbreathing",
        "_positional", "_cough", "_still_going",
        "_both_hands",
        "_new_parent",
        "_presupposed",
        "_cold_skin",
        "_bruise",
        "_habitual",
        "_person_not_touched",
        "_months_ago",
        "_little",
    }
)  # fmt: skip
"""The markers the reader's rules use; each must be a concept of the lexicon."""

LIST_KEYS = frozenset({"conditions", "medications"})

ROLES = frozenset(
    {
        "start",
        "fillers",
        "list_joiners",
        "list_closers",
        "activities",
        "after_episode",
        "ongoing_before",
        "ended",
        "side",
        "not_muscles",
        "period",
        "subjects",
        "midline_sites",
        "wild_fillers",
        "transparent",
        "transparent_lead",
    }
)
"""The word lists (``words:`` in the lexicon) the reader's rules use by name."""


class Termset(msgspec.Struct, forbid_unknown_fields=True):
    """NegEx cues: before and after a concept, pseudo-cues and scope terminators."""

    preceding: list[str] = msgspec.field(default_factory=list)
    following: list[str] = msgspec.field(default_factory=list)
    pseudo: list[str] = msgspec.field(default_factory=list)
    termination: list[str] = msgspec.field(default_factory=list)


class Concept(msgspec.Struct, forbid_unknown_fields=True):
    """Phrases that mean one thing: findings to set, or a marker for the reader's rules."""

    id: str
    patterns: list[str]
    set: dict[str, Any] = msgspec.field(default_factory=dict)
    negated: dict[str, Any] | None = None
    weight: int = 1
    blockable: bool = False
    negatable: bool = True
    needs: str | None = None
    """A marker (or ``_medicine``) that must be in the same sentence for the mention to count."""
    unless: str | None = None
    """A marker that, in the same sentence, drops the mention (pins and needles from lying on
    an arm)."""
    site_inside: bool | None = None
    """Whether a site named inside a mention can be the episode's site ("cut my hand": no);
    by default, only inside a mention of a warning sign or a site."""
    owns_quantity: bool = False
    """A quantity inside a mention is the concept's own ("two 9 hour flights"), not how long
    the episode lasted."""
    negates_list: bool = False
    """A negative phrase that also negates the findings listed after it ("no pain or
    swelling")."""

    @property
    def marker(self) -> bool:
        return self.id.startswith("_")

    def when_negated(self) -> dict[str, Any]:
        """What a negated mention sets: yes/no findings flip unless the file says otherwise."""
        if self.negated is not None:
            return self.negated
        return {k: not v for k, v in self.set.items() if isinstance(v, bool)}


class Lexicon(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    spellings: dict[str, str]
    lemmas: dict[str, str]
    suffixes: list[str]
    words: dict[str, list[str]]
    numbers: dict[str, float]
    number_phrases: dict[str, float]
    units: dict[str, float]
    periods: dict[str, float]
    most_periods: float
    frequencies: dict[str, float]
    less_than: list[str]
    negation: Termset
    hedges: Termset
    blockers: list[str]
    medicine_ignore: list[str]
    medicine_forms: list[str]
    medicine_joiners: list[str]
    plural_sites: list[str]
    since: dict[str, float]
    sides: dict[str, list[str]]
    side_skip: list[str]
    concepts: list[Concept]


def _check_findings(where: str, values: dict[str, Any]) -> list[str]:
    problems = []
    for key, value in values.items():
        if key not in FINDINGS_KEYS or key == "text":
            problems.append(f"{where}: '{key}' is not a findings key of the contract")
            continue
        try:
            validate_findings({key: [value] if key in LIST_KEYS else value})
        except FindingsError as exc:
            problems.append(f"{where}: {exc.message}")
    return problems


def _check_pattern(where: str, pattern: str) -> list[str]:
    problems = []
    parts = pattern.split()
    if not parts:
        return [f"{where}: an empty pattern"]
    if all(p.endswith("?") and len(p) > 1 for p in parts):
        problems.append(f"{where}: pattern '{pattern}' has only optional parts")
    for part in parts:
        if part in ("?", "|") or "||" in part or part.startswith("|") or part.endswith("|?"):
            problems.append(f"{where}: pattern '{pattern}' has a malformed part '{part}'")
    return problems


def validate(lexicon: Lexicon) -> list[str]:
    """Every problem of a decoded lexicon (an empty list when it is valid)."""
    problems: list[str] = []
    seen: set[str] = set()
    for concept in lexicon.concepts:
        where = f"concept {concept.id}"
        if concept.id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(concept.id)
        if not concept.patterns:
            problems.append(f"{where}: no patterns")
        for pattern in concept.patterns:
            problems += _check_pattern(where, pattern)
        if concept.marker:
            if concept.set:
                problems.append(f"{where}: a marker (id starting with '_') sets no findings")
        elif not concept.set:
            problems.append(f"{where}: sets no findings (a marker's id starts with '_')")
        problems += _check_findings(where, concept.set)
        problems += _check_findings(f"{where} (negated)", concept.negated or {})
        if concept.needs is not None and concept.needs not in MARKERS | {"_medicine"}:
            problems.append(f"{where}: needs '{concept.needs}', which is not a marker")
        if concept.unless is not None and concept.unless not in MARKERS:
            problems.append(f"{where}: unless '{concept.unless}', which is not a marker")
        if concept.weight < -1 or (concept.weight < 1 and "site" not in concept.set):
            problems.append(
                f"{where}: weight must be 1 or more (0 only for a whole-limb site, -1 for a site "
                "said only as where it hurts)"
            )
    absent = ROLES - set(lexicon.words)
    if absent:
        problems.append(f"word lists the reader needs are missing: {', '.join(sorted(absent))}")
    missing = MARKERS - seen
    if missing:
        problems.append(f"markers the reader needs are missing: {', '.join(sorted(missing))}")
    if set(lexicon.sides) != {"left", "right", "both"}:
        problems.append("sides must name exactly left, right and both")
    for name, table in (("units", lexicon.units), ("periods", lexicon.periods)):
        problems += [f"{name}: '{k}' must be positive" for k, v in table.items() if v <= 0]
    return problems


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The validated lexicon; raises :class:`KnowledgeError` naming every problem."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        lexicon = msgspec.convert(data, Lexicon, strict=True)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise KnowledgeError(f"the free-text lexicon {path.name} is invalid: {exc}") from None
    problems = validate(lexicon)
    if problems:
        raise KnowledgeError(
            f"the free-text lexicon {path.name} is invalid: " + "; ".join(problems)
        )
    return lexicon


# --------------------------------------------------------------------------- compiling

TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*/\d+"  # a score: 8/10
    r"|\d+(?:[.,]\d+)*"  # a number
    r"|[^\W\d_]+(?=n't\b)"  # "do" of "don't"
    r"|n't\b"
    r"|'(?:m|s|re|ve|d|ll)\b"
    r"|[^\W\d_]+"  # a word
    r"|\S",  # anything else, one character at a time
    re.IGNORECASE,
)
"""Tokens as the reader sees them ("don't" is "do" and "n't", "62-year-old" five tokens)."""

END = ""
"""The key under which a trie node lists the labels of the phrases that end there (no token
is empty)."""
NUMBER = "#"
ANY = "_"


def tokens(text: str, spellings: dict[str, str] | None = None) -> list[str]:
    """The lower-case tokens of a text (the same for the lexicon's phrases and a description),
    each word of ``spellings`` read as its spelling there ("dont" as "don't")."""
    out: list[str] = []
    for m in TOKEN.finditer(text):
        word = m.group().lower()
        spelt = spellings.get(word) if spellings else None
        out += [t.group() for t in TOKEN.finditer(spelt)] if spelt else [word]
    return out


class Keys:
    """A word's key: its lemma from the lexicon's table, else its stem (suffixes stripped), so
    "swelled", "swelling" and "swells" are one key."""

    def __init__(self, lemmas: dict[str, str], suffixes: list[str]) -> None:
        self.lemmas = {k.lower(): v.lower() for k, v in lemmas.items()}
        self.suffixes = sorted(suffixes, key=len, reverse=True)
        self.memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        key = self.memo.get(word)
        if key is None:
            key = self.memo[word] = self._key(word)
        return key

    def _key(self, word: str) -> str:
        lemma = self.lemmas.get(word)
        if lemma == word:  # listed as its own lemma: a word that only looks inflected
            return word
        word = lemma or word
        if len(word) <= 3 or not word.isalpha():
            return word
        for suffix in self.suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
        if len(word) > 4 and word.endswith("e"):
            word = word[:-1]
        return word


def deletes(word: str) -> set[str]:
    """The word with one letter left out, each way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one(a: str, b: str) -> bool:
    """Whether two words are at most one edit apart (a letter changed, added, dropped, or two
    neighbours swapped)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long = (a, b) if la < lb else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


FUZZY_MIN = 5
"""Words of at least this many letters are corrected for one typo; shorter ones are not."""


def _elements(
    concept: str, pattern: str, keys: Keys, spellings: dict[str, str]
) -> list[list[tuple[str, ...]]]:
    """A lexicon pattern as its elements, each the key sequences it may stand for (an empty
    one when the element is optional); see the syntax in lexicon.yaml."""
    elements: list[list[tuple[str, ...]]] = []
    for part in pattern.split():
        optional = part.endswith("?") and len(part) > 1
        core = part[:-1] if optional else part
        if core in (NUMBER, ANY):
            alts: list[tuple[str, ...]] = [(core,)]
        else:
            alts = [tuple(keys(t) for t in tokens(w, spellings)) for w in core.split("|")]
            if any(not a for a in alts):
                raise KnowledgeError(f"lexicon concept {concept}: bad pattern '{pattern}'")
        alts = list(dict.fromkeys(alts))
        if optional:
            alts.append(())
        elements.append(alts)
    return elements


def _add_pattern(trie: dict[str, Any], elements: list[list[tuple[str, ...]]], label: str) -> None:
    """Every key sequence of a pattern into the trie, alternatives sharing their nodes."""
    frontier: dict[int, dict[str, Any]] = {id(trie): trie}
    for alts in elements:
        following: dict[int, dict[str, Any]] = {}
        for node in frontier.values():
            for alt in alts:
                at = node
                for key in alt:
                    at = at.setdefault(key, {})
                following[id(at)] = at
        frontier = following
        if len(frontier) > 20_000:
            raise KnowledgeError(f"lexicon concept {label}: a pattern expands too much")
    for node in frontier.values():
        if node is trie:
            continue
        labels = node.setdefault(END, [])
        if label not in labels:
            labels.append(label)


def _add(trie: dict[str, Any], seq: tuple[str, ...], label: str) -> None:
    node = trie
    for key in seq:
        node = node.setdefault(key, {})
    labels = node.setdefault(END, [])
    if label not in labels:
        labels.append(label)


def _shared(node: dict[str, Any], seen: dict[tuple[Any, ...], dict[str, Any]]) -> dict[str, Any]:
    """The trie with each set of identical subtrees made one object (a graph, not a tree).

    The alternatives of a pattern ("his|her|my|the toes|fingers") end in identical subtrees;
    sharing them makes the cached table a fraction of the size, and ``marshal`` writes and
    reads a shared object once, so the reader starts faster. The reader never changes the
    trie, so sharing is safe.
    """
    items: list[tuple[str, Any]] = []
    for key, value in node.items():
        if key == END:
            items.append((key, tuple(value)))
        else:
            child = node[key] = _shared(value, seen)
            items.append((key, id(child)))
    signature = tuple(sorted(items))
    return seen.setdefault(signature, node)


CUE_KINDS = ("preceding", "following", "pseudo", "termination")


def layer_of(concept: Concept) -> str:
    """Which layer a concept's mentions compete in (each layer keeps its longest matches)."""
    if "site" in concept.set:
        return "sites"
    return "markers" if concept.marker else "findings"


FUZZY_MEDICINE = 8
"""The shortest medicine name a one-letter typo is corrected to."""


def compile_lexicon(lexicon: Lexicon, medicines: tuple[list[str], list[str]]) -> dict[str, Any]:
    """Everything the reader matches with, as plain data (cached between runs).

    ``trie``: nested dicts from key to key, with the labels of the phrases ending at a node under
    :data:`END`; ``layers``: each label's layer; ``cased``: a trie of short medicine names that
    must match in capitals; ``fuzzy``: each lexicon word and its one-letter deletions, to the
    words they come from; ``real``: English words one typo away from a lexicon word (never
    corrected).
    """
    keys = Keys(lexicon.lemmas, lexicon.suffixes)
    spellings = {k.lower(): v.lower() for k, v in lexicon.spellings.items()}
    trie: dict[str, Any] = {}
    layers: dict[str, str] = {}
    vocabulary: set[str] = set()
    for concept in lexicon.concepts:
        ignored = concept.id == "_ignore" or concept.id.startswith("_ignore_")
        layer = "ignore" if ignored else layer_of(concept)
        layers[concept.id] = layer
        for pattern in concept.patterns:
            _add_pattern(trie, _elements(concept.id, pattern, keys, spellings), concept.id)
            vocabulary.update(w for p in pattern.split() for w in p.rstrip("?").split("|"))
    for kind, termset in (("neg", lexicon.negation), ("hedge", lexicon.hedges)):
        for cue in CUE_KINDS:
            label = f"{kind}:{cue}"
            layers[label] = kind
            for phrase in getattr(termset, cue):
                _add(trie, tuple(keys(t) for t in tokens(phrase, spellings)), label)
    long_names, short_names = medicines
    layers["_medicine"] = "medicines"
    for name in long_names:
        _add(trie, tuple(keys(t) for t in tokens(name, spellings)), "_medicine")
    cased: dict[str, Any] = {}
    for name in short_names:
        _add(cased, tuple(m.group() for m in TOKEN.finditer(name)), "_medicine")
    fuzzy: dict[str, list[str]] = {}
    words = {w.lower() for w in vocabulary if len(w) >= FUZZY_MIN and w.isalpha()}
    # a long medicine name typed one letter wrong is still the medicine ("furosomide")
    words |= {n.lower() for n in long_names if len(n) >= FUZZY_MEDICINE and n.isalpha()}
    for word in sorted(words):
        for d in {word} | deletes(word):
            fuzzy.setdefault(d, []).append(word)
    return {
        "trie": _shared(trie, {}),
        "layers": layers,
        "cased": cased,
        "fuzzy": fuzzy,
        "real": sorted(_real_words_near(words)),
        "lexicon": msgspec.to_builtins(lexicon),
    }


def _real_words_near(words: set[str]) -> set[str]:
    """English words (symspellpy's frequency list) one typo from a lexicon word: these are what
    the person meant, not typos ("waiting" is not "wasting")."""
    from importlib.util import find_spec

    spec = find_spec("symspellpy")
    if spec is None or spec.origin is None:
        raise KnowledgeError("the free-text lexicon needs symspellpy's word list (install it)")
    path = Path(spec.origin).with_name("frequency_dictionary_en_82_765.txt")
    index: dict[str, list[str]] = {}
    for word in words:
        for d in {word} | deletes(word):
            index.setdefault(d, []).append(word)
    near: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            real = line.split(" ", 1)[0]
            if len(real) < FUZZY_MIN - 1 or real in words:
                continue
            for d in {real} | deletes(real):
                if any(within_one(real, w) for w in index.get(d, ())):
                    near.add(real)
                    break
    return near


def medicine_names(lexicon: Lexicon) -> tuple[list[str], list[str]]:
    """Every spelling in the medicines table, split into long (any case) and short ones."""
    from musclewise.knowledge import load_knowledge

    data = load_knowledge().data["medicines"]
    names: list[str] = []
    for drug in data["drugs"]:
        names += [drug["name"], *drug.get("aliases", ()), *drug.get("brands", ())]
    names += [t["term"] for t in data["lay_terms"]]
    # "tablets" keeps its own key (a tablet is also a screen), so a lay term's plural is added
    names += [t["term"] + "s" for t in data["lay_terms"] if t["term"].endswith("tablet")]
    ignore = {n.lower() for n in lexicon.medicine_ignore}
    long_names = sorted({n for n in names if len(n) >= 5 and n.lower() not in ignore})
    short_names = sorted(
        {n for n in names if len(n) < 5 and n.isupper() and n.lower() not in ignore}
    )
    return long_names, short_names


def compiled(path: Path = LEXICON_PATH) -> dict[str, Any]:
    """The compiled lexicon; the bundled one is kept in the cache folder, keyed on the file,
    the medicines table and the compiler, so a start-up reads no YAML."""
    import zlib

    from musclewise.knowledge import cached, load_knowledge

    if path != LEXICON_PATH:
        lexicon = load_lexicon(path)
        return compile_lexicon(lexicon, medicine_names(lexicon))
    raw = path.read_bytes()
    # keyed on the compiler's own source too: a change to it must never meet an old table
    digest = zlib.crc32(raw, zlib.crc32(Path(__file__).read_bytes()))
    name = f"lexicon-{digest:08x}-{load_knowledge().digest or 'x'}"

    def build() -> dict[str, Any]:
        lexicon = load_lexicon(path)
        return compile_lexicon(lexicon, medicine_names(lexicon))

    value: dict[str, Any] = cached(name, build)
    return value
