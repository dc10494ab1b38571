"""CSV and JSON Lines: a pure mapping between the diary's records and text, both ways.

:func:`write_table` writes a diary's :class:`~musclewise.exchange.store.Contents`;
:func:`read_items` reads a file into the items of the import loop
(:func:`~musclewise.exchange.loop.run_import`), each row typed and checked. Both formats hold
the same records, one a row (or line), told apart by ``record``:
``profile``, ``condition``, ``medicine``, ``day`` and ``episode``, in that order (so that an
episode without a stored assessment is assessed with the profile and days before it). The
columns are :data:`COLUMNS` (documented in ``docs/diary.md``). JSON Lines keep JSON types; CSV
cells are text, empty for "not known", ``true``/``false`` for yes/no, and JSON for
``findings`` and ``assessment``.

An import is one transaction (the loop's): if any row is not valid, nothing is written and
every bad row is reported with its line, column and problem (or, with a rejects file, the bad
rows are written there and the rest imported). Rows are read one at a time, so memory stays
flat.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import IO, Any, NamedTuple

import msgspec

from musclewise.diary.errors import DiaryValueError, FieldProblem
from musclewise.diary.records import EpisodeRecord
from musclewise.diary.restore import AssessmentText, CheckedEpisode, check_restored_episode
from musclewise.diary.validate import DAY_SPECS
from musclewise.errors import MusclewiseError, UsageError
from musclewise.exchange.loop import ImportRejected, Item, RowProblem, field_problems
from musclewise.exchange.store import Contents
from musclewise.findings import FINDINGS_KEYS

FORMATS = ("csv", "jsonl")
DAY_FIELDS: tuple[str, ...] = tuple(DAY_SPECS)
"""The fields of a day's context, in the order of the table (and the export's columns)."""
PROFILE_COLUMNS = ("name", "timezone", "sex", "birth_year", "pregnant", "created_at")
MEDICINE_COLUMNS = ("name", "started_on", "stopped_on")
EPISODE_COLUMNS = (
    "id", "started_at", "tz", "site", "side", "pain", "duration_s", "findings", "notes", "kind",
    "triage", "knowledge_version", "assessment", "created_at", "updated_at",
)  # fmt: skip
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "profile": PROFILE_COLUMNS,
    "condition": ("condition",),
    "medicine": MEDICINE_COLUMNS,
    "day": ("date", *DAY_FIELDS),
    "episode": EPISODE_COLUMNS,
}
COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(["record", *(c for cols in RECORD_COLUMNS.values() for c in cols)])
)
"""Every column of an export, in order (CSV header; JSON Lines use the same keys)."""
_LINE_DECODER = msgspec.json.Decoder(dict[str, msgspec.Raw])
_VALUE_DECODER = msgspec.json.Decoder()

TYPES: dict[str, str] = {
    "birth_year": "int", "pain": "int", "id": "int", "cigarettes": "int", "stress": "int",
    "pregnant": "bool", "duration_s": "float", "created_at": "datetime", "updated_at": "datetime",
    "started_at": "datetime", "started_on": "date", "stopped_on": "date", "date": "date",
    "findings": "json", "assessment": "json",
}  # fmt: skip
for _name, _spec in DAY_SPECS.items():
    TYPES.setdefault(_name, {bool: "bool", int: "int", float: "float"}.get(_spec.kind, "str"))
JSON_CONVERTED = frozenset(
    [*(c for c, kind in TYPES.items() if kind in ("datetime", "date")), "assessment"]
)
"""The columns a JSON Lines value is converted for (text to times and dates, and the
assessment kept as JSON text); every other JSON value has its type already."""


# --------------------------------------------------------------------------- export


def table_records(contents: Contents) -> Iterator[dict[str, Any]]:
    """Every record of the diary, JSON-ready, one dict a row (``record`` says which)."""
    profile = contents.profile
    if profile.stored:
        yield {"record": "profile", **{k: profile.to_dict()[k] for k in PROFILE_COLUMNS}}
    for condition in profile.conditions:
        yield {"record": "condition", "condition": condition}
    for medicine in profile.medicines:
        yield {"record": "medicine", **{k: medicine.to_dict()[k] for k in MEDICINE_COLUMNS}}
    for day in contents.days:
        yield {"record": "day", **day.to_dict()}
    for episode in contents.episodes:
        yield episode_record(episode)


def episode_record(episode: EpisodeRecord) -> dict[str, Any]:
    data = episode.to_dict()
    return {"record": "episode", **{k: data[k] for k in EPISODE_COLUMNS}}


def write_table(contents: Contents, output: IO[str], fmt: str) -> Counter[str]:
    """Write the diary's records to ``output`` as CSV or JSON Lines; returns how many records
    of each kind were written."""
    counts: Counter[str] = Counter()
    writer: Callable[[dict[str, Any]], None]
    if fmt == "csv":
        table = csv.DictWriter(output, COLUMNS, lineterminator="\n")
        table.writeheader()

        def writer(record: dict[str, Any]) -> None:
            table.writerow({k: _cell(v) for k, v in record.items()})
    elif fmt == "jsonl":

        def writer(record: dict[str, Any]) -> None:
            output.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        raise UsageError(f"format: '{fmt}' is not allowed; use csv or jsonl", code="format_unknown", field="format", allowed=("csv", "jsonl"))  # fmt: skip
    for record in table_records(contents):
        writer(record)
        counts[record["record"]] += 1
    return counts


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP: CSV injection)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting as a formula does (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) gets a ``'`` in front; so does one that starts with
    ``'`` and then one of those (or another ``'``), so that :func:`restore` is exact."""
    if text.startswith(FORMULA_STARTS) or (
        text.startswith("'") and text[1:2] and text[1:2] in (*FORMULA_STARTS, "'")
    ):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given."""
    if text.startswith("'") and text[1:2] and text[1:2] in (*FORMULA_STARTS, "'"):
        return text[1:]
    return text


# --------------------------------------------------------------------------- import


class Row(NamedTuple):
    line: int
    values: dict[str, Any]
    raw: str  # as it was in the file, for the rejects file
    header: str = ""  # CSV: the file's header line, for the rejects file


def read_items(stream: IO[str], fmt: str) -> Iterator[Item]:
    """The items of a CSV or JSON Lines file, for :func:`~musclewise.exchange.loop.run_import`."""
    return (row_item(row) for row in read_rows(stream, fmt))


def read_rows(stream: IO[str], fmt: str) -> Iterator[Row]:
    """The rows of an import file, numbered by line, typed (CSV cells converted)."""
    if fmt == "jsonl":
        for number, read in enumerate(_bounded_lines(stream), start=1):
            if read is None:
                problem = f"is longer than {LINE_MAX:,} characters (not kept)"
                yield Row(number, {"__error__": problem}, "")
                continue
            line = read.removeprefix("\ufeff") if number == 1 else read
            if not line.strip():
                continue
            if not _is_utf8(line):
                yield Row(number, {"__error__": "is not UTF-8 text"}, line)
                continue
            try:
                fields = _LINE_DECODER.decode(line)
                # the assessment stays JSON text (checked, not decoded): stored as it is
                decoded = {
                    k: (v if k == "assessment" and bytes(v) != b"null"
                        else _VALUE_DECODER.decode(v))
                    for k, v in fields.items()
                }  # fmt: skip
            except msgspec.ValidationError:
                yield Row(number, {"__error__": "is not a JSON object"}, line)
                continue
            except msgspec.DecodeError as exc:
                reason = str(exc).removeprefix("JSON is malformed: ")
                yield Row(number, {"__error__": f"not valid JSON ({reason})"}, line)
                continue
            except RecursionError:
                yield Row(number, {"__error__": "is nested too deeply"}, line)
                continue
            yield Row(number, decoded, line)
        return
    first = stream.readline()
    if not first.strip():
        raise UsageError("FILE: the file is empty (no header line); nothing to import")
    delimiter = _delimiter(first)
    reader = csv.reader(itertools.chain([first], stream), delimiter=delimiter)
    header = next(reader)
    unknown = [c for c in header if c not in COLUMNS]
    if unknown or "record" not in header:
        if len(header) == 1 and delimiter == ",":
            found = header[0][:60]
            raise UsageError(
                f"FILE: the first line ({found!r}) is not a header of columns separated by "
                "commas or semicolons",
                hint="export from musclewise (or save the spreadsheet as CSV) and try again",
            )
        problems = [RowProblem(1, c[:60], "is not a column of a musclewise export")
                    for c in unknown[:20]]  # fmt: skip
        if "record" not in header:
            problems.append(RowProblem(1, "record", "the column is missing"))
        raise ImportRejected(problems, 1)
    header_line = io.StringIO()
    csv.writer(header_line, delimiter=delimiter, lineterminator="\n").writerow(header)
    start = reader.line_num
    for cells in _csv_rows(reader):
        raw = io.StringIO()
        csv.writer(raw, delimiter=delimiter, lineterminator="\n").writerow(cells)
        if not _is_utf8(raw.getvalue()):
            values: dict[str, Any] = {"__error__": "is not UTF-8 text"}
        elif len(cells) != len(header):
            values = {"__error__": f"has {len(cells)} cells, the header {len(header)}"}
        else:
            values = {k: restore(v) for k, v in zip(header, cells, strict=True) if v != ""}
            values["__csv__"] = True
        yield Row(start + 1, values, raw.getvalue(), header_line.getvalue())
        start = reader.line_num


LINE_MAX = 16_000_000
"""The longest JSON Lines line read: a longer one is a bad row, skipped without being kept."""


def _bounded_lines(stream: IO[str]) -> Iterator[str | None]:
    """The stream's lines, each at most :data:`LINE_MAX` characters (None for a longer one,
    whose rest is read and dropped): memory stays bounded whatever the file holds."""
    while True:
        line = stream.readline(LINE_MAX + 1)
        if not line:
            return
        if len(line) > LINE_MAX and not line.endswith("\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith("\n"):
                pass
            yield None
            continue
        yield line


CSV_CELL_MAX = 16_000_000
"""The longest CSV cell read (Python's csv refuses cells over 128 KiB by default)."""


def _csv_rows(reader: Any) -> Iterator[list[str]]:
    """The reader's rows; a file CSV cannot read (a cell over :data:`CSV_CELL_MAX`, a NUL)
    is one clear error naming the line."""
    csv.field_size_limit(CSV_CELL_MAX)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UsageError(
                f"FILE: line {reader.line_num} cannot be read as CSV ({exc}); nothing was imported"
            ) from None
        yield cells


def _delimiter(header: str) -> str:
    """The header's separator: a comma, or the semicolon (or tab) of spreadsheets in much of
    Europe, whichever splits the line into known columns."""
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([header], delimiter=delimiter))
        if "record" in (c.strip() for c in cells):
            return delimiter
    return ","


