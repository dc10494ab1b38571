"""Fixtures for the insights: the example diary of ``musclewise demo`` in a SQLite file (made
once per run), and the PostgreSQL fixtures of the diary tests."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from musclewise.diary import Diary
from tests.diary.conftest import fresh_schema, new_schema, postgres_available

__all__ = ["fresh_schema", "new_schema", "postgres_available"]

DEMO_END = date(2026, 10, 31)
"""The demo diary's last day: fixed, so every run sees the same diary."""


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the demo diary of a year (read-only for the tests)."""
    from musclewise.diary.demo import fill_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    with Diary(url, person="demo") as diary:
        fill_demo(diary, end=DEMO_END)
    return url


def need_tool(name: str) -> str:
    """The path of a Debian tool the set-up installs (``make test``); skipped when missing,
    except on CI, where it fails."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make system-packages installs poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — CI must have it")
        pytest.skip(message)
    return path


def need_weasyprint() -> None:
    """WeasyPrint's system libraries (Pango): skipped when missing, except on CI."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        message = f"WeasyPrint cannot load: {exc} (make system-packages installs Pango)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — CI must have it")
        pytest.skip(message)


def page_text(pdf: Path, first: int, last: int | None = None) -> str:
    """The text of pages ``first`` to ``last`` of a PDF (pdftotext, layout kept)."""
    import subprocess

    tool = need_tool("pdftotext")
    args = [tool, "-layout", "-f", str(first), "-l", str(last or first), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout
