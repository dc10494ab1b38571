"""Many findings at once (issue 15): the tests of the knowledge base and the model in columns.

:class:`ChunkAssessor` gives, for a chunk of valid findings, what
:meth:`musclewise.engine.TriageEngine.assess` gives for each alone, byte for byte once encoded
(``tests/test_batch.py`` holds it to that over generated findings). What is the same for
every case is done once for the whole chunk with NumPy:

- the **posterior** of every case, and the posteriors without the warning signs and without
  the person's own labels (:mod:`musclewise.engine.columns`, to the bit);
- **every test** of the knowledge base (red flags, factors, advice) in three-valued logic:
  ``False`` < unknown < ``True`` as 0 < 1 < 2, so "all of" is the minimum of its parts and
  "any of" the maximum (Kleene's logic, what the generated per-case code computes);
- the rules that one more answer could make hold (``near_all``), as masks, so that only the
  few cases near a rule run the rule's per-case function.

The wording (reasons, explanation, suspected causes, the order of ``missing``) is the engine's
own, called once a case: there is one copy of it. A case the columns do not cover (a red flag
that turns the kind to another condition, a value that is not a plain number, string, yes/no
or list) is assessed by the engine alone. Pure: no I/O.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from musclewise.engine.columns import ColumnModel, normalised_rows
from musclewise.engine.conditions import LIST_KEYS, reference
from musclewise.engine.model import ASK_KEY, Observation
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
    UNSURE_BELOW,
    WARNING_SIGN_SET,
    MedicineLike,
    rounded,
)
from musclewise.findings import FINDINGS_KEYS

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from musclewise.engine import TriageEngine

    Column = NDArray[np.float64]
    Tri = NDArray[np.int8]

KINDS = ("cramp", "spasm", "other")
FALSE, UNKNOWN, TRUE = 0, 1, 2
CACHE_SIZE = 65536
"""How many encoded pieces (reasons, advice, unscreened lists) each cache keeps, at most."""
_encode = msgspec.json.Encoder().encode


class Unsupported(Exception):
    """A value the columns do not encode: the case is assessed by the engine alone."""


class _Encoder:
    """Each fact a test reads as one float column (NaN: not given): yes/no as 1 and 0, numbers
    as themselves, strings as codes, lists as bit masks of the items the tests name."""

    def __init__(self, specs: Sequence[Mapping[str, Any]]) -> None:
        self.slots: dict[str, int] = {}
        self.codes: dict[str, dict[Any, float]] = {}
        self.bits: dict[str, dict[Any, int]] = {}
        for spec in specs:
            self._register(spec)

    def slot(self, key: str) -> int:
        found = self.slots.get(key)
        if found is None:
            found = self.slots[key] = len(self.slots)
        return found

    def _register(self, node: Mapping[str, Any]) -> None:
        for child in node.get("all", ()) or node.get("any", ()):
            self._register(child)
        key = node.get("key")
        if key is None:
            return
        self.slot(key)
        if key in LIST_KEYS:
            items = self.bits.setdefault(key, {})
            for value in node.get("in", ()):
                if value not in items:
                    items[value] = 1 << len(items)
            if len(items) > 50 or ("in" not in node and "is_not" not in node):
                raise ValueError(f"a test of the list {key} the columns cannot read: {node}")

    def code(self, key: str, value: Any) -> float:
        """The column value of a string (codes start at 1e9, far from any number asked)."""
        codes = self.codes.setdefault(key, {})
        found = codes.get(value)
        if found is None:
            found = codes[value] = 1e9 + len(codes)
        return found

    def encode(self, key: str, x: Any) -> float:
        if x is True:
            return 1.0
        if x is False:
            return 0.0
        if type(x) is int or type(x) is float:
            try:
                value = float(x)
            except OverflowError:
                raise Unsupported(key) from None
            if math.isnan(value) or abs(value) >= 1e9:
                raise Unsupported(key)
            return value
        if type(x) is str:
            return self.code(key, x)
        if isinstance(x, list | tuple | frozenset | set):
            items = self.bits.get(key)
            if items is None:  # a list no test reads (medications): only whether it is given
                return 0.0
            mask = 0
            for item in x:
                if type(item) is not str:
                    raise Unsupported(key)
                mask |= items.get(item, 0)
            return float(mask)
        raise Unsupported(key)


class _Tests:
    """Every test of the knowledge base over a chunk's columns, three-valued (see above)."""

    def __init__(self, specs: Sequence[Mapping[str, Any]], encoder: _Encoder, ids: Sequence[str]):
        self.specs = specs
        self.encoder = encoder
        self.hypothesis = {h: i for i, h in enumerate(ids)}
        self.needs = [reference(spec).needs for spec in specs]
        """Keys at least one of which must be given for the test to run (else unknown)."""
        self.flat: dict[int, frozenset[str] | None] = {}
        for spec in specs:
            self._flats(spec)

    def _flats(self, node: Mapping[str, Any]) -> None:
        self.flat[id(node)] = reference(node).flat
        for child in node.get("all", ()) or node.get("any", ()):
            self._flats(child)

    def run(
        self,
        columns: Column,
        kinds: NDArray[np.intp],
        lean: NDArray[np.int64],
        post: Column,
    ) -> tuple[Tri, dict[int, Tri]]:
        """The answer of every test for every case, shape (tests, cases); and the answer of
        every part of every test (by the part's ``id``), before a test is skipped for want
        of its needed keys (as ``near_all`` reads them)."""
        cases = columns.shape[0]
        known = ~np.isnan(columns)
        atoms: dict[str, Tri] = {}
        nodes: dict[int, Tri] = {}
        out = np.empty((len(self.specs), cases), dtype=np.int8)
        unknown = np.full(cases, UNKNOWN, dtype=np.int8)
        slots = self.encoder.slots
        for i, (spec, needs) in enumerate(zip(self.specs, self.needs, strict=True)):
            if needs is not None and not needs:
                out[i] = UNKNOWN
                continue
            answer = self._node(spec, columns, known, kinds, lean, post, atoms, nodes)
            if needs is not None:
                given = np.zeros(cases, dtype=bool)
                for key in needs:
                    given |= known[:, slots[key]]
                answer = np.where(given, answer, unknown)
            out[i] = answer
        return out, nodes

    def _node(
        self,
        node: Mapping[str, Any],
        columns: Column,
        known: NDArray[np.bool_],
        kinds: NDArray[np.intp],
        lean: NDArray[np.int64],
        post: Column,
        atoms: dict[str, Tri],
        nodes: dict[int, Tri],
    ) -> Tri:
        found = nodes.get(id(node))
        if found is not None:
            return found
        if "all" in node or "any" in node:
            children = node["all"] if "all" in node else node["any"]
            if not children:
                found = np.full(columns.shape[0], TRUE if "all" in node else FALSE, dtype=np.int8)
            else:
                parts = [
                    self._node(c, columns, known, kinds, lean, post, atoms, nodes) for c in children
                ]
                reduce = np.minimum if "all" in node else np.maximum
                found = parts[0]
                for part in parts[1:]:
                    found = reduce(found, part)
        else:
            name = repr(sorted(node.items()))
            found = atoms.get(name)
            if found is None:
                found = atoms[name] = self._atom(node, columns, known, kinds, lean, post)
        nodes[id(node)] = found
        return found

    def near(
        self,
        node: Mapping[str, Any],
        mask: NDArray[np.bool_],
        nodes: dict[int, Tri],
        known: NDArray[np.bool_],
        out: list[tuple[str, NDArray[np.bool_]]],
    ) -> None:
        """The keys that, each answered alone, could make ``node`` hold, with the cases (among
        ``mask``) for which they could: the generated ``n_I`` functions, in columns."""
        flat = self.flat[id(node)]
        if flat is not None:
            slots = self.encoder.slots
            out.extend((key, mask & ~known[:, slots[key]]) for key in flat)
            return
        if "all" not in node and "any" not in node:
            return
        children = node["all"] if "all" in node else node["any"]
        if not children:
            return
        answers = [nodes[id(c)] for c in children]
        if "all" in node:  # every part but one holds already
            open_parts = sum((a != TRUE).astype(np.int8) for a in answers)
            mask = mask & (open_parts == 1)
        else:  # any part not yet decided could be completed
            mask = mask & ~np.logical_or.reduce([a == TRUE for a in answers])
        for child, answer in zip(children, answers, strict=True):
            part = mask & (answer == UNKNOWN)
            if part.any():
                self.near(child, part, nodes, known, out)

    def _atom(
        self,
        node: Mapping[str, Any],
        columns: Column,
        known: NDArray[np.bool_],
        kinds: NDArray[np.intp],
        lean: NDArray[np.int64],
        post: Column,
    ) -> Tri:
        if "kind" in node:
            holds = np.isin(kinds, [KINDS.index(k) for k in node["kind"]])
            return (holds * TRUE).astype(np.int8)
        if "leans" in node:
            bits = sum(1 << KINDS.index(k) for k in node["leans"])
            holds = (lean & bits) != 0
            return np.where(lean == 0, UNKNOWN, holds * TRUE).astype(np.int8)
        if "hypothesis" in node:
            column = post[:, self.hypothesis[node["hypothesis"]]]
            return ((column >= float(node["min"])) * TRUE).astype(np.int8)
        key = node["key"]
        slot = self.encoder.slots[key]
        x = columns[:, slot]
        encoder = self.encoder
        if "is_not" in node:
            if key in LIST_KEYS:  # a list is never equal to one value
                return np.full(len(x), TRUE, dtype=np.int8)
            equal: NDArray[np.bool_] = x == encoder.encode(key, node["is_not"])
            return np.where(equal, FALSE, TRUE).astype(np.int8)
        if "is" in node:
            holds = x == encoder.encode(key, node["is"])
        elif "in" in node:
            if key in LIST_KEYS:
                mask = sum(encoder.bits[key][v] for v in node["in"])
                whole = np.where(known[:, slot], x, 0.0).astype(np.int64)
                holds = (whole & mask) != 0
            else:
                holds = np.zeros(len(x), dtype=bool)
                for value in node["in"]:
                    holds |= x == encoder.encode(key, value)
        else:
            op, bound = next((o, float(node[o])) for o in ("gt", "ge", "lt", "le") if o in node)
            holds = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}[
                op
            ](x, bound)
        return np.where(known[:, slot], holds * TRUE, UNKNOWN).astype(np.int8)


