"""From a diary to the insights' inputs (thresholds, local days, medicines) and the summary."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from musclewise.diary import Diary
from musclewise.insights.diary import FACTORS, DiaryData, Episode, Medicine, load
from musclewise.insights.simulate import fill_diary
from musclewise.insights.summary import summarise
from musclewise.insights.triggers import ALPHA
from tests.conftest import ROOT

LONDON = ZoneInfo("Europe/London")
FACTOR = {f.id: f for f in FACTORS}


@pytest.mark.parametrize(
    ("factor", "values", "expected"),
    [
        ("caffeine", {"caffeine_cups": 3}, True),
        ("caffeine", {"caffeine_cups": 2}, False),
        ("caffeine", {}, None),
        ("alcohol", {"alcohol_drinks": 3}, True),
        ("exercise", {"exercise_minutes": 59}, False),
        ("exercise", {"exercise_minutes": 60}, True),
        ("intense_exercise", {"exercise_intense": True}, True),
        ("intense_exercise", {"exercise_minutes": 0}, False),
        ("intense_exercise", {"exercise_minutes": 30}, None),
        ("short_sleep", {"sleep_hours": 5.5}, True),
        ("short_sleep", {"sleep_hours": 6}, False),
        ("stress", {"stress": 7}, True),
        ("stress", {"stress": 6}, False),
        ("screen_time", {"screen_hours": 6}, True),
        ("low_fluids", {"fluids_litres": 1.2}, True),
        ("low_fluids", {"fluids_litres": 2.0}, False),
        ("low_fluids", {"fluids_low": False, "fluids_litres": 1.0}, False),
        ("heat", {"hot_environment": False}, False),
        ("cold", {"cold_exposure": True}, True),
    ],
)
def test_thresholds_turn_numbers_into_yes_or_no(
    factor: str, values: dict[str, Any], expected: bool | None
) -> None:
    assert FACTOR[factor].present(values) is expected


def test_the_documented_table_is_the_code_table() -> None:
    doc = (ROOT / "docs" / "insights.md").read_text()
    for f in FACTORS:
        row = re.search(rf"^\| `{f.id}` \|(.+)$", doc, re.MULTILINE)
        assert row, f"docs/insights.md has no row for {f.id}"
        assert f"`{f.column}`" in row.group(1) and f.rule in row.group(1)


def _episode(i: int, when: datetime, kind: str = "cramp") -> Episode:
    return Episode(i, when.astimezone(LONDON), "calf", None, 5, 60.0, kind, "self_care", {}, None)


def test_days_are_the_persons_own_and_medicines_count_from_their_start() -> None:
    start = date(2026, 6, 1)
    # 23:30 UTC on 1 June is 00:30 on 2 June in London (summer time)
    late = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    data = DiaryData(
        start=start, end=start + timedelta(days=9), sex=None, birth_year=None, pregnant=None,
        conditions=(), medicines=(Medicine("Lipitor", date(2026, 6, 5), date(2026, 6, 8)),
                                  Medicine("aspirin", None, None)),
        episodes=(_episode(1, late), _episode(2, late + timedelta(days=2), "spasm")),
        context={start: {"caffeine_cups": 4}},
    )  # fmt: skip
    days = data.trigger_days()
    assert len(days) == 10
    by_day = {d.day: d for d in days}
    assert by_day[date(2026, 6, 2)].cramps == 1 and by_day[date(2026, 6, 1)].cramps == 0
    assert by_day[date(2026, 6, 4)].spasms == 1
    assert by_day[start].factors["caffeine"] is True
    assert by_day[start + timedelta(days=1)].factors["caffeine"] is None
    taking = [d.day.day for d in days if d.factors["medicine:Lipitor"]]
    assert taking == [5, 6, 7]  # stopped on the 8th
    assert "medicine:aspirin" not in data.factor_ids()  # no start date: nothing to compare


def test_load_reads_the_period_in_local_days(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'd.sqlite3'}") as diary:
        diary.set_profile({"timezone": "Europe/London", "birth_year": 1970, "sex": "male"})
        diary.set_day(date(2026, 6, 1), {"caffeine_cups": 2})
        for at in (datetime(2026, 6, 2, 23, 30, tzinfo=UTC),  # 3 June, 00:30 local
                   datetime(2026, 6, 10, 8, 0, tzinfo=UTC)):  # fmt: skip
            diary.add_episode("calf", pain=6, duration_s=60, started_at=at)
        whole = load(diary, until=date(2026, 6, 30))
        june3 = load(diary, date(2026, 6, 3), date(2026, 6, 3))
        june2 = load(diary, date(2026, 6, 2), date(2026, 6, 2))
    assert (whole.start, whole.end, whole.days) == (date(2026, 6, 1), date(2026, 6, 30), 30)
    assert [e.day for e in whole.episodes] == [date(2026, 6, 3), date(2026, 6, 10)]
    assert len(june3.episodes) == 1 and not june2.episodes
    assert whole.birth_year == 1970 and whole.sex == "male"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> DiaryData:
    """Six months with cramps three times as often the night after intense exercise (0.6
    cramps a day before: enough for the adjusted model to see it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('planted') / 'p.sqlite3'}"
    with Diary(url) as diary:
        fill_diary(diary, 182, seed=2, end=date(2026, 10, 31), cramps_a_day=0.6)
        return load(diary, until=date(2026, 10, 31))


