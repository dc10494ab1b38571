"""The diary commands (``MUSCLEWISE_DATABASE_URL`` set), on SQLite and PostgreSQL: in-process
by Typer's test runner, and in a subprocess where a terminal or an interruption matters."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from musclewise.diary import Diary, database

from ..conftest import run_cli


def cli(url: str, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_cli(*args, input=input, env={"MUSCLEWISE_DATABASE_URL": url, "COLUMNS": "160"})


def ok(url: str, *args: str) -> str:
    result = cli(url, *args)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def data(url: str, *args: str) -> Any:
    return json.loads(ok(url, *args, "--json"))


def test_log_list_show_edit_delete(db_url: str) -> None:
    profile = data(db_url, "profile", "set", "--birth-year", "1960", "--sex", "female",
                   "--timezone", "Europe/London", "--condition", "hypothyroidism")  # fmt: skip
    assert profile["conditions"] == ["hypothyroidism"] and profile["timezone"] == "Europe/London"
    added = data(db_url, "profile", "medicine", "add", "furosemide", "--started", "2026-01-10")
    assert added["classes"] == ["loop_diuretic"]

    logged = data(db_url, "log", "calf", "7", "90s", "--left", "--at-night",
                  "--at", "2026-11-20 03:10")  # fmt: skip
    assert logged["local_start"] == "2026-11-20T03:10:00+00:00"
    assert logged["findings"] == {"onset": "during_sleep"} and logged["kind"] == "cramp"
    text = ok(db_url, "log", "calf", "4", "20m", "--right", "--swelling", "--warmth",
              "--at", "2026-11-20 18:00")  # fmt: skip
    assert text.index("URGENT") < text.index("Saved #2"), "the banner comes first"

    listed = data(db_url, "episodes", "list")
    assert [e["id"] for e in listed] == [1, 2]
    assert [e["triage"] for e in listed] == ["self_care", "urgent"]
    rows = list(csv.DictReader(io.StringIO(ok(db_url, "episodes", "list", "--format", "csv"))))
    assert [r["side"] for r in rows] == ["left", "right"]
    assert "calf" in ok(db_url, "episodes", "list", "--since", "2026-11-20", "--site", "calf")

    shown = data(db_url, "episodes", "show", "1")
    assert shown["assessed_on"]["medications"] == ["furosemide"]
    assert shown["assessed_on"]["age"] == 66
    assert "What it is" in ok(db_url, "episodes", "show", "1")

    edited = data(db_url, "episodes", "edit", "1", "--pain", "6", "--set", "swelling=true")
    assert edited["pain"] == 6 and edited["findings"]["swelling"] is True

    report = data(db_url, "episodes", "reassess", "--all")
    assert report["checked"] == 2 and report["changed_triage"] == 0

    refused = cli(db_url, "episodes", "delete", "1")
    assert refused.returncode == 2 and b"--yes" in refused.stderr
    assert "Deleted episode 1" in ok(db_url, "episodes", "delete", "1", "--yes")
    assert [e["id"] for e in data(db_url, "episodes", "list")] == [2]

    day = data(db_url, "day", "2026-11-20", "--caffeine", "4", "--exercise", "60", "--intense")
    assert day == {"date": "2026-11-20", "exercise_minutes": 60.0, "exercise_intense": True,
                   "caffeine_cups": 4.0}  # fmt: skip
    assert data(db_url, "day", "2026-11-20", "--stress", "3")["caffeine_cups"] == 4.0


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["log", "kalf", "7", "90s"], 2, "site: 'kalf' is not allowed"),
        (["log", "calf", "12", "90s"], 2, "pain: 12 is above the maximum 10"),
        (["log", "calf", "7", "soon"], 2, "DURATION: 'soon' is not a duration"),
        (["log", "calf", "7", "90s", "--at", "2099-01-01 10:00"], 2, "--at: is in the future"),
        (["log", "calf", "7", "90s", "--set", "swellling=true"], 2, "did you mean 'swelling'"),
        (["log", "calf"], 2, "give SITE, PAIN and DURATION"),
        (["log"], 2, "needs a terminal"),
        (["day", "--stress", "11"], 2, "stress: 11 is above the maximum 10"),
        (["day", "2099-01-01", "--stress", "1"], 2, "DATE: 2099-01-01 is in the future"),
        (["profile", "set", "--timezone", "Europe/Londn"], 2, "did you mean 'Europe/London'"),
        (["profile", "medicine", "add", "Lipitr0l"], 2, "did you mean"),
        (["profile", "medicine", "stop", "nothing"], 2, "is not a current medicine"),
        (["episodes", "show", "99"], 2, "episode 99: there is no such episode"),
        (["episodes", "reassess"], 2, "give their ids, or --all"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(
    tmp_path: Path, args: list[str], code: int, words: str
) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    Diary(url).close()  # an empty diary: reads refuse a file that does not exist
    result = cli(url, *args, input=b"")
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert words in err and "Traceback" not in err
    assert err.startswith("error: ")


def test_postgresql_needs_db_upgrade_first(fresh_schema: str) -> None:
    refused = cli(fresh_schema, "episodes", "list")
    assert refused.returncode == 4
    assert b"has no diary tables" in refused.stderr and b"musclewise db upgrade" in refused.stderr
    status = data(fresh_schema, "db", "status")
    assert status["revision"] is None and status["backend"] == "postgresql"
    assert "migrated" in ok(fresh_schema, "db", "upgrade")
    assert "already at revision" in ok(fresh_schema, "db", "upgrade")
    assert data(fresh_schema, "db", "status")["state"] == "at head"
    assert data(fresh_schema, "episodes", "list") == []


def test_db_status_masks_the_password(tmp_path: Path) -> None:
    secret = "postgresql+psycopg://me:hunter2@127.0.0.1:1/x?connect_timeout=2"
    result = cli(secret, "db", "status")
    assert result.returncode == 4
    assert b"hunter2" not in result.stderr + result.stdout and b"***" in result.stderr
    fresh = f"sqlite:///{tmp_path / 'later.sqlite3'}"
    assert "not created yet" in ok(fresh, "db", "status")
    assert not (tmp_path / "later.sqlite3").exists(), "status creates nothing"


def test_the_default_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    env = {"MUSCLEWISE_DATA_DIR": str(tmp_path), "MUSCLEWISE_DATABASE_URL": ""}
    result = run_cli("log", "foot", "5", "1m", "--json", env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / database.SQLITE_FILE).exists()


def test_log_takes_site_pain_and_duration_as_assess_does(db_url: str) -> None:
    """``--site --pain --duration --side``, as ``musclewise assess`` takes them, are the same
    episode as the arguments; given twice and different, or a side that is none, is refused."""
    by_options = data(db_url, "log", "--site", "calf", "--pain", "7", "--duration", "90s",
                      "--side", "left", "--at", "2026-11-20 03:10")  # fmt: skip
    by_arguments = data(db_url, "log", "calf", "7", "90s", "--left", "--at", "2026-11-21 03:10")
    keep = ("site", "side", "pain", "duration_s", "findings", "kind", "triage")
    assert {k: by_options[k] for k in keep} == {k: by_arguments[k] for k in keep}
    assert by_options["side"] == "left" and by_options["duration_s"] == 90
    mixed = data(db_url, "log", "calf", "--pain", "3", "--duration", "5s")
    assert (mixed["site"], mixed["pain"], mixed["duration_s"]) == ("calf", 3, 5)
    for args, problem in (
        (("calf", "7", "90s", "--pain", "6"), b"PAIN is given twice"),
        (("--site", "calf", "--pain", "7"), b"give SITE, PAIN and DURATION"),
        (("calf", "7", "90s", "--side", "up"), b"--side: 'up' is not left, right or both"),
    ):
        refused = cli(db_url, "log", *args)
        assert refused.returncode == 2 and problem in refused.stderr, refused.stderr
    assert len(data(db_url, "episodes", "list")) == 3, "nothing refused was saved"


def test_log_asks_in_a_terminal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with Diary(url) as diary:
        diary.set_profile({"timezone": "UTC"})
    leader, follower = pty.openpty()
    env = {**os.environ, "MUSCLEWISE_DATABASE_URL": url, "COLUMNS": "200", "TERM": "dumb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "musclewise", "log"],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    answers = iter([b"calf\n", b"6\n", b"2m\n", b"left\n", b"now\n"])
    prompts = (b"Where", b"How painful", b"How long", b"Which side", b"When did it")
    seen = b""
    try:
        for prompt in prompts:
            while prompt not in seen:
                chunk = os.read(leader, 4096)
                assert chunk, f"the command ended before asking {prompt!r}: {seen!r}"
                seen += chunk
            seen = b""
            os.write(leader, next(answers))
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()
        os.close(leader)
    with Diary(url) as diary:
        episode = diary.list_episodes()[0]
    assert (episode.site, episode.pain, episode.duration_s, episode.side) == (
        "calf",
        6,
        120,
        "left",
    )


def test_migrations_run_from_any_folder(tmp_path: Path) -> None:
    """The migrations are found beside the package, not in the current folder."""
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "musclewise", "db", "upgrade"],
        cwd=tmp_path, env={**os.environ, "MUSCLEWISE_DATABASE_URL": url},
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert data(url, "db", "status")["state"] == "at head"


def test_list_says_when_assessments_are_from_another_knowledge_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with Diary(url) as diary:
        diary.set_profile({"timezone": "UTC"})
        diary.add_episode("calf", pain=5, duration_s=60)
        with diary.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE episode SET knowledge_version = 'old'")
    result = cli(url, "episodes", "list")
    assert result.returncode == 0
    assert b"1 episode(s) were assessed with another knowledge base" in result.stderr
    assert "changed" in ok(url, "episodes", "reassess", "1")
    assert cli(url, "episodes", "list").stderr == b""
