"""Many findings at once (issue 15): the engine in columns, for ``assess --json``.

:meth:`ChunkAssessor.encode_many` gives, for a chunk of valid findings, what
:meth:`musclewise.engine.TriageEngine.assess` gives for each alone, byte for byte once encoded
by msgspec (``tests/test_batch.py`` holds it to that over generated chunks and files). With
NumPy, for the whole chunk at once:

- the **posterior** of every case, and the posteriors without the warning signs and without
  the person's own labels (:mod:`musclewise.engine.columns`, to the bit);
- **every test** of the knowledge base (red flags, factors, advice) in three-valued logic
  (:mod:`musclewise.engine.column_tests`), and the kind turned to "other" by a red flag;
- **missing**: the single-key rules' gains by level, the rules one answer away from holding,
  and the questions' shifts of the posterior, ranked and merged
  (:mod:`musclewise.engine.column_missing`);
- the safety screen's **unscreened** signs, and the mimics' and hypotheses' order;
- which answers the explanation names and which say why each mimic is suspected
  (:mod:`musclewise.engine.column_words`).

What is left for each case is putting worded pieces together, most of them worded once and
encoded once: the reasons of a triage without a warning sign or a named mimic (by the red flags
that hold, the kind and whether the model is unsure), the unscreened list, factors and advice
(by the tests that hold and the level), ``missing``, the explanation's sentences. The words are the engine's own (:class:`musclewise.engine.words.Words`
and :meth:`TriageEngine.triage`): one copy. A case with a value the columns do not encode (not a
plain number, string, yes/no or list) is assessed by the engine alone. Pure: no I/O.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, combinations
from typing import TYPE_CHECKING, Any, cast

import msgspec
import numpy as np
from msgspec import Raw

from musclewise.engine.column_missing import ColumnMissing
from musclewise.engine.column_tests import KINDS, TRUE, ColumnTests, Encoder
from musclewise.engine.column_words import ColumnWords
from musclewise.engine.columns import ColumnModel, normalised_rows
from musclewise.engine.parts import (
    CONTRACT,
    GENERIC_SITES,
    LABEL_KEYS,
    LEAN_AT,
    RANK,
    SIGN_SUBSETS,
    SUSPECTED_LIMIT,
    UNSURE_BELOW,
    WARNING_SIGN_SET,
    MedicineLike,
)
from musclewise.findings import FINDINGS_KEYS

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from musclewise.engine import TriageEngine

    Column = NDArray[np.float64]
    Shared = Raw
    """A worded piece shared by many cases' assessments, encoded once (msgspec writes it as
    it is)."""
    Entry = tuple[type, int, float, tuple[int, ...], bool]
    Tri = NDArray[np.int8]

UNREADABLE = -2
"""The column of a value the columns do not encode (:meth:`Encoder.encode` gives ``None``)."""
CACHE_SIZE = 8192
"""How many worded pieces (reasons, advice, unscreened lists, ...) each cache keeps, at most."""
_encode = msgspec.json.Encoder().encode


class ChunkAssessor:
    """The engine's assessment of many findings at once (see the module)."""

    def __init__(self, engine: TriageEngine) -> None:
        self.engine = engine
        rules = engine.rules
        specs = engine.specs
        self.encoder = Encoder(specs)
        self.tests = ColumnTests(specs, self.encoder, [h.id for h in engine.hypotheses])
        self.columns = ColumnModel(engine.model)
        self.rules = len(rules)
        self.ends = engine.ends
        self.i_cramp, self.i_spasm = engine.index["cramp"], engine.index["spasm"]
        self.turn_to_other = sorted(engine.turn_to_other)
        signs = sorted(WARNING_SIGN_SET)
        self.sign_index = {s: i for i, s in enumerate(signs)}
        zero = [0.0] * len(engine.hypotheses)
        deltas = [engine.sign_delta[s] for s in signs]
        self.sign_deltas: Column = np.asarray([*deltas, zero], dtype=np.float64)
        """What a "yes" to each warning sign adds to the log posterior (last: nothing)."""
        leans = [frozenset(k for j, k in enumerate(KINDS) if bits >> j & 1) for bits in range(8)]
        self.lean_bits = {lean: bits for bits, lean in enumerate(leans)}
        """The kinds the model leans to as bits (cramp 1, twitch 2, other 4)."""
        self.label_rows: dict[tuple[tuple[str, Any], ...], int] = {(): 0}
        self.label_table: Column = np.zeros((1, len(engine.hypotheses)))
        """What each set of the person's own labels adds to the log posterior, by
        :attr:`label_rows` (the first: none)."""
        self.heads: dict[int, str] = {}
        """The explanation's first sentence by kind, lean and the three percentages shown
        (:meth:`_heads`)."""
        self.entries: dict[tuple[str, Any], Entry] = {}
        """What each (key, value) is to the columns and the model (:meth:`_entry`)."""
        self.slots = self.encoder.slots
        self.mimics = list(engine.words.mimics)
        self.words = ColumnWords(engine.model, engine.words)
        self.suggesting = [i for i, r in enumerate(rules) if r.suggests]
        """The red flags that name a suspect (then every mimic is weighed, per case)."""
        chosen = [engine.hypotheses[i] for i in self.mimics]
        self.likely_at = np.asarray([h.likely_at for h in chosen])
        self.own = np.asarray([RANK[h.level_if_likely] for h in chosen])
        self.screen = [
            (RANK[group.level], sign) for group in engine.screen_groups for sign in group.signs
        ]
        for _, sign in self.screen:
            for key, _values in sign.skip_if:
                self.encoder.slot(key)
        self.missing = ColumnMissing(engine, self.encoder, self.tests)
        for key in FINDINGS_KEYS:
            self.encoder.slot(key)
        self.reasons: dict[tuple[tuple[int, ...], bool, int], tuple[str, Shared]] = {}
        """A triage's level and reasons by the red flags that hold, unsure, and kind."""
        self.unscreened: dict[bytes, Shared] = {}
        self.advice: dict[tuple[tuple[int, ...], str], tuple[Shared, ...]] = {}
        """Factors, relief and prevention by the other tests that hold and the level."""

    def encode_many(
        self, chunk: Sequence[tuple[Mapping[str, Any], Sequence[MedicineLike]]]
    ) -> list[bytes]:
        """The assessment of each (valid findings, their medicines), in order, encoded as
        :meth:`TriageEngine.assess` and msgspec's JSON encoder would encode it."""
        engine = self.engine
        done: dict[int, bytes] = {}
        cases: list[int] = []
        facts_list: list[Mapping[str, Any]] = []
        rows: list[tuple[list[int], list[float]]] = []
        signs_list: list[list[str]] = []
        positions: list[list[int]] = []
        entries = self.entries
        entry = self._entry
        for c, (findings, medicines) in enumerate(chunk):
            items: Iterable[tuple[str, Any]] = findings.items()
            if "medications" in findings:
                classes = frozenset(k for m in medicines for k in m.classes)
                items = [*items, ("med_classes", classes)]
            slots: list[int] = []
            values: list[float] = []
            signs = []
            found: list[int] = []
            for key, x in items:
                try:
                    kind, slot, value, where, sign = entries[key, x]
                    if kind is not type(x):  # True == 1: a yes and a number differ
                        kind, slot, value, where, sign = entry(key, x)
                except KeyError:
                    got = entry(key, x)
                    if len(entries) < CACHE_SIZE:
                        entries[key, x] = got
                    kind, slot, value, where, sign = got
                except TypeError:  # a list
                    kind, slot, value, where, sign = entry(key, x)
                if slot >= 0:
                    slots.append(slot)
                    values.append(value)
                elif slot == UNREADABLE:
                    break
                if where:
                    found += where
                if sign:
                    signs.append(key)
            else:
                cases.append(c)
                facts_list.append(findings)
                rows.append((slots, values))
                signs_list.append(signs)
                positions.append(found)
                continue
            done[c] = _encode(engine.assess(findings, medicines))  # a value not in columns
        if cases:
            index = self.columns.positions(positions)
            logp = self.columns.scores_at(index)
            assessed = self._columns(chunk, cases, facts_list, rows, signs_list, logp, index)
            done.update(zip(cases, assessed, strict=True))
        return [done[c] for c in range(len(chunk))]

    def _entry(self, key: str, x: Any) -> Entry:
        """What a fact is to the columns and the model: its type, its column (-1: none) and
        value there, where the model's answers are in its table, and whether it is a warning
        sign said "yes"."""
        slot = self.slots.get(key, -1)
        value = self.encoder.encode(key, x) if slot >= 0 else 0.0
        if value is None:
            return type(x), UNREADABLE, 0.0, (), False
        answers = self.engine.model.answers(key, x)
        where = tuple(a.position for a in answers)
        sign = x is True and key in WARNING_SIGN_SET
        return type(x), slot, value, where, sign

    def _columns(
        self,
        chunk: Sequence[tuple[Mapping[str, Any], Sequence[MedicineLike]]],
        cases: list[int],
        facts_list: list[Mapping[str, Any]],
        rows: list[tuple[list[int], list[float]]],
        signs_list: list[list[str]],
        logp: Column,
        index: NDArray[np.intp],
    ) -> list[bytes]:
        engine = self.engine
        n = len(cases)
        post = normalised_rows(logp)
        # the posterior without the warning signs said "yes", in the order given
        width = max(map(len, signs_list))
        if width:
            blank = len(self.sign_deltas) - 1
            where = np.full((n, width), blank, dtype=np.intp)
            for c, signs in enumerate(signs_list):
                for j, s in enumerate(signs):
                    where[c, j] = self.sign_index[s]
            base = logp.copy()
            for j in range(width):
                base -= self.sign_deltas[where[:, j]]
        else:
            base = logp
            where = np.zeros((n, 0), dtype=np.intp)
        # and without the person's own labels (extent, muscle_hard)
        labels_list = []
        rows_at = []
        label_rows = self.label_rows
        for facts in facts_list:
            labels = tuple([(k, facts[k]) for k in LABEL_KEYS if k in facts])
            labels_list.append(labels)
            at = label_rows.get(labels)
            rows_at.append(self._label_row(labels) if at is None else at)
        unlabel = base - self.label_table[rows_at]
        bare = normalised_rows(unlabel)
        pc, ps = post[:, self.i_cramp], post[:, self.i_spasm]
        po = np.maximum(0.0, 1.0 - pc - ps)
        kinds = np.where((pc >= ps) & (pc >= po), 0, np.where(ps >= po, 1, 2))
        leaning = kinds.copy()  # the kind the model leans to (before a red flag turns it)
        bc, bs = bare[:, self.i_cramp], bare[:, self.i_spasm]
        bo = 1.0 - bc - bs
        top = np.maximum(np.maximum(bc, bs), bo)
        lean_kind = np.where(top == bc, 1, np.where(top == bs, 2, 4))
        lean = np.where(top < LEAN_AT, 0, lean_kind).astype(np.int64)
        post_rows = post.tolist()
        # the hypotheses by falling probability, ties by position (as the per-case loops)
        top_two = _first_max(post, 2)
        mimic_order = np.asarray(self.mimics)[_first_max(post[:, self.mimics], 4)]
        unlabel_rows: list[list[float]] | None = None
        for c, facts in enumerate(facts_list):
            site = facts.get("site")
            if site in GENERIC_SITES:
                if unlabel_rows is None:
                    unlabel_rows = unlabel.tolist()
                lean[c] = self.lean_bits[engine.leans(unlabel_rows[c], site)]
        columns = np.full((n, len(self.slots)), np.nan)
        counts = [len(slots) for slots, _ in rows]
        columns[
            np.repeat(np.arange(n), counts),
            np.fromiter(chain.from_iterable(slots for slots, _ in rows), np.intp),
        ] = np.fromiter(chain.from_iterable(values for _, values in rows), np.float64)
        answers, nodes, given = self.tests.run(columns, kinds, lean, post)
        holds = answers == TRUE
        turned = np.flatnonzero((kinds != 2) & holds[self.turn_to_other].any(axis=0))
        if len(turned):
            # a red flag pointing to another condition outweighs the model's lean to a cramp or
            # a twitch: the kind shown is "other", and the tests read it again
            kinds[turned] = 2
            again, parts, _ = self.tests.run(
                columns[turned], kinds[turned], lean[turned], post[turned]
            )
            answers[:, turned] = again
            holds[:, turned] = again == TRUE
            for key, part in parts.items():
                whole = nodes[key] = nodes[key].copy()  # an atom's array may be shared
                whole[turned] = part
        kind_list = kinds.tolist()
        shown_post = round4(post).tolist()
        shown_cramp = round4(pc)
        shown_spasm = round4(ps)
        shown_other = round4(np.maximum(0.0, 1.0 - shown_cramp - shown_spasm))
        three = np.stack([shown_cramp, shown_spasm, shown_other], axis=1).tolist()
        # the explanation's first sentence, by the kind, the lean and the percentages shown
        # (f"{p:.0%}" rounds p * 100 half to even, as rint does)
        shown = np.rint(np.stack([pc, ps, po], axis=1) * 100).astype(np.int64)
        heads = self._heads(kinds * 3 + leaning, shown)
        held_list = self._held(holds)
        # the triage
        levels, reasons_list = self._triage(
            post, bare, post_rows, base, unlabel, signs_list, labels_list,
            held_list, kind_list, where,
        )  # fmt: skip
        missing = self.missing.ranked(answers, nodes, given, levels, post)
        unscreened = self._unscreened(columns, given, post, levels)
        # the answers the explanation names, and those that say why each mimic is suspected
        bodies = self.words.explanations(index, top_two[:, 0], top_two[:, 1])
        orders = self._suspects(post, mimic_order, holds)
        whys = self.words.reasons(index)
        unsure = (np.maximum(np.maximum(pc, ps), po) < UNSURE_BELOW).tolist()
        answered = (index[:, 0] != self.columns.zero).tolist() if index.shape[1] else [False] * n
        out: list[bytes] = []
        for c, order in enumerate(orders):
            out.append(
                self._report(
                    KINDS[kind_list[c]], chunk[cases[c]][1], post_rows[c], answered[c],
                    held_list[c], levels[c], reasons_list[c], missing[c], unscreened[c],
                    heads[c], three[c], shown_post[c], bodies[c], unsure[c], order, whys[c],
                )
            )  # fmt: skip
        return out

    def _suspects(
        self, post: Column, mimic_order: NDArray[np.intp], holds: NDArray[np.bool_]
    ) -> list[list[int]]:
        """The mimics :meth:`Words.suspected` weighs for each case, in order: the first
        :data:`SUSPECTED_LIMIT` by probability, or all of them where a red flag that holds names
        a suspect (it is shown whatever its place)."""
        orders: list[list[int]] = mimic_order[:, :SUSPECTED_LIMIT].tolist()
        named = np.flatnonzero(holds[self.suggesting].any(axis=0))
        if len(named):
            mimics = np.asarray(self.mimics)
            every = mimics[_first_max(post[named][:, mimics], len(mimics))]
            for c, order in zip(named.tolist(), every.tolist(), strict=True):
                orders[c] = order
        return orders

    def _heads(self, kinds: NDArray[np.intp], percents: NDArray[np.int64]) -> list[str]:
        """The explanation's first sentence for each case, by the kind shown and the kind the
        model leans to (``kinds``: 3 × shown + leaning) and the three percentages shown."""
        keys = ((kinds * 101 + percents[:, 0]) * 101 + percents[:, 1]) * 101 + percents[:, 2]
        known = self.heads
        if len(known) >= CACHE_SIZE:  # start again
            known.clear()
        out = []
        for key in keys.tolist():
            head = known.get(key)
            if head is None:
                rest, other = divmod(key, 101)
                rest, spasm = divmod(rest, 101)
                both, cramp = divmod(rest, 101)
                shown, leaning = divmod(both, 3)
                words = {"cramp": f"{cramp}%", "spasm": f"{spasm}%", "other": f"{other}%"}
                head = known[key] = self.engine.words.head_of(KINDS[shown], KINDS[leaning], words)
            out.append(head)
        return out

    def _label_row(self, labels: tuple[tuple[str, Any], ...]) -> int:
        """Where what the ``labels`` add to the log posterior (:meth:`TriageEngine.label_delta`)
        is in :attr:`label_table`, added to it."""
        if len(self.label_rows) >= CACHE_SIZE:  # start again
            self.label_rows = {(): 0}
            self.label_table = self.label_table[:1]
        at = self.label_rows[labels] = len(self.label_table)
        delta = np.asarray([self.engine.label_delta(labels)], dtype=np.float64)
        self.label_table = np.concatenate([self.label_table, delta])
        return at

    def _triage(
        self,
        post: Column,
        bare: Column,
        post_rows: list[list[float]],
        base: Column,
        unlabel: Column,
        signs_list: list[list[str]],
        labels_list: list[tuple[tuple[str, Any], ...]],
        held_list: list[list[int]],
        kind_list: list[int],
        where: NDArray[np.intp],
    ) -> tuple[list[str], list[Shared]]:
        """Each case's triage level and its reasons (encoded). A case with no warning sign
        and no condition the model finds likely enough to name has reasons that depend only on
        the red flags that hold, whether the model is unsure, and the kind: worded once."""
        engine = self.engine
        labelled = np.asarray([bool(labels) for labels in labels_list])
        counts = np.asarray([len(signs) for signs in signs_list])
        first, peak = self._peaks(post, bare, base, unlabel, where, counts, labelled)
        named: NDArray[np.bool_] = ((peak >= self.likely_at) & (self.own > 0)) | (
            (self.own >= RANK["urgent"]) & (peak >= engine.see_doctor_at)
        )
        slow = cast("list[bool]", named.any(axis=1).tolist())
        unsure: list[bool] = (_unsure(first, self.i_cramp, self.i_spasm) | (
            labelled & _unsure(bare, self.i_cramp, self.i_spasm))).tolist()  # fmt: skip
        levels: list[str] = []
        reasons_list: list[Shared] = []
        words = self.reasons
        rules = self.rules
        for c, held in enumerate(held_list):
            fired = tuple(held[: bisect_left(held, rules)])
            key = (fired, unsure[c], kind_list[c])
            if not slow[c] and key in words:
                level, reasons = words[key]
            else:
                signs, labels = signs_list[c], labels_list[c]
                p, b = post_rows[c], bare[c].tolist()
                if not signs:
                    posts = [p, b] if labels else [p]
                else:
                    posts = engine.sign_posteriors(
                        base[c].tolist(), p, signs, None if labels else b
                    )
                    if labels:
                        posts += engine.sign_posteriors(unlabel[c].tolist(), None, signs, b)
                level, told = engine.triage(
                    [engine.rules[i] for i in fired], posts, KINDS[kind_list[c]],
                    b if labels else None,
                )  # fmt: skip
                reasons = Raw(_encode(told))
                if not slow[c] and len(words) < CACHE_SIZE:
                    words[key] = level, reasons
            levels.append(level)
            reasons_list.append(reasons)
        return levels, reasons_list

    def _peaks(
        self,
        post: Column,
        bare: Column,
        base: Column,
        unlabel: Column,
        where: NDArray[np.intp],
        counts: NDArray[np.intp],
        labelled: NDArray[np.bool_],
    ) -> tuple[Column, Column]:
        """The posterior a triage is judged on first (without the warning signs), and each
        mimic's highest probability over it, the signs added back up to :data:`SIGN_SUBSETS`
        at a time, and the same without the labels (:meth:`TriageEngine.sign_posteriors`)."""
        first = post.copy()
        peak = post[:, self.mimics]
        peak = np.where(labelled[:, None], np.maximum(peak, bare[:, self.mimics]), peak)
        for k in np.unique(counts[counts > 0]).tolist():
            group = np.flatnonzero(counts == k)
            first[group] = normalised_rows(base[group])
            peak[group] = self._high(base[group], first[group], where[group, :k])
            again = group[labelled[group]]  # and from the posterior without the labels
            if len(again):
                high = self._high(unlabel[again], bare[again], where[again, :k])
                peak[again] = np.maximum(peak[again], high)
        return first, peak

    def _high(self, scores: Column, start: Column, signs: NDArray[np.intp]) -> Column:
        """Each mimic's highest probability over ``start`` (the posterior of the log scores
        ``scores``) and each set of up to :data:`SIGN_SUBSETS` of the ``signs`` added back."""
        high = start[:, self.mimics]
        k = signs.shape[1]
        for size in range(1, min(SIGN_SUBSETS, k) + 1):
            for subset in combinations(range(k), size):
                added = scores.copy()
                for j in subset:  # in the order given, as the per-case sum
                    added += self.sign_deltas[signs[:, j]]
                high = np.maximum(high, normalised_rows(added)[:, self.mimics])
        return high

    def _unscreened(
        self, columns: Column, given: NDArray[np.bool_], post: Column, levels: list[str]
    ) -> list[Shared]:
        """Each case's ``triage.unscreened``: the safety screen's signs that matter, above the
        level reached, not answered (:meth:`TriageEngine.screen`), in columns (``given``:
        whether each fact was given, by column and case)."""
        current = np.asarray([RANK[level] for level in levels])
        site = columns[:, self.slots["site"]]
        rows = []
        for group_rank, sign in self.screen:
            keep = (group_rank > current) & ~given[self.slots[sign.key]]
            if sign.sites is not None:
                codes = [self.encoder.code("site", s) for s in sign.sites]
                keep &= np.isnan(site) | np.isin(site, codes)
            for key, values in sign.skip_if:
                column = columns[:, self.slots[key]]
                keep &= ~np.isin(column, [self.encoder.value(key, v) for v in values])
            if sign.mimics:
                keep &= (post[:, list(sign.mimics)] >= self.engine.screen_mimic_at).any(axis=1)
            rows.append(keep)
        table = np.packbits(np.asarray(rows).T, axis=1)
        out = []
        found = self.unscreened
        for c, packed in enumerate(row.tobytes() for row in table):
            raw = found.get(packed)
            if raw is None:
                keys = [sign.key for (_, sign), k in zip(self.screen, rows, strict=True) if k[c]]
                raw = Raw(_encode(keys))
                if len(found) < CACHE_SIZE:
                    found[packed] = raw
            out.append(raw)
        return out

    def _held(self, holds: NDArray[np.bool_]) -> list[list[int]]:
        """For each case, the tests that hold, in order."""
        case_of, test_of = np.nonzero(holds.T)
        counts = np.bincount(case_of, minlength=holds.shape[1]).tolist()
        tests = test_of.tolist()
        out = []
        at = 0
        for count in counts:
            out.append(tests[at : at + count])
            at += count
        return out

    def _report(
        self,
        kind: str,
        medicines: Sequence[MedicineLike],
        post: list[float],
        answered: bool,
        held: list[int],
        level: str,
        reasons: Shared,
        missing: Shared,
        unscreened: Shared,
        head: str,
        shown: list[float],
        shown_post: list[float],
        body: list[str],
        unsure: bool,
        order: list[int],
        whys: dict[int, list[str]],
    ) -> bytes:
        """One case's assessment, encoded (``order``: the mimics weighed as suspects, in order,
        and ``whys``: why each is suspected)."""
        engine = self.engine
        words = engine.words
        lines = words.explanation(head, body, answered, unsure, medicines)
        at = bisect_left(held, self.rules)
        fired = [engine.rules[i] for i in held[:at]] if at else []
        named = words.suspected(post, (), fired, kind, order, whys, shown_post)
        key = (tuple(held[at:]), level)
        advice = self.advice.get(key)
        if advice is None:
            advice = (
                Raw(_encode(words.factors(held))),
                Raw(_encode(words.advice(engine.relief, held, self.ends[2], level))),
                Raw(_encode(words.advice(engine.prevention, held, self.ends[3], level))),
            )
            if len(self.advice) < CACHE_SIZE:
                self.advice[key] = advice
        return _encode(
            _Assessment(
                CONTRACT, kind, _Probabilities(*shown), named, _Triage(level, reasons, unscreened),
                advice[0], advice[1], advice[2], lines, missing, engine.version,
            )
        )  # fmt: skip


