"""The cache of the validated knowledge and the generated engine program.

The engine program is code: it must be rebuilt whenever anything that generates it changes, and
a cached file is read only from a private folder (owned by this user, writable by no one else).
These tests run a copy of the package in a subprocess, so the copy can be changed for real.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import musclewise

PACKAGE = Path(musclewise.__file__).parent

PROBE = """
import json, sys
from musclewise.assessment import default_engine
engine = default_engine()
print(json.dumps(engine.assess({"site": "calf", "swelling": True, "warmth": True})["triage"]))
"""


def _copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    shutil.copytree(PACKAGE, root / "musclewise", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _run(root: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "MUSCLEWISE_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _engines(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("engine-*.marshal")}


def test_changing_a_generator_input_rebuilds_the_engine(tmp_path: Path) -> None:
    root = _copy_package(tmp_path)
    cache = tmp_path / "cache"
    first = _run(root, cache)
    assert first.returncode == 0, first.stderr
    before = _engines(cache)
    assert len(before) == 1
    # the rule list's order and near_rules live in engine/__init__.py, ASK_KEY in model.py:
    # any change there must give a new cache entry, not the old program
    for name in ("__init__.py", "model.py"):
        path = root / "musclewise" / "engine" / name
        path.write_text(path.read_text() + "\n# changed\n")
        again = _run(root, cache)
        assert again.returncode == 0, again.stderr
        after = _engines(cache)
        assert after - before, f"changing engine/{name} did not rebuild the cached program"
        assert again.stdout == first.stdout
        before = after


def test_a_changed_version_rebuilds_the_engine(tmp_path: Path) -> None:
    root = _copy_package(tmp_path)
    cache = tmp_path / "cache"
    assert _run(root, cache).returncode == 0
    before = _engines(cache)
    init = root / "musclewise" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9'))
    assert _run(root, cache).returncode == 0
    assert _engines(cache) - before


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners are a POSIX notion")
def test_a_cache_others_can_write_is_never_read(tmp_path: Path) -> None:
    """A planted program in a folder anyone can write is ignored (and not run)."""
    root = _copy_package(tmp_path)
    cache = tmp_path / "cache"
    assert _run(root, cache).returncode == 0
    marker = tmp_path / "planted-ran"
    planted = compile(f"open({str(marker)!r}, 'w').close()", "<planted>", "exec")
    import marshal

    for path in cache.glob("*.marshal"):
        # a program whose code runs on load, and knowledge data that is not knowledge
        payload = (planted, (), 0) if path.name.startswith("engine-") else {"meta": {}}
        path.write_bytes(marshal.dumps(payload))
    cache.chmod(0o777)
    done = _run(root, cache)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    cache.chmod(0o700)
    for path in cache.glob("*.marshal"):
        path.chmod(0o666)
    done = _run(root, cache)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_the_cache_is_created_private(tmp_path: Path) -> None:
    root = _copy_package(tmp_path)
    cache = tmp_path / "new" / "cache"
    assert _run(root, cache).returncode == 0
    assert cache.stat().st_mode & 0o777 == 0o700
    files = list(cache.glob("*.marshal"))
    assert files
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files)


READ_PROBE = """
import json
from musclewise.text import read_text
print(json.dumps(read_text("cramps, on water tablets").findings, sort_keys=True))
"""


def test_changing_the_lexicon_compiler_rebuilds_the_lexicon(tmp_path: Path) -> None:
    """The compiled lexicon is keyed on the compiler's source, not on a number someone must
    remember to bump: a changed compiler never meets a table built by the old one."""
    root = _copy_package(tmp_path)
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(root), "MUSCLEWISE_CACHE_DIR": str(cache)}

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", READ_PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = run()
    before = {p.name for p in cache.glob("lexicon-*.marshal")}
    assert len(before) == 1
    compiler = root / "musclewise" / "text" / "lexicon.py"
    compiler.write_text(compiler.read_text() + "\n# changed\n")
    assert run() == first
    assert {p.name for p in cache.glob("lexicon-*.marshal")} - before
