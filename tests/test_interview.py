"""The adaptive interview: a pure step function, "don't know", and the simulated targets."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from musclewise.answers import contradiction, parse_answer
from musclewise.assessment import assess, default_engine, resolve_medicines
from musclewise.findings import SITES
from musclewise.interview import (
    NOT_SURE,
    answer_group,
    load_questions,
    next_step,
    simulate,
)

from .conftest import run_cli

LEVELS = ("self_care", "see_doctor", "urgent", "emergency")


def test_every_key_has_a_question_with_words() -> None:
    questions = load_questions()
    assert questions["site"].kind == "choice" and {k for k, _ in questions["site"].choices} == set(
        SITES
    )
    assert questions["swelling"].kind == "yes_no"
    assert all(q.ask.strip() and q.label.strip() for q in questions.values())


def test_a_step_is_pure_and_never_repeats_a_dont_know() -> None:
    engine = default_engine()
    first = next_step(engine, {})
    again = next_step(engine, {})
    assert first.question is not None and first.question == again.question
    key = first.question.key
    after = next_step(engine, {}, unknown={key})
    assert after.question is None or after.question.key != key


def test_warning_signs_are_asked_early_once_something_urgent_is_close() -> None:
    engine = default_engine()
    # both calves swollen: not yet urgent (one swollen leg, its side said or not, already is)
    findings: dict[str, Any] = {"site": "calf", "side": "both", "swelling": True, "ongoing_days": 2}
    unknown: set[str] = set()
    asked = []
    for _ in range(4):
        step = next_step(engine, findings, unknown=unknown)
        assert step.question is not None
        if step.question.kind == "group":  # the safety screen, answered "not sure"
            keys = [k for k, _ in step.question.choices]
            asked += keys
            unknown |= answer_group(step.question, NOT_SURE)[1]
            continue
        asked.append(step.question.key)
        unknown.add(step.question.key)
    signs = {"tenderness", "warmth", "redness", "trouble_breathing", "chest_pain"}
    assert signs & set(asked), asked


def test_it_stops_when_nothing_is_worth_asking() -> None:
    every = {"site": "calf", "pain": 8, "duration_s": 90, "extent": "whole_muscle",
             "onset": "during_sleep", "muscle_hard": True, "relieved_by_stretch": True}  # fmt: skip
    asked, result = simulate(default_engine(), every)
    assert len(asked) < 40
    assert result["kind"] == "cramp"


def _simulated(vignettes: list[dict[str, Any]]) -> tuple[float, int, list[int]]:
    engine = default_engine()
    same = under = 0
    counts = []
    for v in vignettes:
        full = assess(v["answers"])
        asked, result = simulate(engine, v["answers"], resolve_medicines)
        counts.append(len(asked))
        got, want = result["triage"]["level"], full["triage"]["level"]
        same += result["kind"] == full["kind"] and got == want
        under += LEVELS.index(got) < LEVELS.index(want)
    return same / len(vignettes), under, counts


def test_simulated_interviews_hold_the_level_reached(vignettes: list[dict[str, Any]]) -> None:
    """No regression below what this version reaches (figures in docs/benchmarks.md)."""
    agreement, under, counts = _simulated(vignettes)
    assert agreement >= 0.90
    assert under <= 2
    assert statistics.median(counts) <= 10


def test_simulated_interviews_meet_the_issue_targets(vignettes: list[dict[str, Any]]) -> None:
    agreement, under, counts = _simulated(vignettes)
    assert agreement >= 0.95 and under == 0 and statistics.median(counts) <= 8


def test_check_simulate_prints_asked_and_the_assessment(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"site": "eyelid", "pain": 0, "ongoing_days": 3}))
    result = run_cli("check", "--simulate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["asked"] and out["assessment"]["kind"] == "spasm"


def test_check_without_a_terminal_fails_clearly() -> None:
    result = run_cli("check", input=b"")
    assert result.returncode == 2
    assert b"needs a terminal" in result.stderr


def terminal(*keys: tuple[bytes, bytes], args: tuple[str, ...] = ("check",)) -> tuple[int, bytes]:
    """The real ``musclewise check`` (or ``args``) in a pseudo-terminal: for each (marker, keys),
    wait for the marker, then type the keys; returns the exit status and everything shown."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    main, secondary = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "140", "LINES": "50"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "musclewise", *args],
        stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    seen = b""

    def read_until(marker: bytes, since: int, timeout: float = 60.0) -> None:
        """Wait for the marker in what was shown after ``since``."""
        nonlocal seen
        end = time.monotonic() + timeout
        while marker not in seen[since:] and time.monotonic() < end:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(main, 65536)
                except OSError:
                    break
        assert marker in seen[since:], seen[-2000:]

    try:
        since = 0
        for marker, typed in keys:
            read_until(marker, since)
            since = len(seen)
            os.write(main, typed)
        status = proc.wait(timeout=60)
        try:
            while select.select([main], [], [], 0.5)[0]:
                seen += os.read(main, 65536)
        except OSError:
            pass
    finally:
        proc.kill()
        os.close(main)
    return status, seen


def test_check_in_a_terminal_screens_after_the_site_and_ctrl_c_stops() -> None:
    """Enter picks the first place; the safety screen follows; Ctrl-C stops with status 130,
    says nothing was saved and prints no assessment."""
    status, seen = terminal((b"Where was it?", b"\r"), (b"Right now", b"\x03"))
    assert status == 130
    assert b"nothing was saved" in seen
    assert b"What it is" not in seen
    before_first_answer = seen[: seen.index(b"Where was it?") + 400]
    assert b"so far" not in before_first_answer


