"""Knowledge tests: the generated functions answer exactly as the reference closures."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from musclewise.engine.conditions import (
    KIND,
    LEAN,
    POSTERIOR,
    compile_test,
    load_program,
    one_answer_away,
)
from musclewise.engine.conditions import TestIndex as OneByOne  # not a pytest class
from musclewise.engine.conditions import (
    reference as closures_of,
)
from musclewise.knowledge import load_knowledge

from .test_engine import findings_strategy


def _every_test() -> list[dict[str, Any]]:
    data = load_knowledge().data
    specs = [r["when"] for r in data["red_flags"]["rules"]]
    specs += [rec["when"] for f in data["factors"]["factors"] for rec in f["recognised_by"]]
    specs += [
        a["when"] for part in ("relief", "prevention") for a in data["advice"][part] if "when" in a
    ]
    return specs


SPECS = _every_test()
COMPILED = [(compile_test(s), closures_of(s)) for s in SPECS]
facts_strategy = st.builds(
    lambda f, kind, p, classes: {
        **f,
        KIND: kind,
        POSTERIOR: {"deep_vein_thrombosis": p, "muscle_strain": p, "peripheral_artery_disease": p},
        **({"med_classes": frozenset(classes)} if "medications" in f else {}),
    },
    findings_strategy,
    st.sampled_from(["cramp", "spasm", "other"]),
    st.floats(0, 1),
    st.lists(st.sampled_from(["statin", "thiazide_diuretic", "beta2_agonist"]), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy)
def test_generated_tests_agree_with_the_closures(facts: dict[str, Any]) -> None:
    for (fast, reference), spec in zip(COMPILED, SPECS, strict=True):
        assert fast.test(facts) == reference.test(facts), spec


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy)
def test_one_answer_away_agrees_with_the_closures(facts: dict[str, Any]) -> None:
    for (fast, reference), spec in zip(COMPILED, SPECS, strict=True):
        if reference.test(facts) is True:
            continue
        assert one_answer_away(fast, facts) == reference.single(facts), spec


def test_every_knowledge_test_is_covered() -> None:
    assert len(SPECS) > 100


@settings(max_examples=200, deadline=None)
@given(facts=facts_strategy, current=st.integers(0, 3))
def test_near_all_agrees_with_the_rules_one_by_one(facts: dict[str, Any], current: int) -> None:
    from musclewise.assessment import default_engine
    from musclewise.engine import RANK
    from musclewise.engine.model import ASK_KEY

    engine = default_engine()
    outcomes = [r.test.test(facts) for r in engine.rules]
    fast: dict[str, float] = {}
    near_all = load_program(engine.program).near_all  # the engine's own generated function
    near_all(facts, outcomes, current, fast)
    slow: dict[str, float] = {}
    for rule, outcome in zip(engine.rules, outcomes, strict=True):
        rank = RANK[rule.level]
        if rule.test.flat is not None or outcome is not None or rank <= current:
            continue
        if len(rule.test.required - facts.keys()) > 1:
            continue
        for found in closures_of(rule_spec(engine, rule.id)).single(facts):
            key = ASK_KEY.get(found, found)
            slow[key] = max(slow.get(key, 0.0), float(rank - current))
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy, lean=st.sets(st.sampled_from(["cramp", "spasm", "other"])))
def test_every_answers_as_the_tests_one_by_one(facts: dict[str, Any], lean: set[str]) -> None:
    """The one generated function that runs every test (each fact read once) answers as the
    tests run one at a time, skipping those none of whose needed keys is known."""
    from musclewise.assessment import default_engine

    engine = default_engine()
    facts = {**facts, LEAN: frozenset(lean)}
    parts = [*engine.rules, *engine.recognisers, *engine.relief, *engine.prevention]
    one_by_one = OneByOne([part.test for part in parts])
    assert load_program(engine.program).every(facts) == one_by_one.outcomes(facts)
    bare = {k: v for k, v in facts.items() if k not in (KIND, LEAN, POSTERIOR)}
    assert load_program(engine.program).every(bare) == one_by_one.outcomes(bare)


def rule_spec(engine: Any, rule_id: str) -> dict[str, Any]:
    rules = engine.knowledge.data["red_flags"]["rules"]
    spec: dict[str, Any] = next(r["when"] for r in rules if r["id"] == rule_id)
    return spec


def test_a_cached_program_gives_the_same_engine() -> None:
    from musclewise.engine import TriageEngine
    from musclewise.engine.conditions import Program

    knowledge = load_knowledge()
    first = TriageEngine(knowledge)
    import marshal

    program = Program(*marshal.loads(marshal.dumps(tuple(first.program))))
    second = TriageEngine(knowledge, program)
    findings = {"site": "calf", "swelling": True, "warmth": True, "pain": 6}
    assert first.assess(findings) == second.assess(findings)
