"""Shared fixtures: an isolated knowledge cache, the shared folder, the CLI in this process
(Typer's test runner) and in a subprocess (where the process boundary matters)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test run validates the knowledge base into its own cache folder."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("MUSCLEWISE_CACHE_DIR")
    os.environ["MUSCLEWISE_CACHE_DIR"] = str(folder)
    yield
    if old is None:
        os.environ.pop("MUSCLEWISE_CACHE_DIR", None)
    else:
        os.environ["MUSCLEWISE_CACHE_DIR"] = old


def shared_path(*parts: str) -> Path:
    """A file of ../shared; skipped locally when absent, but never on CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI runs with shared/ beside the clone")
        pytest.skip(f"{path} is not here")
    return path


@pytest.fixture(scope="session")
def vignettes() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(shared_path("vignettes", "public.yaml").read_text())
    return data


@pytest.fixture(scope="session")
def assessment_schema() -> dict[str, Any]:
    import json

    from musclewise import contract

    return json.loads((Path(contract.__file__).parent / "assessment.schema.json").read_text())


def run_cli(
    *args: str, input: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The ``musclewise`` command run in this process by Typer's test runner: the same
    commands, messages, hints and exit statuses as the installed command (the command group
    words library errors itself), without starting Python each time.

    An unexpected exception is raised into the test (a bug shows its traceback); where the
    process boundary matters (start-up, kills, the exit status and message of an internal
    error, stdin and stdout as real pipes, file modes under a umask) use :func:`run_process`.
    """
    from typer.testing import CliRunner

    from musclewise.cli import app, register_all

    register_all()
    runner = CliRunner()
    result = runner.invoke(
        app, list(args), input=input, env={"COLUMNS": "80", **(env or {})}, catch_exceptions=False
    )
    return subprocess.CompletedProcess(
        ["musclewise", *args], result.exit_code, result.stdout_bytes, result.stderr_bytes
    )


def run_process(
    *args: str, input: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The real ``musclewise`` command in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "musclewise", *args],
        input=input,
        capture_output=True,
        env=full_env,
        timeout=120,
        check=False,
    )
