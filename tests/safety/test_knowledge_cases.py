"""The knowledge real cases need (issue 9 §1): contract 1.1 findings, generic limb sites."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from musclewise import assess
from musclewise.assessment import default_engine

from ..test_engine import PROPERTY, findings_strategy

LEG_PARTS = ("calf", "shin", "thigh_front", "thigh_back", "foot", "toes")
ARM_PARTS = ("hand", "fingers", "forearm", "upper_arm")
RANKS = {"self_care": 0, "see_doctor": 1, "urgent": 2, "emergency": 3}


def fired(findings: dict[str, Any]) -> set[str]:
    return {r.id for r in default_engine().evaluate(findings).fired}


@PROPERTY
@given(
    findings=findings_strategy,
    part=st.sampled_from(LEG_PARTS),
    generic=st.sampled_from(("leg", "knee", "hip_or_buttock")),
)
def test_a_generic_leg_site_holds_every_red_flag_a_named_part_does(
    findings: dict[str, Any], part: str, generic: str
) -> None:
    named = fired({**findings, "site": part})
    assert named <= fired({**findings, "site": generic}), (part, generic)


@PROPERTY
@given(findings=findings_strategy, part=st.sampled_from(ARM_PARTS))
def test_the_generic_arm_site_holds_every_red_flag_a_named_part_does(
    findings: dict[str, Any], part: str
) -> None:
    assert fired({**findings, "site": part}) <= fired({**findings, "site": "arm"})


@pytest.mark.parametrize("site", [None, "leg", "calf", "thigh_back", "knee"])
def test_a_swollen_purple_leg_after_birth_is_never_self_care(site: str | None) -> None:
    findings: dict[str, Any] = {"swelling": True, "redness": True, "postpartum": True}
    if site:
        findings["site"] = site
    result = assess(findings)
    assert result["triage"]["level"] == "urgent"
    assert any(s["condition"] == "deep_vein_thrombosis" for s in result["suspected"])


@pytest.mark.parametrize(
    ("findings", "level"),
    [
        ({"site": "hand", "carpopedal_spasm": True}, "emergency"),
        ({"site": "foot", "carpopedal_spasm": True}, "emergency"),
        ({"site": "face", "face_droop": True}, "emergency"),
        ({"site": "eyelid", "face_droop": True, "visible_twitch": True}, "emergency"),
        ({"site": "arm", "trouble_swallowing_or_speaking": True, "weakness": True}, "emergency"),
        (
            {"site": "shin", "cast_or_tight_bandage": True, "severe_unrelenting_pain": True},
            "emergency",
        ),
        (
            {"site": "forearm", "cast_or_tight_bandage": True, "pain_on_passive_stretch": True},
            "emergency",
        ),
        ({"site": "leg", "cast_or_tight_bandage": True, "pain": 8}, "emergency"),
        ({"site": "leg", "cast_or_tight_bandage": True}, "urgent"),
        ({"site": "calf", "pain_on_passive_stretch": True}, "urgent"),
        ({"site": "calf", "pain_on_passive_stretch": True, "recent_injury": True}, "emergency"),
        ({"site": "foot", "rest_pain": True}, "urgent"),
        ({"site": "leg", "non_healing_sore": True}, "urgent"),
        ({"site": "leg", "postpartum": True}, "see_doctor"),
        ({"site": "leg", "postpartum": True, "side": "left", "tenderness": True}, "urgent"),
        ({"site": "knee", "swelling": True, "long_travel": True}, "urgent"),
        ({"site": "leg", "warmth": True}, "see_doctor"),
        ({"swelling": True, "warmth": True}, "urgent"),
        ({"site": "hip_or_buttock", "saddle_numbness": True}, "emergency"),
        ({"site": "face", "trouble_swallowing_or_speaking": True, "ongoing_days": 0}, "emergency"),
        ({"site": "face", "trouble_swallowing_or_speaking": True, "ongoing_days": 20}, "urgent"),
    ],
)
def test_contract_1_1_findings_reach_their_level(findings: dict[str, Any], level: str) -> None:
    """The levels of clinical notes, section 5."""
    assert assess(findings)["triage"]["level"] == level


def test_every_new_finding_has_a_model_feature_with_sources() -> None:
    engine = default_engine()
    keys = {f.key for f in engine.features}
    new = {"carpopedal_spasm", "rest_pain", "non_healing_sore", "pain_on_passive_stretch",
           "cast_or_tight_bandage", "postpartum", "face_droop"}  # fmt: skip
    assert new <= keys
    assert all(f.sources for f in engine.features if f.key in new)


def test_a_generic_site_weighs_like_the_parts_it_covers() -> None:
    """ "leg" is read as the sum of its parts: a DVT is as plausible as in a calf, and an
    eyelid twitch is not."""
    leg = assess({"site": "leg", "swelling": True, "warmth": True, "tenderness": True})
    arm = assess({"site": "arm", "visible_twitch": True})
    assert leg["kind"] == "other" and leg["suspected"][0]["condition"] == "deep_vein_thrombosis"
    assert arm["kind"] == "spasm"


NIGHT_CRAMP_ON_A_STATIN = {
    "site": "calf", "side": "left", "medications": ["atorvastatin"], "pain": 7, "duration_s": 60,
    "onset": "during_sleep", "relieved_by_stretch": True,
}  # fmt: skip


@pytest.mark.parametrize(
    ("findings", "level"),
    [
        ({"site": "thigh_front", "medications": ["simvastatin"], "pain": 3}, "see_doctor"),
        ({"site": "leg", "side": "both", "medications": ["atorvastatin"]}, "see_doctor"),
        (
            {
                "site": "calf",
                "side": "both",
                "medications": ["atorvastatin"],
                "pain": 7,
                "onset": "during_sleep",
                "relieved_by_stretch": True,
            },
            "self_care",
        ),
        ({"site": "shoulder", "medications": ["rosuvastatin"], "pain": 2}, "see_doctor"),
        (NIGHT_CRAMP_ON_A_STATIN, "self_care"),
    ],
)
def test_statin_muscle_symptoms_where_statins_cause_them(
    findings: dict[str, Any], level: str
) -> None:
    """Statin myopathy is usually proximal and symmetrical (clinical notes §6): both sides or a
    proximal muscle on a statin is worth raising with a doctor; one calf cramp at night is not
    a statin sign on its own (Garrison: a small association)."""
    result = assess(findings)
    assert result["triage"]["level"] == level
    rules = {reason["rule"] for reason in result["triage"]["reasons"]}
    assert ("statin_muscle_symptoms" in rules) == (level == "see_doctor")
