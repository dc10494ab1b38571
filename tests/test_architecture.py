"""The shape of the code (issue 10): no source module over 750 lines."""

from __future__ import annotations

from pathlib import Path

import musclewise

SOURCE = Path(musclewise.__file__).parent
MAX_LINES = 750
NOT_YET_SPLIT: set[str] = set()
"""Modules allowed over the limit for now (issue 10 split the last four): keep it empty."""


def _lines() -> dict[str, int]:
    return {
        path.relative_to(SOURCE).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in SOURCE.rglob("*.py")
    }


def test_no_source_module_is_over_750_lines() -> None:
    lines = _lines()
    assert len(lines) > 50, "the source tree was found"
    over = {name: n for name, n in lines.items() if n > MAX_LINES and name not in NOT_YET_SPLIT}
    assert not over, f"split these modules (at most {MAX_LINES} lines each): {over}"


def test_the_list_of_modules_not_yet_split_only_shrinks() -> None:
    lines = _lines()
    done = sorted(name for name in NOT_YET_SPLIT if lines.get(name, 0) <= MAX_LINES)
    assert not done, f"these are split now: remove them from NOT_YET_SPLIT: {done}"


def _imports(path: Path) -> set[str]:
    """The musclewise modules a module imports anywhere in it (lazy imports count too)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "musclewise":
                found.update(f"musclewise.{a.name}" for a in node.names)
            elif node.module.startswith("musclewise."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("musclewise."))
    return found


def test_medicine_names_end_the_medicines_and_medicine_schema_cycle() -> None:
    names = _imports(SOURCE / "medicine_names.py")
    assert not names, f"name normalisation imports nothing of musclewise: {names}"
    schema = _imports(SOURCE / "knowledge" / "medicine_schema.py")
    assert "musclewise.medicine_names" in schema
    assert "musclewise.medicines" not in schema, "the schema must not import the matcher"


def test_the_exchange_formats_never_import_the_diary_or_sqlalchemy() -> None:
    """Issue 10 §4: the formats are pure mappings between the diary's records and text or FHIR
    resources; they reach a diary through ``exchange/store.py``'s protocols only, and the
    diary (a lower layer) never imports them."""
    import ast

    storage = {
        "musclewise.diary", "musclewise.diary.api", "musclewise.diary.session",
        "musclewise.diary.database", "musclewise.diary.models", "musclewise.diary.rows",
    }  # fmt: skip
    modules = sorted((SOURCE / "exchange").glob("*.py"))
    assert len(modules) >= 5, "the exchange package was found"
    for path in modules:
        found = _imports(path)
        assert not found & storage, f"exchange/{path.name} imports {found & storage}"
        third = {
            a.name.split(".")[0]
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for a in (
                [ast.alias(node.module or "")] if isinstance(node, ast.ImportFrom) else node.names
            )
        }
        assert "sqlalchemy" not in third, f"exchange/{path.name} imports SQLAlchemy"
    for path in (SOURCE / "diary").rglob("*.py"):
        above = {m for m in _imports(path) if m.startswith("musclewise.exchange")}
        assert not above, f"{path.relative_to(SOURCE)} imports the layer above it: {above}"


def test_the_triage_levels_are_written_out_once() -> None:
    """Issue 10: the levels are listed, and grouped, only in ``musclewise.contract`` (a shell
    asks ``is_urgent``); a literal list of two or more levels anywhere else is a second copy."""
    import re

    levels = "emergency|urgent|see_doctor|self_care"
    pair = re.compile(rf"""["']({levels})["']\s*,\s*["']({levels})["']""")
    found = []
    for path in sorted(SOURCE.rglob("*")):
        if path.suffix not in (".py", ".html", ".j2") or "contract" in path.parts:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if pair.search(line):
                found.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


def test_logs_sqlite_writer_never_imports_the_orm() -> None:
    """Issue 15: ``log`` into a SQLite file starts without SQLAlchemy (``tests/test_startup.py``
    checks the process); here, that the writer and the modules it stands on import neither the
    ORM's modules nor SQLAlchemy, not even lazily (``schema_sqlite.generate`` alone imports
    the models, to write the schema file)."""
    import ast

    storage = {
        "musclewise.diary", "musclewise.diary.api", "musclewise.diary.session",
        "musclewise.diary.database", "musclewise.diary.models", "musclewise.diary.rows",
    }  # fmt: skip
    writer = ["lite", "sqlite_file", "columns", "people", "merge", "validate", "times", "records",
              "errors"]  # fmt: skip
    for name in writer:
        path = SOURCE / "diary" / f"{name}.py"
        found = _imports(path)
        assert not found & storage, f"diary/{name}.py imports {found & storage}"
        modules = {
            alias.name if isinstance(node, ast.Import) else (node.module or "")
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not {m for m in modules if m.split(".")[0] in ("sqlalchemy", "alembic")}, name


def test_no_module_imports_another_modules_private_names() -> None:
    """``from musclewise.x import _name`` (or ``musclewise._x``) reaches past another module's
    public interface: what is shared is named without the underscore."""
    import ast

    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                continue
            if not node.module.startswith("musclewise"):
                continue
            parts = node.module.split(".") + [a.name for a in node.names]
            private = [p for p in parts if p.startswith("_") and not p.startswith("__")]
            if private:
                found.append(f"{path.relative_to(SOURCE)}:{node.lineno} {node.module}: {private}")
    assert not found, found
