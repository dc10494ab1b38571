"""The batch path (``assess --json``) writes, byte for byte, what one-at-a-time assessment gives.

The batch path may cache, share and reuse whatever it likes between lines; these tests hold it
to the output of :func:`musclewise.assess` on each findings object alone, encoded the same way
(msgspec's JSON), over generated findings, in any order, with repeats and bad lines mixed in.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from musclewise import assess
from musclewise.cli.batch import assess_records
from musclewise.errors import FindingsError

from .test_engine import PROPERTY, findings_strategy

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
