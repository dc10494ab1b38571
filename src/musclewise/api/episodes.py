"""``/episodes``: the diary's episodes, paged by cursor and filtered by date, kind, site and
triage; created (with an ``Idempotency-Key``), read, changed (JSON merge patch) and deleted."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from musclewise.api import idempotency
from musclewise.api.deps import Day, DiaryOf, episode_key, public_id
from musclewise.api.problems import CREATE_ERRORS, DIARY_ERRORS
from musclewise.api.stateless import INFERMEDICA_LEVELS
from musclewise.contract import Kind, Level, Site
from musclewise.diary import Diary, EpisodeRecord
from musclewise.errors import FieldProblem, FindingsError

PAGE_MAX = 200
Side = Literal["left", "right", "both"]


class EpisodeIn(BaseModel):
    """An episode to record; it is assessed with the profile, medicines and the day's context."""

    model_config = ConfigDict(extra="forbid")
    site: Site = Field(description="where it was")
    side: Side | None = Field(None, description="left, right or both")
    pain: StrictInt | None = Field(None, description="pain from 0 (none) to 10 (worst)")
    duration_s: StrictInt | StrictFloat | None = Field(None, description="how long, in seconds")
    started_at: AwareDatetime | None = Field(
        None, description="when it started, ISO 8601 with its UTC offset (default: now)"
    )
    notes: StrictStr | None = Field(
        None, description="the person's own notes (at most 5000 characters)"
    )
    findings: dict[str, Any] = Field(
        default_factory=dict,
        description="any other findings keys of contract 1.1 (e.g. `onset`, `swelling`)",
    )


class EpisodeOut(BaseModel):
    id: str = Field(description="the episode's id in this diary")
    started_at: str = Field(description="when it started (UTC)")
    tz: str = Field(description="the IANA time zone it happened in")
    local_start: str = Field(description="when it started, on that zone's clock")
    site: str
    side: str | None
    pain: int | None
    duration_s: float | None
    findings: dict[str, Any] = Field(description="the other findings given")
    notes: str | None
    kind: Kind = Field(description="cramp, spasm (twitch) or other")
    triage: Level = Field(description="the triage level of its assessment")
    triage_level: str = Field(description="the same as Infermedica's triage_level")
    knowledge_version: str
    created_at: str
    updated_at: str
    assessment: dict[str, Any] | None = Field(
        None, description="the assessment of contract 1.1 (left out of lists unless asked)"
    )


class EpisodePage(BaseModel):
    items: list[EpisodeOut]
    next_cursor: str | None = Field(description="give it as `cursor` for the next page")


def episode_out(record: EpisodeRecord, *, assessment: bool = True) -> dict[str, Any]:
    data = record.to_dict(assessment=assessment)
    data.pop("person", None)
    data["id"] = public_id(record)
    data["triage_level"] = INFERMEDICA_LEVELS[record.triage]
    return data


def _cursor(page: list[EpisodeRecord]) -> str:
    """The next page's cursor: the last episode's instant and the public ids of the page's
    episodes at that instant (they are never more than the sites; no internal id, so a cursor
    tells nothing of other episodes or accounts)."""
    last = page[-1].started_at
    served = [public_id(e) for e in page if e.started_at == last]
    raw = json.dumps([last.isoformat(), served]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, frozenset[str]]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, served = json.loads(raw)
        after = datetime.fromisoformat(when)
        if (
            after.tzinfo is None
            or not isinstance(served, list)
            or not all(isinstance(x, str) for x in served)
        ):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise FindingsError(
            [FieldProblem("cursor", "is not a cursor this API gave; start again without it")]
        ) from None
    return after, frozenset(served)


