"""The batch path (``assess --json``) writes, byte for byte, what one-at-a-time assessment gives.

The batch path may cache, share and reuse whatever it likes between lines; these tests hold it
to the output of :func:`musclewise.assess` on each findings object alone, encoded the same way
(msgspec's JSON), over generated findings, in any order, with repeats and bad lines mixed in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musclewise import assess
from musclewise.cli.batch import assess_records
from musclewise.errors import FindingsError

from .conftest import run_process
from .test_engine import PROPERTY, STRATEGIES, findings_strategy

BAD_LINES = [b"{not json\n", b'{"site": "moon"}\n', b'{"pain": 11}\n', b"[1, 2]\n", None]
"""Lines that are not valid findings (``None``: a line too long to read)."""


def one_at_a_time(line: bytes | None) -> bytes:
    """The reference: each line decoded and assessed alone with the public API (``b"error"``
    for a line that is not valid findings)."""
    if line is None:
        return b"error"
    try:
        return msgspec.json.encode(assess(json.loads(line)))
    except (ValueError, FindingsError):
        return b"error"


LINES = st.one_of(
    findings_strategy.map(lambda f: json.dumps(f).encode() + b"\n"), st.sampled_from(BAD_LINES)
)


@PROPERTY
@given(many=st.lists(LINES, min_size=1, max_size=12), repeat=st.booleans())
def test_the_batch_output_is_the_one_at_a_time_output(
    many: list[bytes | None], repeat: bool
) -> None:
    lines = many + many[::-1] if repeat else many
    records = list(enumerate(lines, start=1))
    expected = [one_at_a_time(line) for _, line in reversed(records)][::-1]
    got = list(assess_records(records))
    assert len(got) == len(expected)
    for (encoded, ok), want, (number, _) in zip(got, expected, records, strict=True):
        if want == b"error":  # the wording of an error is the batch's own: its line and status
            assert not ok
            assert json.loads(encoded)["line"] == number
        else:
            assert ok
            assert encoded == want


def test_the_bundled_example_is_the_same_both_ways() -> None:
    from musclewise.cli.examples import example_findings

    findings: dict[str, Any] = dict(example_findings())
    line = json.dumps(findings).encode()
    [(encoded, ok)] = assess_records([(1, line)])
    assert ok
    assert encoded == msgspec.json.encode(assess(findings))


def one_error(line: bytes | None, number: int) -> bytes:
    """The error line the one-at-a-time path gives for an invalid line: the findings module's
    own message (``decode_findings``), with the line's number."""
    from musclewise.cli.batch import MAX_RECORD_BYTES
    from musclewise.findings import decode_findings

    if line is None:
        message = f"is longer than {MAX_RECORD_BYTES:,} bytes"
    else:
        try:
            decode_findings(line)
        except FindingsError as exc:
            message = exc.message
        else:
            raise AssertionError(f"{line!r} is valid findings")
    return msgspec.json.encode({"error": message, "line": number})


