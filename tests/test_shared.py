"""Tests that need ``../shared`` say so: skipped with the reason locally, failed on CI."""

from __future__ import annotations

import pytest

from .conftest import shared_path


def test_a_missing_shared_file_is_a_skip_with_its_path_locally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no-such-file\.yaml is not here"):
        shared_path("vignettes", "no-such-file.yaml")


def test_a_missing_shared_file_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI runs with shared/"):
        shared_path("vignettes", "no-such-file.yaml")


def test_no_test_reads_shared_without_the_helper() -> None:
    """Every test reaches ``../shared`` through :func:`shared_path` (a plain path to it would
    raise a FileNotFoundError in a fresh clone instead of saying why)."""
    import re
    from pathlib import Path

    here = Path(__file__).parent
    direct = [
        f"{path.relative_to(here)}:{n}"
        for path in here.rglob("*.py")
        if path.name != "conftest.py" or path.parent != here
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if re.search(r"""["']shared["']""", line) and "shared_path" not in line
    ]
    assert not direct, f"use shared_path() for these: {direct}"
