"""The web app: the factory, the safety middleware, and the pages of "having one now",
"describe it" and the questions (the diary, insights and the rest are in :mod:`.pages`).

Every form posts its CSRF token; every POST that succeeds answers 303 to a page, so the app
works with JavaScript off and the back button never re-posts. State between the pages of one
check (the findings so far) is kept on the server under a random id, never in the URL's query
string, and nothing a person types is logged.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData

from musclewise.diary import Diary
from musclewise.errors import FieldProblem, FindingsError, MusclewiseError
from musclewise.web import security, words

HERE = Path(__file__).parent
THEMES = ("system", "light", "dark")
EMERGENCY_NUMBERS = ("999", "112", "911")
CHECK_LIFETIME_S = 12 * 3600
PROFILE_KEYS = ("age", "sex", "pregnant", "medications", "conditions")
"""Findings keys the diary keeps in the profile, not on an episode."""
EPISODE_COLUMNS = ("site", "side", "pain", "duration_s")


@dataclass
class Check:
    """One check in progress: what was read or answered so far."""

    findings: dict[str, Any] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    understood: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[str, dict[str, Any], set[str]]] = field(default_factory=list)
    confirmed: bool = False
    from_text: bool = False
    text: str = ""
    saved_episode: int | None = None
    created: float = field(default_factory=time.monotonic)


@dataclass
class Timer:
    """A "Log it" timer: when it started (UTC)."""

    started_at: datetime
    created: float = field(default_factory=time.monotonic)


class Store:
    """Checks, timers and undo records in memory, each under a random id, forgotten after
    :data:`CHECK_LIFETIME_S` (they hold health data: nothing is written to disk)."""

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}
        self._lock = threading.Lock()

    def add(self, item: Any) -> str:
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._expire()
            self._items[key] = item
        return key

    def get(self, key: str, kind: type) -> Any:
        with self._lock:
            item = self._items.get(key)
        if not isinstance(item, kind):
            raise HTTPException(404, "This page has expired or never existed.")
        return item

    def pop(self, key: str) -> Any:
        with self._lock:
            return self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def _expire(self) -> None:
        limit = time.monotonic() - CHECK_LIFETIME_S
        for key in [k for k, v in self._items.items() if getattr(v, "created", 0) < limit]:
            del self._items[key]


class Web:
    """What the pages share: the diary's database engine, the templates and the store."""

    def __init__(self, database_url: str | None, csrf_secret: bytes | None = None) -> None:
        first = Diary(database_url)  # migrates an empty SQLite file, checks PostgreSQL
        self.engine = first.engine
        self.display_url = first.display_url
        self.csrf = security.Csrf(csrf_secret)
        self.store = Store()
        self.logged: dict[str, int] = {}  # idempotency key -> episode id (offline logging)
        self.insights: tuple[tuple[Any, ...], Any, list[Any]] | None = None
        """The last insights page's diary state, summary and charts (see pages._insights)."""
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(words=words, site_name=words.site_name)
        self.env.filters.update(describe=words.describe, percent=words.percent)

    @contextmanager
    def diary(self) -> Iterator[Diary]:
        with Diary(engine=self.engine, migrate=False) as diary:
            yield diary

    def close(self) -> None:
        self.engine.dispose()


def web(request: Request) -> Web:
    value: Web = request.app.state.web
    return value


def prefs(request: Request) -> dict[str, str]:
    """The browser's settings (cookies): theme and the emergency number."""
    theme = request.cookies.get("mw_theme", "system")
    number = request.cookies.get("mw_emergency", "")
    return {
        "theme": theme if theme in THEMES else "system",
        "emergency": number if number in EMERGENCY_NUMBERS else "",
    }


