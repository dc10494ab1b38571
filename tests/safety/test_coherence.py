"""Coherent answers (issue 9 §4): the kind and every piece of advice agree with the triage."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from musclewise import assess
from musclewise.assessment import default_engine
from musclewise.findings import WARNING_SIGNS

from ..test_engine import PROPERTY, findings_strategy

RANKS = {"self_care": 0, "see_doctor": 1, "urgent": 2, "emergency": 3}
SERIOUS_MIMICS = {
    h.id for h in default_engine().hypotheses if RANKS[h.level_if_likely] >= RANKS["urgent"]
}


def _advice_levels() -> dict[str, frozenset[str]]:
    engine = default_engine()
    return {a.text: a.levels for a in (*engine.relief, *engine.prevention)}


ADVICE_LEVELS = _advice_levels()


def _urgent_signs() -> list[str]:
    """Warning signs that alone make a red flag of urgent or emergency hold."""
    engine = default_engine()
    return sorted(
        {
            key
            for rule in engine.rules
            if RANKS[rule.level] >= RANKS["urgent"] and rule.test.flat is not None
            for key in rule.test.flat
            if key in WARNING_SIGNS
        }
    )


URGENT_SIGNS = _urgent_signs()


def test_the_urgent_level_signs_include_the_new_ones() -> None:
    assert {"carpopedal_spasm", "face_droop", "rest_pain", "pain_on_passive_stretch"} <= set(
        URGENT_SIGNS
    )


@PROPERTY
@given(findings=findings_strategy, sign=st.sampled_from(URGENT_SIGNS))
def test_no_self_care_with_an_urgent_or_emergency_sign(findings: dict[str, Any], sign: str) -> None:
    result = assess({**findings, sign: True})
    assert RANKS[result["triage"]["level"]] >= RANKS["urgent"]


@PROPERTY
@given(findings=findings_strategy)
def test_advice_agrees_with_the_level(findings: dict[str, Any]) -> None:
    result = assess(findings)
    level = result["triage"]["level"]
    for item in result["relief"] + result["prevention"]:
        assert level in ADVICE_LEVELS[item["text"]], (level, item["text"])
    if RANKS[level] >= RANKS["urgent"]:
        texts = " ".join(i["text"] for i in result["relief"] + result["prevention"]).lower()
        assert "not harmful" not in texts
        assert "warm bath" not in texts and "stretch the" not in texts


@PROPERTY
@given(findings=findings_strategy)
def test_a_likely_serious_mimic_raises_the_triage(findings: dict[str, Any]) -> None:
    """A mimic that brings urgent or emergency, at the documented threshold, is never left at
    self_care or see_doctor (with three warning signs or fewer, the posterior shown is one of
    those the escalation judges: docs/model.md)."""
    signs = [k for k, v in findings.items() if v is True and k in WARNING_SIGNS]
    if len(signs) > 3:
        return
    result = assess(findings)
    engine = default_engine()
    for s in result["suspected"]:
        if s["id"] in SERIOUS_MIMICS and s["probability"] >= engine.urgent_at + 1e-3:
            assert RANKS[result["triage"]["level"]] >= RANKS["urgent"], s
        if s["id"] in SERIOUS_MIMICS and s["probability"] >= engine.see_doctor_at + 1e-3:
            assert RANKS[result["triage"]["level"]] >= RANKS["see_doctor"], s


def test_a_possible_clot_reads_urgent_with_a_reason_that_says_so() -> None:
    findings = {"site": "calf", "side": "left", "long_travel": True, "tenderness": True,
                "relieved_by_stretch": False, "ongoing_days": 2}  # fmt: skip
    result = assess(findings)
    dvt = next(s for s in result["suspected"] if s["id"] == "deep_vein_thrombosis")
    assert dvt["probability"] >= 0.15
    assert result["triage"]["level"] == "urgent"
    assert any(
        r["rule"].startswith("model:deep_vein_thrombosis") for r in result["triage"]["reasons"]
    )


def test_an_emergency_twitch_is_not_reassured() -> None:
    result = assess({"site": "eyelid", "visible_twitch": True, "face_droop": True})
    assert result["triage"]["level"] == "emergency"
    texts = " ".join(i["text"] for i in result["relief"] + result["prevention"])
    assert "not harmful" not in texts and "coffee" not in texts
    assert "While you get help" in texts


def test_tetany_relief_is_what_to_do_while_getting_help() -> None:
    result = assess({"site": "hand", "carpopedal_spasm": True, "perioral_tingling": True})
    assert result["triage"]["level"] == "emergency"
    assert result["kind"] == "other", "the kind shown reflects the red flag"
    texts = " ".join(i["text"] for i in result["relief"])
    assert "breathe slowly" in texts
    assert "stretch" not in texts.replace("Do not massage, stretch", "")


def test_no_stretching_for_compartment_syndrome_under_a_cast() -> None:
    result = assess({"site": "shin", "cast_or_tight_bandage": True, "pain": 9, "muscle_hard": True})
    assert result["triage"]["level"] == "emergency"
    for item in result["relief"]:
        assert "Straighten" not in item["text"] and "gently stretch" not in item["text"]


def test_restless_legs_is_never_a_default() -> None:
    for findings in ({}, {"site": "leg"}, {"site": "calf", "onset": "at_rest"}):
        result = assess(findings)
        assert not any("restless_legs" in r["rule"] for r in result["triage"]["reasons"])
        assert result["kind"] != "other" or result["suspected"][0]["id"] != "restless_legs"
