"""The fourteenth round's readings: what must not be read as well as what must."""

from __future__ import annotations

import pytest

from musclewise.text import read_text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # nights in a place are not nights in a week
        ("calf cramp, then 3 nights in hospital with a chest infection", "episodes_per_week"),
        ("a cramp that lasted 2 days in hospital", "episodes_per_week"),
    ],
)  # fmt: skip
def test_does_not_read(text: str, key: str) -> None:
    assert key not in read_text(text).findings


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("cramps four nights in the week", "episodes_per_week", 4.0),
        ("cramps 3 days in a week", "episodes_per_week", 3.0),
    ],
)  # fmt: skip
def test_reads(text: str, key: str, value: object) -> None:
    assert read_text(text).findings.get(key) == value


@pytest.mark.parametrize(
    "text",
    ["3 nights in", "3 nights in the", "four nights in a", "nights in the week", "2 days in",
     "cramp 5 times in"],
)  # fmt: skip
def test_never_raises_at_the_end_of_a_text(text: str) -> None:
    read_text(text)
    read_text("calf cramp " + text)
