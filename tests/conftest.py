"""Shared fixtures: an isolated knowledge cache, the shared folder, the CLI in a subprocess."""

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
