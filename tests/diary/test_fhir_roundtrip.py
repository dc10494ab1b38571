"""The FHIR round trip keeps everything (issue 10 §4), checked with Hypothesis on SQLite and
PostgreSQL: diary → FHIR Bundle (valid R4B for ``fhir.resources``) → a new diary gives equal
records: episodes (times and their zones, findings, assessments), medicines with their start
and stop, conditions, the days' context and the profile (time zone, sex, year of birth,
pregnancy)."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from musclewise.contract import CONDITIONS, SITES
from musclewise.diary import Diary, EpisodeRecord, MedicineRecord
from musclewise.diary.validate import DAY_SPECS
from musclewise.exchange import import_bundle, write_bundle
from musclewise.findings import ONSETS

from .test_fhir import check_resources

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Chatham", "UTC", "America/St_Johns", "Europe/Paris"]  # fmt: skip
MEDICINES = ["Lipitor 20mg", "furosemide", "my own remedy", "Ventolin inhaler", "metformin",
             "simvastatin", "quinine sulfate"]  # fmt: skip
FIRST, LAST = datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
WORDS = st.text("abcdefghij ,", min_size=1, max_size=12).map(str.strip).filter(bool)


def day_value(name: str) -> st.SearchStrategy[Any]:
    spec = DAY_SPECS[name]
    if spec.kind is bool:
        return st.booleans()
    if spec.kind is int:
        return st.integers(int(spec.low or 0), int(spec.high or 0))
    if spec.kind is float:
        return st.floats(spec.low or 0, spec.high or 0, allow_nan=False).map(lambda v: round(v, 3))
    return WORDS


@st.composite
def diaries(draw: st.DrawFn) -> dict[str, Any]:
    """What a diary holds, drawn: a profile, conditions, medicines, days and episodes."""
    sex = draw(st.sampled_from([None, "female", "male"]))
    profile = {
        "timezone": draw(st.sampled_from(ZONES)),
        "sex": sex,
        "birth_year": draw(st.one_of(st.none(), st.integers(1920, 2010))),
        "pregnant": draw(st.sampled_from([None, True, False])) if sex == "female" else None,
    }
    medicines = []
    for name in draw(st.lists(st.sampled_from(MEDICINES), unique=True, max_size=4)):
        start = draw(st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2026, 11, 1))))
        stop = draw(st.one_of(st.none(), st.dates(start or date(2020, 1, 1), date(2026, 11, 30))))
        medicines.append((name, start, stop))
    days = {
        day: draw(st.fixed_dictionaries({}, optional={k: day_value(k) for k in DAY_SPECS}))
        for day in draw(st.lists(st.dates(date(2025, 1, 1), date(2026, 11, 30)), unique=True,
                                 max_size=3))
    }  # fmt: skip
    episodes = []
    starts = st.datetimes(
        FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None), timezones=st.just(UTC)
    )
    for started_at in draw(st.lists(starts, unique=True, max_size=4)):
        findings = draw(st.fixed_dictionaries({}, optional={
            "onset": st.sampled_from(ONSETS), "swelling": st.booleans(),
            "ongoing_days": st.integers(0, 30), "caffeine_cups": st.floats(0, 20).map(round),
            "relieved_by_stretch": st.booleans(),
        }))  # fmt: skip
        episodes.append({
            "site": draw(st.sampled_from(SITES)), "started_at": started_at,
            "tz": draw(st.sampled_from(ZONES)), "pain": draw(st.one_of(st.none(), st.integers(0, 10))),
            "duration_s": draw(st.one_of(st.none(), st.floats(0.5, 3600).map(lambda v: round(v, 1)))),
            "side": draw(st.sampled_from([None, "left", "right", "both"])), "findings": findings,
            "notes": draw(st.one_of(st.none(), WORDS)),
            "created_at": started_at + timedelta(minutes=5),
        })  # fmt: skip
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), unique=True, max_size=3))
    return {"profile": profile, "conditions": conditions, "medicines": medicines, "days": days,
            "episodes": episodes}  # fmt: skip


def write(diary: Diary, drawn: dict[str, Any]) -> None:
    with diary.transaction():
        diary.set_profile(drawn["profile"], add_conditions=drawn["conditions"])
        for name, start, stop in drawn["medicines"]:
            diary.restore_medicine(name, start, stop)
        for day, values in drawn["days"].items():
            diary.set_day(day, values)
        for episode in drawn["episodes"]:
            diary.restore_episode(**episode)


def same_episode(episode: EpisodeRecord) -> EpisodeRecord:
    return replace(episode, id=0, person="")


def same_medicine(medicine: MedicineRecord) -> tuple[str, date | None, date | None]:
    return medicine.name, medicine.started_on, medicine.stopped_on


def round_trip(
    source_url: str, target_url: str, people: itertools.count[int]
) -> Callable[..., None]:
    def check(drawn: dict[str, Any]) -> None:
        number = next(people)
        with Diary(source_url, person=f"source-{number}") as source:
            write(source, drawn)
            out = io.StringIO()
            write_bundle(source, out)
            profile, episodes = source.get_profile(), source.list_episodes()
            days = source.list_days()
        bundle = json.loads(out.getvalue())
        check_resources(bundle)  # valid FHIR R4B, every resource
        with Diary(target_url, person=f"target-{number}") as target:
            summary = import_bundle(target, io.StringIO(out.getvalue()))
            assert summary.assessed == 0, "every episode kept its assessment"
            restored = target.get_profile()
            assert [same_episode(e) for e in target.list_episodes()] == [
                same_episode(e) for e in episodes
            ]
            assert [e.tz for e in target.list_episodes()] == [e.tz for e in episodes]
            assert target.list_days() == days
            assert sorted(map(same_medicine, restored.medicines)) == sorted(
                map(same_medicine, profile.medicines)
            )
            assert replace(restored, name="", medicines=()) == replace(
                profile, name="", medicines=()
            ), "profile: zone, sex, year of birth, pregnancy, conditions, created"

    return check


SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow],
)  # fmt: skip


def test_a_diary_comes_back_whole_from_a_fhir_bundle(
    db_url: str, new_database: Callable[[], str]
) -> None:
    check = round_trip(db_url, new_database(), itertools.count())
    examples = 25 if db_url.startswith("sqlite") else 12
    given(diaries())(settings(SETTINGS, max_examples=examples)(check))()
