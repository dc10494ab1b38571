"""``Idempotency-Key`` on the POSTs that create (episodes, medicines, reports).

The first answer to a key is kept in the diary's database (table ``api_request``, written in
the same transaction as what the request created), so it holds across app processes: the same
key with the same body answers it again (with ``Idempotent-Replayed: true``), the same key with
another body is a 422 problem. Two requests with one key at the same moment: the second waits
for the first (an advisory lock on PostgreSQL; SQLite's writers take turns) and answers its
answer. Keys are kept 24 hours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError

from musclewise.diary import Diary
from musclewise.diary import service as stored
from musclewise.errors import FieldProblem, FindingsError

KEY_MAX = 255
HEADER = "Idempotency-Key"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Any unique string (a UUID) of 1 to 255 printable ASCII characters: "
        "the same key with the same body answers the first answer again (24 hours).",
    ),
]


class Answer:
    """What a creating request answers: a status, a JSON body and where the new thing is."""

    def __init__(self, status: int, body: Any, location: str | None = None) -> None:
        self.status, self.body, self.location = status, body, location

    def response(self, *, replayed: bool = False) -> Response:
        headers = {"Location": self.location} if self.location else {}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(self.body, status_code=self.status, headers=headers)


def fingerprint(method: str, path: str, body: Any) -> str:
    """The request's method, path and body (canonical JSON), hashed."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check(key: str) -> str:
    if not 1 <= len(key) <= KEY_MAX or not all(" " <= c <= "~" for c in key):
        raise FindingsError(
            [FieldProblem(HEADER, f"must be 1 to {KEY_MAX} printable ASCII characters")]
        )
    return key


def _replay(found: stored.StoredResponse, fp: str) -> Response:
    if found.fingerprint != fp:
        raise FindingsError(
            [FieldProblem(HEADER, "was already used for another request; use a new key")]
        )
    return Answer(found.status, json.loads(found.body), found.location).response(replayed=True)


def once(
    diary: Diary, key: str | None, fp: str, create: Callable[[], Answer]
) -> tuple[Response, bool]:
    """Answer a creating request at most once per key: the response, and whether ``create``
    ran now (False: the answer was the first one again)."""
    if key is None:
        return create().response(), True
    key = _check(key)
    found = stored.find_response(diary, key)
    if found is not None:
        return _replay(found, fp), False
    try:
        with diary.transaction():
            stored.lock_key(diary, key)
            found = stored.find_response(diary, key)  # answered while this one waited
            if found is not None:
                return _replay(found, fp), False
            answer = create()
            kept = stored.StoredResponse(fp, answer.status, json.dumps(answer.body).encode(),
                                         answer.location)  # fmt: skip
            stored.remember_response(diary, key, kept)
    except IntegrityError:  # the same key, written a moment ago by another request
        found = stored.find_response(diary, key)
        if found is None:
            raise
        return _replay(found, fp), False
    return answer.response(), True
