"""The rest of the diary: days (`/days/{date}`), the profile and medicines, insights and the
export (FHIR Bundle, CSV or JSON Lines)."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from musclewise.api import idempotency
from musclewise.api.deps import Day, DiaryOf
from musclewise.api.problems import CREATE_ERRORS, DIARY_ERRORS, NotFound
from musclewise.contract import Condition
from musclewise.errors import FieldProblem, FindingsError

INSIGHTS_DAYS = 3660
"""The longest period ``GET /insights`` reads at once (ten years); longer ones are jobs."""
LONG = ("the period is longer than ten years: ask for it as a job (POST /reports with "
        '"format": "json"), or give a later since')  # fmt: skip
EXPORTS = {
    "fhir": ("application/fhir+json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/jsonl; charset=utf-8", "jsonl"),
}


class ProfileIn(BaseModel):
    """The person: the fields given change, `null` clears one; `conditions` replaces them all."""

    model_config = ConfigDict(extra="forbid")
    name: StrictStr | None = Field(None, description="the name of the diary's person")
    timezone: StrictStr | None = Field(None, description="IANA time zone, e.g. Europe/London")
    sex: Literal["female", "male"] | None = Field(None, description="female or male")
    birth_year: StrictInt | None = Field(None, description="year of birth")
    pregnant: StrictBool | None = Field(None, description="pregnant now")
    conditions: list[Condition] | None = Field(None, description="long-term conditions")


class MedicineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field(description='the medicine as typed, e.g. "Lipitor 20mg"')
    started_on: Day | None = Field(None, description="when it was started (YYYY-MM-DD)")
    unknown_ok: StrictBool = Field(False, description="keep a name musclewise does not know")


class MedicineStop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field(description="the medicine, as added")
    stopped_on: Day | None = Field(None, description="when it was stopped (default: today)")


def routes() -> APIRouter:
    router = APIRouter()

    # ------------------------------------------------------------------ days

    @router.get("/days/{day}", responses=DIARY_ERRORS, tags=["days"],
                summary="The context recorded for a day")  # fmt: skip
    def get_day(diary: DiaryOf, day: Day) -> dict[str, Any]:
        record = diary.get_day(day)
        if record is None:
            raise NotFound(f"date: nothing is recorded for {day}")
        return record.to_dict()

    @router.put("/days/{day}", responses=DIARY_ERRORS, tags=["days"],
                summary="Record a day's context")  # fmt: skip
    def put_day(
        diary: DiaryOf,
        day: Day,
        values: Annotated[dict[str, Any], Body(
            description="the day's fields (caffeine_cups, exercise_minutes, stress, "
            "sleep_hours, ...): those given change, `null` forgets one, the others stay",
            openapi_examples={"coffee": {"value": {"caffeine_cups": 4, "stress": 6}}},
        )],
    ) -> dict[str, Any]:  # fmt: skip
        unset = [k for k, v in values.items() if v is None]
        given = {k: v for k, v in values.items() if v is not None}
        return diary.set_day(day, given, unset=unset).to_dict()

    # ------------------------------------------------------------------ profile

    @router.get("/profile", responses=DIARY_ERRORS, tags=["profile"], summary="The person")
    def get_profile(diary: DiaryOf) -> dict[str, Any]:
        return diary.get_profile().to_dict()

    @router.put("/profile", responses=DIARY_ERRORS, tags=["profile"],
                summary="Change the person's details")  # fmt: skip
    def put_profile(diary: DiaryOf, body: ProfileIn) -> dict[str, Any]:
        given = body.model_dump(exclude_unset=True)
        conditions = given.pop("conditions", None)
        if "conditions" in body.model_fields_set and conditions is None:
            conditions = []
        return diary.set_profile(given, conditions=conditions).to_dict()

    @router.get("/medicines", responses=DIARY_ERRORS, tags=["profile"],
                summary="The medicines, current and stopped")  # fmt: skip
    def list_medicines(diary: DiaryOf) -> list[dict[str, Any]]:
        return [m.to_dict() for m in diary.get_profile().medicines]

    @router.post("/medicines", status_code=201, responses=CREATE_ERRORS, tags=["profile"],
                 summary="Start a medicine")  # fmt: skip
    def add_medicine(
        request: Request, diary: DiaryOf, body: MedicineIn, key: idempotency.IdempotencyKey = None
    ) -> Response:
        """Add a medicine; an unknown name is refused with the closest known one, unless
        `unknown_ok`. The answer says how the name was read (`read_as`, `classes`)."""

        def create() -> idempotency.Answer:
            medicine, match = diary.add_medicine(body.name, body.started_on,
                                                 allow_unknown=body.unknown_ok)  # fmt: skip
            answer = {**medicine.to_dict(), "read_as": match.name, "classes": list(match.classes)}
            return idempotency.Answer(201, answer, None)

        given = body.model_dump(mode="json", exclude_unset=True)
        fp = idempotency.fingerprint("POST", "/medicines", given)
        return idempotency.once(diary, key, fp, create)[0]

    @router.post("/medicines/stop", responses=DIARY_ERRORS, tags=["profile"],
                 summary="Stop a current medicine")  # fmt: skip
    def stop_medicine(diary: DiaryOf, body: MedicineStop) -> dict[str, Any]:
        return diary.stop_medicine(body.name, body.stopped_on).to_dict()

    # ------------------------------------------------------------------ insights, export

    @router.get("/insights", responses=DIARY_ERRORS, tags=["insights"],
                summary="What the diary shows: patterns, triggers, counts")  # fmt: skip
    def insights(
        diary: DiaryOf,
        since: Annotated[Day | None, Query(description="first day (default: the first)")] = None,
        until: Annotated[Day | None, Query(description="last day (default: today)")] = None,
    ) -> dict[str, Any]:
        """The insights summary, as `musclewise insights --format json` (association, not
        cause). On a long diary, ask for it as a job: `POST /reports` with `format: json`."""
        from musclewise.insights.diary import load
        from musclewise.insights.summary import summarise

        if since and until and until < since:
            raise FindingsError([FieldProblem("until", f"{until} is before since {since}")])
        end = until or diary.today()
        if since is not None and (end - since).days >= INSIGHTS_DAYS:
            raise FindingsError([FieldProblem("since", LONG)])
        data = load(diary, since, until)
        if not data.episodes and not data.context:
            raise NotFound(f"nothing recorded from {data.start} to {data.end}")
        if data.days > INSIGHTS_DAYS:
            raise FindingsError([FieldProblem("since", LONG)])
        return summarise(data).to_dict()

    @router.get(
        "/export",
        responses={**DIARY_ERRORS, 200: {"description": "The export, as a file",
                   "content": {t: {"schema": {"type": "object" if "json+" in t or t.endswith("fhir+json")
                                            else "string"}} for t, _ in EXPORTS.values()}}},
        tags=["export"], summary="Export the diary",
    )  # fmt: skip
    def export(
        diary: DiaryOf,
        format: Annotated[Literal["fhir", "csv", "jsonl"], Query(
            description="fhir (a FHIR R4 Bundle), csv or jsonl (JSON Lines)")] = "fhir",
    ) -> Response:  # fmt: skip
        """The whole diary in one consistent read, as `musclewise export` writes it."""
        buffer = io.StringIO()
        from musclewise.exchange import write_export

        with diary.snapshot():
            write_export(diary, buffer, format)
        media_type, suffix = EXPORTS[format]
        return Response(
            buffer.getvalue().encode(), media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="musclewise.{suffix}"'},
        )  # fmt: skip

    return router