ANY_MEDICINE = st.one_of(
    st.sampled_from(["atorvastatin", "Lasix", "amlodipine 5mg", "metformin", "omeprazole"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20),
)
"""Medicine names known, written as people write them, and unknown (any text)."""
MORE_FINDINGS = st.tuples(findings_strategy, st.lists(ANY_MEDICINE, max_size=3)).map(
    lambda pair: {**pair[0], "medications": pair[1]} if pair[1] else pair[0]
)
BROKEN = st.one_of(
    st.sampled_from(BAD_LINES[:-1]),
    st.fixed_dictionaries(
        {
            "key": st.sampled_from(
                [
                    "site",
                    "pain",
                    "age",
                    "duration_s",
                    "weakness",
                    "onset",
                    "medications",
                    "no_such_key",
                ]
            ),
            "value": st.one_of(
                st.integers(-5, 500),
                st.text(max_size=5),
                st.none(),
                st.lists(st.integers(), max_size=2),
            ),
        }
    ).map(lambda bad: json.dumps({"site": "calf", bad["key"]: bad["value"]}).encode() + b"\n"),
    st.binary(max_size=30).map(lambda b: b + b"\n"),
)
"""Lines that are broken in every way a file can be: not JSON, not UTF-8, a wrong value."""


@PROPERTY
@given(
    many=st.lists(
        st.one_of(MORE_FINDINGS.map(lambda f: json.dumps(f).encode() + b"\n"), BROKEN, st.none()),
        min_size=1,
        max_size=15,
    )
)
def test_every_line_is_what_it_gives_alone_errors_included(many: list[bytes | None]) -> None:
    records = list(enumerate(many, start=1))
    got = list(assess_records(records))
    assert len(got) == len(records)
    for (encoded, ok), (number, line) in zip(got, records, strict=True):
        want = one_at_a_time(line)
        if want == b"error":
            assert not ok
            assert encoded == one_error(line, number)
        else:
            assert ok
            assert encoded == want


def test_the_public_vignettes_are_the_same_both_ways(vignettes: list[dict[str, Any]]) -> None:
    lines = []
    for v in vignettes:
        lines.append(json.dumps(v["answers"]).encode())
        lines.append(json.dumps({**v["answers"], "text": v["text"]}).encode())
    got = list(assess_records(list(enumerate(lines, start=1))))
    assert len(got) == 2 * len(vignettes) >= 80
    for (encoded, ok), line in zip(got, lines, strict=True):
        assert ok
        assert encoded == one_at_a_time(line)


@PROPERTY
@given(chunk=st.lists(MORE_FINDINGS, min_size=1, max_size=20))
def test_the_posterior_in_columns_is_the_per_case_posterior(chunk: list[dict[str, Any]]) -> None:
    from musclewise.assessment import default_engine, resolve_medicines
    from musclewise.engine.columns import ColumnModel

    engine = default_engine()
    facts = []
    for findings in chunk:
        f = dict(findings)
        if "medications" in f:
            f["med_classes"] = frozenset(
                c for m in resolve_medicines(f["medications"]) for c in m.classes
            )
        facts.append(f)
    table = ColumnModel(engine.model).posterior(facts)
    assert table.shape == (len(chunk), len(engine.hypotheses))
    for row, f in zip(table, facts, strict=True):
        post, _ = engine.model.posterior(f)
        assert row.tolist() == post  # to the bit


SPARSE = st.fixed_dictionaries(
    {"site": STRATEGIES["site"]},
    optional={k: STRATEGIES[k] for k in ("pain", "duration_s", "extent", "muscle_hard", "onset",
                                         "visible_twitch", "relieved_by_stretch", "swelling",
                                         "weakness", "age", "ongoing_days", "medications",
                                         "caffeine_cups", "side", "sleep_disturbed")},
)  # fmt: skip
"""Findings as people give them: a site and a few answers (most cases go the quick way)."""


@PROPERTY
@given(chunk=st.lists(st.one_of(MORE_FINDINGS, SPARSE), min_size=1, max_size=40))
def test_a_chunk_in_columns_is_each_case_alone(chunk: list[dict[str, Any]]) -> None:
    from musclewise.assessment import default_chunks, default_engine, resolve_medicines
    from musclewise.findings import validate_findings

    engine = default_engine()
    pairs = [
        (f, resolve_medicines(f.get("medications", ())))
        for f in (validate_findings(findings) for findings in chunk)
    ]
    got = default_chunks().encode_many(pairs)
    assert len(got) == len(pairs)
    for (findings, medicines), encoded in zip(pairs, got, strict=True):
        assert encoded == msgspec.json.encode(engine.assess(findings, medicines))


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    many=st.lists(
        st.one_of(SPARSE, SPARSE, MORE_FINDINGS).map(lambda f: json.dumps(f).encode()),
        min_size=100,
        max_size=160,
    ),
    data=st.data(),
)
def test_a_long_file_goes_into_columns_and_stays_the_same(
    many: list[bytes | None], data: st.DataObject, vignettes: list[dict[str, Any]]
) -> None:
    """Past the first lines, records are assessed in chunks: every kind of line (findings,
    text, errors, a line too long) keeps its place and its bytes across the chunks' edges."""
    lines = list(many)
    for n, bad in enumerate(BAD_LINES):
        lines.insert(data.draw(st.integers(0, len(lines)), label=f"bad {n}"), bad)
    for v in vignettes[:4]:
        text = json.dumps({"text": v["text"]}).encode()
        lines.insert(data.draw(st.integers(0, len(lines)), label="text"), text)
    records = list(enumerate(lines, start=1))
    chunked = list(assess_records(records, alone=10, chunk=data.draw(st.integers(1, 70))))
    alone = list(assess_records(records, alone=len(records)))
    assert chunked == alone
    assert sum(not ok for _, ok in chunked) == len(BAD_LINES)


HALF_WAY = st.integers(0, 10_000).map(lambda k: (k + 0.5) / 10_000)
"""Values half-way between two four-place decimals (as near as a double gets)."""


@PROPERTY
@given(values=st.lists(st.one_of(st.floats(0.0, 1.0), HALF_WAY), min_size=1, max_size=50))
def test_rounding_in_columns_is_pythons_round(values: list[float]) -> None:
    import numpy as np

    from musclewise.engine.chunks import round4

    got = round4(np.asarray(values, dtype=np.float64)).tolist()
    assert got == [round(v, 4) for v in values]
    assert [str(g) for g in got] == [str(round(v, 4)) for v in values]  # -0.0 is not 0.0


def test_a_value_the_columns_do_not_hold_is_assessed_alone() -> None:
    """A number too large for the columns (past the contract's bounds, as a program calling
    the engine directly could give) sends its case to the engine alone; the others stay in
    columns, and every case is what it gives alone."""
    from musclewise.assessment import default_chunks, default_engine

    engine = default_engine()
    chunk = [
        ({"site": "calf", "pain": 8, "duration_s": 1e12}, []),
        ({"site": "calf", "pain": 8, "duration_s": 90}, []),
        ({"site": "eyelid", "ongoing_days": 10**30}, []),
    ]
    got = default_chunks().encode_many(chunk)
    assert got == [msgspec.json.encode(engine.assess(f, m)) for f, m in chunk]


def test_a_large_file_goes_into_columns_from_its_first_line(tmp_path: Path) -> None:
    """The command sends a file of a megabyte or more to columns from its first record (no
    line is assessed alone first): the output is still each line's own assessment, in order."""
    import random

    from musclewise.cli.batch import LARGE_FILE

    rng = random.Random(5)
    sites = ["calf", "foot", "thigh_back", "eyelid", "hand", "back"]
    lines = []
    size = 0
    while size < LARGE_FILE:
        findings: dict[str, Any] = {"site": rng.choice(sites), "pain": rng.randint(0, 10)}
        if rng.random() < 0.5:
            findings["duration_s"] = rng.choice([2, 30, 120, 600])
        if rng.random() < 0.3:
            findings["swelling"] = rng.random() < 0.5
        if rng.random() < 0.2:
            findings["medications"] = ["atorvastatin"]
        line = json.dumps(findings).encode() + b"\n"
        lines.append(line)
        size += len(line)
    path = tmp_path / "large.jsonl"
    path.write_bytes(b"".join(lines))
    done = run_process("assess", "--json", str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert len(out) == len(lines)
    for n in [*range(300), *range(300, len(lines), 97), len(lines) - 1]:
        assert out[n] == one_at_a_time(lines[n]), n
