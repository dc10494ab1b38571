"""Issue 14: nothing lost, no exit 1, nothing surprising. The real CLI in subprocesses."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from musclewise.diary import Diary
from musclewise.diary.errors import DiaryValueError

from ..conftest import run_cli, run_process

GOOD = '{"record": "episode", "site": "calf", "started_at": "2026-01-02T03:00:00+00:00"}\n'
BAD = '{"record": "episode", "site": "kalf", "started_at": "2026-01-02T04:00:00+00:00"}\n'


def diary_env(tmp_path: Path) -> dict[str, str]:
    return {"MUSCLEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'diary.sqlite3'}",
            "MUSCLEWISE_DATA_DIR": str(tmp_path / "data")}  # fmt: skip


def episodes(tmp_path: Path) -> int:
    with Diary(f"sqlite:///{tmp_path / 'diary.sqlite3'}") as diary:
        return len(diary.list_episodes())


# ---------------------------------------------------------------- 1. the rejects file


def test_rejects_path_that_is_the_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + BAD)
    result = run_cli("import", str(source), "--skip-invalid", str(source), env=diary_env(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "is the file being imported" in result.stderr.decode()
    assert source.read_text() == GOOD + BAD


def test_rejects_path_that_is_the_diary_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + BAD)
    env = diary_env(tmp_path)
    assert run_cli("import", str(source), "--skip-invalid", str(tmp_path / "r.jsonl"),
                   env=env).returncode == 0  # fmt: skip
    diary_file = tmp_path / "diary.sqlite3"
    for target in (diary_file, Path(f"{tmp_path}/../{tmp_path.name}/diary.sqlite3")):
        result = run_cli("import", str(source), "--skip-invalid", str(target), "--force", env=env)
        assert result.returncode == 2 and "database" in result.stderr.decode()
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    result = run_cli("import", str(source), "--skip-invalid", str(other), "--force", env=env)
    assert result.returncode == 2 and "is a database" in result.stderr.decode()
    assert episodes(tmp_path) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "folder", "is a folder"),
        (lambda p: p / "missing" / "r.jsonl", "does not exist"),
        (lambda p: p / "old.jsonl", "exists"),
    ],
)
def test_bad_rejects_paths_are_refused_before_anything_is_written(
    tmp_path: Path, make: Any, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "old.jsonl").write_text("keep me\n")
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + BAD)
    result = run_cli("import", str(source), "--skip-invalid", str(make(tmp_path)),
                     env=diary_env(tmp_path))  # fmt: skip
    assert result.returncode == 2 and message in result.stderr.decode()
    assert (tmp_path / "old.jsonl").read_text() == "keep me\n"
    assert not (tmp_path / "diary.sqlite3").exists() or episodes(tmp_path) == 0


def test_force_replaces_an_old_rejects_file_privately(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text("keep me\n")
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + BAD)
    result = run_process("import", str(source), "--skip-invalid", str(old), "--force",
                     env=diary_env(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert old.read_text() == BAD and old.stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob(".*partial"))


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))


def test_a_full_disk_for_the_rejects_loses_no_bad_row(tmp_path: Path) -> None:
    env = diary_env(tmp_path)
    with Diary(env["MUSCLEWISE_DATABASE_URL"]):
        pass
    source = tmp_path / "in.jsonl"
    huge = json.dumps({"record": "episode", "site": "kalf", "notes": "x" * 3_000_000,
                       "started_at": "2026-01-02T04:00:00+00:00"})  # fmt: skip
    source.write_text(GOOD + huge + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "musclewise", "import", str(source),
         "--skip-invalid", str(tmp_path / "r.jsonl")],
        env={**os.environ, **env}, capture_output=True, timeout=120, check=False,
        preexec_fn=_limit_file_size,
    )  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "cannot write" in err and "nothing was imported" in err
    assert episodes(tmp_path) == 0  # the good row waits for the bad one
    assert not (tmp_path / "r.jsonl").exists() and not list(tmp_path.glob(".*partial"))


def test_every_row_rejected_is_not_a_success(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(BAD)
    result = run_cli("import", str(source), "--skip-invalid", str(tmp_path / "r.jsonl"),
                     env=diary_env(tmp_path))  # fmt: skip
    assert result.returncode == 2 and "every row was rejected" in result.stderr.decode()
    assert (tmp_path / "r.jsonl").read_text() == BAD


# ---------------------------------------------------------------- 2. one bad line, not all

DEEP = b"[" * 1000 + b"]" * 1000
BAD_LINES = [b"\xef\xbb\xbf", b'{"site": "\xff"}', DEEP, b'{"medications": ' + DEEP + b"}"]


@pytest.mark.parametrize("bad", BAD_LINES)
def test_assess_json_a_bad_line_is_one_error_object(bad: bytes) -> None:
    good = b'{"site": "calf", "pain": 7}'
    first = bad + good if bad.startswith(b"\xef\xbb\xbf") else bad
    data = first + b"\n" + good + b"\n" + bad.replace(b"\xef\xbb\xbf", b"\xef\xbb\xbfx") + b"\n"
    result = run_cli("assess", "--json", "-", input=data + good + b"\n")
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "Traceback" not in err
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    kinds = [o.get("kind") for o in out]
    if bad.startswith(b"\xef\xbb\xbf"):  # a byte-order mark is not an error
        assert kinds == ["cramp", "cramp", None, "cramp"]
    else:
        assert kinds == [None, "cramp", None, "cramp"] and out[0]["line"] == 1


def test_a_very_long_line_is_an_error_and_the_next_is_assessed() -> None:
    from musclewise.cli.batch import MAX_RECORD_BYTES

    long = b'{"text": "' + b"a" * (MAX_RECORD_BYTES + 10) + b'"}'
    result = run_cli("assess", "--json", "-", input=long + b'\n{"site": "calf"}\n')
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 2 and "longer than" in out[0]["error"]
    assert out[1]["kind"] == "cramp"


@pytest.mark.parametrize("bad", BAD_LINES[1:])
def test_import_json_lines_reports_the_bad_line_only(tmp_path: Path, bad: bytes) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + bad + b"\n")
    rejects = tmp_path / "r.jsonl"
    result = run_cli("import", str(source), "--skip-invalid", str(rejects),
                     env=diary_env(tmp_path))  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "line 2" in err and "Traceback" not in err
    assert rejects.read_bytes() == bad + b"\n"  # kept byte for byte
    assert episodes(tmp_path) == 1


@pytest.mark.parametrize("bad", [b'{"resourceType": "Bundle", "x": "\xff"}',
                                 b'{"resourceType": "Bundle", "entry": ' + DEEP + b"}"])  # fmt: skip
def test_import_fhir_bad_bytes_or_nesting_is_exit_2(tmp_path: Path, bad: bytes) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(bad)
    result = run_cli("import", str(source), env=diary_env(tmp_path))
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", "swelling"), ("No", None), ("[" * 1000, "swelling"), ("true", "swelling")],
)
def test_set_takes_yes_no_words_and_never_crashes(value: str, expected: str | None) -> None:
    result = run_cli("assess", "--site", "calf", "--set", f"swelling={value}", "--format", "json")
    err = result.stderr.decode()
    assert "Traceback" not in err and result.returncode != 1
    if value.startswith("["):
        assert result.returncode == 2 and "swelling" in err
    else:
        assert result.returncode == 0, err
        assessment = json.loads(result.stdout)
        assert "swelling" not in assessment["missing"]
        assert (assessment["triage"]["level"] != "self_care") is (expected is not None)


# ---------------------------------------------------------------- 6. exit 4 or 2, not 1


def _damaged(tmp_path: Path) -> Path:
    """A real diary whose pages after the first are overwritten with noise."""
    path = tmp_path / "damaged.sqlite3"
    with Diary(f"sqlite:///{path}") as diary:
        for hour in range(1, 6):
            diary.add_episode("calf", pain=3, notes=f"night {hour}")
    data = bytearray(path.read_bytes())
    noise = bytes((i * 7919 + 13) % 256 for i in range(len(data)))
    data[4096:] = noise[4096:]
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["text", "damaged"])
@pytest.mark.parametrize(
    "command",
    [["log", "calf", "3", "90s"], ["episodes", "list"], ["export"], ["profile"]],
)
def test_a_file_that_is_not_a_diary_is_exit_4(
    tmp_path: Path, kind: str, command: list[str]
) -> None:
    if kind == "text":
        path = tmp_path / "notes.sqlite3"
        path.write_text("my shopping list, not a database\n" * 200)
    else:
        path = _damaged(tmp_path)
    result = run_cli(*command, env={"MUSCLEWISE_DATABASE_URL": f"sqlite:///{path}"})
    err = result.stderr.decode()
    assert result.returncode == 4, err
    assert "cannot use the database" in err and "backup" in err
    assert "Traceback" not in err and "sqlalche.me" not in err and "night" not in err
    assert b"Logged" not in result.stdout


def _limit_to_small_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_backup_to_a_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    with Diary(url) as diary, diary.transaction():
        for day in range(1, 100):
            diary.set_day(date(2025, 1, 1) + timedelta(days=day), {"notes": "x" * 3000})
    assert (tmp_path / "diary.sqlite3").stat().st_size > 200_000
    target = tmp_path / "copy.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "musclewise", "backup", str(target), "--database-url", url],
        capture_output=True, timeout=120, check=False, preexec_fn=_limit_to_small_files,
    )  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "cannot write the backup" in err and "Traceback" not in err
    assert not target.exists() and not list(tmp_path.glob(".*partial"))


# ---------------------------------------------------------------- 7. no health data in errors

BUG = """
import sys
from musclewise import cli

