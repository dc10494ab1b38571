"""``diary/lite.py``, ``log``'s writer on ``sqlite3``: the same file, rows, records, output,
errors and safety as the ORM's :class:`Diary`, on real SQLite files.

The rows of two files, one written by each, are compared table by table, column by column;
the only values allowed to differ are the ones that cannot be the same (:data:`DIFFERENT`):
when a row was created (the wall clock) and an episode's public id (128 random bits).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from musclewise.diary import DatabaseError, Diary, DiaryValueError, NotFoundError, database
from musclewise.diary.lite import open_sqlite_diary
from musclewise.diary.models import Base
from musclewise.diary.records import EpisodeRecord
from musclewise.diary.schema_sqlite import REGENERATE, SCHEMA_FILE, generate
from musclewise.diary.sqlite_file import configure, plain_sqlite_path

from ..conftest import run_cli, run_process

DIFFERENT = {
    ("person", "created_at"): "when the person's row was written (the wall clock)",
    ("episode", "created_at"): "when the episode was written (the wall clock)",
    ("episode", "updated_at"): "the same as created_at for a new episode",
    ("episode", "public_id"): "128 random bits (new_public_id)",
}
"""The columns whose values must differ between two files written at different moments."""

PARIS = ZoneInfo("Europe/Paris")
EPISODES: list[dict[str, Any]] = [
    {"site": "calf", "pain": 7, "duration_s": 90, "side": "left",
     "started_at": datetime(2026, 11, 20, 3, 10, tzinfo=PARIS),
     "findings": {"onset": "during_sleep"}, "notes": "woke me up, été ☕"},
    {"site": "foot", "pain": 3, "duration_s": 30.5, "side": "right",
     "started_at": datetime(2026, 11, 21, 18, 0, 59, 123456, tzinfo=UTC),
     "findings": {"relieved_by_stretch": True, "exercise_minutes": 45, "fluids_low": True}},
    {"site": "calf", "pain": 4, "duration_s": 1200, "side": "right",
     "started_at": datetime(2026, 11, 22, 23, 30, tzinfo=PARIS),
     "findings": {"swelling": True, "warmth": True, "redness": True},
     "notes": "  red and warm \x1b[31m  "},
    {"site": "eyelid", "pain": 0, "duration_s": 5, "side": None,
     "started_at": datetime(2026, 11, 19, 7, 0, tzinfo=ZoneInfo("America/New_York")),
     "findings": {"ongoing_days": 3, "visible_twitch": True, "caffeine_cups": 5}},
    {"site": "calf", "pain": None, "duration_s": None, "side": "both",
     "started_at": datetime(2026, 11, 1, 12, 0, tzinfo=UTC), "findings": {}, "notes": None},
]  # fmt: skip


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (in rowid order), without the :data:`DIFFERENT` columns."""
    with closing(sqlite3.connect(path)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for table in sorted(tables):
            cursor = db.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            names = [d[0] for d in cursor.description]
            out[table] = [
                {n: v for n, v in zip(names, row, strict=True) if (table, n) not in DIFFERENT}
                for row in cursor
            ]
        return out


def different(path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT created_at, updated_at, public_id FROM episode").fetchall()


def schema(path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()  # fmt: skip


def comparable(record: EpisodeRecord) -> dict[str, Any]:
    """The record as printed (``--json``), without the wall-clock times."""
    data: dict[str, Any] = json.loads(json.dumps(record.to_dict()))
    return {k: v for k, v in data.items() if k not in ("created_at", "updated_at")}


def log_both(lite: Path, orm: Path) -> list[tuple[EpisodeRecord, EpisodeRecord]]:
    """Each of :data:`EPISODES` written into ``lite`` by the fast writer and into ``orm`` by
    the ORM's Diary; the records each gave back."""
    out = []
    for episode in EPISODES:
        fields = {k: v for k, v in episode.items() if k != "site"}
        writer = open_sqlite_diary(url(lite))
        assert writer is not None, "a new file, or one at head, gets the fast writer"
        with writer:
            fast = writer.add_episode(episode["site"], **fields)
        with Diary(url(orm)) as diary:
            out.append((fast, diary.add_episode(episode["site"], **fields)))
    return out


def assert_same_files(lite: Path, orm: Path) -> None:
    assert schema(lite) == schema(orm)
    a, b = rows(lite), rows(orm)
    assert a == b
    assert len(a["episode"]) == len(EPISODES) and a["alembic_version"] == [
        {"version_num": database.HEAD}
    ]
    for created, updated, public_id in different(lite):
        assert created == updated and re.fullmatch(
            r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", created
        )
        assert len(public_id) == 32 and int(public_id, 16) >= 0
    assert {r[2] for r in different(lite)}.isdisjoint({r[2] for r in different(orm)})


def assert_the_orm_reads_it(path: Path, records: list[EpisodeRecord]) -> None:
    """The ORM opens the fast writer's file, reads each episode back as it was returned,
    finds nothing to reassess, and alembic finds the schema at head with nothing to change."""
    with Diary(url(path)) as diary:
        listed = diary.list_episodes()
        assert sorted(e.id for e in listed) == sorted(r.id for r in records)
        for record in records:
            read = diary.get_episode(record.id)
            assert read.to_dict() == json.loads(json.dumps(record.to_dict()))
            assert read.public_id == record.public_id
        assert diary.reassess().updated == 0, "the stored assessment is the one made now"
    engine = database.make_engine(database.resolve_url(url(path)))
    try:
        assert database.status(engine).state == "at head"
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    where = ("--database-url", url(path))
    listed_json = json.loads(run_cli("episodes", "list", "--json", *where).stdout)
    assert sorted(e["id"] for e in listed_json) == sorted(r.id for r in records)
    for record in records:
        shown = json.loads(run_cli("episodes", "show", str(record.id), "--json", *where).stdout)
        assert shown["kind"] == record.kind and shown["assessment"] == json.loads(
            json.dumps(record.assessment)
        )  # fmt: skip
    assert json.loads(run_cli("db", "status", "--json", *where).stdout)["state"] == "at head"
    upgraded = run_cli("db", "upgrade", *where)
    assert upgraded.returncode == 0 and b"already at revision" in upgraded.stdout


# --------------------------------------------------------------------------- the schema


def test_the_schema_file_is_what_the_models_give_now() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == generate(), (
        f"{SCHEMA_FILE.name} differs from the models: regenerate it with {REGENERATE}"
    )


# --------------------------------------------------------------------------- same rows


def test_a_new_file_gets_the_same_rows_as_the_orm_writes(tmp_path: Path) -> None:
    lite, orm = tmp_path / "lite.sqlite3", tmp_path / "orm.sqlite3"
    pairs = log_both(lite, orm)
    for fast, slow in pairs:
        assert comparable(fast) == comparable(slow)
        assert fast.created_at == fast.updated_at and fast.created_at.tzinfo is UTC
    assert_same_files(lite, orm)
    assert_the_orm_reads_it(lite, [fast for fast, _ in pairs])


def test_a_person_with_a_profile_medicines_and_days_gets_the_same_rows(tmp_path: Path) -> None:
    lite, orm = tmp_path / "lite.sqlite3", tmp_path / "orm.sqlite3"
    for path in (lite, orm):
        with Diary(url(path), person="ann") as diary:
            diary.set_profile({"timezone": "Europe/Paris", "birth_year": 1958, "sex": "female",
                               "pregnant": False}, conditions=["hypothyroidism", "diabetes"])  # fmt: skip
            diary.add_medicine("furosemide", date(2026, 10, 1))
            diary.add_medicine("atorvastatin", date(2025, 1, 1))
            diary.stop_medicine("atorvastatin", date(2026, 11, 2))
            diary.set_day(date(2026, 11, 19), {"exercise_minutes": 90, "exercise_intense": True,
                                               "fluids_litres": 1.0, "cigarettes": 2})  # fmt: skip
            diary.set_day(date(2026, 11, 22), {"hot_environment": True, "stress": 8,
                                               "sleep_hours": 5.5, "notes": "long day"})  # fmt: skip
    pairs = log_both(lite, orm)
    assert {fast.person for fast, _ in pairs} == {"ann"}
    assert {fast.tz for fast, _ in pairs} == {"Europe/Paris"}, "the person's time zone"
    for fast, slow in pairs:
        assert comparable(fast) == comparable(slow)
    assert_same_files(lite, orm)
    assert_the_orm_reads_it(lite, [fast for fast, _ in pairs])
    with Diary(url(lite)) as diary:
        merged = diary.findings_for(pairs[0][0].id)
    assert merged["medications"] == ["furosemide"] and merged["conditions"]
    assert merged["exercise_intense"] is True and merged["smoker"] is True, "the day before"


# --------------------------------------------------------------------------- same output


def cli_pair(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[bytes], ...]:
    """``args`` run on a file by the fast writer (``sqlite:///``) and on another by the ORM
    (``sqlite+pysqlite:///``, which the fast writer leaves to the ORM)."""
    env = {"COLUMNS": "160", "TZ": "Europe/Paris"}
    return (
        run_cli(*args, "--database-url", f"sqlite:///{tmp_path / 'lite.sqlite3'}", env=env),
        run_cli(*args, "--database-url", f"sqlite+pysqlite:///{tmp_path / 'orm.sqlite3'}",
                env=env),
    )  # fmt: skip


def test_log_prints_the_same_text_and_json(tmp_path: Path) -> None:
    assert open_sqlite_diary(f"sqlite+pysqlite:///{tmp_path / 'x.sqlite3'}") is None
    commands = [
        ("log", "calf", "7", "90s", "--left", "--at-night", "--at", "2026-11-20 03:10"),
        ("log", "calf", "4", "20m", "--right", "--swelling", "--warmth", "--at", "2026-11-20 18:00"),
        ("log", "eyelid", "0", "5s", "--at", "yesterday 22:45", "--set", "ongoing_days=3",
         "--notes", "twitching again"),
        ("log", "foot", "5", "1m30s", "--at", "2026-11-21 07:00", "--details"),
    ]  # fmt: skip
    for command in commands:
        fast, slow = cli_pair(tmp_path, *command)
        assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
        assert fast.stdout == slow.stdout and fast.stderr == slow.stderr
    fast, slow = cli_pair(tmp_path, "log", "thigh_back", "6", "2m", "--json", "--at", "03:10")
    a, b = json.loads(fast.stdout), json.loads(slow.stdout)
    assert a["created_at"] and {k: v for k, v in a.items() if k not in ("created_at", "updated_at")} == {
        k: v for k, v in b.items() if k not in ("created_at", "updated_at")
    }  # fmt: skip
    assert a["id"] == 5 and a["tz"] == "Europe/Paris"
    assert_same_files_loosely(tmp_path / "lite.sqlite3", tmp_path / "orm.sqlite3")


def assert_same_files_loosely(lite: Path, orm: Path) -> None:
    """The same rows, but for the episodes logged "now" (each file at its own moment)."""
    a, b = rows(lite), rows(orm)
    assert a.keys() == b.keys()
    for table in a:
        if table != "episode":
            assert a[table] == b[table], table


@pytest.mark.parametrize(
    "args",
    [
        ("log", "calff", "7", "90s"),
        ("log", "calf", "11", "90s"),
        ("log", "calf", "seven", "90s"),
        ("log", "calf", "7", "ninety"),
        ("log", "calf", "7", "-5s"),
        ("log", "calf", "7", "90s", "--left", "--right"),
        ("log", "calf", "7", "90s", "--at", "tomorrow 03:10"),
        ("log", "calf", "7", "90s", "--at", "2999-01-01 03:10"),
        ("log", "calf", "7", "90s", "--set", "age=40"),
        ("log", "calf", "7", "90s", "--set", "fever=maybe"),
        ("log", "calf", "7", "90s", "--notes", ""),
        ("log", "calf", "7", "90s", "--person", "x" * 101),
    ],
)
def test_bad_input_gives_the_same_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    fast, slow = cli_pair(tmp_path, *args)
    assert fast.returncode == slow.returncode != 0
    assert fast.stderr == slow.stderr and fast.stdout == slow.stdout and fast.stderr
    lite = tmp_path / "lite.sqlite3"
    assert not lite.exists() or rows(lite)["episode"] == [], "nothing was written"


def test_whose_diary_is_chosen_and_refused_the_same_way(tmp_path: Path) -> None:
    attempts = [("--person", "ann"), ("--person", "bob"), ("--person", "anne"), ()]
    for hour, args in enumerate(attempts):
        fast, slow = cli_pair(tmp_path, "log", "calf", "7", "90s", "--at", f"0{hour}:10", *args)
        assert (fast.returncode, fast.stdout, fast.stderr) == (
            slow.returncode, slow.stdout, slow.stderr
        ), args  # fmt: skip
    lite, orm = url(tmp_path / "lite.sqlite3"), f"sqlite+pysqlite:///{tmp_path / 'orm.sqlite3'}"
    for where in (lite, orm):
        with Diary(where) as diary:
            assert diary.people() == ["ann"], "bob was refused: the database holds someone else"
            diary.add_person("bob")
    fast, slow = cli_pair(tmp_path, "log", "calf", "7", "90s", "--at", "05:10")
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert b"holds the diaries of 2 people" in fast.stderr
    writer = open_sqlite_diary(lite, "anne")
    assert writer is not None
    with writer, pytest.raises(NotFoundError, match="did you mean 'ann'"):
        writer.timezone()


def test_the_same_start_is_refused_and_nothing_is_half_written(tmp_path: Path) -> None:
    path = tmp_path / "diary.sqlite3"
    when = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
    writer = open_sqlite_diary(url(path))
    assert writer is not None
    with writer:
        writer.add_episode("calf", pain=7, duration_s=90, started_at=when)
        with pytest.raises(DiaryValueError) as refused:
            writer.add_episode("calf", pain=5, duration_s=60, started_at=when)
    assert refused.value.code == "episode_same_start"
    with Diary(url(path)) as diary, pytest.raises(DiaryValueError) as also:
        diary.add_episode("calf", pain=5, duration_s=60, started_at=when)
    assert str(also.value) == str(refused.value)
    # a write that fails after the person's row was made leaves no person behind
    fresh = tmp_path / "fresh.sqlite3"
    writer = open_sqlite_diary(url(fresh))
    assert writer is not None
    writer.close()
    with closing(sqlite3.connect(fresh)) as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON episode "
                   "BEGIN SELECT RAISE(ABORT, 'refused'); END")  # fmt: skip
        db.commit()
    writer = open_sqlite_diary(url(fresh))
    assert writer is not None
    with writer, pytest.raises(DiaryValueError):
        writer.add_episode("foot", pain=3, duration_s=10)
    assert rows(fresh)["person"] == [] and rows(fresh)["episode"] == []


# --------------------------------------------------------------------------- same file


def test_a_new_file_and_folder_are_private_and_set_as_the_orm_sets_them(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "folder"
    done = run_process("log", "calf", "7", "90s", "--database-url", url(folder / "d.sqlite3"))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(folder / "d.sqlite3").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    with closing(sqlite3.connect(folder / "d.sqlite3")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    pragmas = "busy_timeout", "foreign_keys", "journal_mode", "synchronous"
    with closing(sqlite3.connect(folder / "d.sqlite3", isolation_level=None)) as raw:
        configure(raw)
        fast = [raw.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
    engine = database.make_engine(database.resolve_url(url(folder / "d.sqlite3")))
    try:
        with engine.connect() as connection:
            orm = [connection.exec_driver_sql(f"PRAGMA {p}").scalar() for p in pragmas]
    finally:
        engine.dispose()
    assert fast == orm == [30000, 1, "wal", 1]


def test_a_file_that_is_not_a_database_gives_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are not the droids\n" * 100)
    with pytest.raises(DatabaseError) as fast:
        open_sqlite_diary(url(path))
    with pytest.raises(DatabaseError) as slow:
        Diary(url(path))
    assert (fast.value.code, str(fast.value)) == (slow.value.code, str(slow.value))
    assert fast.value.code == "database_damaged"


def test_files_the_fast_writer_leaves_to_the_orm(tmp_path: Path) -> None:
    older = tmp_path / "older.sqlite3"
    engine = database.make_engine(database.resolve_url(url(older)))
    database.upgrade(engine, "0004")
    engine.dispose()
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE notes (x TEXT)")
    for path in (older, other):
        assert open_sqlite_diary(url(path)) is None
    done = run_cli("log", "calf", "7", "90s", "--json", "--database-url", url(older))
    assert done.returncode == 0, done.stderr
    assert open_sqlite_diary(url(older)) is not None, "migrated to head by the ORM's path"
    for text in ("postgresql+psycopg://u@h/db", "sqlite://", "sqlite:///:memory:",
                 f"sqlite:///{tmp_path}/x.sqlite3?mode=ro", "sqlite:///~/x.sqlite3"):  # fmt: skip
        assert plain_sqlite_path(text) is None
        assert open_sqlite_diary(text) is None


@pytest.mark.parametrize("path", ["diary.sqlite3", "/abs/d.sqlite3", "a b#c.sqlite3", "a%20b"])
def test_a_plain_url_names_the_file_sqlalchemy_names(path: str) -> None:
    text = f"sqlite:///{path}"
    parsed = database.resolve_url(text)
    assert plain_sqlite_path(text) == database.sqlite_path(parsed)
    assert database.masked(parsed) == text, "errors show the URL as the ORM's path shows it"