def _is_utf8(text: str) -> bool:
    """Whether text read with ``errors="surrogateescape"`` was UTF-8 (no escaped bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _convert(column: str, value: Any, from_csv: bool) -> Any:
    kind = TYPES.get(column, "str")
    if value is None:
        return None
    if kind == "datetime":
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an ISO 8601 time") from None
            if parsed.tzinfo is None:
                raise ValueError(f"{value!r} has no UTC offset")
            return parsed
        raise ValueError(f"{value!r} is not an ISO 8601 time")
    if kind == "date":
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _bad(value, "a date")
        except ValueError:
            raise ValueError(f"{value!r} is not a date (2026-11-20)") from None
    if column == "assessment" and isinstance(value, str | bytes | msgspec.Raw):
        return AssessmentText.parse(value if isinstance(value, str) else bytes(value))
    if not from_csv:
        return value
    if kind == "bool":
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    if kind in ("int", "float"):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if kind == "int" and number.is_integer():
            return int(number)
        return number
    if kind == "json":
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(f"{value!r} is not valid JSON") from None
    return value


def _bad(value: Any, what: str) -> Any:
    raise ValueError(f"{value!r} is not {what}")


def row_item(row: Row) -> Item:
    """A row as an item of the import loop: its values typed and checked, or its problems."""
    values = dict(row.values)
    item = Item(row.line, "", None, describe=_describe, source=row)
    error = values.pop("__error__", None)
    try:
        if error:
            raise DiaryValueError([FieldProblem("", error)])
        item.record, item.values = _typed(values)
    except MusclewiseError as exc:
        item.problems = _describe(item, exc)
    return item


def _typed(values: dict[str, Any]) -> tuple[str, Any]:
    """The row's record and its typed, checked values; raises DiaryValueError naming its
    columns."""
    from_csv = bool(values.pop("__csv__", False))
    record = values.pop("record", None)
    if record not in RECORD_COLUMNS:
        raise DiaryValueError([FieldProblem(
            "record", f"{record!r} is not allowed; use one of: {', '.join(RECORD_COLUMNS)}")])  # fmt: skip
    allowed = RECORD_COLUMNS[record]
    problems = [FieldProblem(k, f"is not a column of a {record} row") for k in values
                if k not in allowed]  # fmt: skip
    typed: dict[str, Any] = {}
    for column, value in values.items():
        if column not in allowed:
            continue
        if not from_csv and column not in JSON_CONVERTED:
            typed[column] = value  # JSON has the type already (checked when written)
            continue
        try:
            typed[column] = _convert(column, value, from_csv)
        except ValueError as exc:
            problems.append(FieldProblem(column, str(exc)))
    if problems:
        raise DiaryValueError(problems)
    required = {"condition": "condition", "medicine": "name", "day": "date"}.get(record)
    if required is not None and typed.get(required) is None:
        raise DiaryValueError([FieldProblem(required, "is required")])
    if record == "episode":
        return record, _check_episode(typed)
    if record == "profile":
        typed.pop("name", None)  # the file's diary goes to the person importing it
    return record, typed


def _describe(item: Item, exc: MusclewiseError) -> list[RowProblem]:
    """The problems of a row, each named by its line and column."""
    line = item.where
    found = field_problems(exc)
    if not found:
        return [RowProblem(line, "", exc.message)]
    result = []
    for problem in found:
        key = problem.key.split("[")[0]
        if key in COLUMNS:
            result.append(RowProblem(line, key, problem.problem))
        elif key in FINDINGS_KEYS:
            result.append(RowProblem(line, "findings", f"{key}: {problem.problem}"))
        elif key == "medicine":
            result.append(RowProblem(line, "name", problem.problem))
        else:  # an unknown findings key (named in the problem), or a whole-row problem
            column = "findings" if not key and "unknown key" in problem.problem else key
            result.append(RowProblem(line, column, problem.problem))
    return result


def _check_episode(typed: dict[str, Any]) -> CheckedEpisode:
    for required in ("started_at", "site"):
        if typed.get(required) is None:
            raise DiaryValueError([FieldProblem(required, "is required")])
    assessment = typed.get("assessment")
    if assessment is not None:
        stated = (
            (assessment.kind, assessment.triage, assessment.knowledge_version)
            if isinstance(assessment, AssessmentText)
            else (_get(assessment, "kind"), _get(_get(assessment, "triage"), "level"),
                  _get(assessment, "knowledge_version"))
        )  # fmt: skip
        problems = [
            FieldProblem(column, f"{typed[column]!r} is not what the assessment says ({stored!r})")
            for column, stored in zip(("kind", "triage", "knowledge_version"), stated, strict=True)
            if typed.get(column) is not None and stored is not None and typed[column] != stored
        ]
        if problems:
            raise DiaryValueError(problems)
    findings = typed.get("findings")
    if findings is not None and not isinstance(findings, dict):
        raise DiaryValueError([FieldProblem("findings", "is not a JSON object")])
    return check_restored_episode(
        typed["site"], started_at=typed["started_at"], tz=typed.get("tz"),
        pain=typed.get("pain"), duration_s=typed.get("duration_s"), side=typed.get("side"),
        findings=findings, notes=typed.get("notes"), assessment=assessment,
        created_at=typed.get("created_at"), updated_at=typed.get("updated_at"),
    )  # fmt: skip


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
