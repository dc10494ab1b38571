"""A brand-new SQLite diary is created from the models and stamped at head (no alembic on
``log``'s way in): the schema made so must be the one the migrations make, statement by
statement, and alembic must see it at head with nothing to change."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from musclewise.diary import Diary, database
from musclewise.diary.models import Base


def _items(body: str) -> list[str]:
    """The top-level comma-separated parts of a CREATE TABLE's parentheses."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(body):
        depth += c == "("
        depth -= c == ")"
        if c == "," and depth == 0:
            out.append(body[start:i].strip())
            start = i + 1
    out.append(body[start:].strip())
    return out


def _schema(path: Path) -> dict[tuple[str, str], object]:
    """Every object of ``sqlite_master``: columns in order, constraints as a set (their order
    in the statement is all that may differ), whitespace and quotes normalised; and each table's columns
    as SQLite itself reports them."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        out: dict[tuple[str, str], object] = {}
        for kind, name, _table, sql in rows:
            # (quoting of names may differ: Alembic's batch mode rebuilds a table with them)
            text = re.sub(r"\s+", " ", sql or "").strip().replace('"', "")
            if kind == "table" and "(" in text:
                head, body = text.split("(", 1)
                items = _items(body.rsplit(")", 1)[0])
                constraint = re.compile(r"^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b")
                columns = [i for i in items if not constraint.match(i)]
                constraints = sorted(i for i in items if constraint.match(i))
                columns_seen = db.execute(f"PRAGMA table_xinfo('{name}')").fetchall()
                out[kind, name] = (head.strip(), columns, constraints, columns_seen)
            else:
                out[kind, name] = text
        return out


def test_a_new_sqlite_file_made_from_the_models_is_the_migrated_schema(tmp_path: Path) -> None:
    migrated, created = tmp_path / "migrated.sqlite3", tmp_path / "created.sqlite3"
    database.upgrade(database.make_engine(database.resolve_url(f"sqlite:///{migrated}")))
    engine = database.make_engine(database.resolve_url(f"sqlite:///{created}"))
    assert database.create_at_head(engine)
    a, b = _schema(migrated), _schema(created)
    assert len(a) >= 10, "the tables and their indexes were found"
    assert a == b
    with engine.connect() as connection:
        assert database.current_revision(connection) == database.HEAD
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert database.status(engine).state == "at head"


def test_a_file_with_tables_is_left_to_the_migrations(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (x TEXT)")
    engine = database.make_engine(database.resolve_url(f"sqlite:///{path}"))
    assert not database.create_at_head(engine)
    with sqlite3.connect(path) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert names == {"notes"}, "nothing was created beside what was there"


def test_a_diary_started_by_log_works_and_migrates_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    with Diary(url) as diary:
        diary.add_episode("calf", pain=8, duration_s=90)
        assert [e.site for e in diary.list_episodes()] == ["calf"]
    engine = database.make_engine(database.resolve_url(url))
    assert database.status(engine).state == "at head"
    database.upgrade(engine)  # alembic agrees: nothing to do
    assert database.status(engine).state == "at head"
