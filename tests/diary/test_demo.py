"""``musclewise demo``: the example diary's shape, on both databases; the same diary for the
same seed; never written over a diary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from musclewise.diary import Diary
from musclewise.diary.demo import DemoPlan, fill_demo, plan_demo
from musclewise.diary.merge import NEW_MEDICINE_DAYS
from musclewise.errors import UsageError
from musclewise.knowledge import load_knowledge

from ..conftest import run_cli

END = date(2026, 11, 1)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def night_of(when: datetime) -> bool:
    return when.hour < 6


def rates(episodes: Sequence[tuple[date, bool]], days: dict[date, dict[str, object]],
          statin: date, start: date, end: date) -> dict[str, float]:  # fmt: skip
    """Cramps a day before and after the statin, and the share of nights with cramps after a
    day of hard exercise and after any other recorded day."""
    cramp_days = [day for day, night in episodes]
    night_after = {day - timedelta(days=1) for day, night in episodes if night}
    before = sum(d < statin for d in cramp_days) / (statin - start).days
    after = sum(d >= statin for d in cramp_days) / ((end - statin).days + 1)
    hard = [d for d, v in days.items() if v.get("exercise_intense") and d < end]
    other = [d for d, v in days.items() if not v.get("exercise_intense") and d < end]
    return {
        "before": before,
        "after": after,
        "hard": sum(d in night_after for d in hard) / len(hard),
        "other": sum(d in night_after for d in other) / len(other),
    }


def planned_rates(plan: DemoPlan) -> dict[str, float]:
    zone = "Europe/London"
    from zoneinfo import ZoneInfo

    local = [e.started_at.astimezone(ZoneInfo(zone)) for e in plan.episodes if e.site != "eyelid"]
    cramps = [(t.date(), night_of(t)) for t in local]
    return rates(cramps, plan.days, plan.statin_from, plan.start, plan.end)


def test_the_demo_diary_has_the_expected_shape(db_url: str) -> None:
    with Diary(db_url, person="demo") as diary:
        summary = fill_demo(diary, seed=7, end=END)
        profile, episodes = diary.get_profile(), diary.list_episodes()
        days = {d.date: d.values for d in diary.list_days()}
        stale = diary.stale_episodes()
    assert (profile.birth_year, profile.sex, profile.timezone) == (1961, "female",
                                                                   "Europe/London")  # fmt: skip
    assert summary.days == 365 and summary.end == END
    assert summary.start == date(2025, 11, 2) and len(days) == summary.days_recorded
    assert len(days) >= 0.8 * summary.days, "the day's context on most days"
    assert all({"caffeine_cups", "sleep_hours", "stress", "fluids_litres"} <= set(v)
               for v in days.values())  # fmt: skip

    [statin] = profile.medicines
    assert statin.name == "Atorvastatin 20mg" and statin.stopped_on is None
    assert abs((statin.started_on - summary.start).days - summary.days // 2) <= 1  # type: ignore[operator]

    # every episode assessed by the engine, as musclewise log does
    version = load_knowledge().version
    assert stale == 0 and summary.knowledge_version == version
    for e in episodes:
        assert e.knowledge_version == e.assessment["knowledge_version"] == version
        assert (e.kind, e.triage) == (e.assessment["kind"], e.assessment["triage"]["level"])
    assert summary.episodes == {"cramp": sum(e.kind == "cramp" for e in episodes),
                                "spasm": sum(e.kind == "spasm" for e in episodes)}  # fmt: skip

    cramps = [e for e in episodes if e.kind == "cramp"]
    assert len(cramps) >= 150, "enough for the insights to name a trigger"
    at_night = [e for e in cramps if night_of(e.local_start)]
    assert len(at_night) >= 0.9 * len(cramps), "cramps mostly at night"
    assert sum(e.site == "calf" for e in cramps) >= 0.85 * len(cramps), "mostly in the calf"
    for e in at_night:
        assert e.findings["onset"] == "during_sleep"
        assert 6 <= e.pain <= 9 and 60 <= e.duration_s <= 180  # type: ignore[operator]
    assert sum(e.findings.get("relieved_by_stretch", False) for e in at_night) >= 0.8 * len(
        at_night
    )
    # the engine saw the statin from its start, and raised cramps in its first 90 days
    for e in cramps:
        rules = {r["rule"] for r in e.assessment["triage"]["reasons"]}
        taken = (e.local_start.date() - statin.started_on).days  # type: ignore[operator]
        assert ("statin" in {f["id"] for f in e.assessment["factors"]}) == (taken >= 0)
        assert ("statin_muscle_symptoms" in rules) == (0 <= taken <= NEW_MEDICINE_DAYS)

    # one stressful week of eyelid twitching: painless, seconds
    twitches = [e for e in episodes if e.site == "eyelid"]
    assert len(twitches) >= 10 and {e.kind for e in twitches} == {"spasm"}
    assert all(e.pain == 0 and e.duration_s < 30 for e in twitches)  # type: ignore[operator]
    spell = sorted({e.local_start.date() for e in twitches})
    assert (spell[-1] - spell[0]).days < 7
    week = [days[summary.stress_week + timedelta(days=i)] for i in range(7)]
    assert all(d["stress"] >= 8 and d["screen_hours"] >= 9 for d in week)  # type: ignore[operator]
    assert all(summary.stress_week < day <= summary.stress_week + timedelta(days=7)
               for day in spell)  # fmt: skip

    found = rates([(e.local_start.date(), night_of(e.local_start)) for e in cramps], days,
                  statin.started_on, summary.start, END)  # type: ignore[arg-type]  # fmt: skip
    assert found["after"] > 1.2 * found["before"], found  # the steady rise
    assert found["hard"] > 1.5 * found["other"], found

    # exactly the planned diary: deterministic for the seed, on both databases
    plan = plan_demo(7, end=END)
    assert [(e.started_at, e.site, e.side, e.pain, e.duration_s, e.findings, e.notes)
            for e in episodes] == [
        (p.started_at, p.site, p.side, p.pain, p.duration_s, p.findings, p.notes)
        for p in sorted(plan.episodes, key=lambda p: p.started_at)
    ]  # fmt: skip
    assert days == plan.days


def test_the_plan_is_the_same_for_a_seed_and_keeps_its_shape_for_any() -> None:
    assert plan_demo(3, end=END, now=NOW) == plan_demo(3, end=END, now=NOW)
    assert plan_demo(3, end=END, now=NOW) != plan_demo(4, end=END, now=NOW)
    for seed in range(12):
        plan = plan_demo(seed, end=END, now=NOW)
        found = planned_rates(plan)
        assert found["after"] > found["before"], (seed, found)  # the steady rise
        assert found["hard"] > 1.3 * found["other"], (seed, found)
        # hard sessions on every day of the week, so that the weekday strata can compare them
        hard = [d for d, v in plan.days.items() if v.get("exercise_intense")]
        assert {d.weekday() for d in hard} == set(range(7)), seed
        assert len(hard) >= 0.15 * len(plan.days), seed
    short = plan_demo(1, months=1, end=END, now=NOW)
    assert short.start == date(2026, 10, 2) and short.episodes
    # nothing after the clock: a diary that ends today stops now
    morning = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    assert all(e.started_at <= morning for e in plan_demo(3, end=END, now=morning).episodes)


YES_NO = ("hot_environment", "cold_exposure", "heavy_sweating",
          "long_sitting_or_standing")  # fmt: skip


def test_every_question_is_answered_no_as_well_as_yes() -> None:
    """A factor only ever recorded as "yes" cannot be compared (and the insights warn): the
    demo answers each yes/no question both ways, and the numbers both sides of each
    threshold."""
    from musclewise.insights.diary import FACTORS

    for seed in (1961, 3):
        days = plan_demo(seed, end=END, now=NOW).days.values()
        for column in YES_NO:
            answers = [v[column] for v in days if column in v]
            assert set(answers) == {True, False}, (seed, column)
            assert len(answers) >= 0.8 * len(days), (seed, column)
        for factor in FACTORS:
            seen = {factor.present(v) for v in days} - {None}
            assert seen == {True, False}, (seed, factor.id)


def test_the_demo_refuses_a_database_that_holds_a_diary(db_url: str) -> None:
    with Diary(db_url) as diary:
        diary.set_profile({"timezone": "Europe/Paris"})
        with Diary(db_url, person="demo") as demo, pytest.raises(UsageError) as info:
            fill_demo(demo, end=END)
        assert "already holds a diary" in info.value.message
        assert info.value.code == "demo_database_not_empty"
        assert info.value.field == "database_url" and "another database" in info.value.hint
        diary.add_episode("calf", pain=5, duration_s=60)
        with pytest.raises(UsageError):
            fill_demo(diary, end=END)
        assert diary.people() == ["me"] and len(diary.list_episodes()) == 1
        assert diary.get_profile().timezone == "Europe/Paris"


def test_the_demo_command(tmp_path: Path) -> None:
    real = tmp_path / "diary.sqlite3"
    env = {"MUSCLEWISE_DATA_DIR": str(tmp_path), "MUSCLEWISE_DATABASE_URL": f"sqlite:///{real}"}
    result = run_cli("demo", "--months", "1", "--end", "2026-11-01", "--json", env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["database"] == f"sqlite:///{tmp_path / 'demo.sqlite3'}", "never the diary"
    assert not real.exists()
    assert summary["start"] == "2026-10-02" and summary["episodes"]["cramp"] > 0
    assert summary["medicines"] == [{"name": "Atorvastatin 20mg", "started_on": "2026-10-17"}]
    again = run_cli("demo", "--months", "1", env=env)
    assert again.returncode == 2
    assert b"already holds a diary" in again.stderr and b"--database-url" in again.stderr
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    text = run_cli("demo", "--months", "1", "--seed", "5", "--database-url", other, env=env)
    assert text.returncode == 0, text.stderr
    assert b"Filled sqlite:///" in text.stdout and b"episodes list" in text.stdout
    future = run_cli("demo", "--end", "2999-01-01", "--database-url", other, env=env)
    assert future.returncode == 2 and b"--end" in future.stderr
