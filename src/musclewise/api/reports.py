"""Report jobs: ``POST /reports`` answers 202 at once with ``Location: /api/v1/jobs/{id}``;
``GET /jobs/{id}`` says how it goes and, once done, links to the result
(``GET /jobs/{id}/result``: the PDF, HTML or insights JSON). Jobs expire after a day."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from musclewise.api import idempotency
from musclewise.api.deps import Day, DiaryOf, diaries
from musclewise.api.problems import CREATE_ERRORS, DIARY_ERRORS, Conflict, Unavailable
from musclewise.diary import service as stored
from musclewise.errors import FieldProblem, FindingsError
from musclewise.jobs import REPORT_FORMATS


class ReportIn(BaseModel):
    """A report over a period of the diary."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["pdf", "html", "json"] = Field(
        "pdf", description="pdf or html (the report for a doctor), json (the insights summary)"
    )
    since: Day | None = Field(None, description="first day (default: the diary's first)")
    until: Day | None = Field(None, description="last day, inclusive (default: today)")


class JobOut(BaseModel):
    id: str
    kind: str
    params: dict[str, Any]
    state: Literal["queued", "running", "done", "failed"]
    error: str | None = Field(description="why it failed")
    media_type: str | None
    size: int | None = Field(description="the result's size in bytes, once done")
    created_at: str
    started_at: str | None
    finished_at: str | None
    expires_at: str
    result: str | None = Field(description="where to fetch the result, once done")


RETRY_AFTER = "2"
"""Seconds to wait before polling a job again."""


def _job(request: Request, job: stored.JobRecord) -> dict[str, Any]:
    root = request.scope.get("root_path", "")
    done = job.state == "done"
    return {**job.to_dict(), "result": f"{root}/jobs/{job.id}/result" if done else None}


RESULT_TYPES = {t: {"schema": {"type": "object"} if t == "application/json" else
                    {"type": "string", "format": "binary"}} for t in REPORT_FORMATS.values()}  # fmt: skip


def routes() -> APIRouter:
    router = APIRouter(tags=["jobs"])

    @router.post("/reports", status_code=202, responses=CREATE_ERRORS, response_model=JobOut,
                 summary="Ask for a report (a job)")  # fmt: skip
    def ask_report(
        request: Request, diary: DiaryOf, body: ReportIn, key: idempotency.IdempotencyKey = None
    ) -> Response:
        """Start making the report and answer at once (202, `Location` of the job to poll)."""
        if body.since and body.until and body.until < body.since:
            raise FindingsError(
                [FieldProblem("until", f"{body.until} is before since {body.since}")]
            )
        params = body.model_dump(mode="json")
        made: list[str] = []

        def create() -> idempotency.Answer:
            job = stored.create_job(diary, "report", params)
            made.append(job.id)
            answer = _job(request, job)
            return idempotency.Answer(202, answer, f"{request.scope.get('root_path', '')}"
                                                   f"/jobs/{job.id}")  # fmt: skip

        fp = idempotency.fingerprint(
            "POST", "/reports", body.model_dump(mode="json", exclude_unset=True)
        )
        response, fresh = idempotency.once(diary, key, fp, create)
        if fresh and made:
            try:
                diaries(request).dispatcher.submit(made[0], diary.account)
            except Exception as exc:  # the queue's database: said without its details
                stored.finish_job(diary, made[0], error="the job queue could not be reached")
                raise Unavailable(
                    f"the job queue could not be reached ({type(exc).__name__}); try again"
                ) from None
        response.headers["Retry-After"] = RETRY_AFTER
        return response

    @router.get("/jobs/{job_id}", responses=DIARY_ERRORS, response_model=JobOut,
                summary="How a job goes")  # fmt: skip
    def get_job(
        request: Request, response: Response, diary: DiaryOf, job_id: str
    ) -> dict[str, Any]:
        """The job's state; while it is queued or running, `Retry-After` says when to look
        again (seconds)."""
        job = stored.get_job(diary, job_id)
        if job.state in ("queued", "running"):
            response.headers["Retry-After"] = RETRY_AFTER
        return _job(request, job)

    @router.get(
        "/jobs/{job_id}/result",
        responses={**DIARY_ERRORS, 409: DIARY_ERRORS[404] | {"description": "Not done yet."},
                   200: {"description": "The result", "content": RESULT_TYPES}},
        summary="A finished job's result",
    )  # fmt: skip
    def job_result(
        diary: DiaryOf,
        job_id: str,
        download: Annotated[bool, Query(description="as an attachment to save")] = False,
    ) -> Response:
        job, content = stored.job_result(diary, job_id)
        if job.state != "done" or content is None:
            raise Conflict(f"job {job.id} is {job.state}: no result" +
                           (f" ({job.error})" if job.error else ""))  # fmt: skip
        suffix = {v: k for k, v in REPORT_FORMATS.items()}.get(job.media_type or "", "bin")
        how = "attachment" if download else "inline"
        return Response(
            content, media_type=job.media_type,
            headers={"Content-Disposition": f'{how}; filename="musclewise-report.{suffix}"'},
        )  # fmt: skip

    return router
