"""Compile the ``when`` tests of the knowledge base into fast three-valued functions.

A compiled test takes the facts (the findings plus what the engine derived) and answers
``True``, ``False`` or ``None`` (not known: a key it needs was not given). Rules fire only on
``True``. :func:`one_answer_away` says which single unknown key could make a test true, which
is how ``missing`` finds the questions that could raise the triage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Facts = Mapping[str, Any]
Test = Callable[[Facts], bool | None]

KIND = "_kind"
"""Facts key holding the kind the model decided (set before factors and advice run)."""
POSTERIOR = "_posterior"
"""Facts key holding the posterior of every hypothesis."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled test.

    ``test`` evaluates it; ``keys`` are the findings keys it reads; ``needs`` is a set of keys
    at least one of which must be known for the test to hold (``None``: it can hold with none
    known), so that :meth:`holds` skips most tests without running them.
    """

    test: Test
    keys: frozenset[str]
    single: Callable[[Facts], frozenset[str]]
    needs: frozenset[str] | None
    required: frozenset[str] = frozenset()
    """Keys that must all be known for the test to hold."""

    def holds(self, facts: Facts) -> bool | None:
        """The test's answer, or ``False`` at once when no key it needs is known."""
        if self.needs is not None and self.needs.isdisjoint(facts):
            return False
        return self.test(facts)


_NONE: frozenset[str] = frozenset()


def compile_test(spec: Mapping[str, Any]) -> Compiled:
    """Compile one test written as in ``schema.Condition`` (already validated)."""
    if "all" in spec:
        return _all([compile_test(c) for c in spec["all"]])
    if "any" in spec:
        return _any([compile_test(c) for c in spec["any"]])
    if "kind" in spec:
        kinds = frozenset(spec["kind"])

        def kind_test(f: Facts) -> bool | None:
            kind = f.get(KIND)
            return None if kind is None else kind in kinds

        return Compiled(kind_test, _NONE, lambda f: _NONE, None)
    if "hypothesis" in spec:
        hyp, least = spec["hypothesis"], float(spec["min"])

        def hyp_test(f: Facts) -> bool | None:
            post = f.get(POSTERIOR)
            return None if post is None else post.get(hyp, 0.0) >= least

        return Compiled(hyp_test, _NONE, lambda f: _NONE, None)
    return _atom(spec)


def _atom(spec: Mapping[str, Any]) -> Compiled:
    key: str = spec["key"]
    keys = frozenset((key,))
    test: Test
    if "is" in spec:
        want = spec["is"]

        def test(f: Facts) -> bool | None:
            x = f.get(key)
            if x is None:
                return None
            return bool(x == want and isinstance(x, bool) == isinstance(want, bool))

    elif "in" in spec:
        values = frozenset(spec["in"])

        def test(f: Facts) -> bool | None:
            x = f.get(key)
            if x is None:
                return None
            if isinstance(x, list | tuple | frozenset | set):
                return not values.isdisjoint(x)
            return x in values

    elif "is_not" in spec:
        avoid = spec["is_not"]

        def test(f: Facts) -> bool | None:
            return bool(f.get(key) != avoid)

        return Compiled(test, keys, lambda f: _NONE, None)
    else:
        op, bound = next((o, float(spec[o])) for o in ("gt", "ge", "lt", "le") if o in spec)
        compare: Callable[[float], bool] = {
            "gt": lambda x: x > bound,
            "ge": lambda x: x >= bound,
            "lt": lambda x: x < bound,
            "le": lambda x: x <= bound,
        }[op]

        def test(f: Facts) -> bool | None:
            x = f.get(key)
            return None if x is None else compare(x)

    def single(f: Facts) -> frozenset[str]:
        return keys if f.get(key) is None else _NONE

    return Compiled(test, keys, single, keys, keys)


def _all(parts: list[Compiled]) -> Compiled:
    tests = [p.test for p in parts]

    def test(f: Facts) -> bool | None:
        unknown = False
        for t in tests:
            r = t(f)
            if r is False:
                return False
            if r is None:
                unknown = True
        return None if unknown else True

    def single(f: Facts) -> frozenset[str]:
        pending = None
        for p in parts:
            r = p.test(f)
            if r is False:
                return _NONE
            if r is None:
                if pending is not None:
                    return _NONE  # needs two answers or more
                pending = p
        return _NONE if pending is None else pending.single(f)

    known = [p.needs for p in parts if p.needs is not None]
    needs = min(known, key=len) if known else None
    required = frozenset().union(*(p.required for p in parts))
    return Compiled(test, frozenset().union(*(p.keys for p in parts)), single, needs, required)


def _any(parts: list[Compiled]) -> Compiled:
    tests = [p.test for p in parts]

    def test(f: Facts) -> bool | None:
        unknown = False
        for t in tests:
            r = t(f)
            if r is True:
                return True
            if r is None:
                unknown = True
        return None if unknown else False

    def single(f: Facts) -> frozenset[str]:
        out: frozenset[str] = _NONE
        for p in parts:
            r = p.test(f)
            if r is True:
                return _NONE
            if r is None:
                out = out | p.single(f)
        return out

    needs: frozenset[str] | None = frozenset()
    for p in parts:
        needs = None if needs is None or p.needs is None else needs | p.needs
    required = frozenset.intersection(*(p.required for p in parts)) if parts else frozenset()
    return Compiled(test, frozenset().union(*(p.keys for p in parts)), single, needs, required)


def one_answer_away(compiled: Compiled, facts: Facts) -> frozenset[str]:
    """The unknown keys each of which, answered alone, could make the test true."""
    return compiled.single(facts)


class TestIndex:
    """Many compiled tests, with an index from each key to the tests that need it.

    :meth:`outcomes` runs only the tests that could hold given which keys are known; the rest
    answer ``None`` without being run. With a dozen keys known, most rules are never touched.
    """

    def __init__(self, tests: list[Compiled]) -> None:
        self.tests = tests
        self._always = [i for i, t in enumerate(tests) if t.needs is None]
        by_key: dict[str, list[int]] = {}
        for i, t in enumerate(tests):
            for key in t.needs or ():
                by_key.setdefault(key, []).append(i)
        self._by_key = by_key

    def outcomes(self, facts: Facts) -> list[bool | None]:
        """The answer of every test, in order.

        A test none of whose needed keys is known is not run and answers ``None`` (it does not
        hold, but an answer might make it hold). ``False`` is final: more answers cannot make
        such a test hold.
        """
        candidates = set(self._always)
        by_key = self._by_key
        for key in facts:
            hits = by_key.get(key)
            if hits:
                candidates.update(hits)
        result: list[bool | None] = [None] * len(self.tests)
        tests = self.tests
        for i in candidates:
            result[i] = tests[i].test(facts)
        return result
