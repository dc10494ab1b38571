"""Migrations: a linear, dated chain; empty → head → base on both databases; the models and
the migrations agree; PostgreSQL is refused until it is migrated."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from musclewise.diary import DatabaseError, Diary, database
from musclewise.diary.models import Base

TABLES = {"person", "person_condition", "medicine", "episode", "day_context"}
FILE_NAME = re.compile(r"^(\d{4})_(\d{2})_(\d{2})_(\d{4})_[a-z0-9_]+\.py$")


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(database.alembic_config())


def test_the_revision_chain_is_linear_and_ends_at_head() -> None:
    directory = scripts()
    revisions = list(directory.walk_revisions())  # newest first
    assert directory.get_heads() == [database.HEAD]
    assert directory.get_bases() == [revisions[-1].revision]
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision, "each revision follows the one before"
    assert all(not isinstance(r.down_revision, tuple) for r in revisions), "no merges"
    assert all(not r.branch_labels for r in revisions)


def test_migration_files_are_dated_and_numbered_in_order() -> None:
    directory = scripts()
    by_file = {Path(r.path).name: r.revision for r in directory.walk_revisions()}
    files = sorted(p.name for p in (database.MIGRATIONS / "versions").glob("*.py"))
    assert sorted(by_file) == files
    numbers = []
    for name in files:
        match = FILE_NAME.match(name)
        assert match, f"{name} is not named YYYY_MM_DD_NNNN_slug.py"
        assert by_file[name] == match.group(4), f"{name}: revision id is the file's number"
        numbers.append(int(match.group(4)))
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_migrations_are_package_data() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    for glob in (
        "diary/migrations/*.py",
        "diary/migrations/*.mako",
        "diary/migrations/versions/*.py",
    ):
        assert glob in pyproject


def test_empty_to_head_to_base_and_the_models_agree(empty_url: str) -> None:
    url = database.resolve_url(empty_url)
    engine = database.make_engine(url)
    try:
        assert database.status(engine).revision is None
        database.upgrade(engine)
        assert database.status(engine).state == "at head"
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= TABLES
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            if url.get_backend_name() == "postgresql":
                schema = connection.execute(text("SELECT current_schema()")).scalar()
                assert str(schema).startswith("mw_test_"), "tests stay out of public"
        database.downgrade(engine, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        assert database.status(engine).revision is None
        database.upgrade(engine)  # and back up again: downgrade left nothing behind
        assert database.status(engine).revision == database.HEAD
    finally:
        engine.dispose()


def test_sqlite_is_created_and_migrated_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "diary.sqlite3"
    with Diary(f"sqlite:///{path}") as diary:
        assert diary.people() == []
        with diary.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert path.exists()


def test_the_default_database_is_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(database.URL_VARIABLE, raising=False)
    monkeypatch.setenv(database.DATA_DIR_VARIABLE, str(tmp_path))
    assert database.sqlite_path(database.resolve_url()) == tmp_path / "diary.sqlite3"
    monkeypatch.setenv(database.URL_VARIABLE, "postgresql://u:secret@h/db")
    url = database.resolve_url()
    assert url.drivername == "postgresql+psycopg"
    assert "secret" not in database.masked(url) and "***" in database.masked(url)
    assert database.resolve_url("sqlite:///x.db").database == "x.db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "postgresql+psycopg2://u@h/d"])
def test_unsupported_urls_are_refused(url: str) -> None:
    from musclewise.errors import UsageError

    with pytest.raises(UsageError, match="database_url") as info:
        database.resolve_url(url)
    assert info.value.field == "database_url"


def test_postgresql_is_refused_until_migrated(fresh_schema: str) -> None:
    with pytest.raises(DatabaseError, match="has no diary tables") as info:
        Diary(fresh_schema)
    assert info.value.exit_code == 4
    assert info.value.code == "database_not_upgraded"
    assert "upgrade" in info.value.hint and "--" not in info.value.hint
    engine = database.make_engine(database.resolve_url(fresh_schema))
    try:
        database.upgrade(engine, "0001")
        with pytest.raises(DatabaseError, match="is at revision 0001"):
            Diary(engine=engine)
        database.upgrade(engine)
        with Diary(engine=engine) as diary:
            assert diary.people() == []
    finally:
        engine.dispose()


def test_a_database_newer_than_the_package_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with Diary(url) as diary, diary.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="newer than this musclewise"):
        Diary(url)


def test_an_unreachable_server_is_one_clear_error() -> None:
    url = "postgresql+psycopg://someone:hunter2@127.0.0.1:1/nothing?connect_timeout=2"
    with pytest.raises(DatabaseError) as info:
        Diary(url)
    assert "cannot use the database" in info.value.message
    assert "hunter2" not in info.value.message
