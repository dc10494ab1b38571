"""The diary's pages (episodes, the day's context, profile and medicines), insights, the
report, export and import, the knowledge base, settings, and what makes the app installable
(the manifest, the service worker, the offline page)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from musclewise.accounts import scope
from musclewise.diary import DiaryValueError, EpisodeRecord, NotFoundError
from musclewise.errors import FieldProblem, MusclewiseError
from musclewise.web import forms, security, words
from musclewise.web.app import (
    EMERGENCY_NUMBERS,
    THEMES,
    FormOf,
    problem_list,
    render,
    see_other,
    web,
)
from musclewise.web.state import Undo

KIND_FILTERS = {"cramp": "Cramps", "spasm": "Twitches", "other": "Something else"}
LEVEL_FILTERS = {k: v["short"] for k, v in words.LEVELS.items()}
PAGE_SIZE = 50
DAY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("caffeine_cups", "Cups of coffee, tea or energy drinks", "number"),
    ("alcohol_drinks", "Alcoholic drinks (standard drinks)", "number"),
    ("exercise_minutes", "Minutes of exercise", "number"),
    ("exercise_intense", "The exercise was hard", "bool"),
    ("sleep_hours", "Hours of sleep last night", "number"),
    ("stress", "Stress, from 0 (none) to 10", "number"),
    ("fluids_litres", "Litres of fluid drunk", "number"),
    ("fluids_low", "I drank less than usual", "bool"),
    ("hot_environment", "It was hot", "bool"),
    ("heavy_sweating", "I sweated a lot", "bool"),
    ("long_sitting_or_standing", "I sat or stood for a long time", "bool"),
    ("cold_exposure", "I was out in the cold", "bool"),
    ("screen_hours", "Hours looking at screens", "number"),
)


def _condition_words() -> dict[str, str]:
    """The conditions the contract knows, in the interview's words."""
    from musclewise.interview import load_questions

    return dict(load_questions()["conditions"].choices)


def _local(episode: EpisodeRecord) -> str:
    return f"{episode.local_start:%a %d %b %Y, %H:%M}"