class _Probabilities(msgspec.Struct, gc=False):
    cramp: float
    spasm: float
    other: float


class _Triage(msgspec.Struct, gc=False):
    level: str
    reasons: Raw
    unscreened: Raw


class _Assessment(msgspec.Struct, gc=False):
    """An assessment as :meth:`TriageEngine.assess` gives it, to be encoded (msgspec writes a
    struct as an object of its fields in order, as it writes the engine's dict: the same bytes,
    made faster)."""

    contract: str
    kind: str
    probabilities: _Probabilities
    suspected: list[dict[str, Any]]
    triage: _Triage
    factors: Raw
    relief: Raw
    prevention: Raw
    explanation: list[str]
    missing: Raw
    knowledge_version: str


def _first_max(x: Column, k: int) -> NDArray[np.intp]:
    """The columns of the ``k`` largest values of each row, largest first, ties to the first
    column (a stable sort's order, without sorting the rest)."""
    rest = x.copy()
    out = np.empty((x.shape[0], min(k, x.shape[1])), dtype=np.intp)
    rows = np.arange(x.shape[0])
    for j in range(out.shape[1]):
        out[:, j] = np.argmax(rest, axis=1)  # the first of equal values
        rest[rows, out[:, j]] = -np.inf
    return out


def round4(x: Column) -> Column:
    """Each value rounded to 4 decimal places as Python's ``round(value, 4)`` rounds it (to
    the double nearest the decimal): ``rint(x * 1e4) / 1e4`` is that, except where ``x * 1e4``
    is within a hair of half-way and its own rounding could have crossed it: those by
    ``round``."""
    scaled = x * 1e4
    out: Column = np.rint(scaled) / 1e4
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near.any():
        flat, given = out.reshape(-1), x.reshape(-1)
        for i in np.flatnonzero(near.reshape(-1)).tolist():
            flat[i] = round(float(given[i]), 4)
    return out


def _unsure(post: Column, cramp: int, spasm: int) -> NDArray[np.bool_]:
    """Whether no kind reaches :data:`UNSURE_BELOW` (as :meth:`TriageEngine.triage` asks)."""
    p_cramp, p_spasm = post[:, cramp], post[:, spasm]
    top: NDArray[np.bool_] = np.maximum(np.maximum(p_cramp, p_spasm), 1.0 - p_cramp - p_spasm)
    return top < UNSURE_BELOW


__all__ = ["ChunkAssessor"]