def render(
    request: Request,
    template: str,
    *,
    title: str,
    status: int = 200,
    errors: Sequence[FieldProblem] = (),
    **context: Any,
) -> HTMLResponse:
    """A page: the template with what every page needs (the CSRF token, the settings)."""
    app = web(request)
    html = app.env.get_template(template).render(
        request=request,
        path=request.url.path,
        title=title,
        csrf=request.state.csrf,
        prefs=prefs(request),
        errors=list(errors),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def form_of(request: Request) -> FormData:
    return await request.form()


FormOf = Annotated[FormData, Depends(form_of)]
"""A handler's parameter for the posted form (read once; the CSRF check reads it too)."""


async def csrf_guard(request: Request) -> None:
    """Every unsafe request carries the token of its page (form field or X-CSRF-Token)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    posted = request.headers.get("x-csrf-token")
    if posted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(security.CSRF_FIELD)
            posted = value if isinstance(value, str) else None
    if not web(request).csrf.matches(request.cookies.get(security.CSRF_COOKIE), posted):
        raise HTTPException(
            403,
            "The form was out of date or came from another site: nothing was saved. "
            "Go back, reload the page and try again.",
        )


def create_app(
    database_url: str | None = None,
    *,
    bind: str = "127.0.0.1",
    hosts: Sequence[str] = (),
    csrf_secret: bytes | None = None,
) -> FastAPI:
    """The app on the diary at ``database_url`` (default: as the CLI resolves it).

    ``bind`` is the address the server listens on and ``hosts`` more Host names to accept;
    any other Host header is refused (DNS rebinding)."""
    app = FastAPI(
        title="musclewise",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.web = Web(database_url, csrf_secret)
    allowed = security.allowed_hosts(bind, hosts)

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if security.host_name(request.headers.get("host", "")) not in allowed:
            return PlainTextResponse("Unknown host.", status_code=400)
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD", "OPTIONS") and origin not in (None, "null"):
            host = str(origin).split("://", 1)[-1]
            if host.lower() != request.headers.get("host", "").lower():
                return PlainTextResponse("Cross-site request refused.", status_code=403)
        cookie = request.cookies.get(security.CSRF_COOKIE)
        fresh = not app.state.web.csrf.valid(cookie)
        request.state.csrf = app.state.web.csrf.new_token() if fresh else cookie
        response = await call_next(request)
        for name, value in security.HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", security.CSP)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if request.headers.get("hx-request") and request.method == "GET":
            query = f"?{request.url.query}" if request.url.query else ""
            response.headers.setdefault("HX-Push-Url", request.url.path + query)
        if fresh:
            response.set_cookie(
                security.CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict", path="/"
            )
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if not hasattr(request.state, "csrf"):
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        titles = {403: "Refused", 404: "Page not found", 405: "Not allowed"}
        return render(
            request,
            "error.html",
            title=titles.get(exc.status_code, "Something went wrong"),
            status=exc.status_code,
            message=str(exc.detail),
        )

    @app.exception_handler(MusclewiseError)
    async def library_error(request: Request, exc: MusclewiseError) -> Response:
        """A library error no page handles: its message (which names the field), as the CLI
        words it; status 400 for bad input, 500 for a bug or an unusable database."""
        status = 400 if exc.exit_code == 2 else 500
        message = exc.message[:1].upper() + exc.message[1:]
        if exc.hint:
            message += f" ({exc.hint})"
        if not hasattr(request.state, "csrf"):
            return PlainTextResponse(message, status_code=status)
        return render(request, "error.html", title="Something went wrong", status=status,
                      message=message)  # fmt: skip

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    from musclewise.api import PREFIX
    from musclewise.api import create_app as create_api

    app.mount(PREFIX, create_api(engine=app.state.web.engine), name="api")
    _routes(app)
    from musclewise.web import pages

    pages.routes(app)
    return app


# ---------------------------------------------------------------------- pages


def _routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html", title="Having one now?", sites=words.LOG_SITES)

    # ------------------------------------------------------------------ Log it

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
        pain = _int_field(form, "pain", 0, 10, problems, "Choose how painful it was, 0 to 10")
        side = str(form.get("side") or "") or None
        if side not in (None, "left", "right", "both"):
            problems.append(FieldProblem("side", "Choose left, right or both"))
        if problems:
            return _timer_page(request, key, timer, problems, form)
        seconds = max(1.0, (datetime.now(UTC) - timer.started_at).total_seconds())
        with app_.diary() as diary:
            episode = diary.add_episode(
                site, pain=pain, side=side, duration_s=round(seconds), started_at=timer.started_at
            )
        app_.store.pop(key)
        return see_other(f"/diary/{episode.id}?saved=1")

    @app.post("/log/quick")
    def log_quick(request: Request, form: FormOf) -> Response:
        """One episode in one post (the offline page's form, replayed by the service worker
        when the server answers again): ``idempotency_key`` makes a replay harmless."""
        app_ = web(request)
        key = str(form.get("idempotency_key") or "")[:100]
        if key and key in app_.logged:
            return see_other(f"/diary/{app_.logged[key]}?saved=1")
        problems: list[FieldProblem] = []
        site = str(form.get("site") or "")
        if site not in words.SITE_WORDS:
            problems.append(FieldProblem("site", "Choose where it was"))
        pain = _int_field(form, "pain", 0, 10, problems, "Choose how painful it was, 0 to 10")
        ago = _int_field(form, "minutes_ago", 0, 7 * 24 * 60, problems,
                         "Enter how many minutes ago it started, in figures")  # fmt: skip
        minutes = _float_field(form, "duration_min", problems)
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
            app_.logged[key] = episode.id
        return see_other(f"/diary/{episode.id}?saved=1")

    @app.post("/log/{key}/cancel")
    def log_cancel(request: Request, key: str) -> Response:
        web(request).store.pop(key)
        return see_other("/")

    # ------------------------------------------------------------------ Describe it

    @app.get("/assess", response_class=HTMLResponse)
    def describe_page(request: Request) -> HTMLResponse:
        return render(request, "assess.html", title="Describe it", text="")

    @app.post("/assess")
    def describe_post(request: Request, form: FormOf) -> Response:
        from musclewise.assessment import read_into
        from musclewise.findings import validate_findings

        text = str(form.get("text") or "").strip()
        if not text:
            problem = FieldProblem("text", "Describe what happened, in your own words")
            return render(request, "assess.html", title="Error: Describe it", text="",
                          errors=[problem], status=422)  # fmt: skip
        if len(text) > 5000:
            problem = FieldProblem("text", "Keep it under 5,000 characters")
            return render(request, "assess.html", title="Error: Describe it", text=text,
                          errors=[problem], status=422)  # fmt: skip
        try:
            read, understood = read_into(validate_findings({"text": text}))
        except FindingsError as exc:  # nothing could be read (contract 1.1 refuses the text)
            if any(p.key != "text" for p in exc.problems):
                raise
            read, understood = {}, []
        if not understood:
            return render(request, "assess.html", title="Describe it: nothing understood",
                          text=text, nothing_read=True, status=422)  # fmt: skip
        check = Check(findings=dict(read), understood=understood, from_text=True, text=text)
        key = web(request).store.add(check)
        return see_other(f"/check/{key}/understood")

    @app.get("/check/{key}/understood", response_class=HTMLResponse)
    def understood_page(request: Request, key: str) -> HTMLResponse:
        check = web(request).store.get(key, Check)
        return render(request, "understood.html", title="What I understood", key=key,
                      items=_understood_items(check))  # fmt: skip

    @app.post("/check/{key}/understood")
    def understood_post(request: Request, key: str, form: FormOf) -> Response:
        check = web(request).store.get(key, Check)
        keep = set(form.getlist("keep"))
        for item in _understood_items(check):
            if item["key"] not in keep:
                check.findings.pop(item["key"], None)
        check.confirmed = True
        return see_other(f"/check/{key}")

    # ------------------------------------------------------------------ questions

    @app.get("/check", response_class=HTMLResponse)
    def check_start_page(request: Request) -> HTMLResponse:
        return render(request, "check_start.html", title="Answer questions")

    @app.post("/check")
    def check_start(request: Request) -> Response:
        key = web(request).store.add(Check(confirmed=True))
        return see_other(f"/check/{key}")

    @app.get("/check/{key}", response_class=HTMLResponse)
    def question_page(request: Request, key: str) -> Response:
        check = web(request).store.get(key, Check)
        if not check.confirmed:
            return see_other(f"/check/{key}/understood")
        step = _next_step(check)
        if step.question is None or step.assessment["triage"]["level"] == "emergency":
            return see_other(f"/check/{key}/answer")
        return _question(request, key, check, step)

    @app.post("/check/{key}")
    def question_post(request: Request, key: str, form: FormOf) -> Response:
        check = web(request).store.get(key, Check)
        step = _next_step(check)
        question = step.question
        if question is None or form.get("key") != question.key:
            return see_other(f"/check/{key}")  # answered twice, or from an old page
        try:
            added, unknown = _parse_answer(question, form)
        except FindingsError as exc:
            return _question(request, key, check, step, exc.problems, form)
        # an answer that contradicts an earlier one is asked again (a second Continue keeps
        # it), but a "yes" to a warning sign or the safety screen is never held back
        yes = any(v is True for v in added.values())
        clash = None if question.kind == "group" or yes else _contradiction(check.findings, added)
        if clash and form.get("confirm") != question.key:
            problem = FieldProblem("answer", clash + " If it is right, press Continue again.")
            return _question(request, key, check, step, [problem], form, confirm=True)
        check.findings.update(added)
        check.unknown |= unknown
        check.history.append((question.key, added, unknown))
        return see_other(f"/check/{key}")

    @app.post("/check/{key}/back")
    def question_back(request: Request, key: str) -> Response:
        check = web(request).store.get(key, Check)
        if check.history:
            _, added, unknown = check.history.pop()
            for k in added:
                check.findings.pop(k, None)
            check.unknown -= unknown
        elif check.from_text:
            check.confirmed = False
        return see_other(f"/check/{key}")

    @app.post("/check/{key}/stop")
    def question_stop(request: Request, key: str) -> Response:
        web(request).store.get(key, Check)
        return see_other(f"/check/{key}/answer")

    @app.get("/check/{key}/answer", response_class=HTMLResponse)
    def answer_page(request: Request, key: str) -> HTMLResponse:
        check = web(request).store.get(key, Check)
        return _answer(request, key, check)

    @app.post("/check/{key}/save")
    def answer_save(request: Request, key: str) -> Response:
        app_ = web(request)
        check = app_.store.get(key, Check)
        if check.saved_episode is not None:
            return see_other(f"/diary/{check.saved_episode}")
        site = check.findings.get("site")
        if site is None:
            return see_other(f"/check/{key}/answer")
        extra = {
            k: v
            for k, v in check.findings.items()
            if k not in (*PROFILE_KEYS, *EPISODE_COLUMNS, "text")
        }
        with app_.diary() as diary:
            episode = diary.add_episode(
                site,
                pain=check.findings.get("pain"),
                duration_s=check.findings.get("duration_s"),
                side=check.findings.get("side"),
                findings=extra,
                notes=check.text or None,
            )
        check.saved_episode = episode.id
        from musclewise.assessment import assess_valid

        shown = assess_valid(dict(check.findings))["triage"]["level"]
        differs = "&differs=1" if episode.triage != shown else ""
        return see_other(f"/diary/{episode.id}?saved=1{differs}")

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"


# ---------------------------------------------------------------------- helpers


def _int_field(
    form: FormData, name: str, low: int, high: int, problems: list[FieldProblem], message: str
) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        problems.append(FieldProblem(name, message))
        return None
    return value


def _float_field(form: FormData, name: str, problems: list[FieldProblem]) -> float | None:
    raw = str(form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 24 * 60:
        problems.append(FieldProblem(name, "Enter how many minutes it lasted, in figures"))
        return None
    return value


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


def _understood_items(check: Check) -> list[dict[str, Any]]:
    """What was read from the text, one line each (a key read twice is shown once)."""
    seen: dict[str, dict[str, Any]] = {}
    for u in check.understood:
        if u["key"] not in seen:
            seen[u["key"]] = {"key": u["key"], "value": u["value"], "said": [u["said"]]}
        elif u["said"] not in seen[u["key"]]["said"]:
            seen[u["key"]]["said"].append(u["said"])
    return list(seen.values())


def _medicines(findings: Mapping[str, Any]) -> Any:
    from musclewise.assessment import resolve_medicines

    return resolve_medicines(findings.get("medications", ()))


def _next_step(check: Check) -> Any:
    from musclewise.assessment import default_engine
    from musclewise.interview import next_step

    return next_step(default_engine(), check.findings, _medicines(check.findings), check.unknown)


NONE, NOT_SURE = "__none__", "__not_sure__"


def _parse_answer(question: Any, form: FormData) -> tuple[dict[str, Any], set[str]]:
    """The answer to one question as findings to add and keys now "not sure"; raises
    :class:`FindingsError` naming the field ("answer") and what to do."""
    from musclewise import interview
    from musclewise.findings import validate_findings

    key = question.key
    action = form.get("action")
    values = [str(v) for v in form.getlist("answer")]

    def problem(message: str) -> FindingsError:
        return FindingsError([FieldProblem("answer", message)])

    if action == "not_sure" or values == [NOT_SURE]:
        if question.kind == "group":
            return _group(question, getattr(interview, "NOT_SURE", NOT_SURE))
        return {}, {key}
    if question.kind == "group":
        if not values:
            raise problem("Tick each sign you have, or 'None of these', or 'Not sure'")
        if (NONE in values or NOT_SURE in values) and len(values) > 1:
            raise problem("Tick the signs you have, or 'None of these' or 'Not sure' alone")
        if values == [NONE]:
            return _group(question, getattr(interview, "NONE", NONE))
        allowed = {k for k, _ in question.choices}
        return _group(question, [v for v in values if v in allowed])
    value: Any
    if question.kind == "yes_no":
        if values not in (["yes"], ["no"]):
            raise problem("Choose Yes, No or Not sure")
        value = values[0] == "yes"
    elif question.kind == "choice":
        allowed = {k for k, _ in question.choices}
        if len(values) != 1 or values[0] not in allowed:
            raise problem("Choose one answer, or Not sure")
        value = values[0]
    elif question.kind == "multi":
        if NOT_SURE in values and len(values) > 1:
            raise problem("Tick what applies, or 'Not sure' alone")
        if NONE in values and len(values) > 1:
            raise problem("Tick what applies, or 'None of these' alone")
        if not values:
            raise problem("Tick what applies, or 'None of these', or 'Not sure'")
        value = [v for v in values if v != NONE]
    elif question.kind == "list":
        raw = str(form.get("text_answer") or "").strip()
        value = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    else:
        value = _number(question, form)
    try:
        validate_findings({key: value})
    except FindingsError as exc:
        raise problem(words.plain_problem(exc)) from None
    return {key: value}, set()


def _group(question: Any, chosen: Any) -> tuple[dict[str, Any], set[str]]:
    """A grouped safety-screen answer through the interview's own ``answer_group``."""
    from musclewise import interview

    answer_group = getattr(interview, "answer_group", None)
    keys = [k for k, _ in question.choices]
    if answer_group is not None:
        added, unknown = answer_group(question, chosen)
        return dict(added), set(unknown)
    if isinstance(chosen, str):  # the interface's NONE / NOT_SURE before it is merged
        return (dict.fromkeys(keys, False), set()) if chosen == NONE else ({}, set(keys))
    return {k: k in chosen for k in keys}, set()  # a checklist answers every line


UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _number(question: Any, form: FormData) -> float | int:
    raw = str(form.get("number") or "").strip().replace(",", ".")
    what = "how long" if question.key == "duration_s" else "a number"
    if not raw:
        raise FindingsError([FieldProblem("answer", f"Enter {what}, or choose Not sure")])
    try:
        number = float(raw)
    except ValueError:
        value: float | int = _free_answer(question, raw, what)
        return value
    if question.key == "duration_s":
        unit = str(form.get("unit") or "seconds")
        return number * UNITS.get(unit, 1)
    if question.key in ("pain", "stress", "age", "muscles_involved"):
        if number != int(number):
            raise FindingsError([FieldProblem("answer", "Enter a whole number")])
        return int(number)
    return number


def _contradiction(findings: Mapping[str, Any], added: Mapping[str, Any]) -> str | None:
    """What an answer contradicts among the earlier ones (the interview's own check)."""
    from musclewise import interview

    check = getattr(interview, "contradiction", None)
    if check is None:
        return None
    for k, value in added.items():
        found: str | None = check(findings, k, value)
        if found:
            return found
    return None


def _free_answer(question: Any, raw: str, what: str) -> Any:
    """An answer in words ("every night", "two weeks"), read by the interview when it can."""
    from musclewise import interview

    parse = getattr(interview, "parse_answer", None)
    if parse is not None:
        try:
            return parse(question, raw)
        except (ValueError, FindingsError):
            pass
    raise FindingsError([FieldProblem("answer", f"Enter {what} in figures, like 2 or 1.5")])


def _question(
    request: Request,
    key: str,
    check: Check,
    step: Any,
    problems: Sequence[FieldProblem] = (),
    form: FormData | None = None,
    *,
    confirm: bool = False,
) -> HTMLResponse:
    question = step.question
    asked = len(check.history)
    return render(
        request,
        "question.html",
        title=("Error: " if problems else "") + question.ask,
        status=422 if problems else 200,
        errors=problems,
        key=key,
        q=question,
        number=asked + 1,
        progress=words.progress(asked),
        reason=step.reason,
        can_go_back=bool(check.history) or check.from_text,
        previous=[str(v) for v in form.getlist("answer")] if form else [],
        typed={k: str(form.get(k) or "") for k in ("number", "unit", "text_answer")}
        if form
        else {},
        confirm=confirm,
    )


def _answer(request: Request, key: str, check: Check) -> HTMLResponse:
    from musclewise.assessment import assess_valid

    findings = dict(check.findings)
    assessment = assess_valid(findings)
    view = words.answer_view(assessment)
    return render(
        request,
        "answer.html",
        title=view["title"],
        key=key,
        a=assessment,
        v=view,
        findings=findings,
        unknown=sorted(check.unknown),
        saved=check.saved_episode,
        from_text=check.from_text,
    )


def problem_list(exc: MusclewiseError) -> list[FieldProblem]:
    """A library error as field problems for an error summary."""
    problems = getattr(exc, "problems", None)
    if problems:
        return [FieldProblem(p.key, p.problem) for p in problems]
    return [FieldProblem("", exc.message)]