def test_check_stop_from_the_screen_prints_the_answer() -> None:
    """The screen's last choice is Stop: the assessment is printed on what was said."""
    up = b"\x1b[A"
    status, seen = terminal(
        (b"Where was it?", b"\r"), (b"Right now", up), (b"Stop and see", b" \r")
    )
    assert status == 0
    assert b"What it is" in seen


def test_back_shows_the_earlier_answer() -> None:
    """None of these, then Back from the next group: the first group again, None ticked."""
    up = b"\x1b[A"
    status, seen = terminal(
        (b"Where was it?", b"\r"),
        (b"Right now", up * 4),
        (b"None of these", b" \r"),
        (b"And do you have", up * 2),
        (b"Back to the last", b" \r"),
        (b"Right now", b"\x03"),
    )
    assert status == 130
    again = seen[seen.rindex(b"And do you have") :]
    assert b"\xe2\x97\x8f None of these" in again.replace(b"\x1b[0m", b"")


def test_free_answers_are_read() -> None:
    questions = load_questions()
    assert parse_answer(questions["ongoing_days"], "about a week") == 7
    assert parse_answer(questions["ongoing_days"], "a couple of days") == 2
    assert parse_answer(questions["episodes_per_week"], "2-3") == 2.5
    assert parse_answer(questions["episodes_per_week"], "most nights") == 5
    assert parse_answer(questions["episodes_per_week"], "almost nightly") == 6
    assert parse_answer(questions["episodes_per_week"], "twice a month") == pytest.approx(
        0.467, 0.01
    )
    assert parse_answer(questions["duration_s"], "a minute or two") == 90
    assert parse_answer(questions["duration_s"], "1m30s") == 90
    assert parse_answer(questions["duration_s"], "about 2 minutes") == 120
    assert parse_answer(questions["pain"], "7") == 7
    for key, bad in (("pain", "7.5"), ("ongoing_days", "asdf"), ("duration_s", "soon")):
        with pytest.raises(ValueError):
            parse_answer(questions[key], bad)


def test_a_contradicting_answer_is_named() -> None:
    assert contradiction({"pain": 0}, "severe_unrelenting_pain", True)
    assert contradiction({"ongoing_days": 0}, "duration_s", 3 * 86_400)
    assert contradiction({"sex": "male"}, "postpartum", True)
    assert contradiction({"pain": 6}, "severe_unrelenting_pain", True) is None


def test_check_starts_from_the_persons_own_words() -> None:
    """``musclewise check TEXT``: what the text says is shown and not asked again (the site is
    known, so the safety screen comes first); nothing readable starts from the beginning."""
    status, seen = terminal(
        (b"Right now", b"\x03"),
        args=("check", "woke up at 3am with my left calf locked solid, agony for two minutes"),
    )
    assert status == 130
    shown = seen.replace(b"\r\n", b" ")
    assert b"I understood:" in shown and b"calf" in shown and b"left" in shown
    assert b"Where was it?" not in seen
    status, seen = terminal((b"Where was it?", b"\x03"), args=("check", "asdf qwer zxcv"))
    assert status == 130 and b"start from the beginning" in seen


def test_check_simulate_takes_the_text_as_an_argument(tmp_path: Path) -> None:
    """TEXT with --simulate is the same interview as a 'text' in the file; both is refused."""
    text = "my left calf is swollen and red since the flight home"
    with_text = tmp_path / "with_text.json"
    with_text.write_text(json.dumps({"text": text, "warmth": True}))
    without = tmp_path / "answers.json"
    without.write_text(json.dumps({"warmth": True}))
    one = run_cli("check", "--simulate", str(with_text), "--format", "json")
    other = run_cli("check", text, "--simulate", str(without), "--format", "json")
    assert one.returncode == other.returncode == 0, (one.stderr, other.stderr)
    assert json.loads(one.stdout) == json.loads(other.stdout)
    assessment = json.loads(other.stdout)["assessment"]
    assert assessment["triage"]["level"] in ("urgent", "emergency")
    assert {u["key"] for u in assessment["understood"]} >= {"site", "swelling", "redness"}
    both = run_cli("check", text, "--simulate", str(with_text))
    assert both.returncode == 2 and b"TEXT is given too" in both.stderr


def test_check_save_keeps_the_episode_in_the_diary(tmp_path: Path) -> None:
    """``--save`` keeps what the interview found as an episode (the words as its notes), as
    ``log`` would; what belongs to the profile is not stored with it; without a site nothing
    is saved and it says why."""
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    text = "my left calf locked up and woke me at 3am, two minutes of agony, I am 67"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"swelling": False, "pain": 8}))
    result = run_cli("check", text, "--simulate", str(answers), "--save", "--database-url", url,
                     "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    saved = json.loads(result.stdout)["saved"]
    assert (saved["site"], saved["side"], saved["notes"]) == ("calf", "left", text)
    assert saved["findings"].get("onset") == "during_sleep" and "age" not in saved["findings"]
    listed = run_cli("episodes", "list", "--json", "--database-url", url)
    assert [e["site"] for e in json.loads(listed.stdout)] == ["calf"]
    nowhere = tmp_path / "nowhere.json"
    nowhere.write_text(json.dumps({"pain": 3}))
    refused = run_cli("check", "--simulate", str(nowhere), "--save", "--database-url", url)
    assert refused.returncode == 2 and b"nothing was saved" in refused.stderr
    again = run_cli("episodes", "list", "--json", "--database-url", url)
    assert len(json.loads(again.stdout)) == 1
