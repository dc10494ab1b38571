"""The shared names of :mod:`musclewise.contract` are the ones the JSON Schemas fix."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from musclewise import contract, evaluation, findings
from musclewise.diary import restore


def _schema(name: str) -> dict[str, Any]:
    text = resources.files("musclewise.contract").joinpath(f"{name}.schema.json").read_text()
    result: dict[str, Any] = json.loads(text)
    return result


def test_levels_kinds_sites_and_conditions_match_the_schemas() -> None:
    assessment, given = _schema("assessment"), _schema("findings")
    levels = assessment["properties"]["triage"]["properties"]["level"]["enum"]
    assert list(contract.TRIAGE_LEVELS) == list(reversed(levels)), "least serious first"
    assert tuple(assessment["properties"]["kind"]["enum"]) == contract.KINDS
    assert tuple(given["properties"]["site"]["enum"]) == contract.SITES
    assert tuple(given["properties"]["conditions"]["items"]["enum"]) == contract.CONDITIONS


def test_ranks_order_the_levels() -> None:
    ranks = [contract.LEVEL_RANK[level] for level in contract.TRIAGE_LEVELS]
    assert ranks == sorted(ranks) == list(range(len(ranks)))
    assert contract.LEVEL_RANK["emergency"] > contract.LEVEL_RANK["self_care"]


def test_other_modules_use_the_one_definition() -> None:
    assert findings.SITES is contract.SITES
    assert findings.CONDITIONS is contract.CONDITIONS
    assert evaluation.LEVELS is contract.TRIAGE_LEVELS
    assert restore.TRIAGE_LEVELS is contract.TRIAGE_LEVELS
    assert restore.KINDS is contract.KINDS


def test_the_assessment_type_has_the_schemas_keys() -> None:
    """``contract.Assessment`` (what ``assess`` returns, typed) names every key of the schema,
    its required ones required; and a real assessment fits it."""
    from musclewise import assess

    schema = _schema("assessment")
    typed = contract.Assessment
    assert set(typed.__annotations__) == set(schema["properties"])
    assert typed.__required_keys__ == set(schema["required"])
    triage = schema["properties"]["triage"]
    assert set(contract.Triage.__annotations__) == set(triage["properties"])
    assert contract.Triage.__required_keys__ == set(triage["required"])
    made = assess({"site": "calf", "pain": 7, "text": "calf cramp at night"})
    assert set(made) <= set(typed.__annotations__)
    assert typed.__required_keys__ <= set(made)
