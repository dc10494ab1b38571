"""The clinical merge on its own: plain values in, findings out, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from musclewise.diary.merge import (
    LOW_FLUIDS_LITRES,
    NEW_MEDICINE_DAYS,
    day_findings,
    merged_findings,
)
from musclewise.diary.records import MedicineRecord

DAY = date(2026, 3, 10)


def test_age_is_the_local_year_minus_the_birth_year_never_negative() -> None:
    assert merged_findings(DAY, own={}, birth_year=1960)["age"] == 66
    assert merged_findings(date(2026, 1, 1), own={}, birth_year=2026)["age"] == 0
    assert merged_findings(DAY, own={}, birth_year=2030)["age"] == 0
    assert "age" not in merged_findings(DAY, own={})


def test_profile_values_pass_through_and_unknown_ones_stay_out() -> None:
    merged = merged_findings(DAY, own={}, sex="female", pregnant=True, conditions=["diabetes"])
    assert merged == {"sex": "female", "pregnant": True, "conditions": ["diabetes"]}
    assert merged_findings(DAY, own={}, conditions=[]) == {}


@pytest.mark.parametrize(
    ("started", "stopped", "taken", "new"),
    [
        (DAY - timedelta(days=NEW_MEDICINE_DAYS), None, True, True),
        (DAY - timedelta(days=NEW_MEDICINE_DAYS + 1), None, True, False),
        (DAY, None, True, True),
        (DAY + timedelta(days=1), None, False, False),
        (None, None, True, False),
        (date(2020, 1, 1), DAY - timedelta(days=3), False, True),
        (date(2020, 1, 1), DAY, False, True),
        (date(2020, 1, 1), DAY - timedelta(days=NEW_MEDICINE_DAYS + 1), False, False),
    ],
)
def test_medicines_taken_that_day_and_new_within_the_window(
    started: date | None, stopped: date | None, taken: bool, new: bool
) -> None:
    medicine = MedicineRecord(1, "simvastatin", started, stopped)
    merged = merged_findings(DAY, own={}, medicines=[medicine])
    assert ("medications" in merged) == taken
    if taken:
        assert merged["medications"] == ["simvastatin"]
    assert merged.get("new_medicine", False) is new


def test_low_fluids_is_read_from_litres_below_the_threshold() -> None:
    assert day_findings({"fluids_litres": LOW_FLUIDS_LITRES - 0.1}) == {"fluids_low": True}
    assert day_findings({"fluids_litres": LOW_FLUIDS_LITRES}) == {"fluids_low": False}
    assert day_findings({"fluids_litres": 0.5, "fluids_low": False}) == {"fluids_low": False}
    assert day_findings({"cigarettes": 0, "stress": 3}) == {"smoker": False, "stress": 3}
    assert day_findings({"notes": "long walk", "cigarettes": None}) == {}


def test_the_day_before_counts_only_when_the_day_has_no_context() -> None:
    before = {DAY - timedelta(days=1): {"alcohol_drinks": 4}}
    assert merged_findings(DAY, own={}, days=before)["alcohol_drinks"] == 4
    both = {**before, DAY: {"stress": 2}}
    assert merged_findings(DAY, own={}, days=both) == {"stress": 2}
    older = {DAY - timedelta(days=2): {"alcohol_drinks": 4}}
    assert merged_findings(DAY, own={}, days=older) == {}


def test_the_episode_own_findings_win_over_the_day_and_profile() -> None:
    days = {DAY: {"fluids_litres": 0.5}}
    merged = merged_findings(DAY, own={"fluids_low": False, "age": 40}, birth_year=1960, days=days)
    assert merged["fluids_low"] is False
    assert merged["age"] == 40