class ChunkAssessor:
    """The engine's assessment of many findings at once (see the module)."""

    def __init__(self, engine: TriageEngine) -> None:
        self.engine = engine
        data = engine.knowledge.data
        rules = engine.rules
        specs = [r["when"] for r in data["red_flags"]["rules"]]
        specs += [rec["when"] for f in data["factors"]["factors"] for rec in f["recognised_by"]]
        always: dict[str, Any] = {"all": []}
        advice = data["advice"]
        specs += [a.get("when", always) for a in advice["relief"] + advice["prevention"]]
        self.encoder = _Encoder(specs)
        ids = [h.id for h in engine.hypotheses]
        self.tests = _Tests(specs, self.encoder, ids)
        self.columns = ColumnModel(engine.model)
        self.rules = len(rules)
        self.ends = (
            len(rules),
            len(rules) + len(engine.recognisers),
            len(rules) + len(engine.recognisers) + len(engine.relief),
            len(specs),
        )
        self.ids = tuple(ids)
        self.i_cramp, self.i_spasm = engine.index["cramp"], engine.index["spasm"]
        self.turn_to_other = sorted(engine.turn_to_other)
        self.near_rules = [
            (RANK[r.level], i, sorted(r.test.required), specs[i])
            for i, r in enumerate(rules)
            if r.test.flat is None
        ]
        hypotheses = len(engine.hypotheses)
        zero = [0.0] * hypotheses
        signs = sorted(WARNING_SIGN_SET)
        self.sign_index = {s: i for i, s in enumerate(signs)}
        deltas = [engine.model.log_scores({s: True}, zero)[0] for s in signs]
        self.sign_deltas: Column = np.asarray([*deltas, zero], dtype=np.float64)
        self.sign_delta_rows = {s: deltas[i] for s, i in self.sign_index.items()}
        self.leans = {
            bits: frozenset(k for j, k in enumerate(KINDS) if bits >> j & 1) for bits in range(8)
        }
        self.lean_bits = {v: k for k, v in self.leans.items()}
        self.encoded: dict[tuple[str, Any], float] = {}
        self.slots = self.encoder.slots
        self.mimics = [i for i, h in enumerate(engine.hypotheses) if h.kind == "other"]
        chosen = [engine.hypotheses[i] for i in self.mimics]
        self.likely_at = np.asarray([h.likely_at for h in chosen])
        self.own = np.asarray([RANK[h.level_if_likely] for h in chosen])
        self.screen = [
            (RANK[group.level], sign) for group in engine.screen_groups for sign in group.signs
        ]
        for _, sign in self.screen:
            for key, _values in sign.skip_if:
                self.encoder.slot(key)
        self.slots.setdefault("site", len(self.slots))
        asked = {f.ask_key for f in engine.features if f.ask}
        flat = {k for level in LEVELS for k in engine.triage_gains(level)}
        atoms = {ASK_KEY.get(k, k) for k in self.slots}
        self.missing_keys = sorted(asked | flat | (atoms & set(FINDINGS_KEYS)))
        """Every key ``missing`` could name, in alphabetical order (ties are broken so)."""
        self.missing_column = {k: j for j, k in enumerate(self.missing_keys)}
        for key in FINDINGS_KEYS:
            self.encoder.slot(key)
        self.missing_slots = [self.slots[k] for k in self.missing_keys]
        self.flat_gains = np.asarray(
            [[engine.triage_gains(level).get(k, math.nan) for k in self.missing_keys]
             for level in LEVELS],
            dtype=np.float64,
        )  # fmt: skip
        """The single-key rules' gains by level, for each key (NaN: none)."""
        self.shift_rows: dict[bytes, list[float]] = {}
        """Each question's shift by the posterior rounded (as :meth:`TriageEngine.shifts`)."""
        self.reasons: dict[tuple[tuple[int, ...], bool, int], tuple[str, msgspec.Raw]] = {}
        """A triage's level and reasons by the red flags that hold, unsure, and kind."""
        self.unscreened: dict[bytes, msgspec.Raw] = {}
        self.advice: dict[tuple[tuple[int, ...], str], tuple[msgspec.Raw, ...]] = {}
        """Factors, relief and prevention by the other tests that hold and the level."""

    def encode_many(
        self, chunk: Sequence[tuple[Mapping[str, Any], Sequence[MedicineLike]]]
    ) -> list[bytes]:
        """The assessment of each (valid findings, their medicines), in order, encoded as
        :meth:`TriageEngine.assess` and msgspec's JSON encoder would encode it."""
        engine = self.engine
        done: dict[int, bytes] = {}
        cases: list[int] = []
        facts_list: list[dict[str, Any]] = []
        rows: list[list[float]] = []
        signs_list: list[list[str]] = []
        positions: list[list[int]] = []
        seen_list: list[list[Observation]] = []
        answers = self.engine.model.answers
        width = len(self.slots)
        nan = math.nan
        slots, encoded, encode = self.slots, self.encoded, self.encoder.encode
        sign_set = WARNING_SIGN_SET
        for c, (findings, medicines) in enumerate(chunk):
            facts = dict(findings)
            if "medications" in findings:
                facts["med_classes"] = frozenset(k for m in medicines for k in m.classes)
            row = [nan] * width
            signs = []
            found: list[int] = []
            seen: list[Observation] = []
            try:
                for key, x in facts.items():
                    for observation, _, position in answers(key, x):
                        seen.append(observation)
                        found.append(position)
                    slot = slots.get(key)
                    if slot is not None:
                        try:
                            value = encoded[key, x]
                        except KeyError:
                            value = encoded[key, x] = encode(key, x)
                        except TypeError:  # a list
                            value = encode(key, x)
                        row[slot] = value
                    if x is True and key in sign_set:
                        signs.append(key)
            except Unsupported:
                done[c] = _encode(engine.assess(findings, medicines))
                continue
            cases.append(c)
            facts_list.append(facts)
            rows.append(row)
            signs_list.append(signs)
            positions.append(found)
            seen_list.append(seen)
        if cases:
            logp = self.columns.scores(positions)
            assessed = self._columns(chunk, cases, facts_list, rows, signs_list, logp, seen_list)
            done.update(zip(cases, assessed, strict=True))
        return [done[c] for c in range(len(chunk))]

    def _columns(
        self,
        chunk: Sequence[tuple[Mapping[str, Any], Sequence[MedicineLike]]],
        cases: list[int],
        facts_list: list[dict[str, Any]],
        rows: list[list[float]],
        signs_list: list[list[str]],
        logp: Column,
        seen_list: list[list[Observation]],
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
        # and without the person's own labels (extent, muscle_hard)
        labels_list = []
        deltas = []
        zero = [0.0] * logp.shape[1]
        for facts in facts_list:
            labels = tuple((k, facts[k]) for k in LABEL_KEYS if k in facts)
            labels_list.append(labels)
            deltas.append(engine.label_delta(labels) if labels else zero)
        unlabel = base - np.asarray(deltas, dtype=np.float64)
        bare = normalised_rows(unlabel)
        pc, ps = post[:, self.i_cramp], post[:, self.i_spasm]
        po = np.maximum(0.0, 1.0 - pc - ps)
        kinds = np.where((pc >= ps) & (pc >= po), 0, np.where(ps >= po, 1, 2))
        bc, bs = bare[:, self.i_cramp], bare[:, self.i_spasm]
        bo = 1.0 - bc - bs
        top = np.maximum(np.maximum(bc, bs), bo)
        lean_kind = np.where(top == bc, 1, np.where(top == bs, 2, 4))
        lean = np.where(top < LEAN_AT, 0, lean_kind).astype(np.int64)
        post_rows = post.tolist()
        # the hypotheses by falling probability, ties by position (as the per-case loops)
        ranked = np.argsort(-post, axis=1, kind="stable")
        top_two = ranked[:, :2].tolist()
        order = np.argsort(-post[:, self.mimics], axis=1, kind="stable")
        mimic_order = np.asarray(self.mimics)[order].tolist()
        unlabel_rows: list[list[float]] | None = None
        for c, facts in enumerate(facts_list):
            site = facts.get("site")
            if site in GENERIC_SITES:
                if unlabel_rows is None:
                    unlabel_rows = unlabel.tolist()
                lean[c] = self.lean_bits[engine.leans(unlabel_rows[c], site)]
        columns = np.asarray(rows, dtype=np.float64).reshape(n, len(self.slots))
        answers, nodes = self.tests.run(columns, kinds, lean, post)
        holds = answers == TRUE
        turned = np.flatnonzero((kinds != 2) & holds[self.turn_to_other].any(axis=0))
        if len(turned):
            # a red flag pointing to another condition outweighs the model's lean to a cramp or
            # a twitch: the kind shown is "other", and the tests read it again
            kinds[turned] = 2
            again, parts = self.tests.run(
                columns[turned], kinds[turned], lean[turned], post[turned]
            )
            answers[:, turned] = again
            holds[:, turned] = again == TRUE
            for key, part in parts.items():
                whole = nodes[key] = nodes[key].copy()  # an atom's array may be shared
                whole[turned] = part
        kind_list = kinds.tolist()
        held_list = self._held(holds)
        # the triage
        levels, reasons_list = self._triage(
            post, bare, post_rows, base, unlabel, unlabel_rows, signs_list, labels_list,
            held_list, kind_list,
        )  # fmt: skip
        missing = self._missing(answers, nodes, columns, levels, post)
        unscreened = self._unscreened(columns, self._given(columns, facts_list), post, levels)
        out: list[bytes] = []
        for c in range(n):
            medicines = chunk[cases[c]][1]
            out.append(
                self._report(
                    KINDS[kind_list[c]], medicines, facts_list[c], post_rows[c], seen_list[c],
                    held_list[c], levels[c], reasons_list[c], missing[c], unscreened[c],
                    top_two[c], mimic_order[c],
                )
            )  # fmt: skip
        return out

    def _triage(
        self,
        post: Column,
        bare: Column,
        post_rows: list[list[float]],
        base: Column,
        unlabel: Column,
        unlabel_rows: list[list[float]] | None,
        signs_list: list[list[str]],
        labels_list: list[tuple[tuple[str, Any], ...]],
        held_list: list[list[int]],
        kind_list: list[int],
    ) -> tuple[list[str], list[msgspec.Raw]]:
        """Each case's triage level and its reasons (encoded). A case with no warning sign
        and no condition the model finds likely enough to name has reasons that depend only on
        the red flags that hold, whether the model is unsure, and the kind: worded once."""
        engine = self.engine
        labelled = np.asarray([bool(labels) for labels in labels_list])
        signed = np.asarray([bool(signs) for signs in signs_list])
        peak = post[:, self.mimics]
        peak = np.where(labelled[:, None], np.maximum(peak, bare[:, self.mimics]), peak)
        named = ((peak >= self.likely_at) & (self.own > 0)) | (
            (self.own >= RANK["urgent"]) & (peak >= engine.see_doctor_at)
        )
        slow = (signed | named.any(axis=1)).tolist()
        unsure = (_unsure(post, self.i_cramp, self.i_spasm) | (
            labelled & _unsure(bare, self.i_cramp, self.i_spasm))).tolist()  # fmt: skip
        levels: list[str] = []
        reasons_list: list[msgspec.Raw] = []
        bare_rows = bare.tolist()
        base_rows = base.tolist() if signed.any() else post_rows
        if unlabel_rows is None and (signed & labelled).any():
            unlabel_rows = unlabel.tolist()
        words = self.reasons
        for c, held in enumerate(held_list):
            fired = tuple(i for i in held if i < self.rules)
            key = (fired, unsure[c], kind_list[c])
            if not slow[c] and key in words:
                level, reasons = words[key]
            else:
                signs, labels = signs_list[c], labels_list[c]
                p, b = post_rows[c], bare_rows[c]
                if not signs:
                    posts = [p, b] if labels else [p]
                else:
                    posts = engine.sign_posteriors(base_rows[c], p, signs, None if labels else b)
                    if labels and unlabel_rows is not None:
                        posts += engine.sign_posteriors(unlabel_rows[c], None, signs, b)
                level, told = engine.triage(
                    [engine.rules[i] for i in fired], posts, KINDS[kind_list[c]],
                    b if labels else None,
                )  # fmt: skip
                reasons = msgspec.Raw(_encode(told))
                if not slow[c] and len(words) < CACHE_SIZE:
                    words[key] = level, reasons
            levels.append(level)
            reasons_list.append(reasons)
        return levels, reasons_list

    def _unscreened(
        self, columns: Column, given: dict[str, NDArray[np.bool_]], post: Column, levels: list[str]
    ) -> list[msgspec.Raw]:
        """Each case's ``triage.unscreened`` (encoded): the safety screen's signs that matter,
        above the level reached, not answered (:meth:`TriageEngine.screen`), in columns."""
        current = np.asarray([RANK[level] for level in levels])
        site = columns[:, self.slots["site"]] if "site" in self.slots else None
        rows = []
        for group_rank, sign in self.screen:
            keep = (group_rank > current) & ~given[sign.key]
            if sign.sites is not None and site is not None:
                codes = [self.encoder.code("site", s) for s in sign.sites]
                keep &= np.isnan(site) | np.isin(site, codes)
            for key, values in sign.skip_if:
                column = columns[:, self.slots[key]]
                keep &= ~np.isin(column, [self.encoder.encode(key, v) for v in values])
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
                raw = msgspec.Raw(_encode(keys))
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

    def _missing(
        self,
        answers: Tri,
        nodes: dict[int, Tri],
        columns: Column,
        levels: list[str],
        post: Column,
    ) -> list[list[str]]:
        """Each case's ``missing`` (:meth:`TriageEngine.rank_missing`), in columns: how far
        each unknown key could raise the triage (the single-key rules above the level; the rules
        not yet decided that one answer could make hold), plus how far it could move the
        posterior; ranked by score, then by name (the keys are in alphabetical order)."""
        n = len(levels)
        current = np.asarray([RANK[level] for level in levels], dtype=np.float64)
        known = ~np.isnan(columns)
        given = known[:, self.missing_slots]
        score = self.flat_gains[current.astype(np.intp)]
        score[given] = np.nan
        slots = self.slots
        for rank, i, required, spec in self.near_rules:
            mask = (rank > current) & (answers[i] == UNKNOWN)
            if len(required) > 1:
                mask &= (~known[:, [slots[k] for k in required]]).sum(axis=1) <= 1
            if not mask.any():
                continue
            found: list[tuple[str, NDArray[np.bool_]]] = []
            self.tests.near(spec, mask, nodes, known, found)
            gap = rank - current
            for asked, where in found:
                j = self.missing_column[ASK_KEY.get(asked, asked)]
                score[:, j] = np.fmax(score[:, j], np.where(where, gap, np.nan))
        shift = self._shift_table(post)
        shift[given] = np.nan
        total = np.where(np.isnan(shift), score, np.where(np.isnan(score), 0.0, score) + shift)
        ranked = total >= 0.01
        by_score = np.argsort(np.where(ranked, -total, np.inf), axis=1, kind="stable")
        shifted = ~np.isnan(shift)
        by_shift = np.argsort(np.where(shifted, -shift, np.inf), axis=1, kind="stable")
        limit, first = MISSING_LIMIT, MISSING_LIMIT - KIND_QUESTIONS
        rows = by_score[:, : limit + KIND_QUESTIONS].tolist()
        shift_rows = by_shift[:, :limit].tolist()
        counts = ranked.sum(axis=1).tolist()
        shift_counts = shifted.sum(axis=1).tolist()
        names = self.missing_keys
        out = []
        for c in range(n):
            best = [names[j] for j in rows[c][: counts[c]]]
            chosen = best[:first]
            room = KIND_QUESTIONS
            for j in shift_rows[c][: shift_counts[c]]:
                if not room:
                    break
                if names[j] not in chosen:
                    chosen.append(names[j])
                    room -= 1
            for key in best[first:]:
                if len(chosen) >= limit:
                    break
                if key not in chosen:
                    chosen.append(key)
            out.append(chosen)
        return out

    def _shift_table(self, post: Column) -> Column:
        """For each case, how far each question could move the posterior (NaN: not enough to
        count), as :meth:`TriageEngine.shifts` gives it on the posterior rounded to 0.1."""
        active = post > ACTIVE_ABOVE
        rounded_post = np.where(active, np.rint(post * QUANTA) + 1, 0).astype(np.int8)
        whole = np.ascontiguousarray(rounded_post).view(np.dtype((np.void, post.shape[1])))
        distinct, first, inverse = np.unique(whole.ravel(), return_index=True, return_inverse=True)
        known = self.shift_rows
        rows = []
        for key, c in zip(distinct.tolist(), first.tolist(), strict=True):
            found = known.get(key)
            if found is None:
                shifts = self.engine.shifts(post[c].tolist())
                found = [shifts.get(k, math.nan) for k in self.missing_keys]
                if len(known) >= CACHE_SIZE:
                    known.clear()
                known[key] = found
            rows.append(found)
        table: Column = np.asarray(rows, dtype=np.float64)[inverse.ravel()]
        return table

    def _given(
        self, columns: Column, facts_list: list[dict[str, Any]]
    ) -> dict[str, NDArray[np.bool_]]:
        """Whether each key the safety screen asks was answered, for each case."""
        out = {}
        for _, sign in self.screen:
            slot = self.slots.get(sign.key)
            if slot is not None:
                out[sign.key] = ~np.isnan(columns[:, slot])
            else:
                key = sign.key
                out[key] = np.fromiter((key in f for f in facts_list), bool, len(facts_list))
        return out

    def _report(
        self,
        kind: str,
        medicines: Sequence[MedicineLike],
        facts: dict[str, Any],
        post: list[float],
        seen: Sequence[Any],
        held: list[int],
        level: str,
        reasons: msgspec.Raw,
        missing: list[str],
        unscreened: msgspec.Raw,
        top_two: list[int],
        mimic_order: list[int],
    ) -> bytes:
        engine = self.engine
        words = engine.words
        p_cramp, p_spasm = post[self.i_cramp], post[self.i_spasm]
        probabilities = {
            "cramp": p_cramp,
            "spasm": p_spasm,
            "other": max(0.0, 1.0 - p_cramp - p_spasm),
        }
        at = bisect_left(held, self.rules)
        fired = [engine.rules[i] for i in held[:at]]
        key = (tuple(held[at:]), level)
        advice = self.advice.get(key)
        if advice is None:
            advice = (
                msgspec.Raw(_encode(words.factors(held))),
                msgspec.Raw(_encode(words.advice(engine.relief, held, self.ends[2], level))),
                msgspec.Raw(_encode(words.advice(engine.prevention, held, self.ends[3], level))),
            )
            if len(self.advice) < CACHE_SIZE:
                self.advice[key] = advice
        return _encode(
            {
                "contract": CONTRACT,
                "kind": kind,
                "probabilities": rounded(p_cramp, p_spasm),
                "suspected": words.suspected(post, seen, fired, kind, mimic_order),
                "triage": {"level": level, "reasons": reasons, "unscreened": unscreened},
                "factors": advice[0],
                "relief": advice[1],
                "prevention": advice[2],
                "explanation": words.explain(
                    post, seen, probabilities, kind, medicines, (top_two[0], top_two[1])
                ),
                "missing": missing,
                "knowledge_version": engine.version,
            }
        )


def _unsure(post: Column, cramp: int, spasm: int) -> NDArray[np.bool_]:
    """Whether no kind reaches :data:`UNSURE_BELOW` (as :meth:`TriageEngine.triage` asks)."""
    p_cramp, p_spasm = post[:, cramp], post[:, spasm]
    top: NDArray[np.bool_] = np.maximum(np.maximum(p_cramp, p_spasm), 1.0 - p_cramp - p_spasm)
    return top < UNSURE_BELOW


__all__ = ["ChunkAssessor"]
