"""The reader on its development set (tests/text/devset.yaml): every warning sign a text
states is read, and every warning-sign key meets issue 9's precision and recall."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from musclewise.evaluation import score_reading
from musclewise.findings import WARNING_SIGNS
from musclewise.text import read_text

DEVSET = Path(__file__).with_name("devset.yaml")
CASES: list[dict[str, Any]] = yaml.safe_load(DEVSET.read_text("utf-8"))
PRECISION, RECALL = 0.90, 0.85


def test_the_development_set_is_what_issue_9_asks() -> None:
    assert len(CASES) >= 250
    assert len({c["id"] for c in CASES}) == len(CASES)
    for key in WARNING_SIGNS:
        phrasings = {c["text"] for c in CASES if c["answers"].get(key) is True}
        assert len(phrasings) >= 5, f"{key}: {len(phrasings)} phrasings"


SIGNS = [
    pytest.param(c["text"], key, id=f"{c['id']}-{key}")
    for c in CASES
    for key, value in c["answers"].items()
    if key in WARNING_SIGNS and value is True
]


@pytest.mark.parametrize(("text", "key"), SIGNS)
def test_every_phrasing_of_a_warning_sign_yields_it(text: str, key: str) -> None:
    assert read_text(text).findings.get(key) is True


def test_every_warning_sign_key_meets_the_targets() -> None:
    report = score_reading(CASES, lambda t: read_text(t).findings)
    short = {
        key: (round(s.precision, 3), round(s.recall, 3))
        for key, s in report.keys.items()
        if key in WARNING_SIGNS and (s.precision < PRECISION or s.recall < RECALL)
    }
    assert not short, short
