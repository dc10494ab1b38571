"""``musclewise export``, ``import`` and ``backup``: the diary in and out of files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from musclewise.cli.diary_common import DATABASE_URL, JSON_FLAG, PERSON, open_diary, print_json
from musclewise.errors import UsageError

if TYPE_CHECKING:
    pass

PROGRESS_MIN_BYTES = 1_000_000
"""Files at least this big show a progress bar (when standard error is a terminal)."""


def export_command(
    output_format: str = typer.Option(
        "jsonl", "--format", "-f", help="csv, jsonl or fhir (one FHIR R4B Bundle)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write to FILE (default: standard output)."
    ),
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Export the diary (profile, conditions, medicines, days, episodes) as CSV, JSON Lines
    or a FHIR Bundle.

    The columns are listed in docs/diary.md, the FHIR resources in docs/fhir.md; musclewise
    import reads the file back.
    """  # fmt: skip
    from musclewise.exchange import EXPORT_FORMATS, write_export

    if output_format not in EXPORT_FORMATS:
        raise UsageError(f"--format: '{output_format}' is not allowed; use csv, jsonl or fhir")
    with open_diary(database_url, person) as diary:
        if output is None:
            counts = write_export(diary, sys.stdout, output_format)
        else:
            with _atomic(output) as stream:
                counts = write_export(diary, stream, output_format)
    if output is not None:
        from musclewise.exchange import plural

        typer.echo(f"Exported {plural(counts) or 'nothing'} to {output}", err=True)


@contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    """A file written beside ``path`` and renamed into place only when complete."""
    import os

    from musclewise.diary.database import clean_partials

    if path.is_dir():
        raise UsageError(f"--output: {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"--output: the folder {path.parent} does not exist")
    clean_partials(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with _private_text(temporary) as stream:
            yield stream
        os.replace(temporary, path)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)


def import_command(
    file: Path = typer.Argument(
        ...,
        metavar="FILE",
        allow_dash=True,
        help="An export: .csv, .jsonl or a FHIR Bundle ('-' for standard input).",
    ),
    input_format: str | None = typer.Option(
        None, "--format", "-f", help="csv, jsonl or fhir (default: from the file)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check every row and say what would change; write nothing."
    ),
    skip_invalid: Path | None = typer.Option(
        None,
        "--skip-invalid",
        metavar="REJECTS_FILE",
        help="Import the valid rows and write the bad ones to REJECTS_FILE (a new file).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Let --skip-invalid replace an existing REJECTS_FILE."
    ),
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Import an export into the diary, in one transaction.

    If any row is not valid, nothing is written and every bad row is listed (line, column,
    problem); --skip-invalid imports the others and keeps the bad rows in a file. Episodes
    already in the diary (same site, same start) are left as they are.
    """  # fmt: skip
    import io

    from musclewise.exchange import (
        FORMATS,
        ImportRejected,
        Row,
        import_bundle,
        import_rows,
        plural,
        read_rows,
    )

    fmt = input_format or ("fhir" if _is_bundle(file) else _format_of(file))
    if fmt not in (*FORMATS, "fhir"):
        raise UsageError(f"--format: '{fmt}' is not allowed; use csv, jsonl or fhir")
    if fmt == "fhir" and skip_invalid is not None:
        raise UsageError("--skip-invalid: a FHIR bundle is imported whole or not at all")
    stdin = str(file) == "-"
    rejects = (
        _Rejects(check_rejects_path(skip_invalid, file, database_url, force=force))
        if skip_invalid is not None and not dry_run
        else None
    )
    try:
        raw: IO[bytes] = sys.stdin.buffer if stdin else file.open("rb")
    except OSError as exc:
        raise UsageError(f"FILE: cannot read {file}: {exc.strerror}") from None
    size = 0 if stdin else file.stat().st_size
    # bytes that are not UTF-8 are kept (escaped) so that their line alone is reported
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")

    def reject(row: Row) -> None:
        if rejects is not None:
            rejects.write(row)

    try:
        with (
            open_diary(database_url, person, write=not dry_run) as diary,
            _progress(size, raw) as tick,
        ):
            if fmt == "fhir":
                summary = import_bundle(diary, text, dry_run=dry_run)
            else:
                summary = import_rows(
                    diary, read_rows(text, fmt), dry_run=dry_run,
                    rejects=reject if skip_invalid is not None else None, progress=tick,
                    before_commit=rejects.finish if rejects is not None else None,
                )  # fmt: skip
        if rejects is not None:
            rejects.publish()
    except ImportRejected as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        raise
    except UnicodeDecodeError:
        raise UsageError(f"FILE: {file} is not UTF-8 text") from None
    except OSError as exc:
        if rejects is None or not rejects.failed:
            raise
        raise UsageError(
            f"--skip-invalid: cannot write {skip_invalid}: {exc.strerror}; nothing was imported"
        ) from None
    finally:
        text.close()
        if rejects is not None:
            rejects.discard()
    if json_flag:
        print_json(summary.to_dict())
        return
    for problem in summary.problems:
        sys.stderr.write(f"{problem}\n")
    added = plural(summary.added) or "nothing"
    verb = "Would import" if dry_run else "Imported"
    typer.echo(f"{verb} {added}" + (f" ({summary.assessed} episode(s) assessed)"
                                    if summary.assessed else ""))  # fmt: skip
    if summary.already_there:
        typer.echo(f"Already in the diary: {plural(summary.already_there)}")
    if fmt != "fhir" and not (summary.added or summary.already_there or summary.rejected):
        raise UsageError(f"FILE: {file} holds no records; nothing was imported")
    if summary.rejected:
        where = f"; written to {skip_invalid}" if not dry_run else ""
        typer.echo(f"Skipped {summary.rejected} bad row(s){where}")
        if not summary.added and not summary.already_there:
            raise UsageError("every row was rejected: nothing was imported")


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_rejects_path(path: Path, source: Path, database_url: str | None, *, force: bool) -> Path:
    """The rejects file, checked: not the input, not a database, not a folder, in a folder
    that exists, and new (or ``force``). Raises :class:`UsageError` (exit 2) otherwise."""
    from musclewise.diary.database import resolve_url, sqlite_path

    name = f"--skip-invalid: {path}"
    if path.is_dir():
        raise UsageError(f"{name} is a folder; give a file name for the bad rows")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"{name}: the folder {folder} does not exist")
    target = path.resolve()
    if str(source) != "-" and source.exists() and target == source.resolve():
        raise UsageError(f"{name} is the file being imported; give another file name")
    diary_file = sqlite_path(resolve_url(database_url))
    if diary_file is not None:
        diary_file = diary_file.expanduser().resolve()
        own = {
            diary_file,
            *(diary_file.with_name(diary_file.name + s) for s in ("-wal", "-shm", "-journal")),
        }
        if target in own:
            raise UsageError(f"{name} is the diary's database; give another file name")
    if path.exists():
        try:
            with path.open("rb") as stream:
                head = stream.read(len(SQLITE_MAGIC))
        except OSError:
            head = b""
        if head == SQLITE_MAGIC:
            raise UsageError(f"{name} is a database; give another file name")
        if not force:
            raise UsageError(f"{name} exists", hint="add --force to replace it")
    return path


class _Rejects:
    """The bad rows of an import, written to a private file beside the rejects file, flushed
    to disk before the import commits (:meth:`finish`) and renamed into place after it
    (:meth:`publish`): a write that fails rolls the import back, so no bad row is lost."""

    def __init__(self, path: Path) -> None:
        import os

        from musclewise.diary.database import clean_partials

        self.path = path
        clean_partials(path)
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self.stream: IO[str] | None = None
        self.failed = False

    def write(self, row: Any) -> None:
        if not row.raw:
            return  # a line too long to keep: the error names it
        try:
            if self.stream is None:
                self.stream = _private_text(self.temporary)
                self.stream.write(row.header)
            self.stream.write(row.raw if row.raw.endswith("\n") else row.raw + "\n")
        except OSError:
            self.failed = True
            raise

    def finish(self) -> None:
        import os

        if self.stream is None:
            return
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
        except OSError:
            self.failed = True
            raise

    def publish(self) -> None:
        import os

        if self.stream is not None:
            os.replace(self.temporary, self.path)

    def discard(self) -> None:
        import contextlib

        if self.stream is not None and not self.stream.closed:
            with contextlib.suppress(OSError):
                self.stream.close()
        self.temporary.unlink(missing_ok=True)


def _private_text(path: Path) -> IO[str]:
    """A new text file that only its owner can read (0600)."""
    import os

    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(descriptor, "w", encoding="utf-8", errors="surrogateescape", newline="")


def _is_bundle(file: Path) -> bool:
    """Whether FILE starts as a FHIR Bundle does (``"resourceType": "Bundle"``)."""
    from musclewise.exchange import is_bundle

    try:
        if str(file) == "-":
            peek = getattr(sys.stdin.buffer, "peek", None)
            return peek is not None and is_bundle(peek(8192)[:8192])
        with file.open("rb") as stream:
            return is_bundle(stream.read(8192))
    except OSError:
        return False


def _format_of(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise UsageError(f"FILE: cannot tell the format of '{file.name}'; add --format csv or jsonl")


@contextmanager
def _progress(size: int, raw: IO[bytes]) -> Iterator[Any]:
    """A Rich progress bar over the bytes read, for big files in a terminal only."""
    if size < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("import", total=size)
        rows = 0

        def tick() -> None:
            nonlocal rows
            rows += 1
            if rows % 200 == 0:
                bar.update(task, completed=raw.tell())

        yield tick


def backup_command(
    path: Path = typer.Argument(..., metavar="PATH", help="The file to write the copy to."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace PATH if it exists."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Copy a SQLite diary to PATH, consistently, even while it is in use."""
    from musclewise.diary.backup import backup

    with open_diary(database_url, None) as diary:
        size = backup(diary, path, overwrite=overwrite)
    typer.echo(f"Backed up {diary.display_url} to {path} ({size:,} bytes)")
