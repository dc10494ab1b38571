"""The lexicon is validated when loaded: a mistake is an error that names it."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from musclewise.errors import KnowledgeError
from musclewise.text.lexicon import LEXICON_PATH, load_lexicon


def _broken(tmp_path: Path, change: str) -> Path:
    data = yaml.safe_load(LEXICON_PATH.read_text())
    concepts = data["concepts"]
    if change == "unknown key":
        concepts[0]["set"] = {"swellling": True}
    elif change == "bad value":
        concepts.append({"id": "x", "set": {"pain": 12}, "patterns": ["x"]})
    elif change == "missing marker":
        data["concepts"] = [c for c in concepts if c["id"] != "_stretch"]
    elif change == "unknown field":
        concepts[0]["sett"] = {}
    elif change == "missing word list":
        del data["words"]["list_joiners"]
    elif change == "weight 0 off a site":
        concepts.append({"id": "y", "set": {"swelling": True}, "weight": 0, "patterns": ["y"]})
    path = tmp_path / "lexicon.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_bundled_lexicon_is_valid() -> None:
    assert len(load_lexicon().concepts) > 50


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown key", "'swellling' is not a findings key"),
        ("bad value", "pain: 12 is above the maximum 10"),
        ("missing marker", "_stretch"),
        ("unknown field", "sett"),
        ("missing word list", "list_joiners"),
        ("weight 0 off a site", "concept y: weight must be 1 or more"),
    ],
)
def test_a_broken_lexicon_is_refused(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(KnowledgeError, match=message):
        load_lexicon(_broken(tmp_path, change))


REPEATS_ON_PURPOSE = {"very very stressed"}


def test_no_pattern_writes_a_phrase_as_one_choice() -> None:
    """A choice is one word: "let go|lets go" reads "let", then "go" or "lets", then "go",
    and never matches "lets go". Such a pattern shows as a word offered in one choice and
    required again by the next ("go|lets" then "go")."""
    data = yaml.safe_load(LEXICON_PATH.read_text())
    suspicious = []
    for concept in data["concepts"]:
        for pattern in concept.get("patterns", []):
            tokens = pattern.split()
            for a, b in pairwise(tokens):
                if a.endswith("?") or b.endswith("?") or "_" in (a, b):
                    continue
                if set(a.split("|")) & set(b.split("|")) and pattern not in REPEATS_ON_PURPOSE:
                    suspicious.append(f"{concept['id']}: {pattern}")
                    break
    assert not suspicious, suspicious
