"""Findings validation: strict, and every problem named with what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musclewise import contract
from musclewise.errors import FindingsError
from musclewise.findings import FINDINGS_KEYS, decode_findings, validate_findings

from .conftest import shared_path

SCHEMA = json.loads((Path(contract.__file__).parent / "findings.schema.json").read_text())


def problems(data: object) -> list[str]:
    with pytest.raises(FindingsError) as info:
        validate_findings(data)
    return [str(p) for p in info.value.problems]


def test_the_model_has_exactly_the_contract_keys() -> None:
    assert set(FINDINGS_KEYS) == set(SCHEMA["properties"])


def test_the_vendored_contract_is_the_shared_one() -> None:
    for name in ("findings.schema.json", "assessment.schema.json"):
        shared = json.loads(shared_path("contract", name).read_text())
        ours = json.loads((Path(contract.__file__).parent / name).read_text())
        assert ours == shared, f"{name} differs from ../shared/contract"


def test_valid_findings_keep_only_the_given_keys() -> None:
    findings = validate_findings({"site": "calf", "pain": 7, "duration_s": 90})
    assert findings == {"site": "calf", "pain": 7, "duration_s": 90}


def test_out_of_range_names_the_key_and_the_limit() -> None:
    assert problems({"pain": 12}) == ["pain: 12 is above the maximum 10"]
    assert problems({"age": -1}) == ["age: -1 is below the minimum 0"]


def test_unknown_key_suggests_the_close_one() -> None:
    assert problems({"swellling": True}) == ["unknown key 'swellling' — did you mean 'swelling'?"]


def test_every_problem_is_listed_not_only_the_first() -> None:
    found = problems({"pain": 11, "site": "kalf", "swelling": "yes", "colour": "red"})
    assert len(found) == 4
    assert any(p.startswith("site: 'kalf' is not allowed; use one of: calf") for p in found)
    assert "swelling: 'yes' is not true or false" in found


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"pain": 7.5}, "pain: 7.5 is not a whole number"),
        ({"conditions": ["diabetes", "diabetes"]}, "conditions: lists the same condition twice"),
        ({"medications": [""]}, "medications[0]: must not be empty"),
        ([1, 2], "findings must be a JSON object"),
        ({"pain": None}, "pain: None is not a whole number"),
        ({"swelling": 1}, "swelling: 1 is not true or false"),
    ],
)
def test_clear_messages(data: object, expected: str) -> None:
    assert problems(data) == [expected]


def test_decode_reports_bad_json() -> None:
    with pytest.raises(FindingsError, match="not valid JSON"):
        decode_findings(b"{not json")


def test_decode_and_validate_agree() -> None:
    line = b'{"site": "eyelid", "pain": 0, "ongoing_days": 3, "caffeine_cups": 5}'
    assert decode_findings(line) == validate_findings(json.loads(line))
