"""The library API on both databases: profile, medicines, episodes, day context, reassess,
validation, and transactions that write everything or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from musclewise.diary import Diary, DiaryValueError, NotFoundError
from musclewise.diary import times as diary_times

LONDON = ZoneInfo("Europe/London")


def problems(exc: pytest.ExceptionInfo[DiaryValueError]) -> dict[str, str]:
    return {p.key: p.problem for p in exc.value.problems}


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


# --------------------------------------------------------------------------- profile


def test_profile_round_trip(diary: Diary) -> None:
    assert diary.get_profile().timezone == "Europe/London"
    diary.set_profile(
        {"birth_year": 1960, "sex": "female", "pregnant": False},
        add_conditions=["hypothyroidism", "diabetes"],
    )
    diary.set_profile(remove_conditions=["diabetes"], add_conditions=["neuropathy"])
    profile = diary.get_profile()
    assert (profile.name, profile.sex, profile.birth_year, profile.pregnant) == (
        "me", "female", 1960, False,
    )  # fmt: skip
    assert profile.conditions == ("hypothyroidism", "neuropathy")
    assert profile.stored and profile.created_at is not None
    assert profile.created_at.tzinfo is not None
    diary.set_profile({"sex": None, "name": "Ann"}, conditions=[])
    profile = diary.get_profile()
    assert (profile.name, profile.sex, profile.conditions) == ("Ann", None, ())
    assert diary.people() == ["Ann"]


def test_an_empty_diary_has_a_default_profile_and_writes_nothing_to_read(db_url: str) -> None:
    with Diary(db_url) as diary:
        profile = diary.get_profile()
        assert not profile.stored and profile.name == "me"
        assert diary.list_episodes() == [] and diary.people() == []


def test_two_people_in_one_database(db_url: str) -> None:
    with Diary(db_url, person="ann") as ann, Diary(db_url, person="bob") as bob:
        ann.set_profile({"timezone": "UTC"})
        bob.set_profile({"timezone": "UTC"})
        ann.add_episode("calf", pain=5, duration_s=60)
        assert [e.person for e in ann.list_episodes()] == ["ann"]
        assert bob.list_episodes() == []
        episode_id = ann.list_episodes()[0].id
        with pytest.raises(NotFoundError):
            bob.get_episode(episode_id)
    with Diary(db_url) as anyone, pytest.raises(NotFoundError, match="say whose"):
        anyone.list_episodes()


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"birth_year": 1700}, "birth_year", "below the minimum 1880"),
        ({"birth_year": 3000}, "birth_year", "above the maximum"),
        ({"sex": "f"}, "sex", "use one of: female, male"),
        ({"timezone": "Europe/Londn"}, "timezone", "did you mean 'Europe/London'"),
        ({"pregnant": "yes"}, "pregnant", "true or false"),
        ({"name": ""}, "name", "must not be empty"),
        ({"height": 180}, "height", "is not a field here"),
    ],
)
def test_bad_profile_values_name_the_field(
    diary: Diary, values: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(DiaryValueError) as info:
        diary.set_profile(values)
    assert words in problems(info)[field]


def test_bad_conditions_suggest_the_closest(diary: Diary) -> None:
    with pytest.raises(DiaryValueError) as info:
        diary.set_profile(add_conditions=["hypothyrodism"])  # "hypothyroid" is a word people use
    assert "did you mean 'hypothyroidism'" in problems(info)["conditions"]
    with pytest.raises(DiaryValueError, match="cannot be true when sex is male"):
        diary.set_profile({"sex": "male", "pregnant": True})
    assert diary.get_profile().sex is None, "nothing of a refused change is written"


# --------------------------------------------------------------------------- medicines


def test_medicines_are_checked_started_and_stopped(diary: Diary) -> None:
    medicine, match = diary.add_medicine("Lipitor 20mg", date(2026, 1, 5))
    assert match.classes == ("statin",) and medicine.name == "Lipitor 20mg"
    with pytest.raises(DiaryValueError) as info:
        diary.add_medicine("furosemde")  # fuzzy: accepted, read as furosemide
        diary.add_medicine("Lipitor")
    assert "already a current medicine" in problems(info)["medicine"]
    with pytest.raises(DiaryValueError) as unknown:
        diary.add_medicine("Xyzzyquil")
    assert "not a medicine musclewise knows" in problems(unknown)["medicine"]
    kept, how = diary.add_medicine("Xyzzyquil", allow_unknown=True)
    assert how.how == "unknown"
    with pytest.raises(NotFoundError, match="did you mean 'Lipitor 20mg'"):
        diary.stop_medicine("Lipitr")
    with pytest.raises(DiaryValueError) as early:
        diary.stop_medicine("lipitor 20 mg", date(2025, 12, 1))
    assert "before it was started" in problems(early)["stopped_on"]
    stopped = diary.stop_medicine("lipitor 20 mg", date(2026, 2, 1))
    assert stopped.stopped_on == date(2026, 2, 1)
    names = {m.name: m for m in diary.get_profile().medicines}
    assert set(names) == {"Lipitor 20mg", "furosemde", "Xyzzyquil"}
    assert names["Lipitor 20mg"].taken_on(date(2026, 1, 31))
    assert not names["Lipitor 20mg"].taken_on(date(2026, 2, 1))
    assert kept.id in {m.id for m in diary.get_profile().medicines}


def test_a_future_start_is_refused(diary: Diary) -> None:
    with pytest.raises(DiaryValueError) as info:
        diary.add_medicine("furosemide", diary.today() + timedelta(days=2))
    assert "in the future" in problems(info)["started_on"]


# --------------------------------------------------------------------------- episodes


def test_log_list_show_edit_delete(diary: Diary) -> None:
    when = datetime(2026, 7, 1, 3, 10, tzinfo=LONDON)  # summer time: 02:10 UTC
    episode = diary.add_episode(
        "calf", pain=7, duration_s=90, side="left", started_at=when,
        findings={"onset": "during_sleep", "relieved_by_stretch": True}, notes="woke me",
    )  # fmt: skip
    assert episode.kind == "cramp" and episode.triage == "self_care"
    assert episode.started_at == datetime(2026, 7, 1, 2, 10, tzinfo=UTC)
    assert episode.tz == "Europe/London" and episode.local_start.hour == 3
    assert episode.assessment["kind"] == "cramp" and episode.knowledge_version

    got = diary.get_episode(episode.id)
    assert got == episode
    assert got.started_at.tzinfo is not None and got.created_at.tzinfo is not None
    assert [e.id for e in diary.list_episodes()] == [episode.id]

    edited = diary.edit_episode(episode.id, {"pain": 6, "swelling": True, "warmth": True})
    assert edited.pain == 6 and edited.findings["swelling"] is True
    assert edited.triage == "urgent", "edits are assessed again"
    assert edited.updated_at >= episode.updated_at
    forgot = diary.edit_episode(episode.id, {}, unset=["swelling", "warmth", "side", "notes"])
    assert forgot.side is None and forgot.notes is None and "swelling" not in forgot.findings

    diary.delete_episode(episode.id)
    assert diary.list_episodes() == []
    with pytest.raises(NotFoundError, match=f"episode {episode.id}"):
        diary.get_episode(episode.id)
    with pytest.raises(NotFoundError):
        diary.delete_episode(episode.id)


def test_filters(diary: Diary) -> None:
    base = datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
    calf = diary.add_episode("calf", pain=7, duration_s=90, started_at=base)
    eyelid = diary.add_episode(
        "eyelid", pain=0, duration_s=5, started_at=base + timedelta(days=1),
        findings={"extent": "part_of_muscle", "visible_twitch": True},
    )  # fmt: skip
    late = diary.add_episode("calf", pain=5, duration_s=60, started_at=base + timedelta(days=5))
    assert eyelid.kind == "spasm"

    def ids(**filters: Any) -> list[int]:
        return [e.id for e in diary.list_episodes(**filters)]

    assert ids() == [calf.id, eyelid.id, late.id]
    assert ids(site="calf") == [calf.id, late.id]
    assert ids(kind="spasm") == [eyelid.id]
    assert ids(since=base + timedelta(hours=1)) == [eyelid.id, late.id]
    assert ids(until=base + timedelta(days=1)) == [calf.id], "until is exclusive"
    assert ids(site="calf", since=base + timedelta(days=2)) == [late.id]
    assert ids(limit=1, newest_first=True) == [late.id]
    assert ids(triage="emergency") == []
    start, end = diary_times.day_bounds(date(2026, 3, 11), "Europe/London")
    assert ids(since=start, until=end) == [eyelid.id]
    with pytest.raises(DiaryValueError) as info:
        diary.list_episodes(site="kalf", kind="twitch")
    assert set(problems(info)) == {"site", "kind"}


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"site": "kalf"}, "site", "use one of: calf"),
        ({"pain": 11}, "pain", "above the maximum 10"),
        ({"duration_s": -5}, "duration_s", "below the minimum 0"),
        ({"side": "middle"}, "side", "use one of: left, right, both"),
        ({"started_at": datetime.now(UTC) + timedelta(days=1)}, "started_at", "in the future"),
        ({"started_at": datetime(2026, 1, 1, 3, 0)}, "started_at", "no time zone"),  # noqa: DTZ001
        ({"findings": {"swellling": True}}, "", "did you mean 'swelling'"),
        ({"findings": {"age": 40}}, "age", "comes from the profile"),
        ({"findings": {"pain": 4}}, "pain", "field of its own"),
        ({"findings": {"onset": "sometimes"}}, "onset", "use one of"),
    ],
)
def test_bad_episode_values_name_the_field(
    diary: Diary, kwargs: dict[str, Any], field: str, words: str
) -> None:
    arguments: dict[str, Any] = {"site": "calf", "pain": 5, "duration_s": 60, **kwargs}
    site = arguments.pop("site")
    with pytest.raises(DiaryValueError) as info:
        diary.add_episode(site, **arguments)
    assert words in problems(info)[field]
    assert diary.list_episodes() == []


def test_every_bad_value_is_listed_at_once(diary: Diary) -> None:
    with pytest.raises(DiaryValueError) as info:
        diary.add_episode("kalf", pain=12, side="up")
    assert set(problems(info)) == {"site", "pain", "side"}


def test_a_time_that_did_not_exist_is_refused() -> None:
    with pytest.raises(DiaryValueError, match="did not exist"):
        diary_times.parse_when("2026-03-29 01:30", "Europe/London")
    twice = diary_times.parse_when("2025-10-26 01:30", "Europe/London")
    assert twice.utcoffset() == timedelta(hours=1), "an hour that happens twice: the first"
    assert diary_times.parse_when("2026-01-02T03:04:05+02:00", "UTC").hour == 3


def test_profile_medicines_and_day_context_reach_the_assessment(diary: Diary) -> None:
    diary.set_profile({"birth_year": 1950, "sex": "female"}, add_conditions=["diabetes"])
    day = diary.today() - timedelta(days=3)
    diary.add_medicine("furosemide", day - timedelta(days=30))
    diary.add_medicine("simvastatin", date(2020, 1, 1))
    diary.stop_medicine("simvastatin", date(2021, 1, 1))
    diary.set_day(day, {"caffeine_cups": 5, "fluids_litres": 0.8, "cigarettes": 3})
    when = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=3)
    episode = diary.add_episode("calf", pain=8, duration_s=120, started_at=when)
    findings = diary.findings_for(episode.id)
    assert findings["age"] == day.year - 1950 and findings["sex"] == "female"
    assert findings["conditions"] == ["diabetes"]
    assert findings["medications"] == ["furosemide"], "only medicines taken that day"
    assert findings["new_medicine"] is True
    assert (findings["caffeine_cups"], findings["fluids_low"], findings["smoker"]) == (
        5,
        True,
        True,
    )
    assert "diuretic" in {f["id"] for f in episode.assessment["factors"]}
    assert "caffeine_cups" not in episode.findings, "the context is merged, not copied"


def test_the_episode_overrides_the_day(diary: Diary) -> None:
    diary.set_day(diary.today(), {"caffeine_cups": 5})
    episode = diary.add_episode("calf", pain=5, duration_s=60, findings={"caffeine_cups": 1})
    assert diary.findings_for(episode.id)["caffeine_cups"] == 1


# --------------------------------------------------------------------------- the day


def test_day_context_upsert(diary: Diary) -> None:
    day = diary.today() - timedelta(days=1)
    assert diary.get_day(day) is None
    diary.set_day(day, {"caffeine_cups": 4, "exercise_minutes": 60, "exercise_intense": True})
    record = diary.set_day(day, {"stress": 7, "caffeine_cups": 2, "medicines_missed": " statin "})
    assert record.values == {
        "exercise_minutes": 60.0, "exercise_intense": True, "caffeine_cups": 2.0, "stress": 7,
        "medicines_missed": "statin",
    }  # fmt: skip
    assert diary.get_day(day) == record
    after = diary.set_day(day, {}, unset=["stress"])
    assert "stress" not in after.values
    assert [d.date for d in diary.list_days(since=day)] == [day]
    diary.delete_day(day)
    assert diary.get_day(day) is None


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"stress": 11}, "stress", "above the maximum 10"),
        ({"stress": 2.5}, "stress", "not a whole number"),
        ({"sleep_hours": 25}, "sleep_hours", "above the maximum 24"),
        ({"caffeine_cups": -1}, "caffeine_cups", "below the minimum 0"),
        ({"hot_environment": "yes"}, "hot_environment", "not true or false"),
        ({"caffeine": 3}, "caffeine", "did you mean 'caffeine_cups'"),
        ({"fluids_litres": float("nan")}, "fluids_litres", "is not a number"),
    ],
)
def test_bad_day_values_name_the_field(
    diary: Diary, values: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(DiaryValueError) as info:
        diary.set_day(diary.today(), values)
    assert words in problems(info)[field]


def test_a_future_day_is_refused(diary: Diary) -> None:
    with pytest.raises(DiaryValueError) as info:
        diary.set_day(diary.today() + timedelta(days=2), {"stress": 3})
    assert "in the future" in problems(info)["date"]


# --------------------------------------------------------------------------- reassess


def test_reassess_reports_what_changed(diary: Diary) -> None:
    first = diary.add_episode("calf", pain=4, duration_s=60, started_at=ago(hours=5))
    second = diary.add_episode("calf", pain=4, duration_s=60, started_at=ago(hours=4))
    report = diary.reassess()
    assert (report.checked, report.updated, report.changed_triage) == (2, 0, 0)
    # a profile change and a knowledge version change: both seen on reassess, never silently
    with diary.engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE episode SET knowledge_version = '0.0.old' WHERE id = {second.id}"
        )
    assert diary.stale_episodes() == 1
    diary.set_profile(add_conditions=["peripheral_artery_disease"])
    assert diary.get_episode(first.id).assessment == first.assessment
    report = diary.reassess([second.id])
    assert report.checked == 1 and report.updated == 1
    assert diary.stale_episodes() == 0
    assert diary.get_episode(second.id).knowledge_version == report.knowledge_version


# --------------------------------------------------------------------------- transactions


def test_a_failure_mid_way_writes_nothing(diary: Diary) -> None:
    """A real failure half-way through: the second episode's stored findings were changed by
    another program into a key the contract does not have, so reassessing it fails after the
    first episode was already reassessed; the first change is undone with it."""
    from sqlalchemy import update

    from musclewise.diary.models import Episode
    from musclewise.errors import FindingsError

    episodes = [diary.add_episode("calf", pain=p, duration_s=60, started_at=ago(hours=p + 1))
                for p in (3, 4, 5)]  # fmt: skip
    diary.set_profile({"birth_year": 1950}, add_conditions=["peripheral_artery_disease"])
    broken = update(Episode).where(Episode.id == episodes[1].id)
    with diary.engine.begin() as connection:
        connection.execute(broken.values(findings={"swellling": True}))
    with pytest.raises(FindingsError, match="swellling"):
        diary.reassess()
    assert diary.get_episode(episodes[0].id) == episodes[0], "the first change undone"

    with diary.engine.begin() as connection:  # repaired: the same reassessment now holds
        connection.execute(broken.values(findings={}))
    assert diary.reassess().updated == 3
    assert diary.get_episode(episodes[0].id).assessment != episodes[0].assessment

    when = ago(minutes=5)
    with pytest.raises(DiaryValueError, match="already in the diary"), diary.transaction():
        diary.set_day(diary.today(), {"stress": 9})
        diary.add_episode("calf", pain=2, duration_s=10, started_at=when)
        diary.add_episode("calf", pain=2, duration_s=10, started_at=when)  # the same moment
    assert len(diary.list_episodes()) == 3 and diary.get_day(diary.today()) is None


def test_a_transaction_block_commits_once(diary: Diary) -> None:
    with diary.transaction():
        diary.set_day(diary.today(), {"stress": 2})
        episode = diary.add_episode("calf", pain=2, duration_s=10)
        diary.edit_episode(episode.id, {"pain": 3})
    assert diary.get_episode(episode.id).pain == 3
    assert diary.get_day(diary.today()) is not None


@pytest.mark.parametrize(
    ("tz", "want"),
    [("Europe/Paris", "Europe/Paris"), (":America/New_York", "America/New_York"),
     ("Etc/GMT+5", "Etc/GMT+5"), ("UTC", "UTC")],
)  # fmt: skip
def test_the_computers_zone_is_read_from_tz(
    monkeypatch: pytest.MonkeyPatch, tz: str, want: str
) -> None:
    monkeypatch.setenv("TZ", tz)
    assert diary_times.local_zone_name() == want


@pytest.mark.parametrize(
    "tz", ["Nowhere/Land", "../../etc/passwd", "/etc/localtime", "posixrules", "localtime",
           "right/UTC", "posix/Europe/Paris", "Europe//Paris", ""],
)  # fmt: skip
def test_a_tz_that_is_not_a_zone_people_live_in_is_not_taken(
    monkeypatch: pytest.MonkeyPatch, tz: str
) -> None:
    """Then the zone comes from /etc/localtime, or is UTC: always a name of the database."""
    from zoneinfo import available_timezones

    monkeypatch.setenv("TZ", tz)
    got = diary_times.local_zone_name()
    assert got != tz.lstrip(":")
    assert got in available_timezones() - {"localtime"}
