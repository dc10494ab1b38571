"""Exchange formats: the diary in and out of files, apart from storage (issue 10 §4).

- CSV and JSON Lines (:mod:`~musclewise.exchange.table`): every record, one a row;
- FHIR R4B (:mod:`~musclewise.exchange.fhir`): a transaction Bundle, codes in
  ``fhir_codes.yaml`` and ``rxnorm.yaml`` (docs/fhir.md).

The formats are pure mappings between the diary's records (``diary/records.py``) and text or
FHIR resources; they reach a diary only through the protocols of
:mod:`~musclewise.exchange.store` (``Diary`` fits them) and never import the ``Diary`` or
SQLAlchemy. Every import goes through one loop (:func:`~musclewise.exchange.loop.run_import`):
one transaction, dry runs, rejects, every problem named.

>>> from musclewise.exchange import write_export, import_file      # doctest: +SKIP
>>> write_export(diary, stream, "fhir")                            # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import IO, Any

from musclewise.errors import UsageError
from musclewise.exchange.fhir import (
    BundleProblem,
    BundleRejected,
    import_bundle,
    is_bundle,
    write_bundle,
)
from musclewise.exchange.loop import (
    BATCH,
    ImportRejected,
    ImportSummary,
    RowProblem,
    plural,
    run_import,
)
from musclewise.exchange.store import Contents, DiaryReader, DiaryWriter, contents
from musclewise.exchange.table import (
    COLUMNS,
    FORMATS,
    Row,
    neutralise,
    read_rows,
    row_item,
    write_table,
)

EXPORT_FORMATS = (*FORMATS, "fhir")
"""What :func:`write_export` writes and :func:`import_file` reads."""

__all__ = [
    "COLUMNS",
    "EXPORT_FORMATS",
    "FORMATS",
    "BundleProblem",
    "BundleRejected",
    "Contents",
    "DiaryReader",
    "DiaryWriter",
    "ImportRejected",
    "ImportSummary",
    "Row",
    "RowProblem",
    "contents",
    "import_bundle",
    "import_file",
    "import_rows",
    "is_bundle",
    "neutralise",
    "plural",
    "read_rows",
    "write_bundle",
    "write_export",
]


def write_export(diary: DiaryReader, output: IO[str], fmt: str) -> Counter[str]:
    """Write the whole diary to ``output`` as ``csv``, ``jsonl`` or ``fhir``, from one
    consistent view; returns how many records of each kind were written."""
    if fmt == "fhir":
        return write_bundle(diary, output)
    if fmt not in FORMATS:
        raise UsageError(f"format: '{fmt}' is not allowed; use csv, jsonl or fhir", code="format_unknown", field="format", allowed=("csv", "jsonl", "fhir"))  # fmt: skip
    with contents(diary) as found:
        return write_table(found, output, fmt)


def import_rows(
    diary: DiaryWriter,
    rows: Iterable[Row],
    *,
    dry_run: bool = False,
    rejects: Callable[[Row], None] | None = None,
    progress: Callable[[], None] | None = None,
    before_commit: Callable[[], None] | None = None,
    batch: int = BATCH,
) -> ImportSummary:
    """Import CSV or JSON Lines rows (:func:`read_rows`) in one transaction. Without
    ``rejects``, any bad row means nothing is written (:class:`ImportRejected` lists them
    all); with it, bad rows go there. ``before_commit`` runs last inside the transaction."""
    reject: Callable[[Any], None] | None = rejects
    return run_import(
        diary, (row_item(row) for row in rows), dry_run=dry_run, rejects=reject,
        progress=progress, before_commit=before_commit, batch=batch,
    )  # fmt: skip


def import_file(
    diary: DiaryWriter, stream: IO[str], fmt: str, *, dry_run: bool = False
) -> ImportSummary:
    """Import a whole file of the given format (``csv``, ``jsonl`` or ``fhir``), all or
    nothing (:class:`ImportRejected` or :class:`BundleRejected` names every problem)."""
    if fmt == "fhir":
        return import_bundle(diary, stream, dry_run=dry_run)
    if fmt not in FORMATS:
        raise UsageError(f"format: '{fmt}' is not allowed; use csv, jsonl or fhir", code="format_unknown", field="format", allowed=("csv", "jsonl", "fhir"))  # fmt: skip
    return import_rows(diary, read_rows(stream, fmt), dry_run=dry_run)
