"""What each path of the command line imports: nothing heavy that it does not need.

Start-up time is measured in ``benchmarks/`` (``make bench``); these tests hold the reason it is
small: which modules a command leaves alone. They run the real entry point in a fresh process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musclewise import cli

PROBE = """
import json, sys
sys.argv = ["musclewise", *json.loads(sys.argv[1])]
from musclewise.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n@@" + json.dumps(sorted(sys.modules)))
"""

HEAVY = ("sqlalchemy", "alembic", "spacy", "numpy", "scipy", "matplotlib", "pydantic", "rich")


def _imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )
    modules: list[str] = json.loads(done.stderr.rsplit("@@", 1)[1])
    return {m.split(".")[0] for m in modules} | set(modules)


@pytest.mark.parametrize("args", [("--help",), ()])
def test_help_imports_no_command(args: tuple[str, ...]) -> None:
    imported = _imported(*args)
    assert not imported & {*HEAVY, "msgspec", "musclewise.engine", "musclewise.diary"}


def test_assessing_from_options_opens_no_database_and_no_reader() -> None:
    _imported("assess", "--example")  # the first run validates the knowledge into the cache
    imported = _imported("assess", "--site", "calf", "--pain", "8", "--format", "json")
    assert "musclewise.engine" in imported  # it did assess
    assert not imported & {"sqlalchemy", "alembic", "spacy", "matplotlib", "pydantic"}


def test_the_listing_names_every_command_and_nothing_else() -> None:
    cli.register_all()
    import typer.main

    group = typer.main.get_command(cli.app)
    real = set(group.commands)  # type: ignore[attr-defined]
    assert real == set(cli.SUMMARIES)
    assert set(cli.COMMANDS) == real


LOG_LEAVES = {"sqlalchemy", "alembic", "mako", "musclewise.diary.api", "musclewise.diary.models",
              "musclewise.diary.demo", "musclewise.cli.diary_demo", "musclewise.insights",
              "musclewise.text", "spacy", "numpy", "statistics", "matplotlib",
              "pydantic", "rich"}  # fmt: skip
"""What ``log`` does not import into a SQLite diary that is new or at head: no SQLAlchemy (the
episode is written by ``diary.lite`` on ``sqlite3``, a new file made from the schema generated
from the models and stamped at head), no migrations tool, no demo, no insights, no reader; and
its two plain lines of self-care, printed to a pipe, without Rich."""


@pytest.mark.parametrize("existing", [False, True])
def test_log_into_sqlite_imports_no_sqlalchemy_migrations_demo_or_insights(
    tmp_path: Path, existing: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    log = ("log", "calf", "8", "90s", "--database-url", url)
    if existing:
        _imported(*log)
    imported = _imported(*log)
    assert {"musclewise.diary.lite", "musclewise.engine", "sqlite3"} <= imported  # it did log
    assert not imported & LOG_LEAVES
    done = subprocess.run(
        [sys.executable, "-m", "musclewise", "episodes", "list", "--json", "--database-url", url],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert len(json.loads(done.stdout)) == (2 if existing else 1), "each episode was recorded"


def test_registering_twice_registers_each_command_once() -> None:
    """Tests and tools call register_all often: each command must be built once (Typer keeps
    a list, and a list that grew on every call made every in-process run slower than the
    last)."""
    from musclewise.cli import app, register_all

    register_all()
    counts = len(app.registered_commands), len(app.registered_groups)
    register_all()
    register_all()
    assert (len(app.registered_commands), len(app.registered_groups)) == counts
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert len(names) == len(set(names)), "a command registered twice"


@pytest.mark.parametrize("lines", [3, 300])
def test_a_short_batch_never_imports_numpy(tmp_path: Path, lines: int) -> None:
    """``assess --json`` assesses its first 256 lines one at a time: a short file starts
    without NumPy; a longer one goes on in columns (``engine/chunks.py``)."""
    path = tmp_path / "findings.jsonl"
    path.write_text(
        "".join(json.dumps({"site": "calf", "pain": n % 11}) + "\n" for n in range(lines))
    )
    imported = _imported("assess", "--json", str(path))
    assert "musclewise.engine" in imported  # it did assess
    assert ("numpy" in imported) == (lines > 256)
    assert ("musclewise.engine.chunks" in imported) == (lines > 256)
