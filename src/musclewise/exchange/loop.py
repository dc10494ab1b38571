"""The one import loop every format uses (CSV, JSON Lines, FHIR).

A format reads its file into :class:`Item`\\ s: one record each (``profile``, ``condition``,
``medicine``, ``day`` or ``episode``), its values typed and checked, or the problems that stop
it. :func:`run_import` stores them in order in one transaction through a
:class:`~musclewise.exchange.store.DiaryWriter`: a dry run rolls back, bad items are listed
(each problem named by line and column, or entry and FHIR path) and either stop the whole
import or go to a rejects callback; checked episodes with their assessment are written
:data:`BATCH` at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from musclewise.diary.restore import CheckedEpisode
from musclewise.errors import FieldProblem, MusclewiseError, UsageError
from musclewise.exchange.store import DiaryWriter

RECORDS = ("profile", "condition", "medicine", "day", "episode")
"""The kinds of record an import stores, in the order an export writes them."""
BATCH = 500
"""Episodes an import writes at a time (one query and one INSERT a batch)."""


class RowProblem(NamedTuple):
    """One problem of one row of an import file."""

    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.problem}"


class ImportRejected(UsageError):
    """Rows that are not valid: nothing was imported. ``problems`` lists each one."""

    def __init__(self, problems: list[RowProblem], rows: int) -> None:
        self.problems = problems
        super().__init__(
            f"{rows} row(s) are not valid, so nothing was imported",
            hint="fix them, or import the valid rows and keep the others in a rejects file",
        )


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    added: Counter[str] = field(default_factory=Counter)
    already_there: Counter[str] = field(default_factory=Counter)
    assessed: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": dict(self.added),
            "already_there": dict(self.already_there),
            "assessed": self.assessed,
            "rejected": self.rejected,
            "problems": [p._asdict() for p in self.problems],
            "dry_run": self.dry_run,
        }


def plural(counts: Mapping[str, int]) -> str:
    """``1 profile, 2 days, 10 episodes``."""
    return ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items())


Describe = Callable[["Item", MusclewiseError], list[RowProblem]]
"""How a format names the problems the diary finds with one of its items."""


@dataclass
class Item:
    """One record read from an import file. ``values``: its typed fields (a
    :class:`CheckedEpisode` for an episode); ``problems``: what stops it (then it is not
    stored); ``describe`` words a problem the diary finds when storing it; ``source`` is what
    the rejects callback gets (the row as it was in the file)."""

    where: int
    record: str
    values: Any
    describe: Describe
    problems: list[RowProblem] = field(default_factory=list)
    source: Any = None


class _DryRun(Exception):
    pass


def run_import(
    writer: DiaryWriter,
    items: Iterable[Item],
    *,
    dry_run: bool = False,
    rejects: Callable[[Any], None] | None = None,
    progress: Callable[[], None] | None = None,
    before_commit: Callable[[], None] | None = None,
    rejected: Callable[[list[RowProblem], int], UsageError] = ImportRejected,
    batch: int = BATCH,
) -> ImportSummary:
    """Store the items in order, in one transaction. Without ``rejects``, any bad item means
    nothing is written (``rejected(problems, bad_items)`` is raised, listing them all); with
    it, each bad item's ``source`` goes there. ``before_commit`` runs last inside the
    transaction (if it fails, nothing is imported)."""
    summary = ImportSummary(dry_run=dry_run)
    pending = _Batch(writer, summary, batch)
    bad = 0
    try:
        with writer.transaction():
            for item in items:
                if progress is not None:
                    progress()
                problems = item.problems
                if not problems:
                    # after a bad item, the others are still stored (and rolled back at the
                    # end) so that every problem of every item is reported at once
                    try:
                        _store(writer, item, summary, pending)
                    except MusclewiseError as exc:
                        problems = item.describe(item, exc)
                if problems:
                    bad += 1
                    summary.problems.extend(problems)
                    if rejects is not None:
                        rejects(item.source)
            pending.flush()
            summary.rejected = bad
            if bad and rejects is None:
                raise rejected(summary.problems, bad)
            if dry_run:
                raise _DryRun
            if before_commit is not None:
                before_commit()
    except _DryRun:
        pass
    return summary


def _store(writer: DiaryWriter, item: Item, summary: ImportSummary, pending: _Batch) -> None:
    """Store one item; an episode with its assessment waits in ``pending``, the others are
    written at once, after the episodes before them (episodes are assessed in file order)."""
    record, values = item.record, item.values
    if record == "episode" and values.assessment is not None:
        pending.add(values)
        return
    pending.flush()
    if record == "episode":  # assessed now, with the profile and days before it
        added = writer.restore_episodes([values])[0]
        summary.assessed += added
    elif record == "profile":
        before = writer.get_profile()
        after = writer.set_profile({k: v for k, v in values.items() if v is not None})
        added = not before.stored or before != after
    elif record == "condition":
        known = writer.get_profile().conditions
        writer.set_profile(add_conditions=[values["condition"]])
        added = values["condition"] not in known
    elif record == "medicine":
        _, added = writer.restore_medicine(
            values["name"], values.get("started_on"), values.get("stopped_on")
        )
    elif record == "day":
        day = values["date"]
        old = writer.get_day(day)
        fields = {k: v for k, v in values.items() if k != "date" and v is not None}
        added = writer.set_day(day, fields) != old
    else:  # pragma: no cover - the formats make only the records above
        raise AssertionError(f"unknown record {record!r}")
    (summary.added if added else summary.already_there)[record] += 1


class _Batch:
    """Checked episodes with their assessment, written ``size`` at a time by
    ``restore_episodes`` (a query and a multi-row INSERT a batch, not three statements an
    episode)."""

    def __init__(self, writer: DiaryWriter, summary: ImportSummary, size: int) -> None:
        self.writer, self.summary, self.size = writer, summary, size
        self.pending: list[CheckedEpisode] = []

    def add(self, episode: CheckedEpisode) -> None:
        self.pending.append(episode)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        added = self.writer.restore_episodes(self.pending)
        self.pending.clear()
        new = sum(added)
        if new:
            self.summary.added["episode"] += new
        if new < len(added):
            self.summary.already_there["episode"] += len(added) - new


def field_problems(exc: MusclewiseError) -> list[FieldProblem]:
    """The field problems an error carries (none for an error about the whole record)."""
    return list(getattr(exc, "problems", None) or [])
