"""Issue 9: every phrasing of a warning sign in the reader's development set reaches at least
the level that sign brings by itself.

A sign's own level is what the red flags give it at the case's site when it is the only thing
known (the rules' level, not the model's uncertainty about a near-empty episode). The text is
read and assessed as a person's description would be, so a phrasing the reader misses, or a
rule that needs a word the text does not have, fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from musclewise import assess
from musclewise.findings import WARNING_SIGNS

DEVSET = Path(__file__).parents[1] / "text" / "devset.yaml"
RANK = {"self_care": 0, "see_doctor": 1, "urgent": 2, "emergency": 3}


def _rule_level(findings: dict[str, Any]) -> int:
    reasons = assess(findings)["triage"]["reasons"]
    rules = [r for r in reasons if not str(r.get("rule", "")).startswith(("model:", "self_care"))]
    return max((RANK[_level_of(r)] for r in rules), default=0)


def _level_of(reason: dict[str, Any]) -> str:
    from musclewise.knowledge import load_knowledge

    levels = {r["id"]: r["level"] for r in load_knowledge().data["red_flags"]["rules"]}
    return levels.get(str(reason.get("rule")), "self_care")


CASES = [
    c
    for c in yaml.safe_load(DEVSET.read_text("utf-8"))
    if any(c["answers"].get(k) is True for k in WARNING_SIGNS)
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_phrasing_of_a_warning_sign_reaches_its_level(case: dict[str, Any]) -> None:
    answers = case["answers"]
    site = {"site": answers["site"]} if "site" in answers else {}
    signs = [k for k in WARNING_SIGNS if answers.get(k) is True]
    wanted = max(_rule_level({**site, key: True}) for key in signs)
    got = RANK[assess({"text": case["text"]})["triage"]["level"]]
    assert got >= wanted, (case["id"], signs, case["text"])
