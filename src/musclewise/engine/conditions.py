"""Compile the ``when`` tests of the knowledge base into fast three-valued functions.

A compiled test takes the facts (the findings plus what the engine derived) and answers
``True``, ``False`` or ``None`` (not known: a key it needs was not given). Rules fire only on
``True``. :func:`one_answer_away` says which single unknown key could make a test true, which
is how ``missing`` finds the questions that could raise the triage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

Facts = Mapping[str, Any]
Test = Callable[[Facts], bool | None]

KIND = "_kind"
"""Facts key holding the kind the model decided (set before factors and advice run)."""
POSTERIOR = "_posterior"
"""Facts key holding the posterior of every hypothesis."""
LEAN = "_lean"
"""Facts key holding the kinds the model leans to on the findings without the warning signs
answered "yes" (a frozenset, empty for no clear lean; a ``leans`` test reads it: adding a
warning sign never changes it)."""


class Compiled(NamedTuple):
    """A compiled test.

    ``test`` evaluates it; ``keys`` are the findings keys it reads; ``needs`` is a set of keys
    at least one of which must be known for the test to hold (``None``: it can hold with none
    known), so that :class:`TestIndex` skips most tests without running them.
    """

    test: Test
    keys: frozenset[str]
    single: Callable[[Facts], frozenset[str]]
    needs: frozenset[str] | None
    required: frozenset[str] = frozenset()
    """Keys that must all be known for the test to hold."""
    flat: frozenset[str] | None = None
    """For a plain test of one key, or "any of" such tests: their keys (any one answer could
    make it hold); ``None`` for anything else."""
    near: Callable[[Facts], frozenset[str]] = lambda f: _NONE
    """:func:`one_answer_away` for this test, generated (set by :func:`compile_test`)."""


_NONE: frozenset[str] = frozenset()


LIST_KEYS = frozenset({"medications", "conditions", "med_classes"})
"""Facts whose value is a list: ``in`` tests whether any item is one of the values."""


def compile_test(spec: Mapping[str, Any]) -> Compiled:
    """Compile one test written as in ``schema.Condition`` (already validated).

    The answer comes from generated code (see :class:`Program`); the closures of
    :func:`reference` give the same answers and the metadata (keys, needs, ...).
    """
    tests, nears, _, _ = load_program(write_program([spec]))
    return reference(spec)._replace(test=tests[0], near=nears[0])


def reference(spec: Mapping[str, Any]) -> Compiled:
    """The test as a tree of closures: the reference the generated code is checked against."""
    return _compile(spec)


def _compile(spec: Mapping[str, Any]) -> Compiled:
    if "all" in spec:
        return _all([_compile(c) for c in spec["all"]])
    if "any" in spec:
        return _any([_compile(c) for c in spec["any"]])
    if "kind" in spec:
        kinds = frozenset(spec["kind"])

        def kind_test(f: Facts) -> bool | None:
            kind = f.get(KIND)
            return None if kind is None else kind in kinds

        return Compiled(kind_test, _NONE, lambda f: _NONE, None)
    if "leans" in spec:
        leans = frozenset(spec["leans"])

        def lean_test(f: Facts) -> bool | None:
            lean = f.get(LEAN)
            return None if not lean else not leans.isdisjoint(lean)

        return Compiled(lean_test, _NONE, lambda f: _NONE, None)
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

    return Compiled(test, keys, single, keys, keys, keys)


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
    flat = None
    if parts and all(p.flat is not None for p in parts):
        flat = frozenset().union(*(p.flat for p in parts if p.flat is not None))
    keys = frozenset().union(*(p.keys for p in parts))
    return Compiled(test, keys, single, needs, required, flat)


def one_answer_away(compiled: Compiled, facts: Facts) -> frozenset[str]:
    """The unknown keys each of which, answered alone, could make the test true.

    Assumes the test does not already hold. Fast paths: a plain test (or "any of" plain
    tests) needs any of its unknown keys; "all of" needs every part but one to hold already.
    """
    return compiled.near(facts)


CANDIDATES_CACHE_SIZE = 4096
"""How many sets of known keys :class:`TestIndex` remembers the tests of (then it starts again)."""


class TestIndex:
    """Many compiled tests, with an index from each key to the tests that need it.

    :meth:`outcomes` runs only the tests that could hold given which keys are known; the rest
    answer ``None`` without being run. The engine runs the generated ``every`` instead (one
    function, each fact read once: see :func:`write_program`), which must answer exactly as
    this does (``tests/test_conditions.py``).
    """

    def __init__(self, tests: list[Compiled]) -> None:
        self.tests = tests
        self._functions = [t.test for t in tests]
        self._always = [i for i, t in enumerate(tests) if t.needs is None]
        by_key: dict[str, list[int]] = {}
        for i, t in enumerate(tests):
            for key in t.needs or ():
                by_key.setdefault(key, []).append(i)
        self._by_key = by_key
        self._candidates: dict[frozenset[str], tuple[int, ...]] = {}
        """The tests to run for each set of known keys (few distinct sets in practice)."""

    def outcomes(self, facts: Facts) -> tuple[list[bool | None], list[int]]:
        """The answer of every test, in order, and the positions of those that hold.

        A test none of whose needed keys is known is not run and answers ``None`` (it does not
        hold, but an answer might make it hold). ``False`` is final: more answers cannot make
        such a test hold.
        """
        known = frozenset(facts)
        candidates = self._candidates.get(known)
        if candidates is None:
            found = set(self._always)
            by_key = self._by_key
            for key in known:
                hits = by_key.get(key)
                if hits:
                    found.update(hits)
            candidates = tuple(sorted(found))
            if len(self._candidates) >= CANDIDATES_CACHE_SIZE:
                self._candidates.clear()
            self._candidates[known] = candidates
        result: list[bool | None] = [None] * len(self.tests)
        held: list[int] = []
        functions = self._functions
        for i in candidates:  # in order, so the positions that hold come sorted
            outcome = result[i] = functions[i](facts)
            if outcome is True:
                held.append(i)
        return result, held


class _Writer:
    """Writes knowledge tests as Python source (three-valued logic written out inline).

    The source is built only from validated knowledge data: keys and values enter it through
    ``repr`` of plain strings and numbers, or through the constants table, never as code.
    """

    def __init__(self) -> None:
        self.constants: list[Any] = []
        self.lines: list[str] = []
        self._counter = 0
        self.reads: dict[str, str] | None = None
        """While set: each fact is read once, into a local variable (``read``)."""

    def read(self, key: str) -> str:
        """The expression for the fact ``key``: ``f.get(key)``, or its local variable."""
        if self.reads is None:
            return f"f.get({key!r})"
        found = self.reads.get(key)
        if found is None:
            found = self.reads[key] = f"k{len(self.reads)}"
        return found

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def const(self, value: Any) -> str:
        self.constants.append(value)
        return f"C[{len(self.constants) - 1}]"

    def emit(self, node: Mapping[str, Any], target: str, indent: str) -> None:
        lines = self.lines
        if "all" in node or "any" in node:
            is_all = "all" in node
            stop = "False" if is_all else "True"
            children = node["all"] if is_all else node["any"]
            names = [self._name("v") for _ in children]

            def chain(i: int, pad: str) -> None:
                if i == len(children):
                    unknown = " or ".join(f"{n} is None" for n in names) or "False"
                    done = "True" if is_all else "False"
                    lines.append(f"{pad}{target} = None if ({unknown}) else {done}")
                    return
                self.emit(children[i], names[i], pad)
                lines.append(f"{pad}if {names[i]} is {stop}:")
                lines.append(f"{pad}    {target} = {stop}")
                lines.append(f"{pad}else:")
                chain(i + 1, pad + "    ")

            chain(0, indent)
            return
        x = self._name("x")
        if "kind" in node:
            lines.append(f"{indent}{x} = {self.read(KIND)}")
            expr = f"{x} in {self.const(frozenset(node['kind']))}"
        elif "leans" in node:
            leans = self.const(frozenset(node["leans"]))
            lean = self.read(LEAN)
            lines.append(
                f"{indent}{target} = None if not {lean} else not {leans}.isdisjoint({lean})"
            )
            return
        elif "hypothesis" in node:
            lines.append(f"{indent}{x} = {self.read(POSTERIOR)}")
            expr = f"{x}.get({node['hypothesis']!r}, 0.0) >= {float(node['min'])!r}"
        else:
            key = node["key"]
            lines.append(f"{indent}{x} = {self.read(key)}")
            if "is_not" in node:
                lines.append(f"{indent}{target} = {x} != {self.const(node['is_not'])}")
                return
            if "is" in node:
                want = node["is"]
                expr = (
                    f"{x} is {want!r}" if isinstance(want, bool) else f"{x} == {self.const(want)}"
                )
            elif "in" in node:
                values = self.const(frozenset(node["in"]))
                expr = f"not {values}.isdisjoint({x})" if key in LIST_KEYS else f"{x} in {values}"
            else:
                op = next(o for o in ("gt", "ge", "lt", "le") if o in node)
                symbol = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
                expr = f"{x} {symbol} {float(node[op])!r}"
        lines.append(f"{indent}{target} = None if {x} is None else ({expr})")


class Program(NamedTuple):
    """Every knowledge test as generated Python: a code object and its constants.

    Both are plain data that ``marshal`` can store, so a compiled knowledge base can be cached
    (compiling the source costs more than the whole start-up budget of ``musclewise assess``).
    The module defines ``t_I`` (test I), ``n_I`` (which unknown keys could each alone make
    test I hold) and, when rules are given, ``near_all``.
    """

    code: Any
    constants: tuple[Any, ...]
    tests: int


NearAll = Callable[[Facts, Sequence[bool | None], int, dict[str, float]], None]


def _write_near(writer: _Writer, name: str, node: Mapping[str, Any]) -> None:
    lines = writer.lines
    flat = _compile(node).flat
    if flat is not None:
        lines += [f"def {name}(f):", f"    return {writer.const(flat)}.difference(f)"]
        return
    if "all" not in node and "any" not in node:  # kind, leans, hypothesis, is_not: nothing to ask
        lines += [f"def {name}(f):", "    return EMPTY"]
        return
    is_all = "all" in node
    children = node["all"] if is_all else node["any"]
    names = [f"{name}_{j}" for j in range(len(children))]
    for child_name, child in zip(names, children, strict=True):
        _write_near(writer, child_name, child)
    lines.append(f"def {name}(f):")
    if is_all:  # every part but one must hold already
        lines.append("    pending = -1")
        for j, child in enumerate(children):
            writer.emit(child, "r", "    ")
            lines += [
                "    if r is not True:",
                "        if r is False or pending >= 0:",
                "            return EMPTY",
                f"        pending = {j}",
            ]
        for j, child_name in enumerate(names):
            lines += [f"    if pending == {j}:", f"        return {child_name}(f)"]
        lines.append("    return EMPTY")
    else:  # any part not yet decided could be completed
        lines.append("    out = EMPTY")
        for j, child in enumerate(children):
            writer.emit(child, "r", "    ")
            lines += [
                "    if r is True:",
                "        return EMPTY",
                "    if r is None:",
                f"        out = out | {names[j]}(f)",
            ]
        lines.append("    return out")


def write_program(
    specs: Sequence[Mapping[str, Any]],
    rules: Sequence[tuple[int, int]] = (),
    rename: Mapping[str, str] | None = None,
) -> Program:
    """Generate and compile the code for ``specs``; ``rules`` are (rank, index) pairs of the
    red flags that ``near_all`` checks for ``missing``, ``rename`` maps derived facts to the
    findings keys asked for instead."""
    writer = _Writer()
    lines = writer.lines
    for i, spec in enumerate(specs):
        lines.append(f"def t_{i}(f):")
        writer.emit(spec, "result", "    ")
        lines.append("    return result")
        _write_near(writer, f"n_{i}", spec)
    _write_every(writer, specs)
    renames = writer.const(dict(rename or {}))
    lines += ["def near_all(f, outcomes, current, scores):", "    get = scores.get"]
    for rank, i in rules:
        # every required key but one known (a sum of booleans, not a set built per rule)
        required = sorted(_compile(specs[i]).required)
        unknown = " + ".join(f"({k!r} not in f)" for k in required)
        lines += [
            f"    if {rank} > current and outcomes[{i}] is None"
            + (f" and {unknown} <= 1:" if len(required) > 1 else ":"),
            f"        gap = {float(rank)} - current",
            f"        for k in n_{i}(f):",
            f"            k = {renames}.get(k, k)",
            "            if gap > get(k, 0.0):",
            "                scores[k] = gap",
        ]
    lines.append("    return None")
    source = "\n".join(lines) + "\n"
    code = compile(source, "<musclewise knowledge>", "exec")
    return Program(code, tuple(writer.constants), len(specs))


def _write_every(writer: _Writer, specs: Sequence[Mapping[str, Any]]) -> None:
    """``every(f)``: the answer of every test and the positions of those that hold, in one
    function that reads each fact once. A test none of whose needed keys is known is not run
    and answers ``None`` (see :meth:`TestIndex.outcomes`)."""
    lines = writer.lines
    head = len(lines)
    writer.reads = {}
    body = [f"    out = [None] * {len(specs)}", "    held = []"]
    for i, spec in enumerate(specs):
        needs = _compile(spec).needs
        pad = "    "
        writer.lines = []
        if needs is not None:
            if not needs:
                continue  # it can never hold: None
            body.append("    if " + " or ".join(f"{k!r} in f" for k in sorted(needs)) + ":")
            pad = "        "
        writer.emit(spec, "r", pad)
        body += writer.lines
        body += [f"{pad}out[{i}] = r", f"{pad}if r is True:", f"{pad}    held.append({i})"]
    reads = [f"    {name} = f.get({key!r})" for key, name in writer.reads.items()]
    writer.lines = lines
    writer.reads = None
    lines[head:] = ["def every(f):", *reads, *body, "    return out, held"]


Near = Callable[[Facts], frozenset[str]]


Every = Callable[[Facts], tuple[list[bool | None], list[int]]]


class Loaded(NamedTuple):
    """The functions of a loaded :class:`Program`."""

    tests: list[Test]
    nears: list[Near]
    near_all: NearAll
    every: Every
    """Every test's answer and the positions of those that hold (see :meth:`TestIndex.outcomes`)."""


def load_program(program: Program) -> Loaded:
    """The tests, their one-answer-away functions, ``near_all`` and ``every``, from a program."""
    namespace: dict[str, Any] = {"C": program.constants, "EMPTY": _NONE}
    exec(program.code, namespace)  # code generated from validated knowledge data
    tests = [namespace[f"t_{i}"] for i in range(program.tests)]
    nears = [namespace[f"n_{i}"] for i in range(program.tests)]
    return Loaded(tests, nears, namespace["near_all"], namespace["every"])
