"""The "Log it" pages: a timer started with one tap and stopped when the episode ends, and the
one-post log of the offline page (replayed by the service worker, made harmless to replay by
its idempotency key). Timers and keys live in the database (:mod:`.state`), so a timer started
on one app server can be stopped on another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from musclewise.errors import FieldProblem
from musclewise.web import forms, words
from musclewise.web.app import FormOf, render, see_other, web
from musclewise.web.state import EXPIRED, Timer

PAIN = "Choose how painful it was, 0 to 10"


def routes(app: FastAPI) -> None:
    @app.get("/log", response_class=HTMLResponse)
    def log_page(request: Request) -> HTMLResponse:
        return render(request, "log_start.html", title="Log it")

    @app.post("/log")
    def log_start(request: Request) -> Response:
        key = web(request).store.add(Timer(datetime.now(UTC)))
        return see_other(f"/log/{key}")

    @app.get("/log/{key}", response_class=HTMLResponse)
    def log_timer(request: Request, key: str) -> HTMLResponse:
        timer = web(request).store.get(key, Timer)
        return _timer_page(request, key, timer)

    @app.post("/log/{key}/stop")
    def log_stop(request: Request, key: str, form: FormOf) -> Response:
        app_ = web(request)
        timer = app_.store.get(key, Timer)
        problems: list[FieldProblem] = []
        site = str(form.get("site") or "")
        if site not in words.SITE_WORDS:
            problems.append(FieldProblem("site", "Choose where it was"))
        pain = forms.number(form, "pain", problems, PAIN, whole=True, low=0, high=10)
        side = str(form.get("side") or "") or None
        if side not in (None, "left", "right", "both"):
            problems.append(FieldProblem("side", "Choose left, right or both"))
        if problems:
            return _timer_page(request, key, timer, problems, form)
        if app_.store.pop(key, Timer) is None:  # stopped a moment ago (another tab or server)
            raise HTTPException(404, EXPIRED)
        seconds = max(1.0, (datetime.now(UTC) - timer.started_at).total_seconds())
        with app_.diary() as diary:
            episode = diary.add_episode(
                site, pain=pain, side=side, duration_s=round(seconds), started_at=timer.started_at
            )
        return see_other(f"/diary/{episode.public_id}?saved=1")

    @app.post("/log/quick")
    def log_quick(request: Request, form: FormOf) -> Response:
        """One episode in one post (the offline page's form, replayed by the service worker
        when the server answers again): ``idempotency_key`` makes a replay harmless."""
        app_ = web(request)
        key = str(form.get("idempotency_key") or "")[:100]
        logged = app_.store.logged(key) if key else None
        if logged is not None:
            return see_other(f"/diary/{logged}?saved=1")
        problems: list[FieldProblem] = []
        site = str(form.get("site") or "")
        if site not in words.SITE_WORDS:
            problems.append(FieldProblem("site", "Choose where it was"))
        pain = forms.number(form, "pain", problems, PAIN, whole=True, low=0, high=10)
        ago = forms.number(form, "minutes_ago", problems,
                           "Enter how many minutes ago it started, in figures",
                           whole=True, low=0, high=7 * 24 * 60)  # fmt: skip
        minutes = forms.number(form, "duration_min", problems,
                               "Enter how many minutes it lasted, in figures",
                               low=0, high=24 * 60)  # fmt: skip
        started = datetime.now(UTC) - timedelta(minutes=ago or 0)
        raw = str(form.get("started_at") or "")
        if raw:
            try:
                given = datetime.fromisoformat(raw.replace("Z", "+00:00"))
                given = given if given.tzinfo else given.replace(tzinfo=UTC)
                started = min(given, datetime.now(UTC))
            except ValueError:
                problems.append(FieldProblem("minutes_ago", "The start time was not understood"))
        if problems:
            return render(request, "offline.html", title="Error: Log it", errors=problems,
                          status=422)  # fmt: skip
        with app_.diary() as diary:
            same = diary.list_episodes(
                since=started, until=started + timedelta(seconds=1), site=site
            )
            episode = same[0] if same else diary.add_episode(
                site, pain=pain, started_at=started,
                duration_s=None if minutes is None else max(1.0, minutes * 60),
            )  # fmt: skip
        if key:
            app_.store.remember_logged(key, episode.public_id)
        return see_other(f"/diary/{episode.public_id}?saved=1")

    @app.post("/log/{key}/cancel")
    def log_cancel(request: Request, key: str) -> Response:
        web(request).store.pop(key, Timer)
        return see_other("/")


def _timer_page(
    request: Request,
    key: str,
    timer: Timer,
    problems: Sequence[FieldProblem] = (),
    form: FormData | None = None,
) -> HTMLResponse:
    with web(request).diary() as diary:
        zone = diary.timezone()
    from zoneinfo import ZoneInfo

    local = timer.started_at.astimezone(ZoneInfo(zone))
    return render(
        request,
        "timer.html",
        title=("Error: " if problems else "") + "Timing your episode",
        status=422 if problems else 200,
        errors=problems,
        key=key,
        started=local,
        started_iso=timer.started_at.isoformat(),
        sites=words.LOG_SITES,
        chosen={k: str(form.get(k) or "") for k in ("site", "side", "pain")} if form else {},
    )
