"""The knowledge base: validated when loaded, every entry sourced, every reference resolved."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest

from musclewise.errors import KnowledgeError
from musclewise.knowledge import (
    CONTRACT_CONDITIONS,
    CONTRACT_FACTORS,
    load_knowledge,
    load_knowledge_from,
    parse_files,
)


@pytest.fixture(scope="module")
def parsed() -> dict[str, Any]:
    return parse_files()


def test_loads_with_a_version() -> None:
    kb = load_knowledge()
    assert kb.version and kb.version == kb.data["meta"]["version"]


def test_every_contract_factor_and_condition_is_covered() -> None:
    data = load_knowledge().data
    assert {f["id"] for f in data["factors"]["factors"]} == set(CONTRACT_FACTORS)
    conditions = {h["condition"] for h in data["model"]["hypotheses"] if h["kind"] == "other"}
    assert conditions == set(CONTRACT_CONDITIONS)


def _sourced_entries(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    entries = [(f"hypothesis {h['id']}", h["sources"]) for h in data["model"]["hypotheses"]]
    entries += [(f"feature {f['key']}", f["sources"]) for f in data["model"]["features"]]
    entries += [(f"red flag {r['id']}", r["sources"]) for r in data["red_flags"]["rules"]]
    entries += [(f"factor {f['id']}", f["sources"]) for f in data["factors"]["factors"]]
    for part in ("relief", "prevention"):
        entries += [(f"{part} {a['id']}", a["sources"]) for a in data["advice"][part]]
    entries += [(f"seed position {p['id']}", p["sources"]) for p in data["seeds"]["positions"]]
    entries += [(f"medicine class {c['id']}", c["sources"]) for c in data["medicines"]["classes"]]
    return entries


def test_every_entry_names_a_source_that_resolves() -> None:
    data = load_knowledge().data
    known = {s["id"] for s in data["meta"]["sources"]}
    for where, sources in _sourced_entries(data):
        assert sources, f"{where} has no source"
        assert set(sources) <= known, f"{where} cites unknown {set(sources) - known}"


def test_both_seeds_are_in_the_bibliography() -> None:
    ids = {s["id"] for s in load_knowledge().data["meta"]["sources"]}
    assert {"000_536a416bc89b66bd", "001_85b1eb4cfbda96ea"} <= ids


def test_an_unknown_key_is_rejected_by_name(parsed: dict[str, Any]) -> None:
    broken = copy.deepcopy(parsed)
    broken["factors"]["factors"][0]["evidance"] = "weak"
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_from(broken)
    message = str(info.value)
    assert "factors.yaml: factors.0: unknown key 'evidance' (did you mean 'evidence'?)" in message
    assert "allowed keys: id, name, evidence, summary" in message


def test_a_missing_source_is_rejected(parsed: dict[str, Any]) -> None:
    broken = copy.deepcopy(parsed)
    broken["red_flags"]["rules"][0]["sources"] = []
    with pytest.raises(KnowledgeError, match=r"red_flags\.yaml"):
        load_knowledge_from(broken)


def test_a_source_that_does_not_resolve_is_rejected(parsed: dict[str, Any]) -> None:
    broken = copy.deepcopy(parsed)
    broken["advice"]["relief"][0]["sources"] = ["NO_SUCH_SOURCE"]
    with pytest.raises(KnowledgeError, match="unknown source 'NO_SUCH_SOURCE'"):
        load_knowledge_from(broken)


def test_a_rule_on_an_unknown_findings_key_is_rejected(parsed: dict[str, Any]) -> None:
    broken = copy.deepcopy(parsed)
    broken["red_flags"]["rules"][0]["when"] = {"key": "swellling", "is": True}
    with pytest.raises(KnowledgeError, match="unknown key 'swellling'"):
        load_knowledge_from(broken)


def test_a_test_with_two_operators_is_rejected(parsed: dict[str, Any]) -> None:
    broken = copy.deepcopy(parsed)
    broken["red_flags"]["rules"][0]["when"] = {"key": "pain", "gt": 3, "lt": 5}
    with pytest.raises(KnowledgeError, match="exactly one of"):
        load_knowledge_from(broken)


def test_the_validated_copy_is_cached_and_reused(tmp_path: Path) -> None:
    from musclewise import knowledge

    os.environ["MUSCLEWISE_CACHE_DIR"] = str(tmp_path)
    try:
        knowledge.load_knowledge.cache_clear()
        first = knowledge.load_knowledge()
        cached = list(tmp_path.glob("knowledge-*.marshal"))
        assert len(cached) == 1
        knowledge.load_knowledge.cache_clear()
        second = knowledge.load_knowledge()
        assert second.data == first.data and second.digest == first.digest
    finally:
        knowledge.load_knowledge.cache_clear()
        os.environ["MUSCLEWISE_CACHE_DIR"] = str(tmp_path.parent)


def test_disagreements_record_both_seeds_and_a_side() -> None:
    positions = {p["id"]: p for p in load_knowledge().data["seeds"]["positions"]}
    pain = positions["spasm_pain"]
    assert set(pain["says"]) == {"000_536a416bc89b66bd", "001_85b1eb4cfbda96ea"}
    assert "painless" in pain["product"]


def test_a_mistyped_pattern_parameter_is_a_knowledge_error(parsed: dict[str, Any]) -> None:
    """Pattern parameters are typed per pattern: a typo is refused when the file is loaded
    (naming the pattern and the key), not met later as an internal error in the insights."""
    broken = copy.deepcopy(parsed)
    entry = next(p for p in broken["patterns"]["patterns"] if p["id"] == "frequent_cramps")
    entry["params"]["per_wek"] = entry["params"].pop("per_week")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_from(broken)
    message = str(info.value)
    assert "frequent_cramps" in message and "per_wek" in message


def test_every_pattern_the_insights_detect_has_typed_parameters() -> None:
    from musclewise.insights.patterns import DETECTORS
    from musclewise.knowledge.schema import PATTERN_PARAMS

    assert set(DETECTORS) == set(PATTERN_PARAMS)
    assert {p["id"] for p in load_knowledge().data["patterns"]["patterns"]} == set(DETECTORS)
