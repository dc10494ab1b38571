"""Issue 5 targets, from the text of the public vignettes alone."""

from __future__ import annotations

from typing import Any

from musclewise.assessment import assess
from musclewise.evaluation import evaluate, score_reading
from musclewise.text import read_text


def test_assessments_from_text_alone_meet_the_targets(vignettes: list[dict[str, Any]]) -> None:
    report = evaluate(vignettes, assess, lambda v: {"text": v["text"]})
    assert report.kind_accuracy >= 0.90
    assert report.under_triaged == 0, report.summary()["misses"]
    assert report.factor_recall >= 0.80


def test_findings_read_from_text_match_the_answers(vignettes: list[dict[str, Any]]) -> None:
    pooled = score_reading(vignettes, lambda t: read_text(t).findings).pooled()
    assert pooled.precision >= 0.90
    assert pooled.recall >= 0.85