def routes(app: FastAPI) -> None:
    # ------------------------------------------------------------------ diary

    @app.get("/diary", response_class=HTMLResponse)
    def diary_list(
        request: Request,
        site: str = "",
        kind: str = "",
        triage: str = "",
        page: int = 1,
        undo: str = "",
    ) -> HTMLResponse:
        from musclewise.findings import SITES

        problems: list[FieldProblem] = []
        site = site if site in SITES else ""
        kind = kind if kind in KIND_FILTERS else ""
        triage = triage if triage in LEVEL_FILTERS else ""
        page = max(1, page)
        with web(request).diary() as diary:
            episodes = diary.list_episodes(
                site=site or None, kind=kind or None, triage=triage or None,
                limit=PAGE_SIZE * page + 1, newest_first=True,
            )  # fmt: skip
        more = len(episodes) > PAGE_SIZE * page
        episodes = episodes[: PAGE_SIZE * page]
        return render(
            request, "diary.html", title="Your diary", errors=problems, episodes=episodes,
            local=_local, filters={"site": site, "kind": kind, "triage": triage},
            kinds=KIND_FILTERS, levels=LEVEL_FILTERS, sites=SITES, more=more, page=page,
            undo=undo if undo else "",
        )  # fmt: skip

    @app.get("/diary/{episode_id}", response_class=HTMLResponse)
    def episode_page(
        request: Request, episode_id: str, saved: int = 0, edited: int = 0, differs: int = 0
    ) -> HTMLResponse:
        episode = _episode(request, episode_id)
        view = words.answer_view(episode.assessment)
        return render(
            request, "episode.html", title=f"Episode of {_local(episode)}", e=episode,
            local=_local(episode), v=view, saved=bool(saved), edited=bool(edited),
            differs=bool(differs),
        )  # fmt: skip

    @app.get("/diary/{episode_id}/edit", response_class=HTMLResponse)
    def episode_edit_page(request: Request, episode_id: str) -> HTMLResponse:
        episode = _episode(request, episode_id)
        return _edit_page(request, episode, {})

    @app.post("/diary/{episode_id}/edit")
    def episode_edit(request: Request, episode_id: str, form: FormOf) -> Response:
        episode = _episode(request, episode_id)
        problems: list[FieldProblem] = []
        changes: dict[str, Any] = {}
        unset: list[str] = []
        site = str(form.get("site") or "")
        if site not in words.SITE_WORDS:
            problems.append(FieldProblem("site", "Choose where it was"))
        else:
            changes["site"] = site
        side = str(form.get("side") or "")
        if side in ("left", "right", "both"):
            changes["side"] = side
        elif episode.side is not None:
            unset.append("side")
        pain = forms.number(form, "pain", problems, "Enter the pain as a whole number from 0 to 10",
                       whole=True, low=0, high=10)  # fmt: skip
        if pain is not None:
            changes["pain"] = pain
        elif episode.pain is not None:
            unset.append("pain")
        minutes = forms.number(form, "duration_min", problems, "Enter how many minutes it lasted",
                          low=0, high=60 * 24 * 30)  # fmt: skip
        if minutes is not None:
            changes["duration_s"] = round(minutes * 60, 1) or 1
        elif episode.duration_s is not None:
            unset.append("duration_s")
        notes = str(form.get("notes") or "").strip()
        if notes:
            changes["notes"] = notes
        elif episode.notes:
            unset.append("notes")
        when = _when(form, episode, problems)
        if when is not None:
            changes["started_at"] = when
        if problems:
            return _edit_page(request, episode, form, problems)
        try:
            with web(request).diary() as diary:
                diary.edit_episode(episode.id, changes, unset=unset)
        except DiaryValueError as exc:
            return _edit_page(request, episode, form, problem_list(exc))
        return see_other(f"/diary/{episode.public_id}?edited=1")

    @app.post("/diary/{episode_id}/delete")
    def episode_delete(request: Request, episode_id: str) -> Response:
        app_ = web(request)
        episode = _episode(request, episode_id)
        with app_.diary() as diary:
            diary.delete_episode(episode.id)
        token = app_.store.add(Undo.of(episode))
        return see_other(f"/diary?undo={token}")

    @app.post("/diary/undo/{token}")
    def episode_undo(request: Request, token: str) -> Response:
        app_ = web(request)
        item = app_.store.pop(token, Undo)  # once: of two servers, one puts it back
        if item is None:
            raise HTTPException(404, "This page has expired or never existed.")
        e = item.values
        with app_.diary() as diary:
            restored, _ = diary.restore_episode(
                e["site"], started_at=e["started_at"], tz=e["tz"], pain=e["pain"],
                duration_s=e["duration_s"], side=e["side"], findings=e["findings"],
                notes=e["notes"], assessment=e["assessment"], created_at=e["created_at"],
                updated_at=e["updated_at"],
            )  # fmt: skip
        return see_other(f"/diary/{restored.public_id}")

    # ------------------------------------------------------------------ day

    @app.get("/day", response_class=HTMLResponse)
    def day_page(request: Request, on: str = "") -> HTMLResponse:
        with web(request).diary() as diary:
            day = _day_of(on, diary.today())
            record = diary.get_day(day)
        values = record.values if record else {}
        return render(request, "day.html", title="Today's context" if not on else f"Context for {day}",
                      day=day, values=values, fields=DAY_FIELDS, saved=False)  # fmt: skip

    @app.post("/day")
    def day_post(request: Request, form: FormOf) -> Response:
        problems: list[FieldProblem] = []
        with web(request).diary() as diary:
            try:
                day = date.fromisoformat(str(form.get("date") or ""))
            except ValueError:
                day = diary.today()
                problems.append(FieldProblem("date", "Enter a date like 2026-12-05"))
            values: dict[str, Any] = {}
            unset: list[str] = []
            for name, label, kind in DAY_FIELDS:
                if kind == "bool":
                    values[name] = form.get(name) == "yes"
                    continue
                number = forms.number(form, name, problems, f"{label}: enter a number", low=0)
                if number is None:
                    unset.append(name)
                else:
                    values[name] = int(number) if name == "stress" else number
            if not problems:
                try:
                    diary.set_day(day, values, unset=[u for u in unset if u])
                except DiaryValueError as exc:
                    problems = problem_list(exc)
        if problems:
            return render(request, "day.html", title="Error: Today's context", day=day,
                          values=values, fields=DAY_FIELDS, errors=problems, saved=False,
                          status=422)  # fmt: skip
        return see_other(f"/day/saved?on={day.isoformat()}")

    @app.get("/day/saved", response_class=HTMLResponse)
    def day_saved(request: Request, on: str = "") -> HTMLResponse:
        with web(request).diary() as diary:
            day = _day_of(on, diary.today())
            record = diary.get_day(day)
        return render(request, "day.html", title="Context saved", day=day,
                      values=record.values if record else {}, fields=DAY_FIELDS, saved=True)  # fmt: skip

    # ------------------------------------------------------------------ profile

    @app.get("/profile", response_class=HTMLResponse)
    def profile_page(request: Request) -> HTMLResponse:
        return _profile_page(request)

    @app.post("/profile")
    def profile_post(request: Request, form: FormOf) -> Response:
        problems: list[FieldProblem] = []
        values: dict[str, Any] = {}
        sex = str(form.get("sex") or "")
        values["sex"] = sex if sex in ("female", "male") else None
        year = forms.number(form, "birth_year", problems, "Enter the year of birth, like 1960",
                       whole=True, low=1880, high=datetime.now().astimezone().year)  # fmt: skip
        values["birth_year"] = year
        values["pregnant"] = True if form.get("pregnant") == "yes" else None
        conditions = [str(c) for c in form.getlist("conditions") if str(c) in _condition_words()]
        if problems:
            return _profile_page(request, problems)
        try:
            with web(request).diary() as diary:
                diary.set_profile(values, conditions=conditions)
        except DiaryValueError as exc:
            return _profile_page(request, problem_list(exc))
        return see_other("/profile?saved=1")

    @app.post("/profile/medicines")
    def medicine_add(request: Request, form: FormOf) -> Response:
        name = str(form.get("medicine") or "").strip()
        if not name:
            return _profile_page(request, [FieldProblem("medicine", "Enter the medicine's name")])
        try:
            with web(request).diary() as diary:
                diary.add_medicine(name)
        except (DiaryValueError, MusclewiseError) as exc:
            return _profile_page(request, problem_list(exc))
        return see_other("/profile?saved=1")

    @app.post("/profile/medicines/stop")
    def medicine_stop(request: Request, form: FormOf) -> Response:
        name = str(form.get("name") or "")
        try:
            with web(request).diary() as diary:
                diary.stop_medicine(name)
        except MusclewiseError as exc:
            return _profile_page(request, problem_list(exc))
        return see_other("/profile?saved=1")

    # ------------------------------------------------------------------ insights and report

    @app.get("/insights", response_class=HTMLResponse)
    def insights_page(request: Request) -> HTMLResponse:
        summary, made = _insights(request)
        return render(request, "insights.html", title="Insights", s=summary, charts=made,
                      kind_words=_kind_words())  # fmt: skip

    @app.get("/report", response_class=HTMLResponse)
    def report_page(request: Request) -> HTMLResponse:
        return render(request, "report.html", title="Report for a doctor")

    @app.get("/report/view")
    def report_view(request: Request) -> Response:
        from musclewise.insights.report import make_report

        content = make_report(_summary(request), "html")
        return Response(content, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": security.REPORT_CSP})  # fmt: skip

    @app.get("/report.pdf")
    def report_pdf(request: Request) -> Response:
        from musclewise.insights.report import make_report

        content = make_report(_summary(request), "pdf")
        return Response(content, media_type="application/pdf", headers={
            "Content-Disposition": 'attachment; filename="musclewise-report.pdf"'})  # fmt: skip

    # ------------------------------------------------------------------ export and import

    @app.get("/transfer", response_class=HTMLResponse)
    def transfer_page(request: Request) -> HTMLResponse:
        return render(request, "transfer.html", title="Export and import", preview=None)

    @app.get("/export/{fmt}")
    def export(request: Request, fmt: str) -> Response:
        names = {"csv": ("text/csv", "csv"), "jsonl": ("application/x-ndjson", "jsonl"),
                 "fhir": ("application/fhir+json", "json")}  # fmt: skip
        if fmt not in names:
            raise HTTPException(404, "There is no such export format.")
        out = io.StringIO()
        with web(request).diary() as diary:
            from musclewise.exchange import write_export

            write_export(diary, out, fmt)
        mime, ext = names[fmt]
        filename = f"musclewise-diary{'-fhir' if fmt == 'fhir' else ''}.{ext}"
        return Response(out.getvalue().encode("utf-8"), media_type=mime,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip

    @app.post("/import")
    async def import_post(request: Request) -> Response:
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            await form.close()
            return render(request, "transfer.html", title="Error: Export and import", preview=None,
                          errors=[FieldProblem("file", "Choose a file to import")], status=422)  # fmt: skip
        raw = await upload.read()
        await form.close()
        apply = form.get("action") == "import"
        from starlette.concurrency import run_in_threadpool

        result = await run_in_threadpool(_import, request, raw, upload.filename, apply)
        if isinstance(result, list):
            return render(request, "transfer.html", title="Error: Export and import", preview=None,
                          errors=result, status=422)  # fmt: skip
        return render(request, "transfer.html", title="Import preview" if not apply else "Imported",
                      preview=result, applied=apply, filename=upload.filename)  # fmt: skip

    # ------------------------------------------------------------------ knowledge

    @app.get("/knowledge", response_class=HTMLResponse)
    def knowledge_page(request: Request) -> HTMLResponse:
        from musclewise.knowledge import load_knowledge

        kb = load_knowledge()
        return render(request, "knowledge.html", title="Knowledge", kb=kb.data,
                      version=kb.version, sources=kb.sources,
                      numbers={sid: n for n, sid in enumerate(kb.sources, start=1)})  # fmt: skip

    # ------------------------------------------------------------------ settings

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, saved: int = 0) -> HTMLResponse:
        return _settings_page(request, saved=bool(saved))

    @app.post("/settings")
    def settings_post(request: Request, form: FormOf) -> Response:
        theme = str(form.get("theme") or "system")
        number = str(form.get("emergency") or "")
        zone = str(form.get("timezone") or "").strip()
        problems: list[FieldProblem] = []
        if theme not in THEMES:
            problems.append(FieldProblem("theme", "Choose a theme"))
        if number not in ("", *EMERGENCY_NUMBERS):
            problems.append(FieldProblem("emergency", "Choose an emergency number"))
        if zone:
            try:
                with web(request).diary() as diary:
                    if zone != diary.timezone():
                        diary.set_profile({"timezone": zone})
            except DiaryValueError as exc:
                problems += problem_list(exc)
        if problems:
            return _settings_page(request, problems)
        response = see_other("/settings?saved=1")
        year = 365 * 24 * 3600
        response.set_cookie("mw_theme", theme, max_age=year, samesite="strict", httponly=True)
        response.set_cookie("mw_emergency", number, max_age=year, samesite="strict", httponly=True)
        return response

    @app.post("/settings/delete-everything")
    def delete_everything(request: Request, form: FormOf) -> Response:
        if str(form.get("confirm") or "").strip().lower() != "delete everything":
            return _settings_page(request, [FieldProblem(
                "confirm", "Type delete everything to confirm")])  # fmt: skip
        app_ = web(request)
        with app_.diary() as diary:
            _delete_all(diary)
        app_.store.clear()
        return see_other("/settings?saved=2")

    # ------------------------------------------------------------------ installable app

    @app.get("/manifest.webmanifest")
    def manifest() -> Response:
        body = {
            "name": "musclewise",
            "short_name": "musclewise",
            "description": "Tell a muscle cramp from a twitch or a mimic, and keep a diary.",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d4f91",
            "icons": [{"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
            "shortcuts": [{"name": "Log it", "short_name": "Log it", "url": "/log",
                           "description": "Start timing an episode"}],
        }  # fmt: skip
        return Response(json.dumps(body), media_type="application/manifest+json")

    @app.get("/sw.js")
    def service_worker() -> Response:
        from musclewise.web.app import HERE

        script = (HERE / "static" / "sw.js").read_text("utf-8")
        return Response(script, media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})  # fmt: skip

    @app.get("/offline", response_class=HTMLResponse)
    def offline(request: Request) -> HTMLResponse:
        return render(request, "offline.html", title="You are offline")


# ---------------------------------------------------------------------- helpers


def _episode(request: Request, episode_id: str) -> EpisodeRecord:
    """The episode a page names by its public id (without accounts, its number too, so the
    addresses of before keep working)."""
    try:
        with web(request).diary() as diary:
            if episode_id.isdigit() and len(episode_id) < 10 and scope.current() == scope.LOCAL:
                return diary.get_episode(int(episode_id))
            return diary.get_episode(diary.episode_id(episode_id))
    except NotFoundError:
        raise HTTPException(404, "There is no such episode in your diary.") from None


def _when(form: FormData, episode: EpisodeRecord, problems: list[FieldProblem]) -> datetime | None:
    day, clock = str(form.get("date") or "").strip(), str(form.get("time") or "").strip()
    if not day and not clock:
        return None
    try:
        local = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    except ValueError:
        problems.append(
            FieldProblem("date", "Enter the date like 2026-12-05 and the time like 03:10")
        )
        return None
    aware = local.replace(tzinfo=ZoneInfo(episode.tz))
    if abs((aware - episode.local_start).total_seconds()) < 60:
        return None  # unchanged (the form shows minutes only)
    return aware


def _edit_page(
    request: Request, episode: EpisodeRecord, form: Any, problems: list[FieldProblem] | None = None
) -> HTMLResponse:
    def value(name: str, default: Any) -> str:
        got = form.get(name) if form else None
        return str(got) if got is not None else ("" if default is None else str(default))

    start = episode.local_start
    minutes = None if episode.duration_s is None else f"{episode.duration_s / 60:g}"
    return render(
        request, "episode_edit.html", title=("Error: " if problems else "") + "Change this episode",
        status=422 if problems else 200, errors=problems or [], e=episode,
        values={
            "site": value("site", episode.site), "side": value("side", episode.side),
            "pain": value("pain", episode.pain), "duration_min": value("duration_min", minutes),
            "notes": value("notes", episode.notes), "date": value("date", f"{start:%Y-%m-%d}"),
            "time": value("time", f"{start:%H:%M}"),
        },
    )  # fmt: skip


def _day_of(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


def _profile_page(request: Request, problems: list[FieldProblem] | None = None) -> HTMLResponse:
    with web(request).diary() as diary:
        profile = diary.get_profile()
        today = diary.today()
    current = profile.current_medicines(today)
    from musclewise.assessment import resolve_medicines

    matches = resolve_medicines([m.name for m in current])
    rows = [{"record": m, "match": match} for m, match in zip(current, matches, strict=True)]
    classes: dict[str, list[str]] = {}
    for m, match in zip(current, matches, strict=True):
        for c in match.classes:
            classes.setdefault(c, []).append(m.name)
    doubles = {c: names for c, names in classes.items() if len(names) > 1}
    return render(
        request, "profile.html", title=("Error: " if problems else "") + "Profile and medicines",
        status=422 if problems else 200, errors=problems or [], profile=profile, rows=rows,
        doubles=doubles, conditions=_condition_words(),
        saved=request.query_params.get("saved") == "1",
    )  # fmt: skip


def _diary_state(request: Request) -> tuple[Any, ...]:
    """A cheap fingerprint of all that insights read: it changes when an episode is added,
    edited or deleted, when a day's context, a medicine, a condition or a profile changes,
    and every hour (the period ends today)."""
    from sqlalchemy import func, select

    from musclewise.diary.models import DayContext, Episode, Medicine, Person, PersonCondition

    with web(request).engine.connect() as connection:
        episodes = connection.execute(
            select(func.count(), func.max(Episode.id), func.max(Episode.updated_at))
        ).one()
        tables = [
            hash(tuple(connection.execute(select(model.__table__)).all()))
            for model in (DayContext, Medicine, Person, PersonCondition)
        ]
    whose = scope.current()  # (with accounts: one account's cache is never another's)
    return (whose, *episodes, *tables, datetime.now(UTC).strftime("%Y-%m-%d %H"))


def _insights(request: Request) -> tuple[Any, list[Any]]:
    """The summary and its charts, computed again only when the diary changed (drawing the
    charts takes about a second; an unchanged diary's page is then as quick as the others)."""
    state = _diary_state(request)
    cached = web(request).insights
    if cached is not None and cached[0] == state:
        return cached[1], cached[2]
    summary = _summary(request)
    made: list[Any] = []
    if summary.data.episodes:
        from musclewise.insights.report import make_charts

        made = make_charts(summary)
    web(request).insights = (state, summary, made)
    return summary, made


def _summary(request: Request) -> Any:
    from musclewise.insights.diary import load
    from musclewise.insights.summary import summarise

    with web(request).diary() as diary:
        data = load(diary)
    return summarise(data)


def _kind_words() -> dict[str, str]:
    from musclewise.insights.summary import KIND_WORDS

    return dict(KIND_WORDS)


def _import(request: Request, raw: bytes, filename: str, apply: bool) -> Any:
    """The import's summary (a dry run unless ``apply``), or the problems that stop it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [FieldProblem("file", "The file is not UTF-8 text")]
    with web(request).diary() as diary:
        try:
            from musclewise.exchange import import_file, is_bundle

            if is_bundle(text[:4096]):
                fmt = "fhir"
            else:
                fmt = "csv" if filename.lower().endswith(".csv") else "jsonl"
            return import_file(diary, io.StringIO(text), fmt, dry_run=not apply)
        except MusclewiseError as exc:
            rows = getattr(exc, "problems", None) or []
            head = [FieldProblem("file", exc.message[:1].upper() + exc.message[1:])]
            return head + [FieldProblem("file", str(r)) for r in rows]


def _delete_all(diary: Any) -> None:
    """Every episode, day and medicine of the person, then the profile's fields."""
    with diary.transaction():
        for e in diary.list_episodes():
            diary.delete_episode(e.id)
        for d in diary.list_days():
            diary.delete_day(d.date)
        profile = diary.get_profile()
        for m in profile.medicines:
            if m.stopped_on is None:
                diary.stop_medicine(m.name)
        if profile.stored:
            diary.set_profile({"sex": None, "birth_year": None, "pregnant": None}, conditions=[])


def _settings_page(
    request: Request, problems: list[FieldProblem] | None = None, *, saved: bool = False
) -> HTMLResponse:
    with web(request).diary() as diary:
        zone = diary.timezone()
    from zoneinfo import available_timezones

    return render(
        request, "settings.html", title=("Error: " if problems else "") + "Settings",
        status=422 if problems else 200, errors=problems or [], zone=zone,
        zones=sorted(available_timezones()), themes=THEMES, numbers=EMERGENCY_NUMBERS,
        saved=request.query_params.get("saved", ""), now=datetime.now().astimezone(),
        delta=timedelta,
    )  # fmt: skip
