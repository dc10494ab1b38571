"""The HTTP API for integrators, ``/api/v1``: a thin shell over the library.

Stateless (:mod:`musclewise.api.stateless`: any number of app processes can serve them):

- ``POST /assess``: findings of contract 1.1 in, an assessment of contract 1.1 out (the same
  as ``musclewise assess --format json``);
- ``POST /parse``: ``{"text"}`` in, the findings read from it with the words they came from;
- ``POST /triage``: findings in, the level with its reasons and the unscreened warning signs,
  also as Infermedica's level names;
- ``POST /interview/next``: the findings so far in, the next question (the safety screen
  included) or ``should_stop`` with the assessment out.

The diary (:mod:`~musclewise.api.episodes`, :mod:`~musclewise.api.records`,
:mod:`~musclewise.api.reports`), whose diary it is decided by :func:`deps.diary_for` alone:
episodes, days, the profile and medicines, insights, the export, and report jobs (202 and a
job to poll). POSTs that create take an ``Idempotency-Key`` (:mod:`~musclewise.api.idempotency`).

Findings may also be given as Infermedica-style evidence (:data:`CHOICES`):
``{"evidence": [{"id": "swelling", "choice_id": "present"}]}``, where ``id`` is a yes/no key of
the contract. Every error is an RFC 9457 problem (``application/problem+json``) that names each
field and its problem in the same words as the command line; bad values are a 422, ids not in
the diary a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from musclewise.api import docs, problems
from musclewise.api.stateless import CHOICES, INFERMEDICA_LEVELS, MAX_BODY

if TYPE_CHECKING:
    from sqlalchemy import Engine

PREFIX = "/api/v1"
PROBLEM_JSON = problems.PROBLEM_JSON

__all__ = ["CHOICES", "INFERMEDICA_LEVELS", "MAX_BODY", "PREFIX", "PROBLEM_JSON", "create_app"]


def create_app(database_url: str | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The API as its own ASGI application (the web app mounts it at :data:`PREFIX`, giving it
    its database ``engine``). Without ``engine`` the diary is at ``database_url`` (default: as
    the command line resolves it), opened on the first request that needs it."""
    from contextlib import asynccontextmanager
    from typing import Any

    from musclewise.api import episodes, records, reports, stateless
    from musclewise.api.deps import Diaries

    state = Diaries(database_url, engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        state.close()

    app = FastAPI(
        title="musclewise API",
        version="1",
        summary="Tell a muscle cramp from a twitch or a mimic, and triage it, with sources.",
        description=(
            "Health information, not a diagnosis. Findings and assessments follow the "
            "musclewise contract 1.1 (`musclewise.assessment/1`). Errors are RFC 9457 problems. "
            "Infermedica-style evidence (`{id, choice_id: present|absent|unknown}`) is accepted "
            "beside the findings keys; triage levels map as emergency = emergency, urgent = "
            "consultation_24, see_doctor = consultation, self_care = self_care. POSTs that "
            "create take an `Idempotency-Key`; reports are jobs (202, then poll the job). With "
            "accounts (`musclewise serve --accounts`) every diary endpoint needs "
            "`Authorization: Bearer TOKEN` and reads the token's account's first person; "
            "`X-Musclewise-Person: NAME` (percent-encoded UTF-8) picks another of its people."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.diaries = state
    docs.install(app)
    problems.install(app)
    app.include_router(stateless.routes())
    app.include_router(episodes.routes())
    app.include_router(records.routes())
    app.include_router(reports.routes())
    return app
