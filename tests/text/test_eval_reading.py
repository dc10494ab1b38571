"""Reading-only cases in ``musclewise eval --mode text``: a text and answers, no gold."""

from __future__ import annotations

from typing import Any

import pytest

from musclewise.assessment import assess
from musclewise.errors import UsageError
from musclewise.evaluation import evaluate, score_reading


def _read(text: str) -> dict[str, Any]:
    return {"site": "calf", "duration_s": 60, "swelling": True, "fever": False}


def test_a_reading_only_case_scores_warning_signs_and_the_keys_it_gives() -> None:
    cases = [{"id": "R1", "text": "anything", "answers": {"swelling": True}}]
    report = score_reading(cases, _read)
    # swelling right; fever read but not stated: a false positive; site and duration not
    # given by the case: not scored
    assert report.keys["swelling"].tp == 1
    assert report.keys["fever"].fp == 1
    assert "site" not in report.keys and "duration_s" not in report.keys


def test_a_case_with_gold_scores_every_key() -> None:
    cases = [
        {
            "id": "G1",
            "text": "x",
            "answers": {"swelling": True},
            "gold": {"kind": "other", "triage": "urgent"},
        }
    ]
    report = score_reading(cases, _read)
    assert report.keys["site"].fp == 1 and report.keys["duration_s"].fp == 1


def test_reading_only_cases_are_not_assessed() -> None:
    cases = [{"id": "R1", "text": "my calf cramped", "answers": {}}]
    report = evaluate(cases, assess, lambda v: {"text": v["text"]})
    assert report.cases == 0 and report.reading_only == 1


def test_a_reading_only_case_needs_answers() -> None:
    with pytest.raises(UsageError, match="R2: 'answers'"):
        score_reading([{"id": "R2", "text": "x"}], _read)