def test_a_planted_trigger_is_found_and_said_plainly(planted: DiaryData) -> None:
    summary = summarise(planted)
    found = {(f.comparison.factor, f.comparison.lag, f.comparison.kind) for f in summary.triggers}
    assert ("intense_exercise", 1, "cramp") in found
    words = next(f.sentence for f in summary.triggers if f.comparison.factor == "intense_exercise")
    assert re.fullmatch(
        r"On days after intense exercise you logged cramps about \d+\.\d times as often "
        r"\(95% CI \d+\.\d to \d+\.\d, over \d+ days; adjusted for the other factors, the "
        r"other day \(the same day or the day before\), the four-week period and the day of the "
        r"week\)\. This shows an association, not a cause\.",
        words,
    )
    # Benjamini-Hochberg across every comparison with enough data, and said so
    assert all((f.comparison.q_value or 1) < ALPHA for f in summary.triggers)
    assert f"{summary.tested} comparisons were tested together" in summary.bh_statement()
    assert "Benjamini-Hochberg" in summary.bh_statement()
    # every trigger's interval lies above 1, as its sentence says
    assert all((f.comparison.ci_low or 0) > 1 for f in summary.triggers)
    # what a diary this size can show, from its own counts
    cramps = next(s for s in summary.sensitivity if s.kind == "cramp")
    assert cramps.episodes == sum(d.cramps for d in planted.trigger_days())
    assert 0 < cramps.chance < 1 and cramps.days == planted.days
    assert re.search(
        rf"With {cramps.episodes} cramps over {cramps.days} days, a factor present on about "
        r"\d+ days in 10 that doubled them would be named \(after the adjustment\) "
        r"(about \d|at least 9) ",
        summary.sensitivity_text(),
    )
    # factors never recorded are waiting, not judged
    waiting = {w.factor: w.reason for w in summary.waiting}
    assert waiting["sweating"] == waiting["cold"] == "not recorded"
    # the medicine started two thirds of the way through (a real step) is compared against the
    # trend over the diary, never before against after alone
    statin = [f for f in summary.findings if f.comparison.factor == "medicine:Lipitor 20mg"]
    assert statin and all(f.comparison.lag == 0 for f in statin)
    assert all("the trend over the diary" in f.comparison.adjusted_for for f in statin)
    assert statin[0].sentence.startswith("On days you were taking Lipitor 20mg")


def test_no_claim_without_enough_days(planted: DiaryData) -> None:
    summary = summarise(dataclasses.replace(planted, start=date(2026, 10, 25)))
    assert not summary.triggers and summary.tested == 0
    more = [w for w in summary.waiting if w.reason == "more days"]
    assert more and all(w.days_needed > 0 for w in more)
    assert "more days needed for" in summary.waiting_text()


def test_summary_json_has_every_part(planted: DiaryData) -> None:
    import json

    result = json.loads(json.dumps(summarise(planted).to_dict()))
    assert set(result) >= {"person", "period", "patterns", "triggers", "counts", "medicines",
                           "worst_episodes", "thresholds"}  # fmt: skip
    assert "name" not in result["person"]
    linked = {m["name"]: m["cramp_linked"] for m in result["medicines"]}
    assert linked == {"bendroflumethiazide 2.5mg": True, "levothyroxine": False,
                      "Lipitor 20mg": True}  # fmt: skip
    cramps = result["counts"]["by_kind"][0]
    assert cramps["kind"] == "cramp" and cramps["episodes"] > 0
    assert cramps["trend"]["direction"] in ("rising", "falling", "no clear change")
    sensitivity = result["triggers"]["sensitivity"]
    assert {s["kind"] for s in sensitivity} <= {"cramp", "spasm"} and sensitivity
    assert all(0 <= s["chance_named"] <= 1 and s["rate_ratio"] == 2.0 for s in sensitivity)


def test_postgresql_gives_the_same_insights(demo_url: str, fresh_schema: str) -> None:
    from musclewise.diary.demo import fill_demo
    from tests.diary.conftest import migrate
    from tests.insights.conftest import DEMO_END

    migrate(fresh_schema)
    with Diary(fresh_schema, person="demo") as diary:
        fill_demo(diary, end=DEMO_END)
        on_postgres = summarise(load(diary, until=DEMO_END)).to_dict()
    with Diary(demo_url, person="demo") as diary:
        on_sqlite = summarise(load(diary, until=DEMO_END)).to_dict()
    assert on_postgres == on_sqlite
    assert on_sqlite["counts"]["episodes"] > 50