def routes() -> APIRouter:
    router = APIRouter(tags=["episodes"])

    @router.get("/episodes", responses=DIARY_ERRORS, response_model=EpisodePage,
                summary="List episodes, newest first")  # fmt: skip
    def list_episodes(
        diary: DiaryOf,
        since: Annotated[Day | None, Query(description="first day (local), YYYY-MM-DD")] = None,
        until: Annotated[Day | None, Query(description="last day (local), inclusive")] = None,
        kind: Annotated[Kind | None, Query(description="cramp, spasm or other")] = None,
        site: Annotated[Site | None, Query(description="where")] = None,
        triage: Annotated[Level | None, Query(description="the triage level")] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description="episodes a page")] = 50,
        cursor: Annotated[str | None, Query(max_length=200, description="the next page")] = None,
        assessment: Annotated[bool, Query(description="include each assessment")] = False,
    ) -> dict[str, Any]:
        from musclewise.contract import SITES
        from musclewise.diary.times import day_bounds

        if since and until and until < since:
            raise FindingsError([FieldProblem("until", f"{until} is before since {since}")])
        zone = diary.timezone()
        lower = day_bounds(since, zone)[0] if since else None
        upper = day_bounds(until, zone)[1] if until else None
        after = _after(cursor) if cursor else None
        if after is not None:
            # keyset: episodes up to the cursor's instant (those at that very instant that the
            # cursor names were on the page before); at most one per site shares an instant,
            # so a page asks for that many more
            from datetime import timedelta

            bound = after[0] + timedelta(microseconds=1)
            upper = min(upper, bound) if upper else bound
        found = diary.list_episodes(
            since=lower, until=upper, kind=kind, site=site, triage=triage,
            limit=limit + 1 + (len(SITES) if after else 0), newest_first=True,
        )  # fmt: skip
        if after is not None:
            found = [e for e in found if e.started_at < after[0] or public_id(e) not in after[1]]
        page = found[:limit]
        more = len(found) > limit
        return {
            "items": [episode_out(e, assessment=assessment) for e in page],
            "next_cursor": _cursor(page) if more and page else None,
        }

    @router.post("/episodes", status_code=201, responses=CREATE_ERRORS,
                 response_model=EpisodeOut, summary="Record an episode")  # fmt: skip
    def add_episode(
        request: Request, diary: DiaryOf, body: EpisodeIn, key: idempotency.IdempotencyKey = None
    ) -> Response:
        """Record an episode, assess it with the profile, medicines and the day's context, and
        keep both. Give an `Idempotency-Key` to make retrying safe."""
        given = body.model_dump(mode="json", exclude_unset=True)

        def create() -> idempotency.Answer:
            record = diary.add_episode(
                body.site, pain=body.pain, duration_s=body.duration_s, side=body.side,
                started_at=body.started_at, findings=body.findings, notes=body.notes,
            )  # fmt: skip
            where = f"{request.scope.get('root_path', '')}/episodes/{public_id(record)}"
            return idempotency.Answer(201, episode_out(record), where)

        fp = idempotency.fingerprint("POST", "/episodes", given)
        return idempotency.once(diary, key, fp, create)[0]

    @router.get("/episodes/{episode_id}", responses=DIARY_ERRORS, response_model=EpisodeOut,
                summary="One episode with its assessment")  # fmt: skip
    def get_episode(diary: DiaryOf, episode_id: str) -> dict[str, Any]:
        return episode_out(diary.get_episode(episode_key(diary, episode_id)))

    @router.patch("/episodes/{episode_id}", responses=DIARY_ERRORS, response_model=EpisodeOut,
                  summary="Change an episode (JSON merge patch)")  # fmt: skip
    def edit_episode(
        diary: DiaryOf,
        episode_id: str,
        changes: Annotated[dict[str, Any], Body(
            description="fields to change (site, side, pain, duration_s, started_at, notes, "
            "or any findings key); `null` forgets one",
            openapi_examples={"pain": {"value": {"pain": 5, "notes": None}}},
        )],
    ) -> dict[str, Any]:  # fmt: skip
        """Change an episode and assess it again: the keys given change, `null` removes one."""
        number = episode_key(diary, episode_id)
        values = dict(changes)
        if isinstance(values.get("started_at"), str):
            values["started_at"] = _when(values["started_at"])
        unset = [k for k, v in values.items() if v is None]
        record = diary.edit_episode(
            number, {k: v for k, v in values.items() if v is not None}, unset=unset
        )
        return episode_out(record)

    @router.delete("/episodes/{episode_id}", status_code=204, responses=DIARY_ERRORS,
                   summary="Delete an episode")  # fmt: skip
    def delete_episode(diary: DiaryOf, episode_id: str) -> Response:
        diary.delete_episode(episode_key(diary, episode_id))
        return Response(status_code=204)

    return router


def _when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise FindingsError(
            [FieldProblem("started_at", "is not a date and time with its UTC offset "
                                        "(ISO 8601, e.g. 2026-12-05T07:30:00+01:00)")]
        )  # fmt: skip
    return when


__all__ = ["Diary", "routes"]
