"""Export and import (field for field, all or nothing, every bad row named), and backups."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from musclewise.diary import Diary
from musclewise.diary.backup import backup
from musclewise.errors import UsageError
from musclewise.exchange import (
    COLUMNS,
    ImportRejected,
    import_rows,
    read_rows,
    write_export,
)

from ..conftest import run_cli


def fill(diary: Diary) -> None:
    """A diary with a bit of everything, including empty and awkward values."""
    diary.set_profile(
        {"timezone": "Europe/London", "birth_year": 1958, "sex": "female", "pregnant": False},
        add_conditions=["diabetes", "hypothyroidism"],
    )
    diary.add_medicine("Lipitor 20mg", date(2025, 1, 2))
    diary.restore_medicine("furosemide", date(2024, 5, 1), date(2024, 9, 30))
    diary.restore_medicine('my own remedy, "strong"')
    diary.set_day(date(2026, 1, 10), {"caffeine_cups": 3.5, "hot_environment": True,
                                      "notes": "line one\nline two, with a comma"})  # fmt: skip
    diary.set_day(date(2026, 1, 11), {"stress": 0, "fluids_low": False, "cigarettes": 2})
    zone = ZoneInfo("Europe/London")
    diary.add_episode("calf", pain=7, duration_s=90.5, side="left",
                      started_at=datetime(2026, 1, 11, 3, 10, tzinfo=zone),
                      findings={"onset": "during_sleep", "relieved_by_stretch": True},
                      notes="ünïcode ✓")  # fmt: skip
    diary.add_episode("eyelid", pain=0, duration_s=4,
                      started_at=datetime(2026, 1, 12, 20, 0, tzinfo=zone),
                      findings={"extent": "part_of_muscle", "ongoing_days": 3})  # fmt: skip
    diary.add_episode("thigh_back", started_at=datetime(2026, 1, 13, 8, 0, tzinfo=UTC))


def exported(diary: Diary, fmt: str) -> str:
    out = io.StringIO(newline="")
    write_export(diary, out, fmt)
    return out.getvalue()


def load(diary: Diary, text: str, fmt: str, **options: object) -> object:
    return import_rows(diary, read_rows(io.StringIO(text, newline=""), fmt), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_then_import_gives_back_the_same_diary(
    db_url: str, new_database: Callable[[], str], fmt: str
) -> None:
    with Diary(db_url) as source:
        fill(source)
        text = exported(source, fmt)
        profile, episodes = source.get_profile(), source.list_episodes()
        days = source.list_days()
    with Diary(new_database()) as target:
        summary = load(target, text, fmt)
        assert summary.added["episode"] == 3 and summary.assessed == 0  # type: ignore[attr-defined]
        assert target.get_profile() == profile
        assert target.list_episodes() == episodes, "field for field, ids and times included"
        assert target.list_days() == days
        assert exported(target, fmt) == text
        again = load(target, text, fmt)
        assert not again.added and again.already_there["episode"] == 3  # type: ignore[attr-defined]
        assert target.list_episodes() == episodes


def test_the_csv_header_is_the_documented_columns(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'd.sqlite3'}") as diary:
        header = exported(diary, "csv").splitlines()[0].split(",")
    assert tuple(header) == COLUMNS
    docs = (Path(__file__).resolve().parents[2] / "docs" / "diary.md").read_text()
    for column in COLUMNS:
        assert f"`{column}`" in docs, f"docs/diary.md does not describe the column {column}"


BAD_CSV = """record,site,pain,started_at,findings,date,stress
episode,calf,5,2026-01-01T10:00:00+00:00,,,
episode,kalf,12,2026-01-01T11:00:00+00:00,,,
episode,calf,3,yesterday,"{""swellling"": true}",,
day,,,,,2026-01-05,eleven
profile,,,,,,
whatever,,,,,,
"""


def test_an_import_with_bad_rows_writes_nothing_and_names_every_one(db_url: str) -> None:
    with Diary(db_url) as diary:
        with pytest.raises(ImportRejected) as info:
            load(diary, BAD_CSV, "csv")
        found = {(p.line, p.column) for p in info.value.problems}
        assert found == {(3, "site"), (3, "pain"), (4, "started_at"), (5, "stress"), (7, "record")}
        assert diary.list_episodes() == [] and diary.people() == []
        bad_json = '{"record": "episode", "site": "calf"}\nnot json\n[1]\n'
        with pytest.raises(ImportRejected) as jsonl:
            load(diary, bad_json, "jsonl")
        assert [(p.line, p.column) for p in jsonl.value.problems] == [
            (1, "started_at"), (2, ""), (3, ""),
        ]  # fmt: skip


def test_skip_invalid_imports_the_rest_and_dry_run_writes_nothing(db_url: str) -> None:
    with Diary(db_url) as diary:
        dry = load(diary, BAD_CSV, "csv", dry_run=True, rejects=lambda row: None)
        assert dry.added["episode"] == 1 and diary.list_episodes() == []  # type: ignore[attr-defined]
        rejected: list[int] = []
        summary = load(diary, BAD_CSV, "csv", rejects=lambda row: rejected.append(row.line))
        assert rejected == [3, 4, 5, 7] and summary.rejected == 4  # type: ignore[attr-defined]
        assert [e.site for e in diary.list_episodes()] == ["calf"]


def test_a_header_that_is_not_an_export_is_refused(db_url: str) -> None:
    with Diary(db_url) as diary, pytest.raises(ImportRejected) as info:
        load(diary, "site,colour\ncalf,red\n", "csv")
    assert {p.column for p in info.value.problems} == {"colour", "record"}


def test_backup_is_a_consistent_copy_while_in_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with Diary(url) as diary:
        fill(diary)
        writer = sqlite3.connect(tmp_path / "d.sqlite3")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM episode")  # not committed while the backup runs
        target = tmp_path / "copy.sqlite3"
        assert backup(diary, target) > 0
        writer.rollback()
        writer.close()
        with pytest.raises(UsageError, match="exists"):
            backup(diary, target)
        episodes = diary.list_episodes()
    with Diary(f"sqlite:///{target}") as copy:
        assert copy.list_episodes() == episodes
    assert not list(tmp_path.glob(".*partial"))


def test_backup_of_postgresql_is_refused(fresh_schema: str, tmp_path: Path) -> None:
    with Diary(fresh_schema, migrate=True) as diary, pytest.raises(UsageError) as info:
        backup(diary, tmp_path / "x.sqlite3")
    assert "is PostgreSQL" in info.value.message and "pg_dump" in info.value.hint


def test_export_import_backup_commands(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with Diary(source) as diary:
        fill(diary)
    out = tmp_path / "diary.csv"
    env = {"MUSCLEWISE_DATABASE_URL": source}
    result = run_cli("export", "--format", "csv", "--output", str(out), env=env)
    assert result.returncode == 0, result.stderr
    target = {"MUSCLEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"}
    result = run_cli("import", str(out), "--json", env=target)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"]["episode"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV)
    result = run_cli("import", str(bad), env=target)
    err = result.stderr.decode()
    assert result.returncode == 2 and "nothing was imported" in err
    assert "line 3, column pain: 12 is above the maximum 10" in err
    rejects = tmp_path / "rejects.csv"
    result = run_cli("import", str(bad), "--skip-invalid", str(rejects), env=target)
    assert result.returncode == 0, result.stderr
    assert rejects.read_text().splitlines()[0] == BAD_CSV.splitlines()[0]
    assert len(rejects.read_text().splitlines()) == 5
    result = run_cli("backup", str(tmp_path / "b-copy.sqlite3"), env=target)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b-copy.sqlite3").exists()


def episode_line(when: str, site: str = "calf", **extra: object) -> str:
    return json.dumps({"record": "episode", "site": site, "started_at": when, **extra})


def test_import_writes_episodes_in_batches_in_file_order(db_url: str) -> None:
    from musclewise import assess

    stored = assess({"site": "calf", "pain": 7})
    lines = [
        json.dumps({"record": "profile", "timezone": "Europe/London", "birth_year": 1960}),
        episode_line("2026-01-01T03:00:00+00:00", pain=7, assessment=stored),
        episode_line("2026-01-02T03:00:00+00:00", pain=7, assessment=stored),
        episode_line("2026-01-01T03:00:00+00:00", pain=7, assessment=stored),  # a later batch
        episode_line("2026-01-01T03:00:00+00:00", "foot", pain=7, assessment=stored),
        episode_line("2026-01-03T03:00:00+00:00", pain=7, assessment=stored),
        episode_line("2026-01-03T03:00:00+00:00", pain=7, assessment=stored),  # the same batch
        json.dumps({"record": "day", "date": "2026-01-04", "exercise_intense": True}),
        episode_line("2026-01-04T22:00:00+00:00", pain=7),  # assessed with that day's context
        episode_line("2026-01-05T03:00:00+00:00", pain=7, assessment=stored),
    ]
    text = "\n".join(lines) + "\n"
    with Diary(db_url) as diary:
        dry = load(diary, text, "jsonl", dry_run=True, batch=2)
        assert dry.added["episode"] == 6 and diary.list_episodes() == []  # type: ignore[attr-defined]
        summary = load(diary, text, "jsonl", batch=2)
        assert summary.added == {"profile": 1, "episode": 6, "day": 1}  # type: ignore[attr-defined]
        assert summary.already_there == {"episode": 2} and summary.assessed == 1  # type: ignore[attr-defined]
        episodes = diary.list_episodes()
        first = episodes[0].id  # PostgreSQL's sequence moved on in the dry run
        assert [(e.id - first + 1, e.site, e.local_start.day) for e in episodes] == [
            (1, "calf", 1), (3, "foot", 1), (2, "calf", 2), (4, "calf", 3), (5, "calf", 4),
            (6, "calf", 5),
        ]  # fmt: skip
        assert all(e.assessment == stored for e in episodes if e.id != first + 4)
        fresh = diary.get_episode(first + 4).assessment
        assert "fatigue" in {f["id"] for f in fresh["factors"]}, "the day's context was used"
        again = load(diary, text, "jsonl", batch=2)
        assert not again.added and again.already_there["episode"] == 8  # type: ignore[attr-defined]


def test_an_assessment_is_kept_as_the_file_gives_it(db_url: str) -> None:
    from musclewise import assess

    stored = assess({"site": "eyelid", "pain": 0, "visible_twitch": True})
    spaced = json.dumps(stored, indent=1).replace("\n", " ")  # other spacing, the same JSON
    line = (f'{{"record": "episode", "site": "eyelid", "pain": 0, "kind": "spasm", '
            f'"started_at": "2026-02-01T10:00:00+00:00", "assessment": {spaced}}}\n')  # fmt: skip
    bad = [
        episode_line("2026-02-02T10:00:00+00:00", kind="cramp", assessment=stored),
        episode_line("2026-02-03T10:00:00+00:00", assessment={**stored, "kind": "twitch"}),
        episode_line("2026-02-04T10:00:00+00:00", assessment=[stored]),
        episode_line("2026-02-05T10:00:00+00:00", assessment={**stored, "knowledge_version": "x" * 33}),
    ]  # fmt: skip
    csv_text = (
        'record,site,started_at,assessment\nepisode,calf,2026-02-06T10:00:00+00:00,"{""kind"": "\n'
    )
    with Diary(db_url) as diary:
        with pytest.raises(ImportRejected) as info:
            load(diary, line + "\n".join(bad) + "\n", "jsonl")
        assert [(p.line, p.column) for p in info.value.problems] == [
            (2, "kind"), (3, "assessment"), (4, "assessment"), (5, "assessment"),
        ]  # fmt: skip
        assert "longer than 32" in info.value.problems[-1].problem
        with pytest.raises(ImportRejected) as csv_info:
            load(diary, csv_text, "csv")
        [problem] = csv_info.value.problems
        assert (problem.line, problem.column) == (2, "assessment")
        assert "is not valid JSON" in problem.problem
        load(diary, line, "jsonl")
        [episode] = diary.list_episodes()
        assert episode.assessment == stored and (episode.kind, episode.triage) == (
            "spasm", stored["triage"]["level"],
        )  # fmt: skip
