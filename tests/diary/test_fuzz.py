"""The fuzz corpus (``tests/diary/fuzz``) through the real command line: bad ``assess``
lines, bad import files, bad ``--set`` values. Whatever they hold, musclewise answers with a
message and exit 2 (or 4), never exit 1 (a bug) and never a traceback (issue 14 item 6).

Add a file (or a line) to the corpus when a new bad input is found; nothing else changes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..conftest import run_cli

CORPUS = Path(__file__).parent / "fuzz"
IMPORTS = sorted((CORPUS / "import").iterdir())
SET_VALUES = (CORPUS / "set_values.txt").read_text(encoding="utf-8").splitlines()


def no_bug(result: subprocess.CompletedProcess[bytes], allowed: tuple[int, ...]) -> None:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode in allowed, f"exit {result.returncode}: {err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]


def test_every_bad_assess_line_gets_its_own_answer() -> None:
    data = (CORPUS / "assess_lines.jsonl").read_bytes()
    result = run_cli("assess", "--json", "-", input=data)
    no_bug(result, (2,))
    records = [r for r in data.split(b"\n") if r.strip() and r.strip(b"\xef\xbb\xbf").strip()]
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(records), "one answer a line, whatever the line"
    assert out[0]["kind"] and out[1]["kind"], "the byte-order mark is not an error"
    assert all(len(json.dumps(o)) < 5_000 for o in out if "error" in o)


@pytest.mark.parametrize("path", IMPORTS, ids=[p.name for p in IMPORTS])
def test_every_bad_import_file_is_a_message_not_a_bug(path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    result = run_cli("import", str(path), "--database-url", url)
    no_bug(result, (0, 2))
    if path.suffix not in (".csv", ".jsonl"):
        return  # a FHIR bundle is imported whole: --skip-invalid does not apply
    rejects = tmp_path / "rejects.txt"
    skipping = run_cli("import", str(path), "--skip-invalid", str(rejects), "--database-url", url)
    no_bug(skipping, (0, 2))


def test_every_bad_set_value_is_a_message_not_a_bug() -> None:
    def one(value: str) -> subprocess.CompletedProcess[bytes]:
        key = "swelling" if len(value) % 2 else "pain"
        return run_cli("assess", "--site", "calf", "--set", f"{key}={value}", "--format", "json")

    # one after another: the in-process runner swaps sys.stdout, which threads would share
    for result in map(one, SET_VALUES):
        no_bug(result, (0, 2))
