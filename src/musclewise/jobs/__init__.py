"""Slow work asked for over the HTTP API, run outside the request: the report for a doctor
(PDF or HTML) and the insights summary (JSON) of a long diary.

A job is a row of the diary's database (``diary/service.py``): the API writes it queued and
answers 202 at once; something then runs :func:`run_job`, which stores the result (or why it
failed) in the same row, so that any app process can serve it. What runs it:

- on PostgreSQL, a worker of the Procrastinate queue (``musclewise worker``; no broker: the
  queue is tables of the same database), see :mod:`musclewise.jobs.queue`;
- on SQLite (one person, one process), a background thread of the server.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Engine

from musclewise.diary import Diary
from musclewise.diary import service as stored
from musclewise.errors import MusclewiseError

REPORT_FORMATS = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
"""What a report job can make, and its media type (json: the insights summary)."""


def make_result(diary: Diary, params: dict[str, Any]) -> tuple[bytes, str]:
    """The report asked for by ``params`` (``format``, ``since``, ``until``) and its media
    type. Raises :class:`MusclewiseError` (with no health data) when it cannot be made."""
    from musclewise.insights.diary import load
    from musclewise.insights.summary import summarise

    fmt = params["format"]
    since = date.fromisoformat(params["since"]) if params.get("since") else None
    until = date.fromisoformat(params["until"]) if params.get("until") else None
    data = load(diary, since, until)
    if not data.episodes and not data.context:
        raise MusclewiseError(
            f"nothing recorded from {data.start} to {data.end}: no episodes and no days"
        )
    summary = summarise(data)
    if fmt == "json":
        content = json.dumps(summary.to_dict(), ensure_ascii=False).encode()
    else:
        from musclewise.insights.report import make_report

        content = make_report(summary, fmt)
    return content, REPORT_FORMATS[fmt]


def run_job(engine: Engine, job_id: str, account: int | None = None) -> str | None:
    """Run one queued job of ``account``'s on the database behind ``engine`` and store what
    came of it; its state afterwards (None: nothing to run, e.g. taken by another worker,
    expired, or not that account's)."""
    person = stored.job_owner(engine, job_id, account)
    if person is None:
        return None
    with Diary(engine=engine, account=account, person=person, migrate=False) as diary:
        job = stored.start_job(diary, job_id)
        if job is None:
            return None
        try:
            content, media_type = make_result(diary, job.params)
        except MusclewiseError as exc:
            stored.finish_job(diary, job_id, error=exc.message)
            return "failed"
        except Exception as exc:  # a bug: said without the details, which may hold health data
            stored.finish_job(diary, job_id, error=f"internal error ({type(exc).__name__})")
            raise
        stored.finish_job(diary, job_id, result=content, media_type=media_type)
        return "done"
