"""The diary as a FHIR R4B Bundle, and back (docs/fhir.md).

:func:`write_bundle` writes one person's diary as a ``transaction`` Bundle that a FHIR server
(R4 or R4B) can load in one request: a pseudonymous Patient (year of birth, sex, time zone), a
Condition a condition, a MedicationStatement a medicine (RxNorm-coded where the knowledge base
names it), the pregnancy status, an Observation a day's context and one an episode (with its
local time, IANA zone and stored assessment). :func:`import_bundle` reads such a bundle back
into a diary in one transaction; a bundle with any problem writes nothing, and every problem is
named by its entry, resource and field.

The mappings are pure (``fhir_write``, ``fhir_read``); this module only joins them to a diary
through the :mod:`~musclewise.exchange.store` protocols.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import datetime
from typing import IO

from musclewise.exchange.fhir_codes import CodeTable, code_table, rxnorm_table
from musclewise.exchange.fhir_read import (
    BundleProblem,
    BundleRejected,
    ParsedBundle,
    is_bundle,
    read_bundle,
)
from musclewise.exchange.fhir_write import bundle_entries, write_resources
from musclewise.exchange.loop import ImportSummary, run_import
from musclewise.exchange.store import DiaryReader, DiaryWriter, contents

__all__ = [
    "BundleProblem",
    "BundleRejected",
    "CodeTable",
    "ParsedBundle",
    "bundle_entries",
    "code_table",
    "import_bundle",
    "is_bundle",
    "parse_bundle",
    "read_bundle",
    "rxnorm_table",
    "write_bundle",
]


def write_bundle(
    diary: DiaryReader,
    output: IO[str],
    *,
    patient_id: uuid.UUID | None = None,
    timestamp: datetime | None = None,
) -> Counter[str]:
    """Write the diary to ``output`` as one JSON Bundle, from one consistent view; returns how
    many records of each kind were written. ``patient_id``: the Patient's identifier (random by
    default, so that two exports cannot be linked by it)."""
    with contents(diary) as found:
        return write_resources(found, output, patient_id=patient_id, timestamp=timestamp)


def parse_bundle(content: str) -> ParsedBundle:
    """A bundle's text read and checked (:func:`read_bundle`); text that is not UTF-8 or not
    JSON is one problem of the bundle itself."""
    parsed = ParsedBundle()
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:  # read with errors="surrogateescape": bytes that are not UTF-8
        parsed.problems.append(BundleProblem(0, "Bundle", "is not UTF-8 text"))
        return parsed
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        parsed.problems.append(
            BundleProblem(0, "Bundle", f"is not valid JSON ({exc.msg}, {where})")
        )
        return parsed
    except RecursionError:
        text = "is nested too deeply to be a FHIR Bundle"
        parsed.problems.append(BundleProblem(0, "Bundle", text))
        return parsed
    return read_bundle(data)


def import_bundle(diary: DiaryWriter, stream: IO[str], *, dry_run: bool = False) -> ImportSummary:
    """Import a bundle (a JSON text) in one transaction: the profile, conditions, medicines,
    days, then the episodes. If anything is not valid, nothing is written and
    :class:`BundleRejected` names every problem. Records already in the diary (the same
    medicine and dates, an episode of the same site and start) are counted and left alone."""
    parsed = parse_bundle(stream.read())
    if parsed.problems and all(p.line == 0 for p in parsed.problems) and not parsed.profile:
        raise BundleRejected(parsed.problems)
    return run_import(diary, parsed.items(), dry_run=dry_run, rejected=BundleRejected)
