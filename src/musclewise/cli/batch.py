"""``musclewise assess --json FILE``: one findings object, or JSON Lines, in; assessments out.

Streams: one line is read, assessed and written at a time, so memory stays flat however long
the input. A line that is not valid findings gives ``{"error": ..., "line": N}`` in its place
and the exit status is 2 at the end; the other lines are still assessed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import msgspec

from musclewise.assessment import assess_valid
from musclewise.errors import FindingsError, UsageError
from musclewise.findings import decode_findings

_encode = msgspec.json.Encoder().encode


def _open(path: Path) -> IO[bytes]:
    if str(path) == "-":
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except OSError as exc:
        raise UsageError(f"--json: cannot read {path}: {exc.strerror}") from None


def _records(stream: IO[bytes]) -> Iterable[tuple[int, bytes]]:
    """Numbered findings: JSON Lines, or one object spread over several lines."""
    number = 0
    for raw in stream:
        number += 1
        if raw.strip():
            break
    else:
        return
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError:
        # not a whole JSON value on its own line: the file holds one (pretty-printed) object
        yield 1, raw + stream.read()
        return
    yield number, raw
    for raw in stream:
        number += 1
        if raw.strip():
            yield number, raw


def _progress(path: Path, stream: IO[bytes]) -> Callable[[int], None] | None:
    """A progress bar on standard error for a large file, when a person is watching."""
    if str(path) == "-" or not sys.stderr.isatty():
        return None
    size = path.stat().st_size
    if size < 1_000_000:
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


def assess_line(line: bytes, number: int) -> tuple[bytes, bool]:
    """The encoded assessment of one line, or its error object; and whether it was valid."""
    try:
        result: dict[str, Any] = assess_valid(decode_findings(line))
    except FindingsError as exc:
        return _encode({"error": exc.message, "line": number}), False
    return _encode(result), True


def run_batch(path: Path, output_format: Any) -> int:
    """Assess every record of ``path``; return the exit status (0, or 2 if any was invalid)."""
    stream = _open(path)
    out = sys.stdout.buffer
    as_text = output_format is not None and output_format.value == "text"
    errors = total = 0
    progress = _progress(path, stream)
    try:
        for number, line in _records(stream):
            total += 1
            if progress is not None and total % 1000 == 0:
                progress(stream.tell())
            encoded, ok = assess_line(line, number)
            errors += not ok
            if as_text and ok:
                from musclewise.cli.render import render_assessment

                render_assessment(msgspec.json.decode(encoded), decode_findings(line))
            else:
                out.write(encoded)
                out.write(b"\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    out.flush()
    if progress is not None:
        progress(-1)
    if errors:
        sys.stderr.write(f"{errors} of {total} records were not valid findings (see their lines)\n")
        return 2
    return 0
