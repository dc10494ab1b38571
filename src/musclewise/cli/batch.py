"""``musclewise assess --json FILE``: one findings object, or JSON Lines, in; assessments out.

Streams: the first 256 lines are assessed one at a time (a short file never imports NumPy;
a file of a megabyte or more skips this), then 2,048 at a time in columns
(:mod:`musclewise.engine.chunks`, byte for byte the same), and written a thousand lines at a
time, so memory stays flat however long the input. A line that
is not valid findings (not JSON, not UTF-8, nested too deeply, too long) gives
``{"error": ..., "line": N}`` in its place and the exit status is 2 at the end; the other
lines are still assessed.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

import msgspec

from musclewise.assessment import assess_valid
from musclewise.errors import FindingsError, UsageError
from musclewise.findings import decode_findings

_encode = msgspec.json.Encoder().encode


ALONE = 256
"""How many records a batch assesses one at a time before it turns to columns: a short file
never imports NumPy."""
LARGE_FILE = 1 << 20
"""A file this large (bytes, about 5,000 findings) goes to columns from its first record, and
shows a progress bar when a person is watching."""
GC_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation during a batch (Python's
default is 700): a batch line allocates hundreds of objects, nearly all freed at once."""


def _open(path: Path) -> IO[bytes]:
    if str(path) == "-":
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except OSError as exc:
        raise UsageError(f"--json: cannot read {path}: {exc.strerror}") from None


MAX_RECORD_BYTES = 16_000_000
"""The longest line (or pretty-printed object) read: a longer one is an error, not memory."""
BOM = b"\xef\xbb\xbf"


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines, each at most :data:`MAX_RECORD_BYTES` (None for a longer one, whose
    rest is skipped without being kept)."""
    number = 0
    while True:
        raw = stream.readline(MAX_RECORD_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, raw


def _records(stream: IO[bytes]) -> Iterable[tuple[int, bytes | None]]:
    """Numbered findings: JSON Lines, or one object spread over several lines (a first line
    that is only ``{``). A byte-order mark before the first line is dropped."""
    lines = _lines(stream)
    for number, read in lines:
        raw = (
            read[len(BOM) :] if read is not None and number == 1 and read.startswith(BOM) else read
        )
        if raw is None or raw.strip():
            break
    else:
        return
    if raw is not None and raw.strip() == b"{":
        # a pretty-printed object: the whole file is one record
        rest = stream.read(MAX_RECORD_BYTES + 1 - len(raw))
        whole = raw + rest
        yield number, whole if len(whole) <= MAX_RECORD_BYTES else None
        return
    yield number, raw
    for number, raw in lines:
        if raw is None or raw.strip():
            yield number, raw


def _size(path: Path) -> int:
    """The file's size in bytes (0 for standard input or what cannot be asked)."""
    if str(path) == "-":
        return 0
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _progress(size: int) -> Callable[[int], None] | None:
    """A progress bar on standard error for a large file (``size`` bytes), when a person is
    watching."""
    if size < LARGE_FILE or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("assessing"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
    )  # fmt: skip
    task = bar.add_task("assess", total=size)
    bar.start()

    def update(done: int) -> None:
        if done < 0:
            bar.stop()
        else:
            bar.update(task, completed=done)

    return update


def assess_line(line: bytes | None, number: int) -> tuple[bytes, bool]:
    """The encoded assessment of one line, or its error object; and whether it was valid."""
    if line is None:
        problem = f"is longer than {MAX_RECORD_BYTES:,} bytes"
        return _encode({"error": problem, "line": number}), False
    try:
        result = assess_valid(decode_findings(line))
    except FindingsError as exc:
        return _encode({"error": exc.message, "line": number}), False
    return _encode(result), True


def assess_records(
    records: Iterable[tuple[int, bytes | None]], alone: int = ALONE, chunk: int = 2048
) -> Iterator[tuple[bytes, bool]]:
    """Each numbered record's encoded assessment (or error object), and whether it was valid:
    byte for byte what :func:`assess_line` gives for each alone (``tests/test_batch.py``).
    The first ``alone`` records are assessed one at a time (a short file never imports NumPy),
    the rest ``chunk`` at a time in columns (:mod:`musclewise.engine.chunks`)."""
    for _, encoded, ok in _assessed(records, alone, chunk):
        yield encoded, ok


def _assessed(
    records: Iterable[tuple[int, bytes | None]], alone: int = ALONE, chunk: int = 2048
) -> Iterator[tuple[bytes | None, bytes, bool]]:
    it = iter(records)
    for _, (number, line) in zip(range(alone), it, strict=False):  # range first: none lost
        encoded, ok = assess_line(line, number)
        yield line, encoded, ok
    while together := list(islice(it, chunk)):
        yield from _assessed_chunk(together)


def _assessed_chunk(
    chunk: list[tuple[int, bytes | None]],
) -> Iterator[tuple[bytes | None, bytes, bool]]:
    """A chunk of records: those that are findings without text in columns, the others (an
    error, a text to read) one at a time; in order."""
    from musclewise.assessment import default_chunks, resolve_medicines

    answers: list[tuple[bytes, bool] | None] = []
    together: list[tuple[Mapping[str, Any], Sequence[Any]]] = []
    for number, line in chunk:
        if line is not None:
            try:
                findings = decode_findings(line)
            except FindingsError as exc:
                answers.append((_encode({"error": exc.message, "line": number}), False))
                continue
            if "text" not in findings:
                medicines = resolve_medicines(findings.get("medications", ()))
                together.append((findings, medicines))
                answers.append(None)
                continue
        answers.append(assess_line(line, number))
    assessed = iter(default_chunks().encode_many(together) if together else ())
    for (_, line), answer in zip(chunk, answers, strict=True):
        if answer is None:
            yield line, next(assessed), True
        else:
            yield line, *answer


def run_batch(path: Path, output_format: Any) -> int:
    """Assess every record of ``path``; return the exit status (0, or 2 if any was invalid)."""
    stream = _open(path)
    out = sys.stdout.buffer
    as_text = output_format is not None and output_format.value == "text"
    errors = total = 0
    size = _size(path)
    progress = _progress(size)
    pending: list[bytes] = []  # written a thousand lines at a time: fewer system calls
    # a batch makes many short-lived objects and few cycles: collect garbage cycles less often,
    # and leave the engine and its caches (built by the first lines) out of the collections
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        alone = 0 if size >= LARGE_FILE else ALONE
        for line, encoded, ok in _assessed(_records(stream), alone):
            total += 1
            if total % 1000 == 0:
                out.write(b"".join(pending))
                pending.clear()
                if total == 1000:
                    gc.freeze()
                if progress is not None:
                    progress(stream.tell())
            errors += not ok
            if as_text and ok and line is not None:
                from musclewise.cli.render import render_assessment

                out.write(b"".join(pending))  # the error lines before it, in order
                pending.clear()
                out.flush()
                render_assessment(msgspec.json.decode(encoded), decode_findings(line))
            else:
                pending.append(encoded)
                pending.append(b"\n")
        out.write(b"".join(pending))
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        if stream is not sys.stdin.buffer:
            stream.close()
    out.flush()
    if progress is not None:
        progress(-1)
    if errors:
        sys.stderr.write(f"{errors} of {total} records were not valid findings (see their lines)\n")
        return 2
    return 0
