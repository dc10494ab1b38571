"""The error tree (issue 10 §6): every error class drawn in one docstring, under its parent;
library errors name no command-line flag; the command line words them from one table."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import musclewise
from musclewise import errors
from musclewise.errors import DiaryValueError, FindingsError, MusclewiseError, UsageError

SOURCE = Path(musclewise.__file__).parent


def _import_everything() -> None:
    for module in pkgutil.walk_packages([str(SOURCE)], "musclewise."):
        if ".migrations" in module.name or module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _drawn_tree() -> dict[str, str]:
    """The docstring's tree: each class name → its parent's name (the root → "")."""
    doc = errors.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n", 2)[1]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        m = re.match(r"^(?P<indent>[ │├└─]*)(?P<name>[A-Z]\w+)\b", line.strip("\n"))
        if not m:
            continue
        depth = len(m.group("indent"))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group("name")] = stack[-1][1] if stack else ""
        stack.append((depth, m.group("name")))
    return parents


def test_every_error_class_is_drawn_in_the_tree_under_its_parent() -> None:
    _import_everything()
    tree = _drawn_tree()
    assert tree["MusclewiseError"] == "", tree
    classes = _subclasses(MusclewiseError)
    assert len(classes) >= 9, "the error classes were found"
    missing = sorted(c.__name__ for c in classes if c.__name__ not in tree)
    assert not missing, f"draw these in the tree of musclewise/errors.py: {missing}"
    wrong = {
        c.__name__: (tree[c.__name__], c.__bases__[0].__name__)
        for c in classes
        if tree[c.__name__] != c.__bases__[0].__name__
    }
    assert not wrong, f"drawn under the wrong parent (drawn, actual): {wrong}"
    gone = set(tree) - {c.__name__ for c in classes} - {"MusclewiseError"}
    assert not gone, f"drawn but no longer defined: {gone}"


def test_no_exception_class_lives_outside_the_tree() -> None:
    """An AST scan, so a class never imported is found too: every exception class of the
    source is a MusclewiseError, or private control flow that never leaves its module."""
    tree = _drawn_tree()
    outside = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases}
            exceptional = bases & {"Exception", "BaseException", "ValueError", "RuntimeError"}
            if (exceptional or any(b.endswith(("Error", "Rejected")) for b in bases)) and (
                node.name not in tree
            ):
                outside.append(f"{path.relative_to(SOURCE)}:{node.lineno} {node.name}")
    assert not outside, f"exception classes outside the tree of errors.py: {outside}"


FLAG = re.compile(r"--[a-z][a-z-]+")


def _library_strings() -> list[tuple[str, int, str]]:
    """Every string constant inside a ``raise`` or an error's construction outside the shells."""
    found = []
    for path in SOURCE.rglob("*.py"):
        rel = path.relative_to(SOURCE).as_posix()
        if rel.split("/")[0] in {"cli", "web", "api"}:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func).rsplit(".", 1)[-1]
            if not name.endswith(("Error", "Rejected", "FieldProblem")):
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.append((rel, sub.lineno, sub.value))
    return found


def test_library_errors_name_no_command_line_flag() -> None:
    strings = _library_strings()
    assert len(strings) > 100, "the raise sites were found"
    flags = [f"{rel}:{line} {text!r}" for rel, line, text in strings if FLAG.search(text)]
    assert not flags, f"word these without a flag (the CLI adds it, cli/hints.py): {flags}"


def test_the_cli_table_words_codes_the_library_raises() -> None:
    """Each code in the CLI's table is raised somewhere in the library (no stale entries)."""
    from musclewise.cli.hints import CODE_HINTS

    _import_everything()
    raised = {text for _, _, text in _library_strings()}
    raised |= {cls.code for cls in _subclasses(MusclewiseError)}
    stale = sorted(set(CODE_HINTS) - raised)
    assert not stale, f"codes in cli/hints.py that nothing raises: {stale}"


def test_a_field_problem_carries_code_allowed_values_and_type_not_the_value() -> None:
    from musclewise.findings import validate_findings

    with pytest.raises(FindingsError) as caught:
        validate_findings({"site": "elbow", "pain": 14})
    by_key = {p.key: p for p in caught.value.problems}
    assert by_key["site"].code == "not_allowed"
    assert "calf" in by_key["site"].allowed
    assert by_key["site"].value_type == "str"
    assert by_key["pain"].code == "above_maximum" and by_key["pain"].value_type == "int"
    assert caught.value.code == "findings"


def test_a_diary_value_problem_names_its_field_and_code(tmp_path: Path) -> None:
    from musclewise.diary.validate import DAY_SPECS, check_fields

    with pytest.raises(DiaryValueError) as caught:
        check_fields({"stress": "high", "sleeep_hours": 7}, DAY_SPECS)
    by_key = {p.key: p for p in caught.value.problems}
    assert by_key["stress"].code == "wrong_type" and by_key["stress"].value_type == "str"
    assert by_key["sleeep_hours"].code == "unknown_field"
    assert "sleep_hours" in by_key["sleeep_hours"].allowed
    assert caught.value.code == "diary_value" and caught.value.exit_code == 2


def test_each_shell_words_the_same_error_its_own_way(tmp_path: Path) -> None:
    """Two people in one diary and nobody named: the library says so in neutral words with the
    names as allowed values; the CLI's table turns it into its flag."""
    from musclewise.cli.hints import cli_message
    from musclewise.diary import Diary
    from musclewise.diary.errors import NotFoundError

    url = f"sqlite:///{tmp_path / 'diary.db'}"
    with Diary(url) as diary:
        diary.add_person("ann")
        diary.add_person("bob")
    with Diary(url) as diary, pytest.raises(NotFoundError) as caught:
        _ = diary.person
    exc = caught.value
    assert exc.code == "person_ambiguous" and exc.field == "person"
    assert exc.allowed == ("ann", "bob")
    assert "--" not in exc.message + exc.hint
    terminal = cli_message(exc)
    assert "--person NAME" in terminal and "ann, bob" in terminal


def test_a_message_that_starts_with_its_field_starts_with_the_flag_on_a_terminal() -> None:
    from musclewise.cli.hints import cli_message
    from musclewise.diary.database import resolve_url

    with pytest.raises(UsageError) as caught:
        resolve_url("mysql://x@y/z")
    exc = caught.value
    assert exc.field == "database_url" and exc.code == "database_url_unsupported"
    assert exc.message.startswith("database_url: ")
    assert cli_message(exc).startswith("error: --database-url: ")
