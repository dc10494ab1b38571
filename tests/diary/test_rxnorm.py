"""The RxNorm codes of medicines (issue 10 §4): a data file with a source for each code,
checked when it is loaded, and used by the FHIR export only for the medicines it lists."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from musclewise.diary import MedicineRecord
from musclewise.exchange.fhir_codes import parse_rxnorm, rxnorm_table
from musclewise.exchange.fhir_write import medication_statement

GOOD: dict[str, Any] = {
    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "sources": {"CPIC": {"title": "t", "url": "https://example.org/list"}},
    "ingredients": {"atorvastatin": {"rxcui": "83367", "display": "atorvastatin",
                                     "source": "CPIC"}},
}  # fmt: skip
NAMES = frozenset({"atorvastatin", "simvastatin"})


def test_every_shipped_code_has_a_source_and_names_a_medicine_of_the_knowledge_base() -> None:
    table = rxnorm_table()
    assert len(table.codes) >= 90
    assert table.codes["atorvastatin"].code == "83367"
    assert table.codes["albuterol"].code == "435"
    for name, code in table.codes.items():
        assert code.code.isdigit() and code.system == GOOD["system"]
        assert table.sources[table.source_of[name]]["url"].startswith("https://")
    assert len({c.code for c in table.codes.values()}) == len(table.codes)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"lipitor": {"rxcui": "83367", "display": "x", "source": "CPIC"}}, "not a generic name"),
        ({"atorvastatin": {"rxcui": "83367a", "display": "x", "source": "CPIC"}}, "is not an RxCUI"),
        ({"atorvastatin": {"rxcui": "83367", "display": "x", "source": "NOPE"}}, "is not under sources"),
        ({"simvastatin": {"rxcui": "83367", "display": "x", "source": "CPIC"}}, "is also atorvastatin"),
        ({"atorvastatin": {"rxcui": "1", "display": "x", "source": "CPIC", "url": "u"}}, "unknown keys"),
    ],
)  # fmt: skip
def test_a_wrong_entry_is_refused_at_load(change: dict[str, Any], problem: str) -> None:
    data = {**GOOD, "ingredients": {**GOOD["ingredients"], **change}}
    with pytest.raises(ValueError, match=problem):
        parse_rxnorm(data, NAMES)
    assert parse_rxnorm(GOOD, NAMES).codes["atorvastatin"].code == "83367"


def test_a_medicine_is_coded_only_when_a_code_is_known() -> None:
    patient = "urn:uuid:6f1c1d2e-0000-4000-8000-000000000001"
    lipitor = MedicineRecord(1, "Lipitor 20mg", date(2025, 1, 2), None)
    coded = medication_statement(lipitor, "atorvastatin", patient)["medicationCodeableConcept"]
    assert coded["coding"] == [
        {"system": GOOD["system"], "code": "83367", "display": "atorvastatin"}
    ]
    assert coded["text"] == "Lipitor 20mg"
    for generic in ("bendroflumethiazide", None):  # in the knowledge base, no code; unknown
        plain = medication_statement(lipitor, generic, patient)["medicationCodeableConcept"]
        assert "coding" not in plain and plain["text"] == "Lipitor 20mg"
