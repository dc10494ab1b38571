"""The CLI's self-care banner says nothing settled while warning signs are unchecked (issue 11,
tried as a new user: `check` stopped early said "You can look after this at home" above the
list of signs nobody had asked about)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli


def _check(tmp_path: Path, findings: dict[str, object]) -> str:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(findings), encoding="utf-8")
    result = run_cli("check", "--simulate", str(answers), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.decode("utf-8").split())


def test_unchecked_signs_keep_the_self_care_banner_from_reassuring(tmp_path: Path) -> None:
    out = _check(tmp_path, {"site": "calf", "pain": 7})
    assert "SELF-CARE" in out and "Not checked" in out
    assert "You can look after this at home" not in out
    assert "only if you have none of them can you look after this at home" in out


def test_a_fully_screened_cramp_still_says_self_care_plainly(tmp_path: Path) -> None:
    from musclewise.assessment import default_engine

    signs = {s.key: False for g in default_engine().screen_groups for s in g.signs}
    out = _check(tmp_path, {"site": "calf", "pain": 7, "muscle_hard": True, **signs})
    assert "SELF-CARE" in out
    assert "You can look after this at home" in out