@cli.app.command("boom")
def boom() -> None:
    raise ValueError("notes: my secret night cramp, Lipitor 40 mg")

sys.argv = ["musclewise", "boom"]
cli.main()
"""


def test_an_internal_error_names_its_place_not_its_values() -> None:
    result = subprocess.run([sys.executable, "-c", BUG], capture_output=True, timeout=60,
                            check=False)  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 1
    assert "internal error: ValueError at" in err and "This is a bug" in err
    assert "secret" not in err and "Lipitor" not in err


# ---------------------------------------------------------------- 5. NUL at the door


def cli_env(url: str) -> dict[str, str]:
    return {"MUSCLEWISE_DATABASE_URL": url}


def test_nul_in_notes_and_medicine_names_is_refused_on_both_backends(
    db_url: str, tmp_path: Path
) -> None:
    lines = [
        {"record": "medicine", "name": "Lipi\u0000tor"},
        {"record": "episode", "site": "calf", "started_at": "2026-01-02T03:00:00+00:00",
         "notes": "private\u0000note"},
        {"record": "day", "date": "2026-01-02", "notes": "\u0000"},
    ]  # fmt: skip
    source = tmp_path / "nul.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = run_cli("import", str(source), env=cli_env(db_url))
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert err.count("must not contain NUL characters") == 3
    assert "private" not in err and "Traceback" not in err
    with Diary(db_url) as diary:
        assert diary.list_episodes() == []


def test_terminal_escapes_in_imported_text_are_dropped(db_url: str, tmp_path: Path) -> None:
    line = {"record": "episode", "site": "calf", "started_at": "2026-01-02T03:00:00+00:00",
            "notes": "woke up\u001b[2J\u001b]0;pwned\u0007 [again]\r\nleft calf"}  # fmt: skip
    source = tmp_path / "esc.jsonl"
    source.write_text(json.dumps(line) + "\n")
    assert run_cli("import", str(source), env=cli_env(db_url)).returncode == 0
    with Diary(db_url) as diary:
        (episode,) = diary.list_episodes()
    assert episode.notes == "woke up [again]\nleft calf"


# ---------------------------------------------------------------- 8. reads never create


@pytest.mark.parametrize(
    "command",
    [["episodes", "list"], ["episodes", "show", "1"], ["profile"], ["export"],
     ["profile", "medicine", "list"], ["day", "2026-01-01"], ["person", "list"]],
)  # fmt: skip
def test_a_read_of_a_mistyped_database_creates_nothing(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no" / "such" / "diary.sqlite3"
    result = run_cli(*command, "--database-url", f"sqlite:///{missing}")
    err = result.stderr.decode()
    assert result.returncode == 4, err
    assert f"there is no diary at {missing}" in err
    assert not (tmp_path / "no").exists()


def test_a_new_person_is_an_explicit_step(db_url: str) -> None:
    env = cli_env(db_url)
    assert run_cli("log", "calf", "3", "90s", env=env).returncode == 0  # the first person: "me"
    typo = run_cli("log", "calf", "3", "90s", "--person", "Me ", env=env)
    err = typo.stderr.decode()
    assert typo.returncode == 2 and "did you mean 'me'" in err and "person add" in err
    read = run_cli("episodes", "list", "--person", "nobody", env=env)
    assert read.returncode == 2 and "'nobody' has no diary here" in read.stderr.decode()
    with Diary(db_url) as diary:
        assert diary.people() == ["me"]
    added = run_cli("person", "add", "Ann", env=env)
    assert added.returncode == 0, added.stderr
    assert run_cli("log", "foot", "2", "1m", "--person", "Ann", env=env).returncode == 0
    again = run_cli("person", "add", "Ann", env=env)
    assert again.returncode == 2 and "already has a diary" in again.stderr.decode()
    listed = run_cli("person", "list", "--json", env=env)
    assert json.loads(listed.stdout) == ["Ann", "me"]


# ---------------------------------------------------------------- 18. words people use


def test_profile_takes_the_words_people_use(tmp_path: Path) -> None:
    result = run_cli("profile", "set", "--sex", "Female", "--condition", "underactive thyroid",
                     "--condition", "Type 2 diabetes", "--json", env=diary_env(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    profile = json.loads(result.stdout)
    assert profile["sex"] == "female"
    assert profile["conditions"] == ["diabetes", "hypothyroidism"]


# ---------------------------------------------------------------- 3. unique constraints


def test_the_migration_resolves_what_races_left_and_adds_the_constraints(empty_url: str) -> None:
    from sqlalchemy import text as sql

    from musclewise.diary import database

    engine = database.make_engine(database.resolve_url(empty_url))
    try:
        database.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(
                sql(
                    "INSERT INTO person (id, name, timezone, created_at) "
                    "VALUES (1, 'me', 'Europe/London', '2026-01-01T00:00:00+00:00')"
                )
            )
            episode = (
                "INSERT INTO episode (person_id, started_at, tz, site, pain, findings, notes, kind,"
                " triage, assessment, knowledge_version, created_at, updated_at) VALUES (1, "
                "'2026-01-02T03:00:00+00:00', 'Europe/London', 'calf', 5, '{}', :notes, 'cramp',"
                " 'self_care', '{}', 'v', '2026-01-02T04:00:00+00:00', '2026-01-02T04:00:00+00:00')"
            )
            for notes in ("first", "first", "first", "another night"):
                connection.execute(sql(episode), {"notes": notes})
            for name in ("Lipitor", "Lipitor", "lipitor", "Ramipril"):
                connection.execute(
                    sql("INSERT INTO medicine (person_id, name) VALUES (1, :name)"), {"name": name}
                )
        database.upgrade(engine)
        with engine.connect() as connection:
            notes = connection.execute(sql("SELECT notes FROM episode ORDER BY id")).scalars()
            assert list(notes) == ["first", "another night"]  # copies gone, nothing lost
            names = connection.execute(sql("SELECT name FROM medicine ORDER BY id")).scalars()
            assert list(names) == ["Lipitor", "lipitor", "Ramipril"]
        database.downgrade(engine, "0001")
        database.upgrade(engine)
    finally:
        engine.dispose()
    with Diary(empty_url) as diary:
        with pytest.raises(DiaryValueError, match="already a current medicine"):
            diary.add_medicine("LIPITOR")
        medicines = {m.name for m in diary.get_profile().medicines}
        assert medicines == {"Lipitor", "lipitor", "Ramipril"}


def _import_file(url: str, path: str) -> int:
    return run_process("import", path, env=cli_env(url)).returncode  # processes in parallel


def _add_lipitor(url: str) -> tuple[int, str]:
    result = run_process("profile", "medicine", "add", "Lipitor", env=cli_env(url))
    return result.returncode, result.stderr.decode()


def test_parallel_imports_and_medicine_adds_on_postgresql(
    fresh_schema: str, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from musclewise.diary import database

    engine = database.make_engine(database.resolve_url(fresh_schema))
    try:
        database.upgrade(engine)
    finally:
        engine.dispose()
    with Diary(fresh_schema) as diary:
        diary.set_profile({"timezone": "Europe/London"})
    start = datetime(2025, 1, 1, tzinfo=UTC)
    source = tmp_path / "many.jsonl"
    source.write_text("".join(
        json.dumps({"record": "episode", "site": "calf", "pain": 4,
                    "started_at": (start + timedelta(hours=i)).isoformat()}) + "\n"
        for i in range(300)
    ))  # fmt: skip
    with ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(_import_file, [fresh_schema] * 3, [str(source)] * 3))
    assert codes == [0, 0, 0]
    with ThreadPoolExecutor(6) as pool:
        adds = list(pool.map(_add_lipitor, [fresh_schema] * 6))
    assert [code for code, _ in adds].count(0) == 1, adds
    assert all(code == 2 and "already a current medicine" in err for code, err in adds if code)
    with Diary(fresh_schema) as diary:
        assert len(diary.list_episodes()) == 300
        assert [m.name for m in diary.get_profile().medicines] == ["Lipitor"]


# ---------------------------------------------------------------- 4. imported assessments


def _assessment_line(assessment: object, hour: int = 3) -> str:
    return json.dumps({"record": "episode", "site": "calf", "pain": 5,
                       "started_at": f"2026-01-02T0{hour}:00:00+00:00",
                       "assessment": assessment}) + "\n"  # fmt: skip


def test_imported_assessments_follow_the_contract_and_have_a_size_limit(
    db_url: str, tmp_path: Path
) -> None:
    from musclewise import assess

    minimal = {"kind": "cramp", "triage": {"level": "self_care"}, "knowledge_version": "x"}
    whole = assess({"site": "calf", "pain": 5})
    huge = {**whole, "explanation": ["x" * 1000] * 300}  # 300,000 characters
    for assessment, words in ((minimal, "does not follow the assessment contract"),
                              (huge, "is too long")):  # fmt: skip
        source = tmp_path / "a.jsonl"
        source.write_text(_assessment_line(assessment))
        result = run_cli("import", str(source), env=cli_env(db_url))
        err = result.stderr.decode()
        assert result.returncode == 2, err
        assert "column assessment" in err and words in err and len(err) < 2000
    source = tmp_path / "ok.jsonl"
    source.write_text(_assessment_line(whole))
    assert run_cli("import", str(source), env=cli_env(db_url)).returncode == 0


def test_a_minimal_stored_assessment_is_shown_not_a_crash(tmp_path: Path) -> None:
    from sqlalchemy import text as sql

    env = diary_env(tmp_path)
    assert run_cli("log", "calf", "3", "90s", env=env).returncode == 0
    with Diary(env["MUSCLEWISE_DATABASE_URL"]) as diary, diary.engine.begin() as connection:
        connection.execute(sql(
            "UPDATE episode SET knowledge_version = 'old', assessment = "
            "'{\"kind\": \"cramp\", \"triage\": {\"level\": \"self_care\"}, "
            "\"knowledge_version\": \"old\"}'"))  # fmt: skip
    for command in (["episodes", "show", "1"], ["episodes", "list"], ["export"]):
        result = run_cli(*command, env=env)
        assert result.returncode == 0, result.stderr.decode()
    shown = run_cli("episodes", "show", "1", env=env).stdout.decode()
    assert "musclewise episodes reassess 1" in shown  # 15: another knowledge base now


# ---------------------------------------------------------------- 10. user text is not markup


def test_notes_are_shown_as_written_never_as_markup(tmp_path: Path) -> None:
    env = {**diary_env(tmp_path), "COLUMNS": "200"}
    notes = "woke [again] after [b]long[/b] walk [/] [link=x]y"
    assert run_cli("log", "calf", "3", "90s", "--notes", notes, env=env).returncode == 0
    for command in (["episodes", "show", "1"], ["episodes", "edit", "1", "--pain", "4"],
                    ["log", "foot", "2", "1m", "--notes", "[/]", "--details"]):  # fmt: skip
        result = run_cli(*command, env=env)
        assert result.returncode == 0, result.stderr.decode()
    shown = run_cli("episodes", "show", "1", env=env).stdout.decode()
    assert f"notes: {notes}" in shown


# ---------------------------------------------------------------- 15. what it was based on


def test_show_says_what_the_assessment_was_based_on_then(tmp_path: Path) -> None:
    env = {**diary_env(tmp_path), "COLUMNS": "300"}
    assert run_cli("log", "calf", "3", "90s", "--at-night", env=env).returncode == 0
    assert run_cli("day", "--stress", "9", "--caffeine", "6", env=env).returncode == 0
    shown = run_cli("episodes", "show", "1", env=env).stdout.decode()
    based = next(line for line in shown.splitlines() if line.startswith("Based on"))
    assert "what was logged" in based and "pain 3/10" in based
    assert "stress" not in based and "coffee" not in based


# ---------------------------------------------------------------- 18. the words shown


def test_assess_speaks_plainly() -> None:
    result = run_cli("assess", "--site", "calf", "--pain", "7", "--duration", "6h", "--set",
                     "relieved_by_stretch=no", env={"COLUMNS": "300"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "lasting 6 hours" in text and "360 min" not in text
    assert "not eased by stretching" in text and "no relieved" not in text
    assert "sharpen" not in text and "duration s" not in text
    assert text.index("sources below") < text.index("\nSources")


# ---------------------------------------------------------------- 9. CSV as spreadsheets save it


def test_csv_with_semicolons_is_read_and_an_empty_file_says_so(tmp_path: Path) -> None:
    env = diary_env(tmp_path)
    european = tmp_path / "excel.csv"
    european.write_text("record;site;pain;started_at;notes\n"
                        "episode;calf;4;2026-01-02T03:00:00+00:00;woke; then slept\n"
                        "episode;foot;2;2026-01-03T03:00:00+00:00;ok\n".replace(
                            "woke; then slept", '"woke; then slept"'))  # fmt: skip
    result = run_cli("import", str(european), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == {"episode": 2}
    with Diary(env["MUSCLEWISE_DATABASE_URL"]) as diary:
        assert sorted(e.notes or "" for e in diary.list_episodes()) == ["ok", "woke; then slept"]
    for name, content, words in (("empty.csv", "", "is empty"),
                                 ("blank.jsonl", "\n\n", "holds no records"),
                                 ("odd.csv", "a|b|c\n1|2|3\n", "not a header")):  # fmt: skip
        path = tmp_path / name
        path.write_text(content)
        result = run_cli("import", str(path), env=env)
        err = result.stderr.decode()
        assert result.returncode == 2 and words in err and "Traceback" not in err, err


# ---------------------------------------------------------------- 11. CSV injection


def test_csv_exports_neutralise_formulas_and_import_them_back(tmp_path: Path) -> None:
    import csv as csv_module

    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    notes = ['=HYPERLINK("http://x")', "+1", "-3 days", "@SUM(A1)", "\tx", "'=kept", "fine"]
    with Diary(url) as diary:
        diary.set_profile({"timezone": "Europe/London"})
        for hour, note in enumerate(notes):
            diary.add_episode("calf", pain=3, notes=note,
                              started_at=datetime(2026, 1, 2, hour, tzinfo=UTC))  # fmt: skip
        diary.add_medicine("=cmd|' /C calc'!A0", allow_unknown=True)
    out = tmp_path / "export.csv"
    assert run_cli("export", "-f", "csv", "-o", str(out), "--database-url", url).returncode == 0
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv_module.DictReader(stream))
    cells = [r["notes"] for r in rows if r["record"] == "episode"]
    cells += [r["name"] for r in rows if r["record"] == "medicine"]
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), cells
    listed = run_cli("episodes", "list", "-f", "csv", "--database-url", url).stdout.decode()
    rows = list(csv_module.DictReader(listed.splitlines()))
    assert len(rows) == len(notes)
    assert all(not r["notes"].startswith(("=", "+", "-", "@", "\t")) for r in rows), rows
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    assert run_cli("import", str(out), "--database-url", again).returncode == 0
    with Diary(again) as diary:
        assert sorted(e.notes or "" for e in diary.list_episodes()) == sorted(
            n.strip() for n in notes
        )
        assert [m.name for m in diary.get_profile().medicines] == ["=cmd|' /C calc'!A0"]


# ---------------------------------------------------------------- 12. private files


def test_the_diary_and_what_is_written_from_it_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"MUSCLEWISE_DATA_DIR": str(data), "MUSCLEWISE_DATABASE_URL": ""}
    assert run_process("log", "calf", "3", "90s", env=env).returncode == 0
    diary_file = data / "diary.sqlite3"
    with Diary(f"sqlite:///{diary_file}") as diary:
        diary.add_episode("foot", pain=2)  # WAL and SHM exist while it is open
        made = [diary_file, *data.glob("diary.sqlite3-*")]
        assert len(made) == 3
        modes = {p.name: oct(p.stat().st_mode & 0o777) for p in made}
    assert set(modes.values()) == {"0o600"}, modes
    assert data.stat().st_mode & 0o777 == 0o700
    stale = tmp_path / ".out.jsonl.999999999.partial"
    stale.write_text("half an export")
    for command in (["export", "-o", str(tmp_path / "out.jsonl")],
                    ["backup", str(tmp_path / "copy.sqlite3")]):  # fmt: skip
        assert run_process(*command, env=env).returncode == 0
    for written in (tmp_path / "out.jsonl", tmp_path / "copy.sqlite3"):
        assert written.stat().st_mode & 0o077 == 0, written
    assert not stale.exists(), "a killed export's file is cleaned up on the next run"


# ---------------------------------------------------------------- 13. the echo is capped


def test_a_line_of_many_unknown_keys_or_a_huge_value_gets_a_short_answer() -> None:
    many = json.dumps({f"key_{i}": 1 for i in range(100_000)})
    huge = json.dumps({"site": "calf", "pain": "7" * 5_000_000})
    result = run_cli("assess", "--json", "-", input=f"{many}\n{huge}\n".encode())
    assert result.returncode == 2
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert len(errors) == 2 and all(len(e) < 2_000 for e in errors)
    assert "99,990 more unknown keys" in errors[0] and "pain" in errors[1]


def test_log_and_edit_take_the_words_and_flags_people_use(tmp_path: Path) -> None:
    env = diary_env(tmp_path)
    for site in ("leg", "knee"):
        result = run_cli("log", site, "3", "90s", "--at", f"yesterday 0{len(site)}:00", env=env)
        assert result.returncode == 0, result.stderr
    edited = run_cli("episodes", "edit", "1", "--swelling", "--stretch-does-not-help",
                     "--at-night", "--json", env=env)  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    findings = json.loads(edited.stdout)["findings"]
    assert findings == {"swelling": True, "relieved_by_stretch": False, "onset": "during_sleep"}
    negative = run_cli("log", "calf", "-3", "90s", env=env)
    err = negative.stderr.decode()
    assert negative.returncode == 2 and "'-3' cannot be negative" in err
    assert "No such option" not in err


def test_insights_and_reports_show_names_as_typed_and_are_private(tmp_path: Path) -> None:
    """Items 10 and 12 in insights (a two-line edit of cli/insights.py)."""
    env = {"MUSCLEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "COLUMNS": "300"}
    demo = run_process("demo", "--database-url", env["MUSCLEWISE_DATABASE_URL"], env=env)
    assert demo.returncode == 0, demo.stderr.decode()
    added = run_process("profile", "medicine", "add", "Lipitor [/]", env=env)
    assert added.returncode == 0, added.stderr
    shown = run_process("insights", env=env)
    assert shown.returncode == 0, shown.stderr.decode()
    assert "Lipitor [/]" in shown.stdout.decode()
    report = tmp_path / "report.html"
    assert run_process("report", "--output", str(report), env=env).returncode == 0
    assert report.stat().st_mode & 0o077 == 0


PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], capture_output=True, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_an_import_line_too_long_to_keep_is_one_bad_row_in_bounded_memory(
    tmp_path: Path,
) -> None:
    source = tmp_path / "long.jsonl"
    with source.open("w") as out:
        out.write('{"record": "episode", "notes": "')
        for _ in range(200):
            out.write("x" * 1_000_000)
        out.write('"}\n' + GOOD)
    rejects = tmp_path / "r.jsonl"
    command = [sys.executable, "-m", "musclewise", "import", str(source),
               "--skip-invalid", str(rejects)]  # fmt: skip
    env = {**os.environ, **diary_env(tmp_path)}
    result = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "line 1: is longer than" in err and episodes(tmp_path) == 1
    (tmp_path / "diary.sqlite3").unlink()
    peak = subprocess.run([sys.executable, "-c", PEAK, *command], env=env, capture_output=True,
                          timeout=300, check=True)  # fmt: skip
    assert int(peak.stdout) < 200_000, "KiB: the 200 MB line is never held whole"
