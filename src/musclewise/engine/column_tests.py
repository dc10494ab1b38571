"""The knowledge base's tests over columns of many cases (issue 15; used by
:mod:`musclewise.engine.chunks`).

Each fact a test reads is one float column (:class:`Encoder`); every test is answered for every
case in three-valued logic, ``False`` < unknown < ``True`` as 0 < 1 < 2, so that "all of" is the
minimum of its parts and "any of" the maximum (Kleene's logic, what the generated per-case code
of :mod:`musclewise.engine.conditions` computes); :meth:`ColumnTests.near` is the generated
``n_I`` functions (which unknown keys could each alone make a test hold) over the same columns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from musclewise.engine.conditions import LIST_KEYS, reference

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Column = NDArray[np.float64]
    Tri = NDArray[np.int8]

KINDS = ("cramp", "spasm", "other")
FALSE, UNKNOWN, TRUE = 0, 1, 2


class Encoder:
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

    def encode(self, key: str, x: Any) -> float | None:
        """A fact's column value; ``None`` for a value the columns do not encode (a number
        too large or not a number, a list of anything but strings): that case is assessed by
        the engine alone."""
        if x is True:
            return 1.0
        if x is False:
            return 0.0
        if type(x) is int or type(x) is float:
            try:
                value = float(x)
            except OverflowError:
                return None
            return None if math.isnan(value) or abs(value) >= 1e9 else value
        if type(x) is str:
            return self.code(key, x)
        if isinstance(x, list | tuple | frozenset | set):
            items = self.bits.get(key)
            if items is None:  # a list no test reads (medications): only whether it is given
                return 0.0
            mask = 0
            for item in x:
                if type(item) is not str:
                    return None
                mask |= items.get(item, 0)
            return float(mask)
        return None

    def value(self, key: str, x: Any) -> float:
        """The column value of a value the knowledge base names (always encoded)."""
        found = self.encode(key, x)
        if found is None:
            raise ValueError(f"the knowledge base's value {x!r} of {key} has no column value")
        return found


class ColumnTests:
    """Every test of the knowledge base over a chunk's columns, three-valued (see above)."""

    def __init__(self, specs: Sequence[Mapping[str, Any]], encoder: Encoder, ids: Sequence[str]):
        self.specs = specs
        self.encoder = encoder
        self.hypothesis = {h: i for i, h in enumerate(ids)}
        self.needs = [reference(spec).needs for spec in specs]
        """Keys at least one of which must be given for the test to run (else unknown)."""
        self.flat: dict[int, frozenset[str] | None] = {}
        """Each part's keys when it is a plain test or "any of" them (by its ``id``)."""
        self.names: dict[int, str] = {}
        """Each plain test by what it tests: the same test in two rules is answered once."""
        for spec in specs:
            self._parts(spec)

    def _parts(self, node: Mapping[str, Any]) -> None:
        self.flat[id(node)] = reference(node).flat
        if "all" not in node and "any" not in node:
            self.names[id(node)] = repr(sorted(node.items()))
        for child in node.get("all", ()) or node.get("any", ()):
            self._parts(child)

    def run(
        self,
        columns: Column,
        kinds: NDArray[np.intp],
        lean: NDArray[np.int64],
        post: Column,
    ) -> tuple[Tri, dict[int, Tri], NDArray[np.bool_]]:
        """The answer of every test for every case, shape (tests, cases); the answer of every
        part of every test (by the part's ``id``), before a test is skipped for want of its
        needed keys (as ``near_all`` reads them); and which facts are given, (keys, cases)."""
        cases = columns.shape[0]
        by_key = np.ascontiguousarray(columns.T)  # a fact's column is contiguous
        known = ~np.isnan(by_key)
        atoms: dict[str, Tri] = {}
        nodes: dict[int, Tri] = {}
        out = np.empty((len(self.specs), cases), dtype=np.int8)
        given: dict[frozenset[str], NDArray[np.bool_]] = {}
        slots = self.encoder.slots
        for i, (spec, needs) in enumerate(zip(self.specs, self.needs, strict=True)):
            if needs is not None and not needs:
                out[i] = UNKNOWN
                continue
            answer = self._node(spec, by_key, known, kinds, lean, post, atoms, nodes)
            out[i] = answer
            if needs is not None:
                some = given.get(needs)
                if some is None:
                    some = given[needs] = np.logical_or.reduce([known[slots[k]] for k in needs])
                np.putmask(out[i], ~some, UNKNOWN)
        return out, nodes, known

    def _node(
        self,
        node: Mapping[str, Any],
        by_key: Column,
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
                found = np.full(by_key.shape[1], TRUE if "all" in node else FALSE, dtype=np.int8)
            else:
                parts = [
                    self._node(c, by_key, known, kinds, lean, post, atoms, nodes) for c in children
                ]
                reduce = np.minimum if "all" in node else np.maximum
                found = parts[0]
                for part in parts[1:]:
                    found = reduce(found, part)
        else:
            name = self.names[id(node)]
            found = atoms.get(name)
            if found is None:
                found = atoms[name] = self._atom(node, by_key, known, kinds, lean, post)
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
            out.extend((key, mask & ~known[slots[key]]) for key in flat)
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
        by_key: Column,
        known: NDArray[np.bool_],
        kinds: NDArray[np.intp],
        lean: NDArray[np.int64],
        post: Column,
    ) -> Tri:
        if "kind" in node:
            return _tri(np.isin(kinds, [KINDS.index(k) for k in node["kind"]]))
        if "leans" in node:
            bits = sum(1 << KINDS.index(k) for k in node["leans"])
            return _tri((lean & bits) != 0, lean == 0)
        if "hypothesis" in node:
            column = post[:, self.hypothesis[node["hypothesis"]]]
            return _tri(column >= float(node["min"]))
        key = node["key"]
        slot = self.encoder.slots[key]
        x = by_key[slot]
        encoder = self.encoder
        if "is_not" in node:
            if key in LIST_KEYS:  # a list is never equal to one value
                return np.full(len(x), TRUE, dtype=np.int8)
            return _tri(x != encoder.value(key, node["is_not"]))  # NaN (not given): true
        if "is" in node:
            holds = x == encoder.value(key, node["is"])
        elif "in" in node:
            if key in LIST_KEYS:
                mask = sum(encoder.bits[key][v] for v in node["in"])
                whole = np.where(known[slot], x, 0.0).astype(np.int64)
                holds = (whole & mask) != 0
            else:
                holds = np.zeros(len(x), dtype=bool)
                for value in node["in"]:
                    holds |= x == encoder.value(key, value)
        else:
            op, bound = next((o, float(node[o])) for o in ("gt", "ge", "lt", "le") if o in node)
            holds = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}[
                op
            ](x, bound)
        return _tri(holds, ~known[slot])


def _tri(holds: NDArray[np.bool_], unknown: NDArray[np.bool_] | None = None) -> Tri:
    """``True``/``False`` as 2/0, and 1 where ``unknown``."""
    as_int = holds.view(np.int8)
    out: Tri = as_int + as_int
    if unknown is not None:
        np.putmask(out, unknown, UNKNOWN)
    return out
